"""What a page costs: commands the PyMongo async driver actually sends to FerretDB.

Skills and categories are read from the in-process read model (loaded once at
start-up), so their pages and references cost no database command at all;
roadmaps still come from the store, one query per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import monitoring

from subgraphs.common.context import Context
from subgraphs.common.platform import Platform
from subgraphs.skills.demo import load_demo_catalog
from subgraphs.skills.loaders import loaders_for
from subgraphs.skills.schema import build_schema
from tests.support.servers import RedisServer

from .conftest import Catalog, close_catalog, open_catalog

READS = ("find", "aggregate")


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reads(self) -> int:
        return sum(self.commands[name] for name in READS)


class Subgraph:
    """The skills schema executed in-process, as the app would, counting reads."""

    def __init__(self, catalog: Catalog, counter: CommandCounter) -> None:
        self.catalog = catalog
        self.counter = counter
        self.schema = build_schema(catalog.deps.settings)
        self.platform = Platform(catalog.deps.settings)

    async def reads_for(self, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
        context = Context(self.platform, self.catalog.deps, loaders_for)
        self.counter.commands.clear()
        result = await self.schema.execute(query, variables, context_value=context)
        assert result.errors is None, result.errors
        return self.counter.reads(), result.data


@pytest.fixture(scope="module")
async def subgraph(mongodb_url: str, redis_server: RedisServer) -> AsyncIterator[Subgraph]:
    counter = CommandCounter()
    catalog, redis = await open_catalog(mongodb_url, redis_server.url, event_listeners=[counter])
    await load_demo_catalog(catalog.deps)
    await catalog.deps.catalog.load()  # what start-up does
    subgraph = Subgraph(catalog, counter)
    yield subgraph
    await subgraph.platform.redis.aclose()
    await close_catalog(catalog, redis)


PAGE = """
query Page($first: Int!) {
  skills(first: $first) {
    totalCount
    edges { node {
      id slug
      category { slug parent { slug } subcategories { slug } }
      prerequisites { slug category { slug } }
      dependents { slug }
    } }
  }
}"""


async def test_a_page_costs_no_database_read_whatever_its_size(subgraph: Subgraph) -> None:
    small, data = await subgraph.reads_for(PAGE, {"first": 5})
    assert len(data["skills"]["edges"]) == 5
    large, data = await subgraph.reads_for(PAGE, {"first": 50})
    assert len(data["skills"]["edges"]) == 50
    assert any(edge["node"]["dependents"] for edge in data["skills"]["edges"])
    assert data["skills"]["totalCount"] >= 50
    # page, count, categories, parents, subcategories, prerequisites, dependents: all in memory
    assert small == large == 0


ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Skill { id slug level }
    ... on Category { id slug }
    ... on Roadmap { id slug }
  }
}"""


async def test_resolving_a_hundred_skill_references_reads_nothing(subgraph: Subgraph) -> None:
    _, data = await subgraph.reads_for(PAGE, {"first": 100})
    ids = [edge["node"]["id"] for edge in data["skills"]["edges"]]
    representations = [{"__typename": "Skill", "id": i} for i in ids]
    reads, data = await subgraph.reads_for(ENTITIES, {"representations": representations})
    assert reads == 0
    assert [entity["id"] for entity in data["_entities"]] == ids


async def test_unknown_and_malformed_references_resolve_to_null(subgraph: Subgraph) -> None:
    representations = [
        {"__typename": "Skill", "id": "0" * 24},
        {"__typename": "Skill", "id": "not-an-id"},
        {"__typename": "Category", "id": "nope"},
        {"__typename": "Roadmap", "id": "f" * 24},
    ]
    _, data = await subgraph.reads_for(ENTITIES, {"representations": representations})
    assert data["_entities"] == [None, None, None, None]


async def test_category_and_roadmap_references_batch_too(subgraph: Subgraph) -> None:
    query = "{ categories { id subcategories { id } } roadmaps { id } }"
    _, data = await subgraph.reads_for(query, {})
    category_ids = [c["id"] for c in data["categories"]]
    category_ids += [s["id"] for c in data["categories"] for s in c["subcategories"]]
    representations = [{"__typename": "Category", "id": i} for i in category_ids]
    representations += [{"__typename": "Roadmap", "id": r["id"]} for r in data["roadmaps"]]
    reads, data = await subgraph.reads_for(ENTITIES, {"representations": representations})
    assert reads == 1  # the roadmaps; categories come from the read model
    assert None not in data["_entities"]
