"""The gateway's response cache: anonymous catalog reads only, evicted by mutations, TTL-bounded.

A second Hive Gateway on the shared stack's subgraphs, with the cache on (the
stack's own gateways run without it, so that other tests read their writes at
once) and its hit/miss metadata in the responses. The cache is Hive Gateway's
(`useResponseCache`); the Rust routers have none that is free to use.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import account_with_roles, register
from tests.support.client import Client
from tests.support.gateways import Gateway, start_gateway
from tests.support.stack import Stack

TTL_MS = 3000
CATEGORY = "mutation($i: CategoryInput!) { createCategory(input: $i) { id } }"
CREATE = "mutation($i: SkillInput!) { createSkill(input: $i) { id } }"
UPDATE = "mutation($id: ID!, $i: SkillInput!) { updateSkill(id: $id, input: $i) { id name } }"
SKILL = "query($id: ID!) { skill(id: $id) { id name learnerCount } }"
ME = "{ me { id email } }"


@pytest.fixture(params=["hive-gateway"])
def edge(request: pytest.FixtureRequest, stack: Stack) -> Gateway:
    """The uncached gateway these tests write through (and sign in with): Hive Gateway."""
    return stack.gateway_of(request.param)


@pytest.fixture(scope="module")
async def cached(stack: Stack) -> AsyncIterator[str]:
    """The URL of a Hive Gateway with the response cache on (TTL 3 s); not one of the
    stack's gateways, so that no other test reaches it."""
    env = {
        "SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS": str(TTL_MS),
        "SKILL_CIRCLE_RESPONSE_CACHE_METADATA": "true",
    }
    gateway = await asyncio.to_thread(
        start_gateway,
        "hive-gateway",
        stack.write_supergraph(),
        stack.routing_urls(),
        stack.dir,
        env={**stack.gateway_env, **env},
    )
    yield gateway.url
    gateway.stop()


def hit(body: dict[str, Any]) -> bool:
    return bool((body.get("extensions") or {}).get("responseCache", {}).get("hit"))


def skill_input(slug: str, name: str, category: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "description": "Cached.",
        "level": "BEGINNER",
        "categorySlug": category,
    }


async def test_anonymous_reads_are_cached_evicted_by_mutations_and_bounded_by_the_ttl(
    cached: str, gateway: Client, admin_token: str
) -> None:
    editor_token = (await account_with_roles(gateway, admin_token, ["EDITOR"]))["accessToken"]
    tag = uuid.uuid4().hex[:8]
    plain_editor = gateway.as_user(editor_token)  # the stack's gateway: no cache of its own
    await plain_editor.data(CATEGORY, {"i": {"slug": f"cache-{tag}", "name": "Cache"}})
    made = await plain_editor.data(
        CREATE, {"i": skill_input(f"cached-{tag}", "Before", f"cache-{tag}")}
    )
    skill_id = made["createSkill"]["id"]
    anonymous, editor = Client(cached), Client(cached, editor_token)
    try:
        first = await anonymous.execute(SKILL, {"id": skill_id})
        second = await anonymous.execute(SKILL, {"id": skill_id})
        assert not hit(first) and hit(second)
        assert second["data"] == first["data"]

        # A change this gateway does not see (another gateway replica): stale within the TTL.
        renamed = skill_input(f"cached-{tag}", "Elsewhere", f"cache-{tag}")
        await plain_editor.data(UPDATE, {"id": skill_id, "i": renamed})
        stale = await anonymous.execute(SKILL, {"id": skill_id})
        assert hit(stale) and stale["data"]["skill"]["name"] == "Before"
        await asyncio.sleep(TTL_MS / 1000 + 0.5)
        fresh = await anonymous.execute(SKILL, {"id": skill_id})
        assert not hit(fresh) and fresh["data"]["skill"]["name"] == "Elsewhere"

        # A mutation through this gateway evicts every cached response showing its entity.
        assert hit(await anonymous.execute(SKILL, {"id": skill_id}))
        here = skill_input(f"cached-{tag}", "Through Here", f"cache-{tag}")
        await editor.data(UPDATE, {"id": skill_id, "i": here})
        after = await anonymous.execute(SKILL, {"id": skill_id})
        assert not hit(after) and after["data"]["skill"]["name"] == "Through Here"
    finally:
        await anonymous.close()
        await editor.close()


async def test_per_user_data_is_never_cached_nor_shared(cached: str, gateway: Client) -> None:
    one, two = await register(gateway, "One"), await register(gateway, "Two")
    clients = [Client(cached, one["accessToken"]), Client(cached, two["accessToken"])]
    anonymous = Client(cached)
    try:
        for _ in range(2):
            for client, account in zip(clients, (one, two), strict=True):
                body = await client.execute(ME)
                assert body["data"]["me"] == {
                    "id": account["user"]["id"],
                    "email": account["email"],
                }
                assert "responseCache" not in (body.get("extensions") or {})  # never cached
        await anonymous.execute(ME)
        nobody = await anonymous.execute(ME)  # the anonymous answer is cached, and it is null
        assert hit(nobody) and nobody["data"]["me"] is None
        after = await clients[0].execute(ME)  # a user never gets the cached anonymous answer
        assert after["data"]["me"]["id"] == one["user"]["id"]
    finally:
        for client in [*clients, anonymous]:
            await client.close()
