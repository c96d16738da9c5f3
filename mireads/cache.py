"""The shared cache (Redis) as an optimisation that can fail: an outage costs speed, never pages.

Every cache alias built from CACHE_URL uses ResilientRedisCache. Any error talking to Redis (it is
stopped, frozen, out of memory, unreachable) is caught: a read is a miss, a write is dropped, and
the page is rendered without the cache. A frozen Redis costs a request at most the short socket
timeout (CACHE_TIMEOUT_MS), because the first error opens a breaker: for CACHE_RETRY_SECONDS no
request asks Redis at all, then the next one tries again. The outage is logged once when it begins
and once when it ends, per process, never once per request.

Nothing stale can be shown when Redis comes back: every key is a digest of what the page or fragment
shows, or carries the database's version counters (progress/pagecache.py, catalogue/pagecache.py),
and nothing is ever deleted on write. A write made while Redis was down moved those counters on in
the database, so the pages kept from before it are never asked for again (allkeys-lru evicts them).
"""

import contextlib
import logging
import pickle
import threading
import time
import zlib

from django.core.cache.backends.redis import RedisCache, RedisSerializer

logger = logging.getLogger("mireads.cache")


def _failures() -> tuple[type[BaseException], ...]:
    import redis

    # OSError: a socket that fails below redis-py's own wrapping of it.
    return (redis.RedisError, OSError)


class Breaker:
    """Whether to ask the cache at all: closed while it answers, open `seconds` after an error."""

    def __init__(self, location: str, seconds: float):
        self.location = location
        self.seconds = seconds
        self.open_until = 0.0
        self.down_since: float | None = None
        self.lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.open_until = now + self.seconds
            first = self.down_since is None
            if first:
                self.down_since = now
        if first:
            logger.warning(
                "cache unavailable (%s: %s): rendering without it; trying again every %g s",
                type(error).__name__,
                str(error).rstrip(".") or "no detail",
                self.seconds,
            )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning("cache answering again after %.0f s", time.monotonic() - since)


# One breaker per Redis: the three aliases share one server, so one failure spares all three.
_breakers: dict[tuple[str, ...], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(servers: list[str], seconds: float) -> Breaker:
    """The breaker of the Redis at `servers`, made on first use."""
    key = tuple(servers)
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = Breaker(",".join(servers), seconds)
        return _breakers[key]


class CompressedSerializer(RedisSerializer):
    """Django's serializer, compressed: the cache holds rendered markup, which shrinks several
    times over (the shipped list's dashboard: 105 KB in Redis per reader write uncompressed, see
    tests/site/test_cache_outage.py), for well under a millisecond of a request at level 1."""

    def dumps(self, obj):
        if type(obj) is int:  # kept plain, as Django does, so that incr works
            return obj
        return zlib.compress(pickle.dumps(obj, self.protocol), 1)

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            pass
        # A value kept uncompressed (by a server before this one) is still a pickle.
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        return pickle.loads(data)  # noqa: S301 (our own cache, written by us)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache where any Redis error is a miss (reads) or a no-op (writes).

    OPTIONS takes `retry_seconds` (how long the breaker stays open) beside redis-py's own options
    (`socket_timeout`, `socket_connect_timeout`: what one request may lose to a frozen Redis).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        seconds = float(options.pop("retry_seconds", 10))
        options.setdefault("serializer", CompressedSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(self._servers, seconds)
        self.failures = _failures()

    def _guard(self, fallback, operation, *args, **kwargs):
        if not self.breaker.allows():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except self.failures as error:
            self.breaker.failed(error)
            return fallback
        self.breaker.answered()
        return result

    def add(self, key, value, timeout=None, version=None):
        return self._guard(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        self._guard(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guard(missing, super().incr, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=None, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guard(None, super().delete_many, keys, version)

    def clear(self):
        return self._guard(False, super().clear)
