"""`create-admin` against the stack's own PostgreSQL and Redis: an unverified account
is promoted only with --force, and promotion ends the account's sessions."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from tests.conftest import LOGIN, register
from tests.support.client import Client
from tests.support.stack import REPO, Stack

NEW_PASSWORD = "an admin passphrase"


async def create_admin(stack: Stack, email: str, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "subgraphs.users", "create-admin"]
    command += ["--email", email, "--password", NEW_PASSWORD, *flags]
    env = stack.subgraph_env("users")
    return await asyncio.to_thread(
        subprocess.run, command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


async def roles_of(gateway: Client, token: str) -> list[str] | None:
    me = (await gateway.as_user(token).data("{ me { roles } }"))["me"]
    return None if me is None else list(me["roles"])


async def test_an_unverified_account_is_promoted_only_when_forced(
    stack: Stack, gateway: Client
) -> None:
    squatter = await register(gateway, "Squatter")  # registered the admin's address first
    refused = await create_admin(stack, squatter["email"])
    assert refused.returncode != 0
    assert "never verified" in refused.stderr and "--force" in refused.stderr
    assert await roles_of(gateway, squatter["accessToken"]) == ["LEARNER"]
    login = {"email": squatter["email"], "password": NEW_PASSWORD}
    assert (await gateway.execute(LOGIN, login))["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"  # not re-keyed either
    )

    forced = await create_admin(stack, squatter["email"], "--force")
    assert forced.returncode == 0, forced.stderr
    assert "admin ready" in forced.stdout
    # The account's sessions end: its old token no longer signs anyone in ...
    assert await roles_of(gateway, squatter["accessToken"]) is None
    refresh = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
    body = await gateway.execute(refresh, {"t": squatter["refreshToken"]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # ... and only the new password signs in, as an admin.
    admin = (await gateway.data(LOGIN, login))["login"]
    assert "ADMIN" in admin["user"]["roles"]
