"""Spam checks that never shut out a person: no CAPTCHA, nothing a screen reader trips on.

A honeypot field people never see, a minimum time to fill the form and a form stamp (a signed
timestamp), and a limit on messages an hour from one email address and, far higher, from one
network. The IP address is never stored: only an HMAC of it under a random salt that the cache
forgets after two days.

Only the honeypot stores a message silently as spam: no person sees that field. Everything else
a person could trip (typing fast, a stale or missing stamp, many messages) is said to them, with
what they typed kept in the form.
"""

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import Inquiry

logger = logging.getLogger(__name__)

FORM_STARTED_SALT = "contact.form-started"
# A form stamped longer ago than this is stale: the sender is asked to send it again.
FORM_MAX_AGE_SECONDS = 24 * 3600
CLIENT_SALT_KEY = "contact:client-salt:{day}"
HONEYPOT_REASON = "filled the hidden field"


def form_started_token(*, seconds_ago=0):
    return signing.dumps(time.time() - seconds_ago, salt=FORM_STARTED_SALT)


def resend_token():
    """The stamp for a form shown again after a stamp problem: dated as if the form had been
    open for the minimum fill time, so a person pressing Send again at once gets through."""
    return form_started_token(seconds_ago=settings.CONTACT_MIN_FILL_SECONDS)


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


def recent_counts(*, email, client, since=None):
    """Messages in the hour before `since` (default: now) from this email address, and from
    this client's network."""
    recent = Inquiry.objects.received_in_hour_before(since or timezone.now())
    by_client = recent.filter(client_hash=client).count() if client else 0
    return recent.from_email(email).count(), by_client


def is_over_hourly_limit(*, email, client):
    """Has this sender reached the hourly limit? Counted by email address first; by network
    (client_hash) only far above one person's rate, since a clinic's Wi-Fi or a mobile
    carrier puts many people behind one address."""
    by_email, by_client = recent_counts(email=email, client=client)
    return (
        by_email >= settings.CONTACT_MAX_PER_HOUR
        or by_client >= settings.CONTACT_MAX_PER_HOUR_PER_NETWORK
    )


def stamp_problem(form_started, *, is_urgent=False):
    """Why the form's stamp asks the sender to press Send again, or "" if it is fine.

    "missing" when the stamp is missing or altered, "too fast" when the form was sent sooner
    after it was shown than a person can fill it. A message that reads like an emergency is
    never held for speed (a person in crisis may type fast), but needs a real stamp: a script
    must first load the form, as a person does.
    """
    elapsed = seconds_since_form_started(form_started)
    if elapsed is None:
        return "missing"
    if not is_urgent and elapsed < settings.CONTACT_MIN_FILL_SECONDS:
        return "too fast"
    return ""


def spam_reason(*, honeypot):
    """Why this submission is stored silently as spam, or "" if it looks like a person.

    Only the honeypot, which no person sees, answers a sender with the normal thank-you page
    while staff see the message only under the spam filter.
    """
    return HONEYPOT_REASON if honeypot else ""


@dataclass(frozen=True)
class Assessment:
    """What the spam checks found in one submission, worked out once."""

    spam_reason: str  # stored silently as spam when not empty
    stamp_problem: str  # not stored: the sender is asked to press Send again
    client_hash: str  # the sender's network, for the hourly limit ("" when not counted)


def assess(*, honeypot, form_started, is_urgent, ip_address):
    """The spam checks of a valid submission. A message that reads like a crisis is never
    filed away as spam, even if an autofill filled the hidden field: it is stored and flagged
    like any urgent message (its stamp, and the limits on the emails it causes, still apply)."""
    reason = "" if is_urgent else spam_reason(honeypot=honeypot)
    problem = "" if reason else stamp_problem(form_started, is_urgent=is_urgent)
    return Assessment(
        spam_reason=reason,
        stamp_problem=problem,
        client_hash="" if problem else client_hash(ip_address),
    )
