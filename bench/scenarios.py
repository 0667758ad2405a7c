"""The load scenarios: each takes the World, returns its figures for results/latest.json."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

import websockets

from tests.support.servers import free_port
from tests.support.stack import SQL_SUBGRAPHS, Process

from .bench_dbproxy import CountingProxy
from .bench_load import GraphQL, percentile, run_fixed
from .bench_setup import SEED, World, register_many

CONCURRENCY = 16

DASHBOARD = """query Dashboard {
  me {
    id displayName
    progress { percent status skill { name category { name } } }
    learningPaths { percent nextSkill { name } }
    %s
    progressChartSvg
  }
}"""
CATALOG_PAGE = """query Catalog($first: Int!) {
  skills(first: $first) {
    edges { node { id name prerequisites { name } learnerCount courses { title } } }
  }
}"""
SKILLS_ONLY = """query($first: Int!) {
  skills(first: $first) { edges { node { id name prerequisites { name } } } }
}"""
LEARNER_COUNTS = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Skill { learnerCount } }
}"""
COURSES = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Skill { courses { title } } }
}"""
RECORD = "mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { id } }"
PROGRESS_UPDATED = "subscription { progressUpdated { percent skill { id } } }"


def has(world: World, name: str) -> bool:
    return name in world.stack.names


async def learner_dashboard(world: World, total: int = 300) -> dict[str, Any]:
    unread = "unreadNotificationCount" if has(world, "notifications") else ""
    query = DASHBOARD % unread
    tokens = [learner.token for learner in world.learners]
    await world.gateway.data(query, token=tokens[0])  # warm: fails loudly if the query is wrong
    figures = await run_fixed(
        total, CONCURRENCY, lambda n: world.gateway.ok(query, token=tokens[n % len(tokens)])
    )
    return figures.summary()


async def catalog_page(world: World, total: int = 200, first: int = 50) -> dict[str, Any]:
    await world.gateway.data(CATALOG_PAGE, {"first": first})
    figures = await run_fixed(
        total, CONCURRENCY, lambda n: world.gateway.ok(CATALOG_PAGE, {"first": first})
    )
    return figures.summary()


class DirectSubgraphs:
    """The catalog page as the gateway plans it, sent straight to the subgraphs."""

    def __init__(self, skills_url: str, learning_url: str, content_url: str) -> None:
        self.skills = GraphQL(skills_url)
        self.learning = GraphQL(learning_url)
        self.content = GraphQL(content_url)

    async def page(self, first: int) -> bool:
        skills = await self.skills.post(SKILLS_ONLY, {"first": first})
        if skills.get("errors"):
            return False
        nodes = [e["node"] for e in skills["data"]["skills"]["edges"]]
        representations = [{"__typename": "Skill", "id": node["id"]} for node in nodes]
        counts, courses = await asyncio.gather(
            self.learning.post(LEARNER_COUNTS, {"r": representations}),
            self.content.post(COURSES, {"r": representations}),
        )
        return not counts.get("errors") and not courses.get("errors")

    async def close(self) -> None:
        for client in (self.skills, self.learning, self.content):
            await client.close()


async def catalog_page_direct(world: World, total: int = 200, first: int = 50) -> dict[str, Any]:
    stack = world.stack
    direct = DirectSubgraphs(
        stack.subgraph_url("skills"), stack.subgraph_url("learning"), stack.subgraph_url("content")
    )
    try:
        assert await direct.page(first), "the direct catalog page failed"
        figures = await run_fixed(total, CONCURRENCY, lambda n: direct.page(first))
    finally:
        await direct.close()
    return figures.summary()


class ProgressSocket:
    """One progressUpdated subscription through the gateway, recording when each update arrives."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.arrivals: dict[tuple[str, float], float] = {}
        self.reader = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, ws_url: str, token: str) -> ProgressSocket:
        connection = await websockets.connect(
            ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")], open_timeout=60
        )
        payload = {"Authorization": f"Bearer {token}"}
        await connection.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), 60))
        assert ack["type"] == "connection_ack", ack
        message = {"id": "1", "type": "subscribe", "payload": {"query": PROGRESS_UPDATED}}
        await connection.send(json.dumps(message))
        return cls(connection)

    async def read(self) -> None:
        async for raw in self.connection:
            message = json.loads(raw)
            if message["type"] == "next" and message["payload"].get("data"):
                update = message["payload"]["data"]["progressUpdated"]
                key = (update["skill"]["id"], float(update["percent"]))
                self.arrivals.setdefault(key, time.perf_counter())
            elif message["type"] == "ping":
                await self.connection.send(json.dumps({"type": "pong"}))

    async def close(self) -> None:
        self.reader.cancel()
        await self.connection.close()


async def progress_with_subscribers(
    world: World, sockets: int = 200, mutations: int = 400
) -> dict[str, Any]:
    """recordProgress with `sockets` progressUpdated subscriptions open, one per learner.

    One socket per user: the gateway multiplexes a user's subscriptions onto one
    upstream connection, where only the newest one currently hears updates (see
    docs/benchmarks.md), so sockets of distinct users measure the fan-out honestly.
    16 workers each own every 16th learner and send that learner's updates in order.
    """
    rng = random.Random(SEED)
    tokens = [learner.token for learner in await register_many(world.gateway, sockets, "live")]
    skill_of = [rng.choice(world.skill_ids[60:]) for _ in tokens]
    opened = list(
        await _bounded([lambda t=t: ProgressSocket.open(world.stack.ws_url, t) for t in tokens])
    )
    try:
        # Warm-up: every socket hears its learner's first update before measuring.
        await _bounded(
            [
                lambda n=n: world.gateway.ok(RECORD, {"s": skill_of[n], "p": 1.0}, tokens[n])
                for n in range(sockets)
            ]
        )
        deadline = time.monotonic() + 20
        while not all((skill_of[n], 1.0) in opened[n].arrivals for n in range(sockets)):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        live = sum((skill_of[n], 1.0) in opened[n].arrivals for n in range(sockets))

        sent: dict[int, list[tuple[tuple[str, float], float]]] = {n: [] for n in range(sockets)}

        async def worker(w: int) -> None:
            mine = [n for n in range(sockets) if n % CONCURRENCY == w]
            for step in range(mutations // CONCURRENCY):
                n = mine[step % len(mine)]
                key = (skill_of[n], float(2 + len(sent[n])))  # rising: never moves backwards
                sent[n].append((key, time.perf_counter()))
                await world.gateway.ok(RECORD, {"s": key[0], "p": key[1]}, tokens[n])

        started = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(CONCURRENCY)))
        seconds = time.perf_counter() - started
        await asyncio.sleep(1.5)  # the last deliveries
        latencies = [
            (opened[n].arrivals[key] - at) * 1000
            for n, keys in sent.items()
            for key, at in keys
            if key in opened[n].arrivals
        ]
        total = sum(len(keys) for keys in sent.values())
        return {
            "subscriptions": sockets,
            "live_after_warm_up": live,
            "mutations": total,
            "seconds": round(seconds, 2),
            "mutations_per_s": round(total / seconds, 1),
            "deliveries_expected": total,
            "deliveries": len(latencies),
            "delivery_p50_ms": round(percentile(latencies, 50), 1),
            "delivery_p99_ms": round(percentile(latencies, 99), 1),
        }
    finally:
        await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)


async def _bounded(calls: list[Any], limit: int = 50) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with slots:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def notification_fanout(world: World, users: int = 1000, per_user: int = 1) -> dict[str, Any]:
    """1,000 notificationReceived sockets (1,000 users, one each), one announcement."""
    if not has(world, "notifications"):
        return {"skipped": "notifications not available"}
    try:
        from . import notifications_fanout as fanout
    except ImportError as exc:
        return {"skipped": f"notifications not available ({exc})"}
    gateway = fanout.Gateway(world.stack.url)
    tokens = await fanout.register_users(gateway, users)
    await fanout.wait_until_known(gateway, tokens[-1], timeout=120)
    owners = [t for t in tokens for _ in range(per_user)]
    sockets = await fanout.bounded(
        [lambda t=t: fanout.Socket.open(world.stack.ws_url, t) for t in owners], 50
    )
    try:
        await fanout.announce_and_wait(gateway, world.admin_token, sockets, "warm-up", 30)
        warm = sum(1 for s in sockets if s.arrival_of("warm-up") is not None)
        title = f"measured-{SEED}"
        start, answered, reached = await fanout.announce_and_wait(
            gateway, world.admin_token, sockets, title, 30
        )
        latencies = [
            (at - start) * 1000 for s in sockets if (at := s.arrival_of(title)) is not None
        ]
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
        await gateway.http.aclose()
    return {
        "sockets": len(sockets),
        "live_after_warm_up": warm,
        "users_reached": reached,
        "received": len(latencies),
        "send_ms": round(answered * 1000, 1),
        "delivery_p50_ms": round(percentile(latencies, 50), 1),
        "delivery_p99_ms": round(percentile(latencies, 99), 1),
    }


def _replica(world: World, name: str, store_url: str, port: int) -> Process:
    """A replica of `name` whose database URL goes through a counting proxy."""
    env = world.stack.subgraph_env(name, port)
    key = "SKILL_CIRCLE_DATABASE_URL" if name in SQL_SUBGRAPHS else "SKILL_CIRCLE_MONGODB_URL"
    env[key] = store_url
    return Process(
        f"{name}-counted",
        [sys.executable, "-m", f"subgraphs.{name}"],
        env,
        f"http://127.0.0.1:{port}/health",
        world.stack.dir,
    )


def _through(url: str, proxy: CountingProxy) -> str:
    """`url` with its host:port replaced by the proxy's."""
    scheme, rest = url.split("://", 1)
    hostport, path = rest.split("/", 1)
    user = ""
    if "@" in hostport:
        user, hostport = hostport.split("@", 1)
        user += "@"
    return f"{scheme}://{user}127.0.0.1:{proxy.port}/{path}"


def _target(url: str) -> tuple[str, int]:
    hostport = url.split("://", 1)[1].split("/", 1)[0].split("@")[-1]
    host, port = hostport.rsplit(":", 1)
    return host, int(port)


async def round_trips(world: World, pages: int = 10) -> dict[str, Any]:
    """Database round trips per catalog page (5 and 50 skills), counted at the wire."""
    stack = world.stack
    stores = {"skills": "skills_db", "learning": "learning_db", "content": "content_db"}
    proxies: dict[str, CountingProxy] = {}
    replicas: dict[str, Process] = {}
    ports: dict[str, int] = {}
    try:
        for name, key in stores.items():
            kind = "postgres" if name == "learning" else "mongo"
            proxies[name] = await CountingProxy(kind, *_target(stack.stores[key])).start()
            ports[name] = free_port()
            replicas[name] = _replica(world, name, _through(stack.stores[key], proxies[name]),
                                      ports[name])  # fmt: skip
            await asyncio.to_thread(replicas[name].start)
        direct = DirectSubgraphs(
            *(f"http://127.0.0.1:{ports[n]}/graphql" for n in ("skills", "learning", "content"))
        )
        result: dict[str, Any] = {}
        try:
            for first in (5, 50, 5, 50):  # twice: the first pass warms caches and statements
                assert await direct.page(first), "the counted catalog page failed"
                await asyncio.sleep(0.5)
                before = {n: p.round_trips for n, p in proxies.items()}
                for _ in range(pages):
                    assert await direct.page(first)
                await asyncio.sleep(0.3)
                counted = {n: p.round_trips - before[n] for n, p in proxies.items()}
                # Background work (consumers, pollers) over an equally long idle window.
                idle_before = {n: p.round_trips for n, p in proxies.items()}
                await asyncio.sleep(0.3)
                idle = {n: p.round_trips - idle_before[n] for n, p in proxies.items()}
                per_page = {n: round((counted[n] - idle[n]) / pages, 2) for n in counted}
                result[f"page_{first}"] = {**per_page, "total": round(sum(per_page.values()), 2)}
        finally:
            await direct.close()
        result["equal"] = result["page_5"]["total"] == result["page_50"]["total"]
        result["commands"] = {n: dict(p.commands) for n, p in proxies.items()}
        return result
    finally:
        for process in replicas.values():
            await asyncio.to_thread(process.stop)
        for proxy in proxies.values():
            await proxy.stop()


async def replica_scaling(world: Any, stack: Any) -> dict[str, Any]:
    """The dashboard query with one, then two replicas of every subgraph.

    Two replicas are two uvicorn workers per subgraph on the same port
    (SKILL_CIRCLE_WORKERS=2): separate processes with their own connections,
    consumers and live channels, sharing the stores, as two pods would.
    """
    one = await learner_dashboard(world)
    await asyncio.to_thread(_restart_subgraphs, stack, "2")
    try:
        two = await learner_dashboard(world)
    finally:
        await asyncio.to_thread(_restart_subgraphs, stack, "1")
    return {
        "one_replica": one,
        "two_replicas": two,
        "throughput_ratio": round(two["rps"] / one["rps"], 2) if one.get("rps") else None,
    }


def _restart_subgraphs(stack: Any, workers: str) -> None:
    for process in stack.subgraphs.values():
        process.env["SKILL_CIRCLE_WORKERS"] = workers
        process.stop()
        process.start()
