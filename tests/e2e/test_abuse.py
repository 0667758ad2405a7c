"""Abuse paths through the gateway: client addresses behind trusted proxies, and
limits answered with RATE_LIMITED and retryAfter (shared in Redis)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import LOGIN, REGISTER, register
from tests.support.client import Client
from tests.support.stack import Stack

PER_ADDRESS_FAILURES = 20  # SKILL_CIRCLE_LOGIN_ATTEMPTS_PER_ADDRESS default


def stranger() -> dict[str, str]:
    """Login variables for an account that does not exist (no per-account count)."""
    return {"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "wrong guess"}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def retry_after(body: dict[str, Any]) -> int:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    return int(error["extensions"]["retryAfter"])


async def test_two_clients_behind_the_gateway_have_separate_login_budgets(stack: Stack) -> None:
    guesser, bystander = Client(stack.url), Client(stack.url)
    for _ in range(PER_ADDRESS_FAILURES):
        assert codes(await guesser.execute(LOGIN, stranger())) == ["UNAUTHENTICATED"]
    assert 0 < retry_after(await guesser.execute(LOGIN, stranger())) <= 300
    # Another client behind the same gateway (and the same harness proxy) is unaffected.
    assert codes(await bystander.execute(LOGIN, stranger())) == ["UNAUTHENTICATED"]
    await guesser.close()
    await bystander.close()


async def test_a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored(stack: Stack) -> None:
    # 127.0.0.2 is not a trusted proxy: it is the client, whatever it claims to be.
    direct = Client(stack.url, source="127.0.0.2")
    for _ in range(PER_ADDRESS_FAILURES):
        spoofed = {"x-forwarded-for": Client(stack.url).address}
        body = await direct.execute(LOGIN, stranger(), headers=spoofed)
        assert codes(body) == ["UNAUTHENTICATED"]
    spoofed = {"x-forwarded-for": Client(stack.url).address}
    assert retry_after(await direct.execute(LOGIN, stranger(), headers=spoofed)) > 0
    await direct.close()


async def test_successful_logins_do_not_use_up_the_address_budget(
    stack: Stack, gateway: Client
) -> None:
    account = await register(gateway, "Regular")
    office = Client(stack.url)  # one shared address, many ordinary sign-ins
    login = {"email": account["email"], "password": account["password"]}
    for _ in range(PER_ADDRESS_FAILURES + 5):
        assert (await office.data(LOGIN, login))["login"]["user"]["id"] == account["user"]["id"]
    await office.close()


async def test_registrations_are_limited_per_address(stack: Stack) -> None:
    bot = Client(stack.url)

    def new_account() -> dict[str, Any]:
        email = f"bot-{uuid.uuid4().hex}@example.com"
        return {"input": {"email": email, "password": "correct horse battery", "displayName": "B"}}

    for _ in range(10):
        assert not codes(await bot.execute(REGISTER, new_account()))
    assert retry_after(await bot.execute(REGISTER, new_account())) > 3000
    assert not codes(await Client(stack.url).execute(REGISTER, new_account()))
    await bot.close()


async def test_password_reset_emails_are_limited_per_email_and_per_address(
    stack: Stack, gateway: Client, admin_email: str = "admin@skillcircle.local"
) -> None:
    request = "mutation($e: String!) { requestPasswordReset(email: $e) }"
    victim = f"victim-{uuid.uuid4().hex}@example.com"
    for _ in range(3):  # from different clients: the per-email budget
        assert (await Client(stack.url).data(request, {"e": victim}))["requestPasswordReset"]
    assert retry_after(await Client(stack.url).execute(request, {"e": victim})) > 0
    sweeper = Client(stack.url)
    for _ in range(10):  # different emails from one client: the per-address budget
        email = f"someone-{uuid.uuid4().hex}@example.com"
        assert (await sweeper.data(request, {"e": email}))["requestPasswordReset"] is True
    assert retry_after(await sweeper.execute(request, {"e": admin_email})) > 0
    await sweeper.close()


async def test_verification_emails_are_limited_per_account(gateway: Client) -> None:
    account = await register(gateway, "Impatient")
    learner = gateway.as_user(account["accessToken"])
    request = "mutation { requestEmailVerification }"
    for _ in range(3):
        assert (await learner.data(request))["requestEmailVerification"] is True
    assert retry_after(await learner.execute(request)) > 0
