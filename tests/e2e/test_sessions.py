"""Sessions that end, through the gateway: logout, password reset, role change and
token expiry end live subscriptions within seconds and make HTTP refuse the tokens."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import jwt
from redis.asyncio import Redis

from subgraphs.common.sealed import unseal
from subgraphs.common.settings import DEV_MAIL_LINK_KEY
from subgraphs.users.tokens import load_key
from tests.conftest import LOGIN, SET_ROLES, register
from tests.support.client import Client, subscribe
from tests.support.events import latest_event
from tests.support.stack import Stack

LIVE = "subscription { notificationReceived { id title } }"
ME = "{ me { id } }"
UNREAD = "{ me { unreadNotificationCount } }"
# Revocations travel over Redis pub/sub; the bound the issue sets is "within seconds".
WITHIN_SECONDS = 5.0


async def welcomed(gateway: Client, name: str) -> dict[str, Any]:
    """A new account whose welcome notification has arrived: a live subscription opened
    afterwards then stays quiet until something ends it."""
    account = await register(gateway, name)
    me = gateway.as_user(account["accessToken"])
    deadline = time.monotonic() + 20
    while not (await me.data(UNREAD))["me"]["unreadNotificationCount"]:
        assert time.monotonic() < deadline, "no welcome notification within 20 s"
        await asyncio.sleep(0.2)
    return account


async def second_session(gateway: Client, account: dict[str, Any]) -> dict[str, Any]:
    login = await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    return dict(login["login"])


async def signed_in(gateway: Client, token: str) -> bool:
    return (await gateway.as_user(token).data(ME))["me"] is not None


async def test_logout_ends_that_session_only(stack: Stack, gateway: Client) -> None:
    account = await welcomed(gateway, "Leaver")
    other = await second_session(gateway, account)
    async with (
        subscribe(stack.ws_url, LIVE, account["accessToken"]) as ending,
        subscribe(stack.ws_url, LIVE, other["accessToken"]) as staying,
    ):
        assert await staying.nothing_within(0.5)
        logout = "mutation($t: String!) { logout(refreshToken: $t) }"
        assert (await gateway.data(logout, {"t": account["refreshToken"]}))["logout"] is True
        started = time.monotonic()
        assert await ending.ending(WITHIN_SECONDS) == ["UNAUTHENTICATED"]
        ended_after = time.monotonic() - started
        assert await staying.nothing_within(1.0)  # the other session lives on
    assert ended_after < WITHIN_SECONDS
    assert not await signed_in(gateway, account["accessToken"])
    assert await signed_in(gateway, other["accessToken"])


async def test_a_password_reset_ends_every_session(stack: Stack, gateway: Client) -> None:
    account = await welcomed(gateway, "Forgetful")
    other = await second_session(gateway, account)
    redis = Redis.from_url(stack.stores["redis"])
    try:
        async with (
            subscribe(stack.ws_url, LIVE, account["accessToken"]) as first,
            subscribe(stack.ws_url, LIVE, other["accessToken"]) as second,
        ):
            assert await first.nothing_within(0.5)
            request = "mutation($e: String!) { requestPasswordReset(email: $e) }"
            await gateway.data(request, {"e": account["email"]})
            token = await reset_token(redis, account["email"])
            reset = (
                "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }"
            )
            await gateway.data(reset, {"t": token, "p": "a brand new passphrase"})
            assert await first.ending(WITHIN_SECONDS) == ["UNAUTHENTICATED"]
            assert await second.ending(WITHIN_SECONDS) == ["UNAUTHENTICATED"]
    finally:
        await redis.aclose()
    assert not await signed_in(gateway, account["accessToken"])
    assert not await signed_in(gateway, other["accessToken"])


async def test_a_role_change_ends_every_session(
    stack: Stack, gateway: Client, admin_token: str
) -> None:
    account = await welcomed(gateway, "Promoted")
    async with subscribe(stack.ws_url, LIVE, account["accessToken"]) as live:
        assert await live.nothing_within(0.5)
        await gateway.as_user(admin_token).data(
            SET_ROLES, {"u": account["user"]["id"], "r": ["EDITOR"]}
        )
        assert await live.ending(WITHIN_SECONDS) == ["UNAUTHENTICATED"]
    # The old token named the old roles: refused; a new login carries the new ones.
    assert not await signed_in(gateway, account["accessToken"])
    again = await second_session(gateway, account)
    assert "EDITOR" in again["user"]["roles"]


async def test_a_subscription_ends_when_its_token_expires(stack: Stack, gateway: Client) -> None:
    account = await welcomed(gateway, "Short Lived")
    token = short_lived_token(stack, account["user"]["id"], seconds=3)
    assert await signed_in(gateway, token)
    async with subscribe(stack.ws_url, LIVE, token) as live:
        started = time.monotonic()
        assert await live.ending(10) == ["UNAUTHENTICATED"]
        lasted = time.monotonic() - started
    assert 1.0 < lasted < 6.0


def short_lived_token(stack: Stack, user_id: str, seconds: int) -> str:
    """A token signed with the stack's own development key, expiring in `seconds`."""
    (pem,) = (stack.dir / "data").glob("jwt-dev-*.pem")
    key = load_key(pem, "RS256")
    now = int(time.time())
    claims = {
        "sub": user_id,
        "sid": uuid.uuid4().hex,
        "roles": ["LEARNER"],
        "iss": "skill-circle",
        "aud": "skill-circle-api",
        "iat": now,
        "nbf": now,
        "exp": now + seconds,
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


async def reset_token(redis: Redis, email: str) -> str:
    """The token of `email`'s reset link, once the outbox relay has published the event."""
    event = await latest_event(redis, "user.password_reset_requested", email)
    link = unseal(DEV_MAIL_LINK_KEY, str(event["payload"]["sealedLink"]))
    return link.split("token=", 1)[1]
