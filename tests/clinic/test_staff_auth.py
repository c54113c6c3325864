"""Staff sign in with a password and a second factor; no admin page opens with one alone."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from education.models import EducationPage
from tests.education.factories import EducationPageFactory, editor
from tests.factories import PASSWORD, UserFactory, current_code, second_factor_device

from .test_security import fail_until_locked, log_in

pytestmark = pytest.mark.django_db
VERIFY = reverse("admin:two_factor_verify")
SETUP = reverse("admin:two_factor_setup")


def admin_pages():
    page = EducationPageFactory(status=EducationPage.Status.DRAFT)
    return [
        reverse("admin:index"),
        reverse("admin:education_educationpage_changelist"),
        reverse("admin:education_educationpage_change", args=[page.pk]),
        reverse("admin:education_educationpage_revisions", args=[page.pk]),
        reverse("admin:contact_inquiry_changelist"),
        reverse("admin:password_change"),
    ]


def test_a_password_alone_opens_no_admin_page(client):
    nurse = editor("nurse")
    second_factor_device(nurse)
    assert log_in(client, "nurse", PASSWORD).status_code == 302
    for url in admin_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
    # The login page sends them on to the second step, keeping where they were going.
    second = client.get(reverse("admin:login") + "?next=/admin/education/")
    assert second.url == VERIFY + "?next=/admin/education/"


def test_the_right_code_opens_the_admin_and_a_wrong_one_does_not(client):
    nurse = editor("nurse")
    device = second_factor_device(nurse)
    log_in(client, "nurse", PASSWORD)
    wrong = client.post(VERIFY, {"code": "000000"})
    assert "That code did not work" in wrong.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    # Straight after a wrong code even the right one waits (django-otp's throttling)...
    assert "did not work" in client.post(VERIFY, {"code": current_code(device)}).content.decode()
    # ...a few seconds later it works.
    with time_machine.travel(datetime.timedelta(seconds=10)):
        right = client.post(VERIFY, {"code": current_code(device), "next": "/admin/education/"})
    assert right.url == "/admin/education/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_next_address_off_the_site_is_ignored(client):
    device = second_factor_device(editor("nurse"))
    log_in(client, "nurse", PASSWORD)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response.url == reverse("admin:index")


def test_setting_up_an_app_shows_a_qr_code_drawn_here_then_recovery_codes(client):
    editor("nurse")
    log_in(client, "nurse", PASSWORD)
    assert client.get(reverse("admin:login")).url == SETUP
    page = client.get(SETUP).content.decode()
    figure = page.split('class="two-factor-setup__qr"')[1].split("</figure>")[0]
    assert "<svg" in figure and "<img" not in figure and "http" not in figure  # drawn here
    device = TOTPDevice.objects.get(user__username="nurse", confirmed=False)
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.filter(user__username="nurse").count() == 1  # reused on reload
    bad = client.post(SETUP, {"code": "123456"})
    assert "did not match" in bad.content.decode()
    with time_machine.travel(datetime.timedelta(seconds=10)):  # past the wrong code's wait
        done = client.post(SETUP, {"code": current_code(device)})
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_works_once(client):
    nurse = editor("nurse")
    second_factor_device(nurse)
    from clinic.staff_auth import recovery_codes_renew

    code = recovery_codes_renew(nurse)[0]
    log_in(client, "nurse", PASSWORD)
    client.post(VERIFY, {"code": code})
    assert client.get(reverse("admin:index")).status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()

    again = Client()
    log_in(again, "nurse", PASSWORD)
    response = again.post(VERIFY, {"code": code})
    assert "That code did not work" in response.content.decode()
    assert again.get(reverse("admin:index")).status_code == 302


def test_after_a_lockout_ends_the_second_step_is_still_needed(client):
    second_factor_device(editor("nurse"))
    fail_until_locked(client, "nurse")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert log_in(client, "nurse", PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_after_a_password_reset_the_second_step_is_still_needed(client):
    nurse = editor("nurse")
    second_factor_device(nurse)
    nurse.set_password("a-brand-new-password")
    nurse.save()
    assert log_in(client, "nurse", "a-brand-new-password").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:login")).url == VERIFY


def test_a_superuser_resets_a_persons_second_step_and_they_set_it_up_again(client):
    from clinic.staff_auth import recovery_codes_renew

    nurse = editor("nurse")
    device = second_factor_device(nurse)
    recovery_codes_renew(nurse)  # as set-up leaves them: the reset must not strand them
    boss = UserFactory(username="boss", is_superuser=True)
    boss_client = Client()
    boss_client.force_login(boss)
    delete_url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert boss_client.post(delete_url, {"post": "yes"}).status_code == 302
    log_in(client, "nurse", PASSWORD)
    assert client.get(reverse("admin:login")).url == SETUP


def test_staff_cannot_see_or_reset_devices_of_others(client):
    client.force_login(editor("nurse"))
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403


def test_the_second_step_pages_are_never_cached(client):
    editor("nurse")
    log_in(client, "nurse", PASSWORD)
    response = client.get(SETUP)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_secret_being_set_up_belongs_to_one_session(client):
    editor("nurse")
    log_in(client, "nurse", PASSWORD)
    client.get(SETUP)
    first = TOTPDevice.objects.get(user__username="nurse", confirmed=False)
    other = Client()
    log_in(other, "nurse", PASSWORD)
    other.get(SETUP)
    second = TOTPDevice.objects.get(user__username="nurse", confirmed=False)
    assert second.pk != first.pk and second.key != first.key
    # The first session's code is void now: it is shown a new secret, not signed in.
    response = client.post(SETUP, {"code": current_code(first)})
    assert "did not match" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_half_done_sign_in_can_be_left_for_the_next_person(client):
    second_factor_device(editor("nurse"))
    log_in(client, "nurse", PASSWORD)
    assert "Not you? Sign out" in client.get(VERIFY).content.decode()
    client.post(reverse("admin:two_factor_sign_out"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:login")).status_code == 200  # the password form again


def test_superusers_do_not_see_anyones_app_secret_or_recovery_codes(client):
    from clinic.staff_auth import recovery_codes_renew

    nurse = editor("nurse")
    device = second_factor_device(nurse)
    code = recovery_codes_renew(nurse)[0]
    client.force_login(UserFactory(username="boss", is_superuser=True))
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in page.content.decode()
    static = nurse.staticdevice_set.get()
    page = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    assert code not in page.content.decode()
