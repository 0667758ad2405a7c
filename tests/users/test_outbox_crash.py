"""A producer SIGKILLed between its commit and the XADD: the event goes out after the restart
(real PostgreSQL, Redis and users process; the fault-injection point SKILL_CIRCLE_FAULT_POINT)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
from redis.asyncio import Redis

from subgraphs.common.events import STREAM
from subgraphs.common.events.relay import BEFORE_PUBLISH
from tests.conftest import REGISTER
from tests.support.servers import PostgresServer, RedisServer
from tests.support.stack import Stack


async def registered_events(redis: Redis, email: str) -> list[dict]:
    found = []
    for _, fields in await redis.xrange(STREAM):
        event = json.loads(fields[b"event"])
        if event["type"] == "user.registered" and event["payload"]["email"] == email:
            found.append(event)
    return found


async def test_an_event_committed_before_a_crash_is_published_after_the_restart(
    postgres: PostgresServer, redis_server: RedisServer
) -> None:
    database = postgres.create_database(f"users_crash_{uuid.uuid4().hex[:8]}")
    stack = Stack({"redis": redis_server.url, "users_db": database}, ["users"])
    stack.extra_env["SKILL_CIRCLE_FAULT_POINT"] = BEFORE_PUBLISH
    users = stack.subgraph_process("users").start(timeout=180)
    redis = Redis.from_url(redis_server.url)
    email = f"crash-{uuid.uuid4().hex[:8]}@example.com"
    variables = {"input": {"email": email, "password": "correct horse", "displayName": "Crash"}}
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            try:
                await client.post(
                    stack.subgraph_url("users"), json={"query": REGISTER, "variables": variables}
                )
            except httpx.HTTPError:
                pass  # the process may die before it answers: the commit came first
        assert users.process is not None
        assert await asyncio.to_thread(users.process.wait, 30) == -9  # SIGKILLed itself
        assert await registered_events(redis, email) == []  # committed, never published

        stack.extra_env.clear()
        users = stack.subgraph_process("users").start(timeout=180)  # a loaded machine
        for _ in range(200):
            published = await registered_events(redis, email)
            if published:
                break
            await asyncio.sleep(0.1)
        assert len(published) == 1
        assert published[0]["payload"]["displayName"] == "Crash"
    finally:
        users.stop()
        await redis.aclose()
