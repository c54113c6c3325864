import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def run_django(env_overrides, *args):
    """Run manage.py in a fresh process with exactly the given DJANGO_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="portal.settings")
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides):
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
        "DJANGO_SITE_URL": "https://clinic.example.org",
        **overrides,
    }


@pytest.mark.parametrize(
    "setting",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_FIELD_ENCRYPTION_KEYS",
        "DJANGO_SITE_URL",
        "DJANGO_ALLOWED_HOSTS",
    ],
)
def test_production_refuses_to_start_without_a_required_setting(setting):
    env = production_env()
    del env[setting]
    result = run_django(env, "check")
    assert result.returncode != 0
    assert f"{setting} must be set" in result.stderr


def test_production_refuses_to_start_with_a_key_that_is_not_a_fernet_key():
    result = run_django(production_env(DJANGO_FIELD_ENCRYPTION_KEYS="not-a-key"), "check")
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_deploy_check_is_silent_with_production_settings():
    result = run_django(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_when_https_is_switched_off():
    """The switches really reach the settings: turning off the redirect is reported."""
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="false")
    result = run_django(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_debug_mode_starts_without_a_secret_key():
    result = run_django({"DJANGO_DEBUG": "true"}, "check")
    assert result.returncode == 0, result.stderr


CONCURRENT_WRITES = """
import threading
from django.db import connection, transaction, OperationalError

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE visits (n integer)")
errors = []

def write_many():
    from django.db import connection as thread_connection
    for _ in range(25):
        try:
            with transaction.atomic():
                with thread_connection.cursor() as cursor:
                    # Read, then write: the pattern that deadlocks deferred transactions.
                    cursor.execute("SELECT count(*) FROM visits")
                    cursor.execute("INSERT INTO visits VALUES (1)")
        except OperationalError as error:
            errors.append(str(error))
    thread_connection.close()

threads = [threading.Thread(target=write_many) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM visits")
    print("rows", cursor.fetchone()[0], "errors", len(errors), errors[:1])
"""


def test_sqlite_takes_concurrent_writes_without_database_is_locked(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    result = run_django(env, "shell", "-c", CONCURRENT_WRITES)
    assert result.returncode == 0, result.stderr
    assert "rows 200 errors 0" in result.stdout, result.stdout


REDIS_DOWN = """
from django.conf import settings
from django.core.cache import cache
default = settings.CACHES["default"]
print(default["BACKEND"], sorted(default["OPTIONS"].items()))
print("read", cache.get("portal:clinic-details"))
"""


def test_with_redis_down_production_settings_read_a_miss_after_a_short_timeout():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    env = production_env(
        REDIS_URL=f"redis://127.0.0.1:{dead_port}/0", DJANGO_REDIS_TIMEOUT_SECONDS="0.3"
    )
    result = run_django(env, "shell", "-c", REDIS_DOWN)
    assert result.returncode == 0, result.stderr
    assert (
        "django_redis.cache.RedisCache [('CLIENT_CLASS', 'clinic.cache.BreakerClient'), "
        "('IGNORE_EXCEPTIONS', True), ('RETRY_AFTER_SECONDS', 2.0), "
        "('SOCKET_CONNECT_TIMEOUT', 0.25), ('SOCKET_TIMEOUT', 0.3)]"
    ) in result.stdout
    assert "read None" in result.stdout
    assert "Cache unavailable (ConnectionError" in result.stderr
