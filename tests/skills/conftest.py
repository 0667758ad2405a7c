"""The skills subgraph in-process on a throwaway FerretDB database and the test Redis.

Every store call is real PyMongo async over the MongoDB wire protocol; events
go to a Redis stream of the test's own, so a test can read what was emitted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.common.events import EventBus, EventTail
from subgraphs.common.events.relay import OutboxRelay
from subgraphs.common.settings import load_settings
from subgraphs.common.stores.mongo import mongo_database
from subgraphs.skills.demo import load_demo_catalog
from subgraphs.skills.deps import Deps, assemble
from tests.support.servers import RedisServer


class EventLog:
    """The events one catalog published, read back from its Redis stream
    after its outbox relay has published everything pending. Reading them also
    delivers them to the catalog's read model through an event tail, as the
    running subgraph does (app.start)."""

    def __init__(self, redis: Redis, stream: str, relay: OutboxRelay, tail: EventTail) -> None:
        self.redis = redis
        self.stream = stream
        self.relay = relay
        self.tail = tail
        self.position = "0-0"

    async def all(self) -> list[tuple[str, dict[str, Any]]]:
        while await self.relay.relay_once():
            pass
        while (read := await self.tail.read_once(self.position)) != self.position:
            self.position = read
        entries = await self.redis.xrange(self.stream)
        events = [json.loads(fields[b"event"]) for _, fields in entries]
        return [(event["type"], event["payload"]) for event in events]

    async def of(self, type: str) -> list[dict[str, Any]]:
        return [payload for kind, payload in await self.all() if kind == type]


@dataclass
class Catalog:
    deps: Deps
    events: EventLog
    url: str


async def open_catalog(
    mongodb_url: str, redis_url: str, **client_options: Any
) -> tuple[Catalog, Redis]:
    name = f"skills_{uuid.uuid4().hex[:12]}"
    url = f"{mongodb_url}/{name}"
    settings = load_settings("skills", environment="test", mongodb_url=url, redis_url=redis_url)
    redis = Redis.from_url(redis_url)
    stream = f"test:skills:{name}"
    database = mongo_database(settings, **client_options)
    deps = assemble(settings, database)
    relay = OutboxRelay(deps.outbox, EventBus(redis, producer="skills", stream=stream), redis)
    tail = EventTail(redis, deps.catalog.handlers(), stream=stream, block_ms=0)
    await deps.ensure_indexes()
    return Catalog(deps, EventLog(redis, stream, relay, tail), url), redis


async def close_catalog(catalog: Catalog, redis: Redis) -> None:
    database = catalog.deps.database
    await database.client.drop_database(database.name)
    await database.client.close()
    await redis.delete(catalog.events.stream)
    await redis.aclose()


@pytest.fixture
async def catalog(mongodb_url: str, redis_server: RedisServer) -> AsyncIterator[Catalog]:
    """An empty catalog of the test's own."""
    opened, redis = await open_catalog(mongodb_url, redis_server.url)
    yield opened
    await close_catalog(opened, redis)


@pytest.fixture(scope="module")
async def demo(mongodb_url: str, redis_server: RedisServer) -> AsyncIterator[Catalog]:
    """The demo catalog, shared by a module's read-only tests."""
    opened, redis = await open_catalog(mongodb_url, redis_server.url)
    await load_demo_catalog(opened.deps)
    yield opened
    await close_catalog(opened, redis)
