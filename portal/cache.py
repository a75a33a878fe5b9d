"""Redis as a cache the portal lives without.

Nothing the portal keeps is only in the cache (sessions live in the database), so a
Redis that is stopped, full or slow costs speed, never a request: a read that fails is a
miss, a write that fails is skipped. The first failure is logged, and for
RETRY_AFTER_SECONDS the cache is not tried at all, so that an outage costs each request
nothing rather than a socket timeout per call; the recovery is logged too. /healthz
reports the cache as down meanwhile. (``incr`` and ``decr`` still raise: a counter that
quietly read as missing would count wrong.)
"""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _or_fallback(fallback):
    """The method as RedisCache has it, or ``fallback(*args, **kwargs)`` while Redis fails."""

    def decorate(method):
        @wraps(method)
        def forgiving(self, *args, **kwargs):
            if not self.may_try():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self.failed(error)
                return fallback(*args, **kwargs)
            self.answered()
            return result

        return forgiving

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _no_values(keys, *args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache whose failures are misses (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_since = None
        self._retry_at = 0.0

    @property
    def is_down(self):
        return self._down_since is not None

    def may_try(self):
        return self._down_since is None or time.monotonic() >= self._retry_at

    def failed(self, error):
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            if self._down_since is None:
                self._down_since = time.monotonic()
                logger.warning(
                    "The cache is unavailable (%s); the portal goes on without it and tries "
                    "again every %d s.",
                    type(error).__name__,
                    RETRY_AFTER_SECONDS,
                )

    def answered(self):
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is not None:
                logger.warning(
                    "The cache answers again after %.0f s.", time.monotonic() - self._down_since
                )
                self._down_since = None

    get = _or_fallback(_default)(RedisCache.get)
    add = _or_fallback(_false)(RedisCache.add)
    set = _or_fallback(_nothing)(RedisCache.set)
    touch = _or_fallback(_false)(RedisCache.touch)
    delete = _or_fallback(_false)(RedisCache.delete)
    has_key = _or_fallback(_false)(RedisCache.has_key)
    get_many = _or_fallback(_no_values)(RedisCache.get_many)
    set_many = _or_fallback(_all_failed)(RedisCache.set_many)
    delete_many = _or_fallback(_nothing)(RedisCache.delete_many)
    clear = _or_fallback(_false)(RedisCache.clear)
