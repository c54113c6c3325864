import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from clinic.security import client_ip_address

from . import services, spam
from .forms import MESSAGE_MAX_LENGTH, InquiryForm
from .models import ContactSettings, Delivery, Inquiry
from .screening import screen_message

logger = logging.getLogger(__name__)

SENT_COOKIE = "contact_sent"
SENT_COOKIE_SALT = "contact.sent"
SENT_COOKIE_MAX_AGE = 3600
SEND_AGAIN = "Your message has not been sent yet. Please check it, then press Send again."
PAGE_OPEN_TOO_LONG = (
    "This page was open for a long time. Please check your message and send it again."
)


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
        try:
            return self.submit(request)
        except DatabaseError as error:
            # Say plainly that nothing was sent, and how to reach us: never a generic error
            # page, and never a thank-you for a message that was not stored.
            logger.error("Contact form not sent: database unavailable (%s)", type(error).__name__)
            return render(
                request,
                "contact/inquiry_not_sent.html",
                {"message": request.POST.get("message", "")},
                status=503,
            )

    def submit(self, request):
        form = InquiryForm(request.POST)
        if not form.is_valid():
            if form.stamp_expired:
                form = form.shown_again(PAGE_OPEN_TOO_LONG)
            # Whatever else needs fixing, a message that reads like a crisis gets the urgent
            # card now: the person may never fix the form.
            typed = request.POST.get("message", "")[: 2 * MESSAGE_MAX_LENGTH]
            screening = screen_message(typed) if typed.strip() else None
            return self.render_form(
                form, screening=screening if screening and screening.is_urgent else None
            )
        data = form.cleaned_data
        screening = screen_message(data["message"])
        if screening.needs_notice and not notice_acknowledged(screening, data):
            return self.render_form(form, screening=screening)
        check = spam.assess(
            honeypot=data["website"],
            form_started=data["form_started"],
            is_urgent=screening.is_urgent,
            ip_address=client_ip_address(request),
        )
        if check.stamp_problem:
            # A person (typing fast, or a page kept from before) is asked to send again, with
            # what they wrote kept and a fresh stamp. An urgent message keeps its urgent card.
            return self.render_form(
                form.shown_again(SEND_AGAIN), screening=screening if screening.is_urgent else None
            )
        try:
            inquiry = services.inquiry_submit(
                topic=data["topic"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                reply_by=data["reply_by"],
                message=data["message"],
                screening=screening,
                spam_reason=check.spam_reason,
                client_hash=check.client_hash,
                form_token=data["form_started"],
            )
        except services.TooManyInquiries:
            return self.render_form(form, flood=True, status=429)
        except ValidationError as error:
            # The form's checks should have caught it; if not, say so kindly, never a 500.
            form.add_error(None, error.messages)
            return self.render_form(form, screening=screening if screening.is_urgent else None)
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
        context = {
            "form": form,
            "screening": screening,
            "flood": flood,
            "retention_days": settings.CONTACT_RETENTION_DAYS,
        }
        return render(self.request, self.template_name, context, status=status)


@never_cache
def inquiry_sent(request):
    reference = request.get_signed_cookie(
        SENT_COOKIE, default=None, salt=SENT_COOKIE_SALT, max_age=SENT_COOKIE_MAX_AGE
    )
    inquiry = (
        Inquiry.objects.filter(reference=reference)
        .only("reference", "reply_by", "status", "is_urgent")
        .first()
        if reference
        else None
    )
    if inquiry is None:
        # Expired, cleared or never sent: nothing to confirm, so start again.
        return redirect("contact:form")
    acknowledged = inquiry.deliveries.filter(kind=Delivery.Kind.ACKNOWLEDGEMENT).exists()
    return render(
        request,
        "contact/inquiry_sent.html",
        {
            "inquiry": inquiry,
            "acknowledged": acknowledged,
            "contact_settings": ContactSettings.load(),
        },
    )
