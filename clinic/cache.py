"""Redis with django-redis, failing soft: with Redis down or hung, the site serves from the
database.

Nothing the site keeps in the cache is the only copy of anything: pages, clinic details and the
contact form's salt can all be rebuilt. django-redis's ``IGNORE_EXCEPTIONS`` answers reads as
misses and skips writes while Redis is unreachable; its socket timeouts bound each command.

What it does not do, ``BreakerClient`` (its ``CLIENT_CLASS``) adds:

- A short circuit breaker. A hung Redis costs every command its timeout, and a page makes a few:
  seconds per request. After a failure, Redis is left alone for ``RETRY_AFTER_SECONDS``, then
  tried again. That can never serve anything stale: while Redis is skipped nothing is read
  from it at all.
- Redoing the writes an outage swallowed. A staff save moves the page cache's content version
  on (pages and clinic details are cached under it); lost, the old pages and details would be
  served as current once Redis answers again. So before its first command after an outage, the
  client starts a new content version (clinic.caching), and only if that succeeds is Redis
  used again. Every process that saw the outage does this, whichever of
  them lost the write: every request reads the cache, so every process serving requests during
  the outage sees it (as does one started during it). The price: after any failure, even one
  timeout, every page is rendered once more.
- One warning a minute at most per process, naming no key (keys can carry a search term).

A process that never saw the outage cannot redo anything: if only one server lost Redis (a
network partition), or the processes that saw it were restarted, the content version expiring
after a minute (clinic/caching.py) bounds how long old pages and details can be served.
"""

import functools
import logging
import threading
import time

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from .caching import forget_stale_entries

logger = logging.getLogger(__name__)
WARNING_INTERVAL_SECONDS = 60


class BreakerOpen(ConnectionInterrupted):
    """Redis is being left alone after a failure: the command was not sent."""

    def __init__(self):
        super().__init__(connection=None)
        # What django-redis raises in its place if IGNORE_EXCEPTIONS is ever off.
        self.__cause__ = RedisConnectionError("Redis is left alone after a failure.")


class _ServerState:
    """What this process knows of one Redis server, shared by all its threads.

    Django keeps one cache backend (and so one client) per thread: this cannot live on the
    client, or a thread that never saw the outage would skip the recovery and read what the
    outage left stale, and every new thread would pay a timeout again.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at = 0.0  # time.monotonic() before which Redis is not asked
        self.outage = False  # a command failed, and Redis has not answered since
        self.last_warning_at = None  # time.time() of the last warning
        self.failures_since_warning = 0

    def failed(self, error, retry_after):
        self.outage = True
        self.retry_at = time.monotonic() + retry_after
        with self.lock:
            self.failures_since_warning += 1
            now = time.time()
            if self.last_warning_at is not None and (
                now - self.last_warning_at < WARNING_INTERVAL_SECONDS
            ):
                return
            failures, self.failures_since_warning = self.failures_since_warning, 0
            self.last_warning_at = now
        # The error's type only: its text could one day carry a key or the server's password.
        cause = error.__cause__ or error
        logger.warning(
            "Cache unavailable (%s; %d failed command(s) since the last warning): serving "
            "from the database, retrying every %g s.",
            type(cause).__name__,
            failures,
            retry_after,
        )


_server_states = {}
_server_states_lock = threading.Lock()


def forget_outages():
    """Start afresh, as a new process would (for tests)."""
    with _server_states_lock:
        _server_states.clear()


def _watched(method):
    """A client command whose connection failure opens the breaker."""

    @functools.wraps(method)
    def watched(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except BreakerOpen:
            raise
        except ConnectionInterrupted as error:
            self._state.failed(error, self.retry_after)
            raise
        except (RedisError, OSError) as error:
            # Commands django-redis passes through unwrapped (touch, ttl, ...): the same outage.
            self._state.failed(error, self.retry_after)
            raise ConnectionInterrupted(connection=None) from error

    return watched


class BreakerClient(DefaultClient):
    """django-redis's client with a circuit breaker and the recovery described above.

    OPTIONS: django-redis's own, plus ``RETRY_AFTER_SECONDS`` (default 2): how long to leave
    Redis alone after a failure.
    """

    def __init__(self, server, params, backend):
        super().__init__(server, params, backend)
        self.retry_after = float(self._options.get("RETRY_AFTER_SECONDS", 2.0))
        with _server_states_lock:
            self._state = _server_states.setdefault(server, _ServerState())
        self._recovering = False  # this thread is redoing lost writes: let them through

    def get_client(self, write=True, tried=None):
        self._admit()
        return super().get_client(write, tried)

    def get_client_with_index(self, write=True, tried=None):
        self._admit()
        return super().get_client_with_index(write, tried)

    def _admit(self):
        if self._recovering:
            return
        if time.monotonic() < self._state.retry_at:
            raise BreakerOpen
        if self._state.outage:
            self._recover()

    def _recover(self):
        self._recovering = True
        try:
            super().get_client(write=True).ping()
            forget_stale_entries(self)
        except RedisError as error:  # the ping
            self._state.failed(error, self.retry_after)
            raise BreakerOpen from error
        except ConnectionInterrupted as error:  # a lost write again: counted by its command
            raise BreakerOpen from error
        finally:
            self._recovering = False
        # Two threads may both recover: each starts a new content version, which is harmless.
        # Not covered: another thread's failure between the write above and the line below is
        # cleared with this outage, and a write it lost is not redone. Production's sync workers
        # run one thread each, where this cannot happen; threaded workers would need the flag
        # to carry a count of failures.
        self._state.outage = False
        logger.info("Cache reachable again: stale entries forgotten, using it again.")


# The commands Django's cache API reaches (add, decr and get_or_set go through these).
for _name in ("get", "get_many", "set", "set_many", "delete", "delete_many", "has_key", "_incr",
              "touch", "clear"):  # fmt: skip
    setattr(BreakerClient, _name, _watched(getattr(DefaultClient, _name)))
