"""Fixtures of the notifications tests: the event bus of the stack, and an in-process
notifications wiring on its own Redis database (the SMTP server: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.common.events import EventBus
from subgraphs.common.platform import Platform
from subgraphs.notifications.deps import Deps, build
from subgraphs.notifications.settings import NotificationSettings
from tests.support.servers import RedisServer
from tests.support.stack import Stack

UNIT_DB = 7  # the in-process tests' Redis database, apart from the stack's (0)


@pytest.fixture
async def stack_redis(stack: Stack) -> AsyncIterator[Redis]:
    client = Redis.from_url(stack.stores["redis"])
    yield client
    await client.aclose()


@pytest.fixture
async def event_bus(stack_redis: Redis) -> EventBus:
    """Publishes events to the stack's stream as another subgraph would."""
    return EventBus(stack_redis, producer="learning")


def unit_settings(
    redis_server: RedisServer, data_dir: Path, **overrides: Any
) -> NotificationSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "redis_url": redis_server.url.rsplit("/", 1)[0] + f"/{UNIT_DB}",
        "data_dir": data_dir,
        "public_url": "https://skillcircle.test",
        "delivery_retry_base_seconds": 0.05,
        "delivery_poll_seconds": 0.05,
        "delivery_max_attempts": 3,
        "channel_timeout_seconds": 3.0,
        # The tests' push service runs on 127.0.0.1 (tests/notifications/test_push_targets.py
        # switches these back to the production rules).
        "push_service_hosts": [],
        "push_to_private_addresses": True,
        **overrides,
    }
    return NotificationSettings(**values)


@dataclass
class Harness:
    """The notifications wiring in this process (no HTTP), on a clean Redis database."""

    platform: Platform
    deps: Deps

    def start_worker(self) -> None:
        """Runs the delivery worker in the background, as the app does."""
        self.platform.run_in_background(self.deps.worker.run())

    async def close(self) -> None:
        await self.platform.stop()
        await self.deps.http.aclose()


@pytest.fixture
async def make_harness(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[Any]:
    made: list[Harness] = []

    async def make(**overrides: Any) -> Harness:
        settings = unit_settings(redis_server, tmp_path, **overrides)
        platform = Platform(settings)
        deps = build(settings, platform)
        await platform.redis.flushdb()
        await platform.start()
        harness = Harness(platform, deps)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()
