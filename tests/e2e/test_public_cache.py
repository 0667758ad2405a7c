"""The public response cache (subgraphs/common/response_cache.py): anonymous reads from
memory, never per-user data, cleared by mutations and catalog events, bounded by a TTL."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import account_with_roles
from tests.support.client import Client
from tests.support.process import Process
from tests.support.servers import free_port
from tests.support.stack import Stack

SKILL = "query($id: ID!) { skill(id: $id) { id name } }"
CREATE_CATEGORY = "mutation($i: CategoryInput!) { createCategory(input: $i) { slug } }"
CREATE_SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { id name } }"
RENAME = "mutation($id: ID!, $i: SkillInput!) { updateSkill(id: $id, input: $i) { name } }"


async def cache_counts(stack: Stack, subgraph: str, url: str = "") -> dict[str, float]:
    """graphql_public_cache_requests_total by outcome, from the subgraph's /metrics."""
    base = (url or stack.subgraph_url(subgraph)).removesuffix("/graphql")
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{base}/metrics")).text
    found = re.findall(r'graphql_public_cache_requests_total\{outcome="(\w+)"\} ([\d.e+]+)', text)
    return {outcome: float(value) for outcome, value in found}


async def direct(stack: Stack, subgraph: str, query: str, variables: dict, token: str = "") -> dict:
    return (await served(stack, subgraph, query, variables, token))[0]


async def served(
    stack: Stack, subgraph: str, query: str, variables: dict, token: str = "", url: str = ""
) -> tuple[dict, bool]:
    """The answer, and whether it came from memory (only those carry the `Age` header)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url or stack.subgraph_url(subgraph),
            json={"query": query, "variables": variables},
            headers=headers,
        )
    return dict(response.json()), "age" in response.headers


@pytest.fixture
def quiet_skills(stack: Stack) -> Iterator[str]:
    """A skills replica of its own (its URL), keeping anonymous answers for 60 s: what
    changes within the test changed because an event or a mutation cleared it, never
    because an entry expired. Its own replica, as the session's skills process may be
    clearing its cache for a while after the suite's earlier tests (its event tail
    working through their catalog events: every handled event clears); a new replica
    tails from the stream's end."""
    port = free_port()
    env = {**stack.subgraph_env("skills", port), "SKILL_CIRCLE_PUBLIC_CACHE_SECONDS": "60"}
    command = stack.subgraph_process("skills").command
    health = f"http://127.0.0.1:{port}/health"
    replica = Process("skills-cache", command, env, health, stack.dir).start()
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        replica.stop()


async def test_anonymous_reads_are_served_from_memory_and_signed_in_ones_never(
    stack: Stack, gateway: Client, admin_token: str, quiet_skills: str
) -> None:
    editor_account = await account_with_roles(gateway, admin_token, ["EDITOR"], "Cache Editor")
    editor = gateway.as_user(editor_account["accessToken"])
    slug = f"cache-{uuid.uuid4().hex[:8]}"
    await editor.data(CREATE_CATEGORY, {"i": {"slug": slug, "name": "Cache"}})
    fields = {"slug": slug, "description": "d", "level": "BEGINNER", "categorySlug": slug}
    skill = (await editor.data(CREATE_SKILL, {"i": {**fields, "name": "Before"}}))["createSkill"]
    variables = {"id": skill["id"]}

    async def read(token: str = "") -> tuple[dict, bool]:
        return await served(stack, "skills", SKILL, variables, token, url=quiet_skills)

    # The replica hears of the new skill by event; the event also clears its cache.
    expected = {"data": {"skill": {"id": skill["id"], "name": "Before"}}}
    deadline = time.monotonic() + 30
    while (await read())[0] != expected:
        assert time.monotonic() < deadline, "the replica never heard of the new skill"
        await asyncio.sleep(0.1)
    for _ in range(20):  # a late event may still clear between two reads: repeat the pair
        before = await cache_counts(stack, "skills", quiet_skills)
        first, first_kept = await read()
        second, second_kept = await read()
        assert first == second == expected
        after = await cache_counts(stack, "skills", quiet_skills)
        if second_kept:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the repeated anonymous read was never served from memory")
    # Nobody else reads this replica: its counters moved by exactly this pair, as the
    # `Age` headers said (a hit carries one, a miss does not).
    hits = [first_kept, second_kept].count(True)
    assert after.get("hit", 0) - before.get("hit", 0) == hits
    assert after.get("miss", 0) - before.get("miss", 0) == 2 - hits

    # A signed-in caller always runs the operation: nothing shared, nothing counted.
    for _ in range(2):
        signed_in, kept = await read(editor_account["accessToken"])
        assert signed_in == first and not kept
    assert await cache_counts(stack, "skills", quiet_skills) == after

    # The editor's rename (a mutation through the session's skills process) clears that
    # process's cache at once: the next anonymous read through the gateway shows it. The
    # replica hears it by event (which clears its cache) within one delivery.
    await editor.data(RENAME, {"id": skill["id"], "i": {**fields, "name": "After"}})
    assert (await gateway.data(SKILL, variables))["skill"]["name"] == "After"
    assert (await direct(stack, "skills", SKILL, variables))["data"]["skill"]["name"] == "After"
    deadline = time.monotonic() + 30  # under the 60 s TTL: the event, not the TTL, cleared it
    while (await read())[0]["data"]["skill"]["name"] != "After":
        assert time.monotonic() < deadline, "the replica kept the old name"
        await asyncio.sleep(0.05)


async def test_answers_with_errors_are_never_kept(stack: Stack) -> None:
    missing = {"id": "no-such-skill-" + uuid.uuid4().hex}
    for _ in range(3):
        body, kept = await served(
            stack, "skills", "query($id: ID!) { skill(id: $id) { nope } }", missing
        )
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # no such field
        assert not kept  # every one ran
