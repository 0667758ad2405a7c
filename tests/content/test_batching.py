"""A page of skills with their content costs a constant number of MongoDB commands.

The content schema runs in-process on FerretDB with a PyMongo CommandListener
counting every command the driver sends; the `_entities` query is exactly what
the gateway sends for `skills(first: N) { ... courses/articles/resources }`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from pymongo import monitoring

from subgraphs.common.context import Context
from subgraphs.common.platform import Platform
from subgraphs.content.loaders import loaders_for
from subgraphs.content.schema import build_schema
from tests.content.conftest import (
    EDITOR,
    Content,
    article_draft,
    close_content,
    course_draft,
    open_content,
)
from tests.support.servers import RedisServer

SKILLS = [f"skill-{n:02d}" for n in range(50)]

ENTITIES = """
query Page($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Skill {
      id
      courses { title version institution { name } skills { id } modules { title } }
      articles { title html revisions { version } }
      resources { title url }
    }
  }
}"""


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture(scope="module")
async def counted(
    mongodb_url: str, redis_server: RedisServer
) -> AsyncIterator[tuple[Content, CommandCounter]]:
    counter = CommandCounter()
    content, redis = await open_content(mongodb_url, redis_server.url, event_listeners=[counter])
    service = content.deps.service
    schools = [await service.create_institution(f"School {n}", None) for n in range(3)]
    for n, skill in enumerate(SKILLS):
        course = await service.create_course(
            EDITOR,
            course_draft(
                slug=f"course-{n}",
                title=f"Course {n}",
                skill_ids=[skill, SKILLS[(n + 1) % 50]],
                institution_id=schools[n % 3].id,
            ),
        )
        await service.publish_course(EDITOR, course.id)
        await service.create_article(EDITOR, article_draft(slug=f"article-{n}", skill_ids=[skill]))
        await service.publish_article(EDITOR, f"article-{n}")
        await service.create_resource(f"R{n}", f"https://example.com/{n}", "VIDEO", [skill])
    yield content, counter
    await close_content(content, redis)


async def _commands_for(content: Content, counter: CommandCounter, skills: list[str]) -> int:
    settings = content.deps.settings
    schema = build_schema(settings)
    platform = Platform(settings)
    counter.commands.clear()
    try:
        result = await schema.execute(
            ENTITIES,
            variable_values={"representations": [{"__typename": "Skill", "id": s} for s in skills]},
            context_value=Context(platform, content.deps, loaders_for),
        )
    finally:
        await platform.redis.aclose()
    assert result.errors is None, result.errors
    assert result.data is not None
    entities = result.data["_entities"]
    assert len(entities) == len(skills)
    assert all(len(e["courses"]) == 2 and e["articles"] and e["resources"] for e in entities)
    assert entities[0]["courses"][0]["institution"]["name"].startswith("School")
    return sum(counter.commands.values())


async def test_a_page_of_skills_costs_a_constant_number_of_commands(
    counted: tuple[Content, CommandCounter],
) -> None:
    content, counter = counted
    five = await _commands_for(content, counter, SKILLS[:5])
    fifty = await _commands_for(content, counter, SKILLS)
    print(f"MongoDB commands: 5 skills -> {five}, 50 skills -> {fifty}")
    assert five == fifty
    # courses, articles, resources per skill; institutions; article revisions
    assert fifty <= 5, counter.commands
