"""Login rate limiting per account, through the gateway."""

from __future__ import annotations

from tests.conftest import LOGIN, register
from tests.support.client import Client


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


# Per-address budgets (failures only, behind trusted proxies) are shown through the
# gateway with simulated clients of their own: tests/e2e/test_abuse.py.
