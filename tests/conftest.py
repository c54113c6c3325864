import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import Client

from clinic.caching import forget_process_pages


def pytest_addoption(parser):
    # Here, not in tests/browser/conftest.py: options must be known before tests are collected.
    parser.addoption(
        "--chromium",
        default="/usr/bin/chromium",
        help="the Chromium the browser tests drive (default: Debian's, /usr/bin/chromium)",
    )


# Django's own, kept before the fixture below replaces it.
PASSWORD_ONLY_FORCE_LOGIN = Client.force_login


def force_login_password_only(client, user, backend=None):
    """Signed in with the password alone: the admin is still closed (clinic/staff_auth.py)."""
    PASSWORD_ONLY_FORCE_LOGIN(client, user, backend)


def force_login_with_second_factor(client, user, backend=None):
    force_login_password_only(client, user, backend)
    if user.is_staff:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="Test device")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _staff_pass_the_second_step(monkeypatch):
    """client.force_login(staff) is a full sign-in, second step included, as every admin test
    before two-factor sign-in assumed. The second step itself is tested on its own
    (tests/clinic/test_staff_auth.py), starting from force_login_password_only."""
    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches, so cached pages never leak between tests."""
    cache.clear()
    forget_process_pages()
    yield
    cache.clear()
    forget_process_pages()


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "a-long-password")
    client.force_login(user)
    return client


class RecordingHandler:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(envelope.original_content) for envelope in self.envelopes]


class SMTPServer:
    """A real SMTP server on a loopback port that a test can stop and start again."""

    def __init__(self, port):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Django sends through real SMTP to this server (not started: each test says when)."""
    server = SMTPServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
