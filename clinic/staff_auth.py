"""Staff sign in with a password and a second factor: a code from an authenticator app (TOTP),
or one of ten single-use recovery codes. No admin page opens without both.

Built on django-otp's devices and middleware (request.user.is_verified()); the pages are ours,
inside the admin, so they look like it and pass the same accessibility checks. The QR code is
drawn on this server (segno, SVG): the secret never leaves it. Password lockouts (django-axes)
apply as before; django-otp slows down repeated wrong codes on each device.
"""

import base64
import secrets
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 12}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def safe_next(request):
    """Where to go after signing in: a page on this site only, else the admin home."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def qr_svg(text):
    """An SVG QR code, drawn here: the secret is never sent to an image service."""
    svg = segno.make(text, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our text, no user HTML


def key_for_people(device):
    """The secret as people type it into an app: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def otpauth_url(device):
    """The standard address an authenticator app reads from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{device.user.get_username()}")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"


@transaction.atomic
def recovery_codes_renew(user):
    """Ten new single-use codes for when the phone is lost; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


PENDING_DEVICE_SESSION_KEY = "two_factor_pending_device"


def has_app(user):
    """A confirmed authenticator app: without one (new staff, or after a reset), the next
    sign-in sets one up; recovery codes alone do not count."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def app_code_now(device):
    """The code the person's app shows now, worked out from the device's key (local
    development's `local_code`, and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def pending_app_device(request):
    """The app device this session is setting up: its secret shown to this session only, and
    the same on reload until confirmed."""
    user = request.user
    pk = request.session.get(PENDING_DEVICE_SESSION_KEY)
    device = TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
        request.session[PENDING_DEVICE_SESSION_KEY] = device.pk
    return device


class StaffAdminSite(admin.AdminSite):
    """Django's admin, opening only to staff who passed both steps of signing in."""

    site_header = "Clinic portal administration"
    site_title = "Clinic portal admin"

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not user.is_verified():
            # The password is done: on to the second step, keeping where they were going.
            step = "two_factor_verify" if has_app(user) else "two_factor_setup"
            query = request.META.get("QUERY_STRING")
            return redirect(reverse(f"admin:{step}") + (f"?{query}" if query else ""))
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path("two-factor/", self.second_step(self.verify_view), name="two_factor_verify"),
            path("two-factor/set-up/", self.second_step(self.setup_view), name="two_factor_setup"),
            path(
                "two-factor/sign-out/",
                self.second_step(self.sign_out_view),
                name="two_factor_sign_out",
            ),
            *super().get_urls(),
        ]

    def second_step(self, view):
        """For staff who signed in with their password and have not passed the second step."""

        @never_cache  # the recovery codes, above all, must never be kept by a cache
        def guarded(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.is_staff):
                return redirect("admin:login")
            if user.is_verified():
                return redirect(safe_next(request))
            return view(request, *args, **kwargs)

        return guarded

    def _render(self, request, template, **context):
        context = {
            **self.each_context(request),
            "next": safe_next(request),
            "next_field": REDIRECT_FIELD_NAME,
            **context,
        }
        return TemplateResponse(request, f"admin/two_factor/{template}.html", context)

    def verify_view(self, request):
        user = request.user
        if not has_app(user):
            setup = reverse("admin:two_factor_setup")
            return redirect(f"{setup}?next={quote(safe_next(request))}")
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = self._matching_device(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(safe_next(request))
            form.add_error(
                "code",
                "That code did not work. Type the 6 digits your app shows now, or one of your "
                "recovery codes. After several wrong codes, each try waits a little longer.",
            )
        return self._render(request, "verify", form=form, title="Second step: your code")

    def sign_out_view(self, request):
        """Leave a half-done sign-in (a shared front-desk computer): Django's admin logout
        is an admin page, closed until the second step."""
        if request.method == "POST":
            logout(request)
        return redirect("admin:login")

    @staticmethod
    def _matching_device(user, code):
        # Each device checks the code itself, with its own throttling and single use.
        with transaction.atomic():
            for device in devices_for_user(user, for_verify=True):
                if device.verify_token(code):
                    return device
        return None

    def setup_view(self, request):
        user = request.user
        if has_app(user):
            return redirect("admin:two_factor_verify")
        device = pending_app_device(request)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                # Locked and read again: two tabs cannot both confirm and make two code sets.
                locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
                # Gone: set-up was started again elsewhere, and this page's code is void.
                confirmed = bool(
                    locked
                    and not locked.confirmed
                    and locked.verify_token(form.cleaned_data["code"])
                )
                if confirmed:
                    device = locked
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    codes = recovery_codes_renew(user)
            if confirmed:
                request.session.pop(PENDING_DEVICE_SESSION_KEY, None)
                otp_login(request, device)
                # Shown this once: nowhere else shows them again.
                return self._render(
                    request, "recovery_codes", codes=codes, title="Your recovery codes"
                )
            form.add_error(
                "code", "That code did not match. Check the app's clock, then try the new code."
            )
            device = pending_app_device(request)
        return self._render(
            request,
            "setup",
            form=form,
            qr=qr_svg(otpauth_url(device)),
            key=key_for_people(device),
            title="Set up your second step",
        )
