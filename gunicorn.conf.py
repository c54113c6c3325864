"""gunicorn settings for production: ``gunicorn portal.wsgi`` picks this file up by itself.

Every value can be changed from the environment (see .env.example).
"""

import multiprocessing
import os


def _env(name, default):
    """The variable's value, or the default when it is unset or empty."""
    return os.environ.get(name) or default


bind = _env("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(_env("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes this long is stuck; the worker is recycled and the request fails.
timeout = int(_env("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(_env("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(_env("GUNICORN_MAX_REQUESTS_JITTER", 200))
# Only trust X-Forwarded-* from the proxy in front of us.
forwarded_allow_ips = _env("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string, and no Referer (it would carry the previous
# page's query, such as an admin search for an email address): search terms, addresses and
# form values never reach the log. No visitor address either: a logged address beside each
# POST /contact/ would tie inquiries to the people who sent them. GUNICORN_LOG_CLIENT_ADDRESS
# turns it on for an incident (README, "Logs").
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
if _env("GUNICORN_LOG_CLIENT_ADDRESS", "false").lower() in {"1", "true", "yes", "on"}:
    access_log_format = "%(h)s " + access_log_format

# gunicorn 27 opens a control socket under the home folder by default; a web server needs none.
control_socket_disable = True
