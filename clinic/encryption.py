"""Personal data encrypted in the database: a field that stores Fernet tokens.

What a patient wrote (an inquiry's message and phone number, the replies staff send) is
encrypted with a key from the environment (DJANGO_FIELD_ENCRYPTION_KEYS), so a copy of the
database, a backup or a stray SQL query shows no message text. The first key encrypts; every
key listed decrypts, so a new key can be put first, `manage.py rotate_encryption_key` run to
re-encrypt every row with it, and the old key then removed. Encrypted columns cannot be
searched or compared in SQL: search stays on the clear columns (reference, name, email).
"""

import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)


class UnreadableText(str):
    """What a value the configured keys cannot open reads as: a notice in its place, so one
    bad row never stops the inbox, the email worker or the purge. It can never be saved back
    (the encrypted original stays as it is in the database)."""

    NOTICE = (
        "[This text cannot be read with the current encryption key. Ask the site's administrator.]"
    )

    def __new__(cls):
        return super().__new__(cls, cls.NOTICE)


# Every Fernet token starts with its version byte, 0x80, which base64 writes as "gAAAAA".
TOKEN_START = "gAAAAA"  # noqa: S105 - a format marker, not a secret


@functools.cache
def _keys_for(keys):
    # Each key was checked when the settings loaded (portal/settings.py).
    return MultiFernet([Fernet(key) for key in keys])


def fernet():
    """The keys in settings now (tests and rotation change them)."""
    return _keys_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text):
    return fernet().encrypt(text.encode()).decode()


def decrypt(token):
    return fernet().decrypt(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted, read back clear. Empty text stays empty (nothing to hide, and
    "no phone number" must stay cheap to tell)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if isinstance(value, UnreadableText):
            raise ValueError(
                "Refusing to overwrite an encrypted value that cannot be read with the current "
                "keys: put back the key it was encrypted with."
            )
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        if not value.startswith(TOKEN_START):
            # Written before the column was encrypted, until the migration that encrypts
            # every row has run (contact/migrations).
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            # Loud in the log (no value in it), quiet for the page reading it.
            logger.error(
                "An encrypted %s cannot be read with DJANGO_FIELD_ENCRYPTION_KEYS: was a key "
                "removed before `manage.py rotate_encryption_key` ran?",
                self.name or "value",
            )
            return UnreadableText()
