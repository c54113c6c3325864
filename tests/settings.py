"""Test settings: production settings, with what a test run needs swapped in.

The environment defaults below only fill gaps, so `DATABASE_URL=postgres://... pytest` runs the
same suite against PostgreSQL.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault(
    "DJANGO_FIELD_ENCRYPTION_KEYS", "dGVzdHMtb25seS1rZXktbmV2ZXItdXNlZC1pbi11c2U="
)
os.environ.setdefault("DJANGO_SITE_URL", "http://testserver")
os.environ.setdefault("DJANGO_DEBUG", "false")
# The benchmark tools app, for the tests of generate_load_data (tests/benchmarks/).
os.environ.setdefault("DJANGO_BENCHMARK_TOOLS", "true")

from portal.settings import *  # noqa: F403

# The test client speaks plain HTTP; tests that need HTTPS ask for it with secure=True.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run without `collectstatic`; the production storage is tested on its own.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without collectstatic there is no STATIC_ROOT: WhiteNoise finds the files in the apps, as in
# development, so the live server of the browser tests serves the real CSS and JS.
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One test process: an in-memory cache is shared by everything it runs, and each test starts
# with it empty (tests/conftest.py). Tests of the shared caches set REDIS_URL themselves.
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
