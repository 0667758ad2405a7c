"""Session-wide throwaway stores and the running supergraph.

PostgreSQL and Redis come from the machine's binaries, MongoDB is FerretDB
(or SKILL_CIRCLE_MONGODB_URL when set, to run against a real MongoDB). Each
starts only when a test needs it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from .support.client import Client
from .support.mail import Mailbox, SmtpServer, restarted_with, unsubscribe_url
from .support.providers import Provider
from .support.servers import FerretDBServer, PostgresServer, RedisServer, free_port
from .support.stack import MONGO_SUBGRAPHS, SQL_SUBGRAPHS, Stack, implemented_subgraphs


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    """Base URL of a MongoDB wire-protocol server (no database part)."""
    given = os.environ.get("SKILL_CIRCLE_MONGODB_URL")
    if given:
        yield given.rstrip("/")
        return
    server = FerretDBServer().start()
    yield f"mongodb://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="session")
def sms_provider() -> Iterator[Provider]:
    """The SMS provider's webhook the stack's notifications process sends to."""
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, redis_server: RedisServer, sms_provider: Provider
) -> Iterator[Stack]:
    """Every implemented subgraph plus the gateway, as processes."""
    names = implemented_subgraphs()
    stores: dict[str, str] = {"redis": redis_server.url}
    if any(name in SQL_SUBGRAPHS for name in names):
        postgres: PostgresServer = request.getfixturevalue("postgres")
        for name in names:
            if name in SQL_SUBGRAPHS:
                stores[f"{name}_db"] = postgres.create_database(f"{name}_e2e")
    if any(name in MONGO_SUBGRAPHS for name in names):
        base: str = request.getfixturevalue("mongodb_url")
        for name in names:
            if name in MONGO_SUBGRAPHS:
                stores[f"{name}_db"] = f"{base}/{name}_e2e"
    # SMS on, to the provider stand-in (tests see the texts in `sms_provider`).
    sms = {"SKILL_CIRCLE_SMS_WEBHOOK_URL": f"{sms_provider.url}/sms"}
    running = Stack(stores, names, extra_env=sms)
    with running.started():
        yield running


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) that keeps every email it receives."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, mailbox)
    controller.stop()


@pytest.fixture(scope="session")
def notifications_stack(stack: Stack, smtp: SmtpServer) -> Iterator[Stack]:
    """The session's stack, its notifications process restarted to send to `smtp`."""
    env = {
        "SKILL_CIRCLE_SMTP_HOST": smtp.host,
        "SKILL_CIRCLE_SMTP_PORT": str(smtp.port),
        "SKILL_CIRCLE_DELIVERY_RETRY_BASE_SECONDS": "0.2",
        "SKILL_CIRCLE_UNSUBSCRIBE_URL": unsubscribe_url(stack),
    }
    with restarted_with(stack.subgraphs["notifications"], env):
        yield stack


@pytest.fixture
async def gateway(stack: Stack) -> AsyncIterator[Client]:
    """An anonymous client of the gateway."""
    client = Client(stack.url)
    yield client
    await client.close()


REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken expiresIn user { id email roles } }
}"""

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id roles } }
}"""

SET_ROLES = "mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id roles } }"


async def register(client: Client, name: str = "Learner") -> dict[str, Any]:
    """A new account: its register payload (tokens and user) plus its password."""
    email = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:10]}@example.com"
    # Each new account signs up from a device of its own (registrations are
    # limited per address); it then acts through `client`.
    device = Client(client.url)
    try:
        data = await device.data(
            REGISTER,
            {"input": {"email": email, "password": "correct horse battery", "displayName": name}},
        )
    finally:
        await device.close()
    return {**data["register"], "email": email, "password": "correct horse battery"}


@pytest.fixture
async def admin_token(gateway: Client) -> str:
    data = await gateway.data(
        LOGIN, {"email": "admin@skillcircle.local", "password": "admin-dev-password"}
    )
    return str(data["login"]["accessToken"])


async def account_with_roles(
    gateway: Client, admin_token: str, roles: list[str], name: str = "Editor"
) -> dict[str, Any]:
    """A new account promoted to `roles`, logged in again so its token carries them."""
    account = await register(gateway, name)
    await gateway.as_user(admin_token).data(SET_ROLES, {"u": account["user"]["id"], "r": roles})
    login = await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    return {**account, **login["login"]}
