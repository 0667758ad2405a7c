"""Changing one's email through the gateway: the new address must prove itself first
(a link mailed to it over SMTP), the old address is told, and until then the account
keeps, and logs in with, its old address."""

from __future__ import annotations

import re
import uuid
from email.message import Message
from urllib.parse import parse_qs, urlparse

from tests.conftest import LOGIN, register
from tests.support.client import Client
from tests.support.mail import SmtpServer, bodies
from tests.support.stack import Stack

from .test_gateway import eventually

CHANGE = "mutation($p: String!, $e: String!) { changeEmail(currentPassword: $p, newEmail: $e) }"
CONFIRM = "mutation($t: String!) { confirmEmailChange(token: $t) }"
ME = "{ me { id email emailVerified } }"
NOTICE = "Your Skill Circle email address was changed"


def new_address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def token_in(text: str) -> str:
    match = re.search(r"https?://\S+/confirm-email-change\?token=\S+", text)
    assert match, text
    return parse_qs(urlparse(match.group(0)).query)["token"][0]


async def login_codes(gateway: Client, email: str, password: str) -> list[str]:
    body = await gateway.execute(LOGIN, {"email": email, "password": password})
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_a_new_email_counts_only_once_verified_and_the_old_address_is_told(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client
) -> None:
    account = await register(gateway, "Mover")
    other = await register(gateway, "Other")
    me = gateway.as_user(account["accessToken"])
    old, password = account["email"], account["password"]
    new = new_address("moved")

    # Refusals: nobody signed in, a wrong password, an invalid, unchanged or taken address.
    assert await gateway.error_codes(CHANGE, {"p": password, "e": new}) == ["UNAUTHENTICATED"]
    for variables, field in [
        ({"p": "not my password", "e": new}, "currentPassword"),
        ({"p": password, "e": "not an address"}, "newEmail"),
        ({"p": password, "e": old}, "newEmail"),
    ]:
        body = await me.execute(CHANGE, variables)
        error = body["errors"][0]["extensions"]
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field), body
    assert await me.error_codes(CHANGE, {"p": password, "e": other["email"]}) == ["CONFLICT"]

    assert (await me.data(CHANGE, {"p": password, "e": new}))["changeEmail"] is True

    # Unverified, the new address is nothing yet: the account keeps and logs in with the old.
    assert (await me.data(ME))["me"]["email"] == old
    assert await login_codes(gateway, new, password) == ["UNAUTHENTICATED"]
    assert await login_codes(gateway, old, password) == []
    assert await gateway.error_codes(CONFIRM, {"t": "made-up"}) == ["BAD_USER_INPUT"]

    [confirmation] = await smtp.mailbox.wait_for(new, timeout=30)
    assert confirmation["Subject"] == "Confirm your new email address"
    text = bodies(confirmation)["text/plain"]
    assert new in text
    token = token_in(text)
    assert not smtp.mailbox.to(old) or all(
        "confirm-email-change" not in bodies(m)["text/plain"] for m in smtp.mailbox.to(old)
    )  # the link goes only to the address that must prove itself

    assert (await gateway.data(CONFIRM, {"t": token}))["confirmEmailChange"] is True
    assert await gateway.error_codes(CONFIRM, {"t": token}) == ["BAD_USER_INPUT"]  # single use

    moved = (await me.data(ME))["me"]
    assert moved == {"id": account["user"]["id"], "email": new, "emailVerified": True}
    assert await login_codes(gateway, new, password) == []
    assert await login_codes(gateway, old, password) == ["UNAUTHENTICATED"]

    async def notices() -> list[Message]:
        return [m for m in smtp.mailbox.to(old) if m["Subject"] == NOTICE]

    assert len(await eventually(notices, timeout=30)) == 1
    notice = bodies((await notices())[0])["text/plain"]
    assert old in notice and new in notice and "token" not in notice


async def test_an_address_taken_before_confirmation_is_refused(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client
) -> None:
    account = await register(gateway, "Slow")
    me = gateway.as_user(account["accessToken"])
    wanted = new_address("wanted")
    assert (await me.data(CHANGE, {"p": account["password"], "e": wanted}))["changeEmail"]
    [confirmation] = await smtp.mailbox.wait_for(wanted, timeout=30)
    token = token_in(bodies(confirmation)["text/plain"])

    taker = Client(gateway.url)
    try:
        registered = await taker.data(
            """mutation($input: RegisterInput!) { register(input: $input) { accessToken } }""",
            {"input": {"email": wanted, "password": "another long secret", "displayName": "T"}},
        )
    finally:
        await taker.close()
    assert registered["register"]["accessToken"]

    assert await gateway.error_codes(CONFIRM, {"t": token}) == ["CONFLICT"]
    assert (await me.data(ME))["me"]["email"] == account["email"]
