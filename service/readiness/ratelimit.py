"""Per-client rate limit of the public endpoints: an in-process token bucket per client IP.

Each client IP has a bucket of ``per_minute`` tokens refilled continuously at ``per_minute / 60``
tokens per second; a request takes one token, and an empty bucket answers 429 with ``Retry-After``
(whole seconds until one token is back). The state lives in the API process: with several uvicorn
workers each worker limits separately (a client gets up to workers x the limit), and a restart
forgets it. A deployment that needs one shared limit puts it in the reverse proxy (nginx
``limit_req``) or in Redis; the client IP is the socket peer, so behind a proxy configure uvicorn's
``--proxy-headers``/``--forwarded-allow-ips`` so that the peer is the real client.
"""

from __future__ import annotations

import math
import time

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
