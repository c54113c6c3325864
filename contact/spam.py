"""Spam checks that never shut out a person: no CAPTCHA, nothing a screen reader trips on.

A honeypot field people never see, a minimum time to fill the form (a signed timestamp), and a
limit on messages from one email or IP address an hour. The IP address is never stored: only an
HMAC of it under a random salt that the cache forgets after a day.
"""

import datetime
import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import Inquiry

FORM_STARTED_SALT = "contact.form-started"
CLIENT_SALT_KEY = "contact:client-salt:{day}"
HONEYPOT_REASON = "filled the hidden field"
TOO_FAST_REASON = "sent too quickly after opening the form"
TAMPERED_REASON = "form timestamp missing or altered"
RATE_LIMIT_REASON = "too many messages in an hour"


def form_started_token():
    return signing.dumps(time.time(), salt=FORM_STARTED_SALT)


def seconds_since_form_started(token):
    """Seconds since the form was shown, or None if the token is missing or forged."""
    try:
        started = signing.loads(token, salt=FORM_STARTED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(started, int | float):
        return None
    return time.time() - started


def client_hash(ip_address):
    """A keyed hash of the address under today's salt; the salt expires, so does the link."""
    if not ip_address:
        return ""
    key = CLIENT_SALT_KEY.format(day=timezone.now().strftime("%Y-%m-%d"))
    cache.add(key, secrets.token_hex(32), 2 * 24 * 3600)
    salt = cache.get(key) or ""
    return hmac.new(salt.encode(), ip_address.encode(), hashlib.sha256).hexdigest()


def spam_reason(*, honeypot, form_started, email, client):
    """Why this submission looks like spam, or "" if it looks like a person."""
    if honeypot:
        return HONEYPOT_REASON
    elapsed = seconds_since_form_started(form_started)
    if elapsed is None:
        return TAMPERED_REASON
    if elapsed < settings.CONTACT_MIN_FILL_SECONDS:
        return TOO_FAST_REASON
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent = Inquiry.objects.received_since(an_hour_ago)
    limit = settings.CONTACT_MAX_PER_HOUR
    if recent.from_email(email).count() >= limit:
        return RATE_LIMIT_REASON
    if client and recent.filter(client_hash=client).count() >= limit:
        return RATE_LIMIT_REASON
    return ""
