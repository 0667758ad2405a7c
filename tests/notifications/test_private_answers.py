"""Learners' inboxes answered from memory: an event about one learner clears only theirs.

A notifications replica of its own keeps answers for 60 s, so what changes within the
test changed because something cleared it, never because an entry expired.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from subgraphs.common.events import EventBus
from subgraphs.common.events.contracts import AchievementUnlocked, SkillUpdated
from tests.conftest import register
from tests.support.client import Client
from tests.support.process import Process
from tests.support.servers import free_port
from tests.support.stack import Stack

INBOX = """query($u: [_Any!]!) { _entities(representations: $u) {
  ... on User { notifications(first: 50) { totalCount edges { node { title } } } } } }"""


@pytest.fixture
def long_memory(notifications_stack: Stack) -> Iterator[str]:
    """A notifications replica that keeps learners' answers for 60 s (its URL)."""
    stack, port = notifications_stack, free_port()
    env = {
        **stack.subgraph_env("notifications", port),
        "SKILL_CIRCLE_PRIVATE_CACHE_SECONDS": "60",
    }
    health = f"http://127.0.0.1:{port}/health"
    replica = Process("notifications-60s", stack.subgraph_process("notifications").command, env,
                      health, stack.dir).start()  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        replica.stop()


async def inbox(url: str, account: dict[str, Any]) -> tuple[list[str], bool]:
    """The titles in the learner's inbox, and whether the answer came from memory."""
    variables = {"u": [{"__typename": "User", "id": account["user"]["id"]}]}
    headers = {"authorization": f"Bearer {account['accessToken']}"}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url, json={"query": INBOX, "variables": variables}, headers=headers
        )
    body = response.json()
    assert "errors" not in body, body
    edges = body["data"]["_entities"][0]["notifications"]["edges"]
    return [edge["node"]["title"] for edge in edges], "age" in response.headers


async def kept(url: str, account: dict[str, Any]) -> list[str]:
    """Reads until the answer is served from memory; its titles."""
    deadline = time.monotonic() + 10
    while True:
        titles, from_memory = await inbox(url, account)
        if from_memory:
            return titles
        assert time.monotonic() < deadline, "the inbox was never served from memory"


async def changed(url: str, account: dict[str, Any], title: str) -> list[str]:
    deadline = time.monotonic() + 10
    while True:
        titles, _ = await inbox(url, account)
        if title in titles:
            return titles
        assert time.monotonic() < deadline, f"{title!r} never showed"


async def test_an_event_about_one_learner_clears_only_their_kept_answers(
    gateway: Client, event_bus: EventBus, long_memory: str
) -> None:
    ann, bob = await register(gateway, "Ann Kept"), await register(gateway, "Bob Kept")
    # An event of the rest of the suite (naming nobody) may still clear everything
    # between two steps: a round where that happened is tried again.
    for _ in range(3):
        bobs = await kept(long_memory, bob)
        await kept(long_memory, ann)
        # Ann's achievement (handled by either replica, announced to both) clears hers.
        badge = f"Badge {uuid.uuid4().hex[:6]}"
        await event_bus.publish(
            AchievementUnlocked(
                user_id=ann["user"]["id"],
                achievement_id=uuid.uuid4().hex,
                code="FIRST_SKILL_COMPLETED",
                title=badge,
                description="Kept or not",
            )
        )
        await changed(long_memory, ann, f"Achievement unlocked: {badge}")
        if await inbox(long_memory, bob) == (bobs, True):
            break  # Bob's stayed in memory: the event was not about him
    else:
        raise AssertionError("an event about Ann cleared Bob's kept answers, three times")

    # An event that names nobody (a skill renamed) clears everyone's.
    await kept(long_memory, bob)
    skill = uuid.uuid4().hex
    await event_bus.publish(SkillUpdated(skill_id=skill, slug=skill, name="Renamed"))
    deadline = time.monotonic() + 10
    while (await inbox(long_memory, bob))[1]:
        assert time.monotonic() < deadline, "a skill event did not clear Bob's answers"
