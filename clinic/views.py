import functools
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .models import ClinicDetails, LanguageTagline

logger = logging.getLogger(__name__)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


class LocationView(TemplateView):
    template_name = "clinic/location.html"


class PrivacyView(TemplateView):
    """How this website handles what people tell it (the website's own privacy notice)."""

    template_name = "clinic/privacy.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "retention_days": settings.CONTACT_RETENTION_DAYS,
            "spam_retention_days": settings.CONTACT_SPAM_RETENTION_DAYS,
        }


class AccessibilityView(TemplateView):
    template_name = "clinic/accessibility.html"


class NondiscriminationView(TemplateView):
    """Shown once staff confirmed its text in Clinic details; until then there is no page."""

    template_name = "clinic/nondiscrimination.html"

    def get(self, request, *args, **kwargs):
        if not ClinicDetails.for_request(request).nondiscrimination_confirmed:
            raise Http404("The nondiscrimination notice is not confirmed yet.")
        return super().get(request, *args, **kwargs)


class LanguageHelpView(TemplateView):
    """Free language help, said in each of the clinic's languages (Section 1557 taglines)."""

    template_name = "clinic/language_help.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "taglines": LanguageTagline.objects.all()}


def allow_map_frame(view):
    """Let the page frame the clinic's map, from the map's own origin and nowhere else.

    The header is cached with the page: saving the clinic details (the map's address) starts
    a new content version, so the page and its header are made again together.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origin = ClinicDetails.for_request(request).map_origin
        if origin:
            response._csp_replace = {"frame-src": [origin]}
        return response

    return wrapper


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check failed: the database is unreachable.")
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def render_error_page(request, template_name, status):
    """An error page with the clinic's details and urgent-help strip, whatever went wrong.

    Rendered without context processors, which may be what failed.
    """
    try:
        clinic = ClinicDetails.cached()
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        clinic = ClinicDetails()  # the unsaved defaults still carry 911 and 988
    template = loader.get_template(template_name)
    return HttpResponse(template.render({"clinic": clinic, "request": request}), status=status)


def server_error(request):
    return render_error_page(request, "500.html", 500)


def bad_request(request, exception):
    """A request Django refused (say, a form far too large): nothing was saved."""
    return render_error_page(request, "400.html", 400)


def csrf_failure(request, reason=""):
    """A form sent from a page open too long, or with cookies blocked: nothing was saved."""
    return render_error_page(request, "403_csrf.html", 403)
