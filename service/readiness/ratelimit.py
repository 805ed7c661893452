"""Per-client rate limit of the public endpoints: an in-process token bucket per client IP.

Each client IP has a bucket of ``per_minute`` tokens refilled continuously at ``per_minute / 60``
tokens per second; a request takes one token, and an empty bucket answers 429 with ``Retry-After``
(whole seconds until one token is back). That bucket lives in the API process; it is the embedded
default (no Redis configured).

With a Redis URL (``MIASTO_RATE_LIMIT_URL``, else the broker's ``redis://`` URL) the counters live in
Redis instead (:class:`RedisLimiter`, the ``limits`` library's moving window: at most ``per_minute``
requests in any 60 s), so every uvicorn worker and every API host share one limit per client. When
Redis does not answer, the public endpoints keep answering: the process falls back to its own bucket
and asks Redis again after a short pause.

The client IP is the socket peer, so behind a proxy configure uvicorn's
``--proxy-headers``/``--forwarded-allow-ips`` so that the peer is the real client.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

log = logging.getLogger("miasto.ratelimit")

MAX_TRACKED_CLIENTS = 50_000  # above this, buckets that are full again are forgotten (memory bound)


class TokenBucketLimiter:
    """Token buckets keyed by client id.

    Parameters
    ----------
    per_minute : int
        Bucket size and refill per minute [requests/min], >= 1.
    clock : callable
        Monotonic clock [s] (injected in tests).
    """

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute: must be >= 1, got {per_minute}")
        self.capacity = float(per_minute)
        self.rate_per_s = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, list[float]] = {}

    def take(self, client: str) -> int | None:
        """Take one token for ``client``; None when allowed, else the seconds to wait (>= 1)."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_CLIENTS:
                self._prune(now)
            bucket = self._buckets[client] = [self.capacity, now]
        tokens = min(self.capacity, bucket[0] + (now - bucket[1]) * self.rate_per_s)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return None
        bucket[0] = tokens
        return max(1, math.ceil((1.0 - tokens) / self.rate_per_s))

    def _prune(self, now: float) -> None:
        full_after_s = self.capacity / self.rate_per_s
        stale = [k for k, (_, last) in self._buckets.items() if now - last >= full_after_s]
        for key in stale:
            del self._buckets[key]


class Limiter(Protocol):
    capacity: float

    def take(self, client: str) -> int | None: ...


class RedisLimiter:
    """A moving-window limit per client kept in Redis (shared by every process that uses the URL).

    Parameters
    ----------
    per_minute : int
        Requests allowed in any 60 s window [requests/min], >= 1.
    url : str
        ``redis://`` URL of the counters.
    retry_after_s : float
        After a Redis error, how long the in-process bucket answers alone before Redis is tried again [s].
    """

    KEY_PREFIX = "miasto:ratelimit"

    def __init__(self, per_minute: int, url: str, retry_after_s: float = 5.0) -> None:
        from limits import RateLimitItemPerMinute
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self.capacity = float(per_minute)
        self.item = RateLimitItemPerMinute(per_minute)
        # Short timeouts: a Redis that is down must not hold a public request for seconds.
        storage = RedisStorage(
            url, key_prefix=self.KEY_PREFIX, socket_connect_timeout=0.25, socket_timeout=0.25
        )
        self.strategy = MovingWindowRateLimiter(storage)
        self.fallback = TokenBucketLimiter(per_minute)
        self.retry_after_s = retry_after_s
        self._down_until = 0.0

    def take(self, client: str) -> int | None:
        now = time.monotonic()
        if now >= self._down_until:
            try:
                if self.strategy.hit(self.item, client):
                    return None
                reset_at, _ = self.strategy.get_window_stats(self.item, client)
                return max(1, math.ceil(reset_at - time.time()))
            except Exception as exc:  # noqa: BLE001 - any Redis failure: answer from this process
                log.warning("rate-limit Redis unavailable (%s); limiting in this process", type(exc).__name__)
                self._down_until = now + self.retry_after_s
        return self.fallback.take(client)


def make_limiter(per_minute: int, redis_url: str | None) -> Limiter:
    """The shared Redis limiter when a Redis URL is given, else the in-process token bucket."""
    if redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLimiter(per_minute, redis_url)
    return TokenBucketLimiter(per_minute)
