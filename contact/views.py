from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from . import services, spam
from .forms import InquiryForm
from .models import ContactSettings, Inquiry
from .screening import screen_message

SENT_COOKIE = "contact_sent"
SENT_COOKIE_SALT = "contact.sent"
SENT_COOKIE_MAX_AGE = 3600
# A real contact form posts a few KB; anything far bigger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024


def declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads a garbled length as no body too


@method_decorator(never_cache, name="dispatch")
class InquiryCreateView(View):
    template_name = "contact/inquiry_form.html"

    def get(self, request):
        return self.render_form(InquiryForm())

    def post(self, request):
        if declared_length(request) > MAX_BODY_BYTES:
            return self.render_form(InquiryForm(), too_big=True, status=413)
        form = InquiryForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        screening = screen_message(data["message"])
        client = spam.client_hash(request.META.get("REMOTE_ADDR", ""))
        if screening.needs_notice and not data["send_anyway"]:
            return self.render_form(form, screening=screening)
        inquiry = services.inquiry_submit(
            topic=data["topic"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            reply_by=data["reply_by"],
            message=data["message"],
            screening=screening,
            spam_reason=spam.spam_reason(
                honeypot=data["website"],
                form_started=data["form_started"],
                email=data["email"],
                client=client,
            ),
            client_hash=client,
        )
        # Post/redirect/get: the reference travels in a short-lived signed cookie, never in
        # the URL, so refreshing the thank-you page cannot send the message again.
        response = redirect("contact:sent")
        response.set_signed_cookie(
            SENT_COOKIE,
            inquiry.reference,
            salt=SENT_COOKIE_SALT,
            max_age=SENT_COOKIE_MAX_AGE,
            path="/contact/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response

    def render_form(self, form, *, screening=None, too_big=False, status=200):
        context = {"form": form, "screening": screening, "too_big": too_big}
        return render(
            request=self.request, template_name=self.template_name, context=context, status=status
        )


@never_cache
def inquiry_sent(request):
    reference = request.get_signed_cookie(
        SENT_COOKIE, default=None, salt=SENT_COOKIE_SALT, max_age=SENT_COOKIE_MAX_AGE
    )
    inquiry = (
        Inquiry.objects.filter(reference=reference).only("reference", "reply_by", "status").first()
        if reference
        else None
    )
    if inquiry is None:
        # Expired, cleared or never sent: nothing to confirm, so start again.
        return redirect("contact:form")
    return render(
        request,
        "contact/inquiry_sent.html",
        {"inquiry": inquiry, "contact_settings": ContactSettings.load()},
    )
