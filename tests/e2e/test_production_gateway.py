"""Hive Gateway as compose's production `hive` profile configures it: no
introspection and no in-browser IDE, while ordinary operations still work."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml

from tests.support.client import Client
from tests.support.servers import RedisServer
from tests.support.stack import REPO, Stack

PRODUCTION_SWITCHES = ("SKILL_CIRCLE_GATEWAY_INTROSPECTION", "SKILL_CIRCLE_GATEWAY_IDE")


def hive_profile_env() -> dict[str, str]:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    environment = compose["services"]["hive-gateway"]["environment"]
    return {name: str(environment[name]) for name in PRODUCTION_SWITCHES}


@pytest.fixture(scope="module")
def production_gateway(redis_server: RedisServer, postgres: object) -> Iterator[Stack]:
    stores = {"redis": redis_server.url, "users_db": postgres.create_database("users_prod")}  # type: ignore[attr-defined]
    with Stack(stores, ["users"], gateway_env=hive_profile_env()).started() as stack:
        yield stack


def test_the_hive_profile_switches_both_off() -> None:
    assert hive_profile_env() == dict.fromkeys(PRODUCTION_SWITCHES, "false")


async def test_introspection_is_refused_and_operations_still_work(
    production_gateway: Stack,
) -> None:
    client = Client(production_gateway.url)
    body = await client.execute("{ __schema { types { name } } }")
    assert body.get("errors") and not (body.get("data") or {}).get("__schema"), body
    assert (await client.data("{ me { id } }")) == {"me": None}
    await client.close()


def test_no_ide_is_served(production_gateway: Stack) -> None:
    page = httpx.get(production_gateway.url, headers={"accept": "text/html"}, timeout=10)
    assert "graphiql" not in page.text.lower() and "<html" not in page.text.lower()
