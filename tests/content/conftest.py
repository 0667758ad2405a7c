"""The content subgraph in-process on a throwaway FerretDB database and the test Redis.

Every store call is real PyMongo async over the MongoDB wire protocol; events
go to a Redis stream of the test's own, so a test can read what was emitted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.common.auth import Viewer
from subgraphs.common.events import EventBus
from subgraphs.common.events.relay import OutboxRelay
from subgraphs.common.settings import load_settings
from subgraphs.common.stores.mongo import mongo_database
from subgraphs.content.deps import Deps, assemble
from subgraphs.content.inputs import (
    ArticleDraft,
    CourseDraft,
    LessonDraft,
    ModuleDraft,
)
from tests.conftest import LOGIN, account_with_roles, register
from tests.content.queries import unique
from tests.support.client import Client
from tests.support.servers import RedisServer
from tests.support.skills import AnySkill
from tests.support.stack import Stack

EDITOR = Viewer(user_id="editor-1", roles=frozenset({"LEARNER", "EDITOR"}))
OTHER_EDITOR = Viewer(user_id="editor-2", roles=frozenset({"LEARNER", "EDITOR"}))


class EventLog:
    """The events one content store published, read back from its Redis stream
    after its outbox relay has published everything pending."""

    def __init__(self, redis: Redis, stream: str, relay: OutboxRelay) -> None:
        self.redis = redis
        self.stream = stream
        self.relay = relay

    async def of(self, type: str) -> list[dict[str, Any]]:
        while await self.relay.relay_once():
            pass
        entries = await self.redis.xrange(self.stream)
        events = [json.loads(fields[b"event"]) for _, fields in entries]
        return [event["payload"] for event in events if event["type"] == type]


@dataclass
class Content:
    deps: Deps
    events: EventLog


async def open_content(
    mongodb_url: str, redis_url: str, **client_options: Any
) -> tuple[Content, Redis]:
    name = f"content_{uuid.uuid4().hex[:12]}"
    settings = load_settings(
        "content", environment="test", mongodb_url=f"{mongodb_url}/{name}", redis_url=redis_url
    )
    redis = Redis.from_url(redis_url)
    stream = f"test:content:{name}"
    database = mongo_database(settings, **client_options)
    deps = assemble(settings, database, skill_checker=AnySkill())
    relay = OutboxRelay(deps.outbox, EventBus(redis, producer="content", stream=stream), redis)
    await deps.store.create_indexes()
    return Content(deps, EventLog(redis, stream, relay)), redis


async def close_content(content: Content, redis: Redis) -> None:
    database = content.deps.database
    await content.deps.gateway.close()
    await database.client.drop_database(database.name)
    await database.client.close()
    await redis.delete(content.events.stream)
    await redis.aclose()


@pytest.fixture
async def content(mongodb_url: str, redis_server: RedisServer) -> AsyncIterator[Content]:
    """An empty content store of the test's own."""
    opened, redis = await open_content(mongodb_url, redis_server.url)
    yield opened
    await close_content(opened, redis)


def course_draft(
    slug: str = "intro-python",
    title: str = "Intro to Python",
    summary: str = "Learn Python",
    skill_ids: Sequence[str] = ("skill-a",),
    institution_id: str | None = None,
    lessons: int = 2,
) -> CourseDraft:
    return CourseDraft(
        slug=slug,
        title=title,
        summary=summary,
        skill_ids=list(skill_ids),
        institution_id=institution_id,
        modules=[
            ModuleDraft(
                "Basics",
                [LessonDraft(f"Lesson {i}", f"Body {i}", 10 * i) for i in range(1, lessons + 1)],
            )
        ],
    )


def article_draft(
    slug: str = "python",
    title: str = "Python",
    body: str = "**Python** is a language.",
    skill_ids: Sequence[str] | None = ("skill-a",),
) -> ArticleDraft:
    return ArticleDraft(slug, title, body, list(skill_ids) if skill_ids is not None else None)


# ------------------------------------------------------------ through the gateway


@pytest.fixture(scope="package")
async def clients(stack: Stack) -> AsyncIterator[dict[str, Client]]:
    """anonymous, a learner, an editor and an admin (few logins: they are rate limited)."""
    anonymous = Client(stack.url)
    admin_login = await anonymous.data(
        LOGIN, {"email": "admin@skillcircle.local", "password": "admin-dev-password"}
    )
    admin_token = admin_login["login"]["accessToken"]
    editor = await account_with_roles(anonymous, admin_token, ["EDITOR"], "Content Editor")
    learner = await register(anonymous, "Content Learner")
    made = {
        "anonymous": anonymous,
        "learner": anonymous.as_user(learner["accessToken"]),
        "editor": anonymous.as_user(editor["accessToken"]),
        "admin": anonymous.as_user(admin_token),
    }
    yield made
    for client in made.values():
        await client.close()


@pytest.fixture(scope="package")
async def skill_id(clients: dict[str, Client]) -> str:
    """A real skill of the skills subgraph, for links across subgraphs."""
    editor = clients["editor"]
    category = unique("content-tests")
    await editor.data(
        "mutation($i: CategoryInput!) { createCategory(input: $i) { id } }",
        {"i": {"slug": category, "name": "Content tests"}},
    )
    created = await editor.data(
        "mutation($i: SkillInput!) { createSkill(input: $i) { id } }",
        {
            "i": {
                "slug": unique("python"),
                "name": "Python for content tests",
                "description": "A skill to hang courses on",
                "level": "BEGINNER",
                "categorySlug": category,
            }
        },
    )
    return str(created["createSkill"]["id"])
