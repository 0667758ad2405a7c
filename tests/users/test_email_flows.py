"""Email verification and password reset: single-use links carried by events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import pytest
from redis.asyncio import Redis

from subgraphs.common.sealed import unseal
from subgraphs.common.settings import DEV_MAIL_LINK_KEY
from tests.conftest import LOGIN, register
from tests.support.client import Client
from tests.support.events import latest_event
from tests.support.stack import Stack

VERIFY = "mutation($t: String!) { verifyEmail(token: $t) }"
REQUEST_RESET = "mutation($e: String!) { requestPasswordReset(email: $e) }"
RESET = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


@pytest.fixture
async def redis(stack: Stack) -> AsyncIterator[Redis]:
    client = Redis.from_url(stack.stores["redis"])
    yield client
    await client.aclose()


def token_of(sealed_link: str) -> str:
    """The token of a link users sealed for notifications (the tests hold the dev key)."""
    link = unseal(DEV_MAIL_LINK_KEY, sealed_link)
    return parse_qs(urlparse(link).query)["token"][0]


async def test_registration_emits_a_verification_link_that_works_once(
    gateway: Client, redis: Redis
) -> None:
    account = await register(gateway)
    event = await latest_event(redis, "user.registered", account["email"])
    assert event["producer"] == "users" and event["id"] and event["time"]
    assert event["payload"]["userId"] == account["user"]["id"]
    assert event["version"] == 2
    link = event["payload"]["sealedLink"]
    assert "token" not in link and "verify-email" not in link  # never in clear on the stream
    assert unseal(DEV_MAIL_LINK_KEY, link).startswith("http://localhost:4000/verify-email?token=")

    assert (await gateway.data(VERIFY, {"t": token_of(link)}))["verifyEmail"] is True
    me = await gateway.as_user(account["accessToken"]).data("{ me { emailVerified } }")
    assert me["me"]["emailVerified"] is True
    body = await gateway.execute(VERIFY, {"t": token_of(link)})  # single use
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "token"
    assert await gateway.error_codes(VERIFY, {"t": "made-up"}) == ["BAD_USER_INPUT"]
    verified = await latest_event(redis, "user.email_verified", account["email"])
    assert verified["payload"]["emailVerified"] is True


async def test_a_verification_link_can_be_requested_again(gateway: Client, redis: Redis) -> None:
    account = await register(gateway)
    learner = gateway.as_user(account["accessToken"])
    assert (await learner.data("mutation { requestEmailVerification }"))[
        "requestEmailVerification"
    ] is True
    event = await latest_event(redis, "user.email_verification_requested", account["email"])
    assert (await gateway.data(VERIFY, {"t": token_of(event["payload"]["sealedLink"])}))[
        "verifyEmail"
    ]
    assert (await learner.data("mutation { requestEmailVerification }"))[
        "requestEmailVerification"
    ] is False


async def test_password_reset_replaces_the_password_and_ends_sessions(
    gateway: Client, redis: Redis
) -> None:
    account = await register(gateway)
    assert (await gateway.data(REQUEST_RESET, {"e": account["email"]}))[
        "requestPasswordReset"
    ] is True
    assert (await gateway.data(REQUEST_RESET, {"e": "nobody-here@example.com"}))[
        "requestPasswordReset"
    ] is True
    event = await latest_event(redis, "user.password_reset_requested", account["email"])
    token = token_of(event["payload"]["sealedLink"])

    short = await gateway.execute(RESET, {"t": token, "p": "short"})
    assert short["errors"][0]["extensions"]["field"] == "newPassword"
    assert (await gateway.data(RESET, {"t": token, "p": "a brand new secret"}))[
        "resetPassword"
    ] is True
    assert await gateway.error_codes(RESET, {"t": token, "p": "another new secret"}) == [
        "BAD_USER_INPUT"
    ]

    old = await gateway.execute(LOGIN, {"email": account["email"], "password": account["password"]})
    assert old["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await gateway.data(LOGIN, {"email": account["email"], "password": "a brand new secret"})
    # Sessions opened with the old password are over.
    assert await gateway.error_codes(REFRESH, {"t": account["refreshToken"]}) == ["UNAUTHENTICATED"]
