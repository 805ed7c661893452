"""The public rate limit holds across API processes: two uvicorn processes on one Redis share it."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import fresh_database
from tests.service.procs import OwnRedis, service_env, start_api, stop

LIMIT = 8
PUBLIC = "/v1/public/readiness/0663011"  # unpublished: a 404, which counts against the limit like a 200


@pytest.fixture
def own_redis():  # type: ignore[no-untyped-def]
    redis = OwnRedis().start()
    yield redis
    redis.stop()


@pytest.mark.redis
def test_two_api_processes_share_one_limit(tmp_path, own_redis):
    url = fresh_database("sqlite", tmp_path)
    env = service_env(url, public_rate_limit_per_minute=str(LIMIT), rate_limit_url=own_redis.url)
    apis = [start_api(env) for _ in range(2)]
    try:
        statuses = [
            httpx.get(apis[i % 2][1] + PUBLIC, timeout=10).status_code for i in range(3 * LIMIT)
        ]  # one client, alternating between the processes
        assert set(statuses) <= {404, 429}, statuses
        assert statuses.count(404) == LIMIT  # the limit in total, not once per process
        limited = httpx.get(apis[0][1] + PUBLIC, timeout=10)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.headers["access-control-allow-origin"] == "*"

        # Redis gone: the public endpoints keep answering, each process limiting on its own
        own_redis.stop()
        answers = [httpx.get(base + PUBLIC, timeout=10).status_code for _, base in apis]
        assert answers == [404, 404]
    finally:
        for proc, _ in apis:
            stop(proc)


def test_without_redis_the_limit_is_per_process():
    from service.readiness.ratelimit import TokenBucketLimiter, make_limiter
    from service.settings import Settings

    settings = Settings(broker_url=None, rate_limit_url=None)
    assert settings.rate_limit_redis_url is None
    assert isinstance(make_limiter(LIMIT, settings.rate_limit_redis_url), TokenBucketLimiter)
    # the broker's Redis is used when no separate URL is given; memory:// keeps it in the process
    assert Settings(broker_url="redis://h:6379/0").rate_limit_redis_url == "redis://h:6379/0"
    assert Settings(broker_url="redis://h:6379/0", rate_limit_url="memory://").rate_limit_redis_url is None
