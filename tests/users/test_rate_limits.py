"""Login rate limiting per account (through the gateway) and per client address."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from subgraphs.common.errors import RateLimited
from subgraphs.users.ratelimit import LoginRateLimiter
from tests.conftest import LOGIN, register
from tests.support.client import Client
from tests.support.servers import RedisServer


async def test_sixth_attempt_on_one_account_is_rate_limited(gateway: Client) -> None:
    account = await register(gateway)
    for _ in range(5):
        body = await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong guess"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Even the right password is refused now: the limit is on attempts.
    body = await gateway.execute(
        LOGIN, {"email": account["email"], "password": account["password"]}
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 300


async def test_a_successful_login_clears_the_account_count(gateway: Client) -> None:
    account = await register(gateway)
    for _ in range(3):
        await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong guess"})
    assert await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    for _ in range(4):
        body = await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong guess"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_one_address_guessing_many_accounts_is_limited(redis_server: RedisServer) -> None:
    redis = Redis.from_url(redis_server.url)
    limiter = LoginRateLimiter(redis, per_account=5, per_address=20, window_seconds=300)
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    for n in range(20):
        await limiter.hit(f"victim-{n}-{uuid.uuid4().hex}@example.com", address)
    with pytest.raises(RateLimited):
        await limiter.hit("one-more@example.com", address)
    await limiter.hit("one-more@example.com", "203.0.113.9")  # other addresses are unaffected
    await redis.aclose()
