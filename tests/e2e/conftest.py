"""Every end-to-end test that asks for `gateway` runs once through each gateway we ship.

The subgraphs are the session's (tests/conftest.py `stack`); Hive Router and
Apollo Router are started in front of them on first use, with their committed
configurations, and stay up until the session ends. A gateway-specific
regression therefore fails the test of that gateway, by name
(`test_the_learner_journey[apollo-router]`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import account_with_roles
from tests.support.client import Client
from tests.support.gateways import GATEWAYS, Gateway, router_missing
from tests.support.stack import Stack


@pytest.fixture(params=GATEWAYS)
def edge(request: pytest.FixtureRequest, stack: Stack) -> Gateway:
    """One of the shipped gateways, in front of the session's subgraphs."""
    missing = router_missing(request.param)
    if missing:
        pytest.skip(f"{request.param} not built: {missing}")
    return stack.gateway_of(request.param)


@pytest.fixture
async def gateway(edge: Gateway) -> AsyncIterator[Client]:
    """An anonymous client of `edge` (overrides tests/conftest.py's Hive Gateway client)."""
    client = Client(edge.url)
    yield client
    await client.close()


@pytest.fixture
async def editor(gateway: Client, admin_token: str) -> Client:
    """A new account with the EDITOR role, through `gateway`."""
    account = await account_with_roles(gateway, admin_token, ["EDITOR"], "Journey Editor")
    return gateway.as_user(account["accessToken"])
