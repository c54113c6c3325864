"""A Redis cache that fails soft: with Redis down, the site serves from the database.

Nothing the site keeps in the cache is the only copy of anything: pages, clinic details and the
contact form's salt can all be rebuilt. So when Redis is unreachable, slow or refusing commands,
``FailSoftRedisCache`` answers reads as misses and skips writes, logs a warning (at most once a
minute per process, naming no key: keys can carry a search term), and recovers by itself.

A short circuit breaker keeps a dead Redis from costing every request a timeout: after a failure,
Redis is left alone for ``RETRY_AFTER_SECONDS``, then tried again. That can never serve anything
stale, because while Redis is skipped nothing is read from it at all.

Writes skipped during an outage matter, though: a staff save moves the page cache's content
version on and clears the cached clinic details; lost, the old pages and details would be served
as current once Redis answers again. So before its first command after an outage, the backend
sends ``cache_recovered``; ``clinic.caching`` answers by starting a new content version and
forgetting the clinic details, and only if that succeeds is Redis used again. Every process that
saw the outage does this, whichever of them lost the write: every request reads the cache, so
every process serving requests during the outage sees it (as does one started during it).
The price: after any failure, even one timeout, every page is rendered once more.

A process that never saw the outage cannot do this: if only one server lost Redis (a network
partition), or the processes that saw it were restarted, nobody redoes the lost writes. Then the
content version and the cached clinic details expiring after a minute (clinic/caching.py,
DJANGO_CLINIC_DETAILS_CACHE_SECONDS) bound how long old pages and details can be served.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Sent (backend=the FailSoftRedisCache) when Redis answers again after an outage, before the
# backend serves anything from it. A receiver that raises RedisError prolongs the outage.
cache_recovered = Signal()

_UNAVAILABLE = object()


class OneClientPerPool(RedisCacheClient):
    """Django's Redis client, reusing one redis-py client per connection pool.

    Django builds a new ``redis.Redis`` for every command, and each one fills in a table of some
    170 reply handlers: on a page served from the cache, that costs as much as the round trip to
    Redis itself. redis-py's clients are safe to share between threads (each command borrows a
    connection from the pool), so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


@dataclass
class _ServerState:
    """What this process knows of one Redis server, shared by all its threads.

    Django keeps one cache backend per thread (runserver starts a thread per request), so this
    cannot live on the backend: a thread that never saw the outage would skip the recovery and
    read what the outage left stale, and every new thread would pay a timeout again.
    """

    retry_at: float = 0.0  # time.monotonic() before which Redis is not asked
    outage: bool = False  # a command failed, and Redis has not answered since


_server_states = {}
_server_states_lock = threading.Lock()


def _server_state(location):
    with _server_states_lock:
        return _server_states.setdefault(location, _ServerState())


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache, with a Redis error treated as a miss for reads, a no-op for writes.

    OPTIONS are redis-py's (give it short ``socket_connect_timeout`` and ``socket_timeout``),
    plus ``RETRY_AFTER_SECONDS``: how long to leave Redis alone after a failure (default 2).

    The breaker and the outage it remembers are shared by every thread of the process, as is
    the warning's rate limit.
    """

    warning_interval = 60.0
    _warning_lock = threading.Lock()
    _last_warning_at = None
    _failures_since_warning = 0

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER_SECONDS", 2.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        self._server = _server_state(",".join(self._servers))
        self._recovering = False  # this thread is recovering: let its commands through

    def _fail_soft(self, command, fallback, *args, **kwargs):
        if self._recovering:
            return command(*args, **kwargs)  # errors reach _recover, which is inside a try
        if time.monotonic() < self._server.retry_at:
            return fallback
        try:
            if self._server.outage:
                self._recover()
            return command(*args, **kwargs)
        except RedisError as error:
            self._server.outage = True
            self._server.retry_at = time.monotonic() + self.retry_after
            self._warn(error)
            return fallback

    def _recover(self):
        self._recovering = True
        try:
            self._cache.get_client(write=True).ping()
            cache_recovered.send(sender=type(self), backend=self)
        finally:
            self._recovering = False
        # Two threads may both recover: each starts a new content version, which is harmless.
        self._server.outage = False
        logger.info("Cache reachable again: stale entries forgotten, using it again.")

    def _warn(self, error):
        # The error's type only: its text could one day carry a key or the server's password.
        cls = type(self)
        with cls._warning_lock:
            cls._failures_since_warning += 1
            now = time.monotonic()
            if cls._last_warning_at is not None and now - cls._last_warning_at < (
                cls.warning_interval
            ):
                return
            failures, cls._failures_since_warning = cls._failures_since_warning, 0
            cls._last_warning_at = now
        logger.warning(
            "Cache unavailable (%s; %d failed command(s) since the last warning): serving "
            "from the database, retrying every %g s.",
            type(error).__name__,
            failures,
            self.retry_after,
        )

    # Reads: a miss.

    def get(self, key, default=None, version=None):
        return self._fail_soft(super().get, default, key, default, version=version)

    def get_many(self, keys, version=None):
        return self._fail_soft(super().get_many, {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._fail_soft(super().has_key, False, key, version=version)

    # Writes: nothing stored, and the return value says so.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False, "not added": callers then read the key back, and get a miss.
        return self._fail_soft(super().add, False, key, value, timeout, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._fail_soft(super().set, None, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._fail_soft(super().set_many, list(data), data, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft(super().touch, False, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._fail_soft(super().delete, False, key, version=version)

    def delete_many(self, keys, version=None):
        self._fail_soft(super().delete_many, None, keys, version=version)

    def incr(self, key, delta=1, version=None):
        # With Redis down every key is missing, and incr() of a missing key raises ValueError,
        # which callers of incr() must handle anyway. (decr() calls incr().)
        result = self._fail_soft(super().incr, _UNAVAILABLE, key, delta, version=version)
        if result is _UNAVAILABLE:
            raise ValueError("Key not found: the cache is unavailable.")
        return result

    def clear(self):
        return self._fail_soft(super().clear, False)
