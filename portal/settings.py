"""Settings for the clinic portal.

Every value that differs between machines is read from the environment here, through the one
``env`` object, and nowhere else. ``.env.example`` documents each variable. The defaults are the
safe production ones; ``make run`` switches on ``DJANGO_DEBUG`` for local work.
"""

from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real environment variables always win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
# The keys that encrypt what patients write in the database (clinic/encryption.py): Fernet
# keys, comma-separated, the first one encrypting. Keep them apart from database backups.
FIELD_ENCRYPTION_KEYS = env.list("DJANGO_FIELD_ENCRYPTION_KEYS", default=[])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only-never-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
    # A fixed key for local development only: its data is demo data.
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [
        "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1rZXk="
    ]
else:
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "DJANGO_FIELD_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off: the key that "
            "encrypts inquiry messages in the database. See .env.example for how to make one."
        )
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "See .env.example for how to generate one."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off "
            "(a comma-separated list of the site's host names)."
        )
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "DJANGO_FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 bytes, "
            "URL-safe base64): .env.example says how to make one."
        ) from None
# django-otp's admin pages never show a staff member's app secret or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The site's public address, for links in emails (the email worker has no request to ask) and
# for canonical links (cached pages must not carry the host name the first visitor used).
SITE_URL = env.str("DJANGO_SITE_URL", default="")
if DEBUG:
    SITE_URL = SITE_URL or "http://127.0.0.1:8000"
elif not SITE_URL:
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL must be set when DJANGO_DEBUG is off (e.g. https://clinic.example.org),"
        " so links in staff emails point at the site."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A patient whose form is refused sees a kind page with what to do, not Django's own.
CSRF_FAILURE_VIEW = "clinic.views.csrf_failure"

INSTALLED_APPS = [
    "portal.apps.StaffAdminConfig",  # django.contrib.admin, with a second factor for staff
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "portal.apps.StaticFilesConfig",  # django.contrib.staticfiles, minus unused files
    "django.contrib.sitemaps",
    "django.forms",  # the form widgets' own templates, for FORM_RENDERER below
    "django.contrib.postgres",  # full-text search when the database is PostgreSQL
    "bootstrap",  # Bootstrap's CSS/JS as static files: no CDN.
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "clinic",
    "education",
    "contact",
]

MIDDLEWARE = [
    # First, so it compresses the finished page. Django pads compressed responses with random
    # bytes ("Heal the Breach") against compression attacks on secrets in pages.
    "django.middleware.gzip.GZipMiddleware",
    # Next, so a cached public page is served before anything below runs: it was stored with
    # the headers they set, and compressed once (clinic/caching.py). GZip passes it through.
    "clinic.caching.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: pages get these headers, static files (which run no code) do not.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): did this session pass the second step (clinic/staff_auth.py)?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Records which staff member made each change in the page history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a login that is locked out before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
                "clinic.context_processors.site_url",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/ can mend one of Django's (the admin's date and
# time inputs, templates/admin/widgets/split_datetime.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at BEGIN instead of failing with "database is locked" when
    # two requests save at once (a contact form under load); WAL lets reads go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache must be shared by every process that serves the site: a cache in one gunicorn
# worker's memory would keep showing old clinic details after another worker saved new ones.
# Redis when REDIS_URL is set (needed for more than one server); otherwise files on this
# server's disk, which all its workers share.
# Redis down must never mean an error page: django-redis's IGNORE_EXCEPTIONS then answers as
# misses and the site serves from the database. Short timeouts, so a Redis that stopped
# answering costs a request a fraction of a second, after which clinic.cache.BreakerClient
# leaves it alone for DJANGO_REDIS_RETRY_AFTER_SECONDS (and redoes lost writes when it is back).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_KEY_PREFIX", default="portal"),
            "OPTIONS": {
                "CLIENT_CLASS": "clinic.cache.BreakerClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float(
                    "DJANGO_REDIS_CONNECT_TIMEOUT_SECONDS", default=0.25
                ),
                "SOCKET_TIMEOUT": env.float("DJANGO_REDIS_TIMEOUT_SECONDS", default=0.5),
                "RETRY_AFTER_SECONDS": env.float("DJANGO_REDIS_RETRY_AFTER_SECONDS", default=2.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("DJANGO_CACHE_DIR", default=BASE_DIR / ".cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The admin lives at a path of the clinic's choosing, so it is not at the address every
# password-guessing script tries first.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
# The name staff see beside this site's codes in their authenticator app.
OTP_TOTP_ISSUER = env.str("DJANGO_OTP_ISSUER", default="Clinic portal")

# One URL says where mail goes: consolemail:// prints it, smtp://user:pass@host:587/?tls=1 sends it.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="clinic@example.org")
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)

# Security. Safe values are the default; a site behind a TLS-terminating proxy keeps them and
# sets DJANGO_SECURE_PROXY_SSL_HEADER so Django knows the original request was HTTPS.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp). Every script, style, font and image comes from the site
# itself as a static file: no inline code, no eval, so injected markup cannot run. No nonce
# either: the JSON-LD blocks on education pages are data that browsers never execute, so CSP
# does not apply to them (the browser tests check those pages raise no violation), and a nonce
# would differ on every response, which whole-page caching and ETags cannot serve. Nothing may
# frame the site. The location page lets in one frame, the clinic's map, from that map's origin
# only (clinic.views.allow_map_frame); every other page allows none. Bootstrap's CSS draws its
# form icons with data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# The site never asks for the camera, the microphone or the visitor's location, and neither
# may anything it embeds (django-permissions-policy).
PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": []}

# Staff sessions end after this many seconds without a request (patients have no sessions):
# saving the session on every request makes the cookie age an inactivity timeout.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# Password guessing on the admin login (django-axes). A login is locked after
# AXES_FAILURE_LIMIT failures for one username from one address, for the cool-off period.
# Why the username *and* address combination: by username alone, anyone on the internet could
# lock a named colleague out of the admin on purpose; by address alone, one person's typos
# would lock out everyone at the clinic's front desk, who share one public address. The
# combination stops guessing one account from one place while nobody else is affected.
# (Guessing spread over many addresses is what the 12-character password rule is for.)
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The lockout page names the time to wait; further tries meanwhile do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "clinic/login_locked_out.html"
# Failures are counted in the database, which every app server shares, so all servers agree
# on who is locked out (a per-process cache would let each server allow its own five tries).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "clinic.security.client_ip_address"
# How many proxies in front of the site append to X-Forwarded-For (0: visitors connect
# directly, so REMOTE_ADDR is their address). Set it behind a load balancer, or every visitor
# shares the balancer's address.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Public pages (home, education pages, topics, notices) are served from the cache until any
# change staff make, or a minute at most (clinic/caching.py). 0 switches page caching off.
PAGE_CACHE_SECONDS = env.int("DJANGO_PAGE_CACHE_SECONDS", default=86400)

# Benchmarks only (benchmarks/): the benchmark tools app (generate_load_data). Never set in
# production.
BENCHMARK_TOOLS = env.bool("DJANGO_BENCHMARK_TOOLS", default=False)
if BENCHMARK_TOOLS:
    INSTALLED_APPS.append("benchmarks")

# The contact form (contact/). Personal data: kept only as long as the clinic needs it.
# Whether staff notification emails carry the message text. Off: email is not a safe place
# for health details, and staff read the message in the admin.
CONTACT_EMAIL_INCLUDES_MESSAGE = env.bool("CONTACT_EMAIL_INCLUDES_MESSAGE", default=False)
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=365)
CONTACT_SPAM_RETENTION_DAYS = env.int("CONTACT_SPAM_RETENTION_DAYS", default=30)
# Spam traps: seconds a person needs at least to fill the form, messages an hour from one
# email address, links in one message.
CONTACT_MIN_FILL_SECONDS = env.int("CONTACT_MIN_FILL_SECONDS", default=3)
CONTACT_MAX_PER_HOUR = env.int("CONTACT_MAX_PER_HOUR", default=5)
# Messages an hour from one network (one IP address: a clinic's Wi-Fi, a mobile carrier's NAT
# puts many people behind one). Far above one person's rate, so patients sharing an address are
# never refused; it only stops a script that changes the email address on each message.
CONTACT_MAX_PER_HOUR_PER_NETWORK = env.int("CONTACT_MAX_PER_HOUR_PER_NETWORK", default=30)
CONTACT_MAX_LINKS = env.int("CONTACT_MAX_LINKS", default=2)
# Urgent messages are always stored and flagged, whatever the rate. Past this many an hour from
# one email address or one network, staff get one digest email listing them instead of one
# email each, at most every CONTACT_URGENT_DIGEST_MINUTES.
CONTACT_URGENT_EMAILS_PER_HOUR = env.int("CONTACT_URGENT_EMAILS_PER_HOUR", default=3)
CONTACT_URGENT_DIGEST_MINUTES = env.int("CONTACT_URGENT_DIGEST_MINUTES", default=5)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Error emails would carry request data, which can include patients' messages.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
