"""The Redis cache as production configures it (portal/settings.py), for tests that need a real
Redis, or a dead or hung one."""

import os
import uuid
from urllib.parse import urlsplit

import pytest
import redis

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_cache_settings(port=None, *, retry_after=2.0, prefix=None, timeout=0.25):
    """CACHES for Redis on `port` (the test Redis's own by default), under a key prefix of
    its own so tests sharing the server never meet."""
    parts = urlsplit(REDIS_TEST_URL)
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port or parts.port or 6379}{parts.path}",
            "KEY_PREFIX": prefix or f"portal-tests-{uuid.uuid4().hex}",
            "OPTIONS": {
                "CLIENT_CLASS": "clinic.cache.BreakerClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "RETRY_AFTER_SECONDS": retry_after,
            },
        }
    }


def require_redis():
    """Skip without the test Redis, except in CI, which must have it."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL}: CI needs it.")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}")
