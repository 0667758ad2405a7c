"""The load scenarios: each takes the World, returns its figures for results/latest.json.

Throughput is closed-loop `wrk` and fixed-rate latency is open-loop `oha`
(bench_native); every measured window also records each process's CPU
milliseconds per request (bench_cpu). The two websocket scenarios measure
delivery to many sockets, driven from Python (the sockets are the load).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

import httpx
import websockets

from tests.support.servers import free_port
from tests.support.stack import SQL_SUBGRAPHS, Process

from .bench_capture import Call, capture
from .bench_dbproxy import CountingProxy
from .bench_native import Load, body, oha_fixed_rate, percentile, wrk
from .bench_setup import SEED, World, register_many

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
RECORD = "mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { id } }"
PROGRESS_UPDATED = "subscription { progressUpdated { percent skill { id } } }"


def has(world: World, name: str) -> bool:
    return name in world.stack.names


def dashboard_load(world: World) -> Load:
    unread = "unreadNotificationCount" if has(world, "notifications") else ""
    tokens = [learner.token for learner in world.learners]
    return Load(world.stack.url, [body(DASHBOARD % unread)], tokens)


def catalog_load(world: World, first: int = 50) -> Load:
    return Load(world.stack.url, [body(CATALOG_PAGE, {"first": first})])


async def warm(world: World, load: Load) -> None:
    """Every token's request once (every learner's chart rendered and cached), then wrk briefly."""
    async with httpx.AsyncClient(timeout=120) as client:
        tokens: list[str | None] = [*load.tokens] or [None]
        for token in tokens:
            headers = {"content-type": "application/json", **dict(load.headers)}
            if token:
                headers["authorization"] = f"Bearer {token}"
            answer = (await client.post(load.url, content=load.bodies[0], headers=headers)).json()
            if answer.get("errors") or not answer.get("data"):
                raise RuntimeError(f"warm-up request failed: {json.dumps(answer)[:300]}")
    if world.settings.warmup_seconds:
        await wrk(load, world.settings.warmup_seconds, world.settings.connections)


async def closed_loop(world: World, load: Load, seconds: float | None = None) -> dict[str, Any]:
    """wrk for the configured duration, with CPU per request of every process."""
    await world.meter.start()
    figures = await wrk(load, seconds or world.settings.seconds, world.settings.connections)
    return {**figures, **await world.meter.stop(figures["sent"])}


async def learner_dashboard(world: World) -> dict[str, Any]:
    load = dashboard_load(world)
    await warm(world, load)
    return await closed_loop(world, load)


async def catalog_page(world: World) -> dict[str, Any]:
    load = catalog_load(world)
    await warm(world, load)
    return await closed_loop(world, load)


async def fixed_rate(world: World, load: Load) -> dict[str, Any]:
    """oha at the configured arrival rate (open loop), with CPU per request."""
    await warm(world, load)
    settings = world.settings
    await world.meter.start()
    figures = await oha_fixed_rate(load, settings.rate, settings.rate_seconds)
    return {**figures, **await world.meter.stop(figures["responses"])}


async def dashboard_fixed_rate(world: World) -> dict[str, Any]:
    return await fixed_rate(world, dashboard_load(world))


async def catalog_fixed_rate(world: World) -> dict[str, Any]:
    return await fixed_rate(world, catalog_load(world))


def _call_load(world: World, call: Call, url: str | None = None) -> Load:
    return Load(url or world.stack.subgraph_url(call.subgraph), [call.body], (), call.headers)


async def catalog_page_direct(world: World) -> dict[str, Any]:
    """The catalog page's subgraph calls, captured from the gateway, each replayed with wrk.

    Each call is loaded on its own (wrk talks to one address), for an equal share of
    the scenario's time. The page's direct CPU is the sum of its calls' CPU; its
    direct latency is the sum over stages of the slowest call's p50/p99 in that stage.
    """
    load = catalog_load(world)
    calls = await capture(world.stack, load.bodies[0], world.gateway_choice)
    seconds = max(world.settings.seconds / len(calls), min(10.0, world.settings.seconds))
    replayed = []
    for call in calls:
        await warm(world, _call_load(world, call))
        figures = await closed_loop(world, _call_load(world, call), seconds)
        replayed.append({"subgraph": call.subgraph, "stage": call.stage,
                         "body_bytes": len(call.body), **figures})  # fmt: skip
    stages = sorted({c["stage"] for c in replayed})

    def path(key: str) -> float:
        return round(sum(max(c[key] for c in replayed if c["stage"] == s) for s in stages), 1)

    cpu: dict[str, float] = {}
    for figures in replayed:
        for name, ms in figures["cpu_ms_per_request"].items():
            cpu[name] = round(cpu.get(name, 0) + ms, 2)
    return {
        "calls": replayed,
        "stages": len(stages),
        "p50_ms_critical_path": path("p50_ms"),
        "p99_ms_critical_path": path("p99_ms"),
        "cpu_ms_per_request": dict(sorted(cpu.items(), key=lambda item: -item[1])),
        "cpu_ms_per_request_total": round(sum(cpu.values()), 2),
    }


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


async def progress_with_subscribers(world: World) -> dict[str, Any]:
    """recordProgress with `sockets` progressUpdated subscriptions open, one per learner.

    One socket per user: the gateway multiplexes a user's subscriptions onto one
    upstream connection, where only the newest one currently hears updates (see
    docs/benchmarks.md), so sockets of distinct users measure the fan-out honestly.
    16 workers each own every 16th learner and send that learner's updates in order.
    """
    sockets, mutations = world.settings.subscribers, 2 * world.settings.subscribers
    workers = world.settings.connections
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
            mine = [n for n in range(sockets) if n % workers == w]
            for step in range(mutations // workers):
                n = mine[step % len(mine)]
                key = (skill_of[n], float(2 + len(sent[n])))  # rising: never moves backwards
                sent[n].append((key, time.perf_counter()))
                await world.gateway.ok(RECORD, {"s": key[0], "p": key[1]}, tokens[n])

        await world.meter.start()
        started = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(workers)))
        seconds = time.perf_counter() - started
        await asyncio.sleep(1.5)  # the last deliveries
        total = sum(len(keys) for keys in sent.values())
        cpu = await world.meter.stop(total)
        latencies = [
            (opened[n].arrivals[key] - at) * 1000
            for n, keys in sent.items()
            for key, at in keys
            if key in opened[n].arrivals
        ]
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
            **cpu,
        }
    finally:
        await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)


async def _bounded(calls: list[Any], limit: int = 50) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with slots:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def notification_fanout(world: World, per_user: int = 1) -> dict[str, Any]:
    """1,000 notificationReceived sockets (1,000 users, one each), one announcement.

    CPU is per delivered message (the announcement and its 1,000 deliveries).
    """
    users = world.settings.fanout
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
        await world.meter.start()
        start, answered, reached = await fanout.announce_and_wait(
            gateway, world.admin_token, sockets, title, 30
        )
        latencies = [
            (at - start) * 1000 for s in sockets if (at := s.arrival_of(title)) is not None
        ]
        cpu = await world.meter.stop(len(latencies))
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
        **cpu,
    }


def _replica(world: World, name: str, store_url: str, port: int) -> Process:
    """A replica of `name` whose database URL goes through a counting proxy."""
    env = world.stack.subgraph_env(name, port)
    key = "SKILL_CIRCLE_DATABASE_URL" if name in SQL_SUBGRAPHS else "SKILL_CIRCLE_MONGODB_URL"
    env[key] = store_url
    # Round trips of executing the page: replayed calls are anonymous and identical, so
    # the public response cache would answer all but the first from memory.
    env["SKILL_CIRCLE_PUBLIC_CACHE_SECONDS"] = "0"
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


async def round_trips(world: World, pages: int = 30) -> dict[str, Any]:
    """Database round trips per catalog page (5 and 50 skills), counted at the wire.

    The page is the subgraph calls the gateway makes for it (captured), replayed
    against replicas of skills, learning and content whose stores sit behind
    counting proxies.
    """
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
        urls = {n: f"http://127.0.0.1:{port}/graphql" for n, port in ports.items()}
        result: dict[str, Any] = {}
        for first in (5, 50, 5, 50):  # twice: the first pass warms caches and statements
            calls = await capture(
                world.stack, catalog_load(world, first).bodies[0], world.gateway_choice
            )
            assert await replay(calls, urls), "the counted catalog page failed"
            await asyncio.sleep(0.5)
            before = {n: p.round_trips for n, p in proxies.items()}
            started = time.monotonic()
            for _ in range(pages):
                assert await replay(calls, urls)
            await asyncio.sleep(0.3)
            counted = {n: p.round_trips - before[n] for n, p in proxies.items()}
            window = time.monotonic() - started
            # Background work (consumers, pollers) over an idle window as long as the
            # counted one (it was a fixed 0.3 s, shorter, so background leaked into pages).
            idle_before = {n: p.round_trips for n, p in proxies.items()}
            await asyncio.sleep(window)
            idle = {n: p.round_trips - idle_before[n] for n, p in proxies.items()}
            per_page = {n: round((counted[n] - idle[n]) / pages, 2) for n in counted}
            result[f"page_{first}"] = {**per_page, "total": round(sum(per_page.values()), 2)}
        result["equal"] = result["page_5"]["total"] == result["page_50"]["total"]
        result["commands"] = {n: dict(p.commands) for n, p in proxies.items()}
        return result
    finally:
        for process in replicas.values():
            await asyncio.to_thread(process.stop)
        for proxy in proxies.values():
            await proxy.stop()


async def replay(calls: list[Call], urls: dict[str, str]) -> bool:
    """The captured calls, stage after stage (a stage's calls in parallel), to `urls`."""
    async with httpx.AsyncClient(timeout=60) as client:
        for stage in sorted({c.stage for c in calls}):
            answers = await asyncio.gather(
                *(
                    client.post(urls[c.subgraph], content=c.body,
                                headers=[*c.headers, ("content-type", "application/json")])
                    for c in calls if c.stage == stage
                )
            )  # fmt: skip
            if any(a.status_code != 200 or a.json().get("errors") for a in answers):
                return False
    return True
