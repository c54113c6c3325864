"""Spam checks that never shut out a person: no CAPTCHA, nothing a screen reader trips on.

A honeypot field people never see, a minimum time to fill the form (a signed timestamp), and a
limit on messages from one email or IP address an hour. The IP address is never stored: only an
HMAC of it under a random salt that the cache forgets after a day.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import Inquiry

logger = logging.getLogger(__name__)

FORM_STARTED_SALT = "contact.form-started"
# A form stamped longer ago than this is stale: the sender is asked to send it again.
FORM_MAX_AGE_SECONDS = 24 * 3600
# Past this many times the hourly limit, messages from one sender are not even kept as spam:
# a flood must not fill the database or bury real false positives.
FLOOD_FACTOR = 3
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
    """A keyed hash of the address under today's salt; the salt expires, so does the link.

    "" when there is no address or no salt (cache unavailable): then only the email address
    is counted, and a submission is never refused for it.
    """
    if not ip_address:
        return ""
    key = CLIENT_SALT_KEY.format(day=timezone.now().strftime("%Y-%m-%d"))
    try:
        cache.add(key, secrets.token_hex(32), 2 * 24 * 3600)
        salt = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure: count by email address alone
        logger.warning("Cache unavailable: contact rate limit counts email addresses only.")
        return ""
    if not salt:
        return ""
    return hmac.new(salt.encode(), ip_address.encode(), hashlib.sha256).hexdigest()


def recent_counts(*, email, client):
    """Messages in the last hour from this email address, and from this client."""
    recent = Inquiry.objects.received_since(timezone.now() - datetime.timedelta(hours=1))
    by_client = recent.filter(client_hash=client).count() if client else 0
    return recent.from_email(email).count(), by_client


def is_flood(*, email, client):
    return max(recent_counts(email=email, client=client)) >= (
        settings.CONTACT_MAX_PER_HOUR * FLOOD_FACTOR
    )


def spam_reason(*, honeypot, form_started, email, client, is_urgent=False):
    """Why this submission looks like spam, or "" if it looks like a person.

    A message that reads like an emergency is only ever caught by the honeypot: a person in
    crisis may type fast or write several times, and staff must see what they wrote.
    """
    if honeypot:
        return HONEYPOT_REASON
    if is_urgent:
        return ""
    elapsed = seconds_since_form_started(form_started)
    if elapsed is None:
        return TAMPERED_REASON
    if elapsed < settings.CONTACT_MIN_FILL_SECONDS:
        return TOO_FAST_REASON
    if max(recent_counts(email=email, client=client)) >= settings.CONTACT_MAX_PER_HOUR:
        return RATE_LIMIT_REASON
    return ""
