"""Fixtures of the notifications tests: a real SMTP server, the stack pointed at it,
the event bus, and an in-process notifications wiring on its own Redis database."""

from __future__ import annotations

import asyncio
import email
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from subgraphs.common.events import EventBus
from subgraphs.common.platform import Platform
from subgraphs.notifications.deps import Deps, build
from subgraphs.notifications.settings import NotificationSettings
from tests.support.process import Process
from tests.support.servers import RedisServer, free_port
from tests.support.stack import Stack

UNIT_DB = 7  # the in-process tests' Redis database, apart from the stack's (0)


@dataclass
class Mailbox:
    """Everything the SMTP server received, parsed."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 15) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} email(s) to {address} expected; got {len(self.to(address))}")


def bodies(message: Message) -> dict[str, str]:
    """The decoded text/plain and text/html parts of an email."""
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def subject_of(message: Message) -> str:
    """The Subject header decoded (a non-ASCII one travels as RFC 2047 encoded words)."""
    return str(make_header(decode_header(str(message["Subject"]))))


def message_id_of(message: Message) -> str:
    """The Message-ID header unfolded (a long one arrives folded over two lines)."""
    return "".join(str(message["Message-ID"]).split())


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, mailbox)
    controller.stop()


@contextmanager
def restarted_with(process: Process, env: Mapping[str, str]) -> Iterator[Process]:
    """The process restarted with `env` added, and restarted as it was afterwards."""
    saved = dict(process.env)
    process.env.update(env)
    process.stop()
    process.start()
    try:
        yield process
    finally:
        process.env = saved
        process.stop()
        process.start()


def unsubscribe_url(stack: Stack) -> str:
    """Where the stack's notifications process serves the unsubscribe route."""
    return f"http://127.0.0.1:{stack.ports['notifications']}/unsubscribe"


@pytest.fixture(scope="session")
def notifications_stack(stack: Stack, smtp: SmtpServer) -> Iterator[Stack]:
    """The session's stack, its notifications process restarted to send to the test SMTP server."""
    env = {
        "SKILL_CIRCLE_SMTP_HOST": smtp.host,
        "SKILL_CIRCLE_SMTP_PORT": str(smtp.port),
        "SKILL_CIRCLE_DELIVERY_RETRY_BASE_SECONDS": "0.2",
        "SKILL_CIRCLE_UNSUBSCRIBE_URL": unsubscribe_url(stack),
    }
    with restarted_with(stack.subgraphs["notifications"], env):
        yield stack


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
