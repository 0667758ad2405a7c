#!/usr/bin/env python
"""Announcement fan-out to live websocket subscribers through the gateway.

    .venv/bin/python bench/notifications_fanout.py [--users 1000] [--sockets-per-user 1]
        [--gateway http://127.0.0.1:4000/graphql --admin-email ... --admin-password ...]

Without --gateway it starts its own stack (throwaway Redis and PostgreSQL, the
users and notifications subgraphs as processes, Hive Gateway), as the tests do.
By default every socket belongs to a distinct registered user (1,000 users, one
`notificationReceived` subscription each, so the announcement writes 1,000
inbox entries and publishes 1,000 live messages); `--users 250
--sockets-per-user 4` gives 1,000 sockets over fewer users instead.

One warm-up announcement proves every subscription is live end to end; then the
measured announcement is sent and each socket's latency is the time from just
before the `sendAnnouncement` request to the arrival of its `next` message.
Prints how many sockets received it and the latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import websockets

REGISTER = """mutation($input: RegisterInput!) {
  register(input: $input) { accessToken user { id } } }"""
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
UNREAD = "{ me { unreadNotificationCount } }"
ANNOUNCE = "mutation($input: AnnouncementInput!) { sendAnnouncement(input: $input) }"
LIVE = "subscription { notificationReceived { id kind title } }"


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(timeout=60)

    async def data(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        from tests.support.client import new_client_address  # run as a script: lazily

        # Many simulated clients: each request from an address of its own (the
        # harness is the stack's trusted proxy), so per-address limits stay per client.
        headers = {"x-forwarded-for": new_client_address()}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(json.dumps(body["errors"]))
        return body["data"]


async def bounded(calls: list[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def run(call: Callable[[], Awaitable[Any]]) -> Any:
        async with slots:
            return await call()

    return await asyncio.gather(*(run(c) for c in calls))


async def register_users(gateway: Gateway, count: int) -> list[str]:
    run = uuid.uuid4().hex[:8]

    async def one(n: int) -> str:
        email = f"fanout-{run}-{n}@example.com"
        variables = {
            "input": {"email": email, "password": "fan-out-bench-pw", "displayName": f"F{n}"}
        }
        return str((await gateway.data(REGISTER, variables))["register"]["accessToken"])

    started = time.perf_counter()
    tokens = await bounded([lambda n=n: one(n) for n in range(count)], 8)
    print(f"registered {count} users in {time.perf_counter() - started:.1f}s")
    return tokens


async def wait_until_known(gateway: Gateway, token: str, timeout: float = 300) -> None:
    """The last user's welcome is in: the notifications directory knows every user."""
    deadline = time.monotonic() + timeout
    while (await gateway.data(UNREAD, {}, token))["me"]["unreadNotificationCount"] < 1:
        if time.monotonic() > deadline:
            raise TimeoutError("the notifications subgraph never caught up with registrations")
        await asyncio.sleep(0.5)


class Socket:
    """One `notificationReceived` subscription through the gateway."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.arrivals: list[tuple[float, str]] = []
        self.reader: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, ws_url: str, token: str) -> Socket:
        connection = await websockets.connect(
            ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], open_timeout=60
        )
        await connection.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(connection.recv(), 60))
        assert ack["type"] == "connection_ack", ack
        await connection.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LIVE}})
        )
        socket = cls(connection)
        socket.reader = asyncio.create_task(socket.read())
        return socket

    async def read(self) -> None:
        async for raw in self.connection:
            message = json.loads(raw)
            if message["type"] == "next":
                note = message["payload"]["data"]["notificationReceived"]
                self.arrivals.append((time.perf_counter(), note["title"]))
            elif message["type"] == "ping":
                await self.connection.send(json.dumps({"type": "pong"}))
            elif message["type"] in ("error", "complete"):
                print("subscription ended:", message)
                return

    def arrival_of(self, title: str) -> float | None:
        return next((at for at, t in self.arrivals if t == title), None)

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        await self.connection.close()


async def announce_and_wait(
    gateway: Gateway, admin: str, sockets: list[Socket], title: str, timeout: float
) -> tuple[float, float, int]:
    """Sends an announcement; returns (start, request seconds, users reached)."""
    started = time.perf_counter()
    reached = await gateway.data(
        ANNOUNCE, {"input": {"title": title, "body": "Fan-out benchmark."}}, admin
    )
    answered = time.perf_counter() - started
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(s.arrival_of(title) is not None for s in sockets):
            break
        await asyncio.sleep(0.05)
    return started, answered, int(reached["sendAnnouncement"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run(args: argparse.Namespace, url: str, ws_url: str) -> None:
    gateway = Gateway(url)
    admin = await gateway.data(LOGIN, {"e": args.admin_email, "p": args.admin_password})
    admin_token = admin["login"]["accessToken"]
    tokens = await register_users(gateway, args.users)
    await wait_until_known(gateway, tokens[-1])

    started = time.perf_counter()
    owners = [t for t in tokens for _ in range(args.sockets_per_user)]
    sockets = await bounded([lambda t=t: Socket.open(ws_url, t) for t in owners], 50)
    print(f"opened {len(sockets)} websocket subscriptions through the gateway "
          f"({args.users} users x {args.sockets_per_user}) in "
          f"{time.perf_counter() - started:.1f}s")  # fmt: skip
    try:
        await announce_and_wait(gateway, admin_token, sockets, "warm-up", 120)
        warm = sum(1 for s in sockets if s.arrival_of("warm-up") is not None)
        print(f"warm-up announcement reached {warm}/{len(sockets)} sockets")

        title = f"measured-{uuid.uuid4().hex[:6]}"
        start, answered, reached = await announce_and_wait(
            gateway, admin_token, sockets, title, args.timeout
        )
        latencies = [at - start for s in sockets if (at := s.arrival_of(title)) is not None]
        report(len(sockets), reached, answered, latencies)
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
        await gateway.http.aclose()


def report(sockets: int, reached: int, answered: float, latencies: list[float]) -> None:
    print("\n== notifications fan-out")
    print(f"sendAnnouncement answered in {answered * 1000:.0f} ms; users it reaches: {reached}")
    print(f"sockets that received it: {len(latencies)}/{sockets}")
    if latencies:
        ms = [v * 1000 for v in latencies]
        print(
            f"delivery latency ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  "
            f"p99 {percentile(ms, 99):.0f}  max {max(ms):.0f}  mean {statistics.fmean(ms):.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--sockets-per-user", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for delivery")
    parser.add_argument("--gateway", help="an already running gateway's /graphql URL")
    parser.add_argument("--admin-email", default="admin@skillcircle.local")
    parser.add_argument("--admin-password", default="admin-dev-password")
    args = parser.parse_args()
    if args.gateway:
        asyncio.run(run(args, args.gateway, args.gateway.replace("http", "ws", 1)))
        return
    with OwnStack() as stack:
        asyncio.run(run(args, stack.url, stack.ws_url))


class OwnStack:
    """Throwaway Redis + PostgreSQL, the users and notifications subgraphs, the gateway."""

    def __enter__(self) -> Any:
        from tests.support.servers import PostgresServer, RedisServer
        from tests.support.stack import Stack

        self.redis = RedisServer().start()
        self.postgres = PostgresServer().start()
        stores = {"redis": self.redis.url, "users_db": self.postgres.create_database("fanout")}
        os.environ.setdefault("SKILL_CIRCLE_LOG_LEVEL", "WARNING")
        self.stack = Stack(stores, ["users", "notifications"])
        started = time.perf_counter()
        try:
            self.stack.start()
        except Exception:
            print(self.stack.logs())
            self.__exit__()
            raise
        print(f"stack up in {time.perf_counter() - started:.1f}s (logs in {self.stack.dir})")
        return self.stack

    def __exit__(self, *_: object) -> None:
        self.stack.stop()
        self.postgres.stop()
        self.redis.stop()


if __name__ == "__main__":
    main()
