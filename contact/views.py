from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from portal.security import client_ip_address

from . import services, spam
from .forms import InquiryForm
from .models import ContactSettings, Inquiry
from .screening import screen_message

SENT_COOKIE = "contact_sent"
SENT_COOKIE_SALT = "contact.sent"
SENT_COOKIE_MAX_AGE = 3600


def notice_acknowledged(screening, data):
    """Did the sender press "Send anyway" on a notice at least as serious as this message?"""
    if not data["send_anyway"]:
        return False
    return not screening.is_urgent or data["notice_shown"] == "urgent"


@method_decorator(never_cache, name="dispatch")
class InquiryCreateView(View):
    template_name = "contact/inquiry_form.html"

    def get(self, request):
        return self.render_form(InquiryForm())

    def post(self, request):
        form = InquiryForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        screening = screen_message(data["message"])
        if screening.needs_notice and not notice_acknowledged(screening, data):
            return self.render_form(form, screening=screening)
        client = spam.client_hash(client_ip_address(request))
        # A crisis message always reaches staff, however many came before it.
        if not screening.is_urgent and spam.is_flood(email=data["email"], client=client):
            return self.render_form(form, flood=True, status=429)
        try:
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
                    is_urgent=screening.is_urgent,
                ),
                client_hash=client,
                form_token=data["form_started"],
            )
        except ValidationError as error:
            # The form's checks should have caught it; if not, say so kindly, never a 500.
            form.add_error(None, error)
            return self.render_form(form)
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

    def render_form(self, form, *, screening=None, flood=False, status=200):
        context = {"form": form, "screening": screening, "flood": flood}
        return render(self.request, self.template_name, context, status=status)


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
