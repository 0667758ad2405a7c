"""The benchmark's world: stores, the stack, demo catalog, courses, learners with progress."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.servers import FerretDBServer, PostgresServer, RedisServer
from tests.support.stack import MONGO_SUBGRAPHS, REPO, SQL_SUBGRAPHS, Stack, implemented_subgraphs

from .bench_cpu import CpuMeter, postmaster_pid
from .bench_load import GraphQL

SEED = 20261124
LEARNERS = 20
PASSWORD = "bench-password-123"
ADMIN = {"email": "admin@skillcircle.local", "password": "admin-dev-password"}

LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { accessToken user { id } } }"""
REGISTER = """mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }"""
SET_ROLES = "mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }"
RECORD = "mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { id } }"
FOLLOW = "mutation($r: ID!) { followRoadmap(roadmapId: $r) { id } }"
ALL_SKILLS = "{ skills(first: 100) { edges { node { id slug } } } }"
ROADMAP = "query($s: String!) { roadmap(slug: $s) { id slug steps { skill { id } } } }"
CREATE_COURSE = "mutation($i: CourseInput!) { createCourse(input: $i) { id } }"
PUBLISH_COURSE = "mutation($id: ID!) { publishCourse(id: $id) { id } }"


@dataclass
class Learner:
    user_id: str
    token: str


@dataclass
class Settings:
    """How long and how hard: `--quick` shrinks everything for a check that the bench works."""

    seconds: float = 30  # each closed-loop (wrk) measurement
    warmup_seconds: float = 10  # wrk before each measurement, after every token's request once
    connections: int = 16
    rate: float = 50  # fixed-rate scenarios: requests/s (oha, open loop)
    rate_seconds: float = 30
    subscribers: int = 200
    fanout: int = 1000

    @classmethod
    def quick(cls) -> Settings:
        return cls(seconds=5, warmup_seconds=2, rate=20, rate_seconds=5, subscribers=40,
                   fanout=100)  # fmt: skip


@dataclass
class World:
    stack: Stack
    gateway: GraphQL
    admin_token: str
    editor_token: str
    skill_ids: list[str]
    roadmap_slug: str
    settings: Settings
    meter: CpuMeter
    gateway_choice: dict[str, Any]  # the Stack arguments that chose the gateway
    learners: list[Learner] = field(default_factory=list)


GATEWAYS = ("hive-gateway", "hive-router", "apollo-router")


def gateway_kwargs(gateway: str) -> dict[str, Any]:
    """How tests/support's Stack is asked for `gateway` (Hive Gateway only, until it can)."""
    if "gateway" in inspect.signature(Stack).parameters:
        return {"gateway": gateway}
    if gateway != "hive-gateway":
        raise SystemExit(
            f"--gateway {gateway}: tests/support/stack.py runs only Hive Gateway so far"
        )
    return {}


@dataclass
class Bench:
    """The stack and the pid of every process whose CPU the scenarios account for."""

    stack: Stack
    store_pids: dict[str, int]
    gateway: dict[str, Any]  # the Stack arguments that chose the gateway

    def process_roots(self) -> dict[str, int]:
        roots = {}
        for name, process in self.stack.subgraphs.items():
            assert process.process is not None
            roots[name] = process.process.pid
        assert self.stack.gateway is not None and self.stack.gateway.process.process is not None
        roots["gateway"] = self.stack.gateway.process.process.pid
        return {**roots, **self.store_pids}


@contextmanager
def own_stack(gateway: str = "hive-gateway") -> Iterator[Bench]:
    """Throwaway PostgreSQL, Redis, FerretDB; the subgraphs in router/supergraph.yaml; gateway."""
    names = implemented_subgraphs()
    kwargs = gateway_kwargs(gateway)
    with ExitStack() as cleanup:
        redis = RedisServer().start()
        cleanup.callback(redis.stop)
        assert redis.process is not None
        pids = {"redis": redis.process.pid}
        stores = {"redis": redis.url}
        if any(n in SQL_SUBGRAPHS for n in names):
            postgres = PostgresServer().start()
            cleanup.callback(postgres.stop)
            pids["postgres"] = postmaster_pid(postgres.dir / "data")
            for name in names:
                if name in SQL_SUBGRAPHS:
                    stores[f"{name}_db"] = postgres.create_database(f"{name}_bench")
        if any(n in MONGO_SUBGRAPHS for n in names):
            ferret = FerretDBServer().start()
            cleanup.callback(ferret.stop)
            assert ferret.process is not None
            pids["ferretdb"] = ferret.process.pid
            for name in names:
                if name in MONGO_SUBGRAPHS:
                    stores[f"{name}_db"] = ferret.url(f"{name}_bench")
        # The gateway runs with SKILL_CIRCLE_GATEWAY_DEDUPE=false.
        # Every simulated learner comes from 127.0.0.1: the per-address drawing limit (300 a
        # minute) would refuse the dashboard's chart after a few seconds of load. Off here.
        limits = {"SKILL_CIRCLE_RATE_LIMITS": json.dumps({"svg:address": [0, 60]})}
        with Stack(stores, names, extra_env=limits, **kwargs).started() as stack:
            yield Bench(stack, pids, kwargs)


def load_demo_catalog(stack: Stack) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "subgraphs.skills", "load-demo"],
        cwd=REPO, env={**os.environ, **stack.subgraph_env("skills")},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)


async def retried(gateway: GraphQL, query: str, variables: dict[str, Any], token: str) -> Any:
    """A write another subgraph accepts once it has heard of the demo skills (events are async)."""
    deadline = time.monotonic() + 30
    while True:
        body = await gateway.post(query, variables, token)
        if not body.get("errors"):
            return body["data"]
        if time.monotonic() > deadline:
            raise RuntimeError(f"{query[:50]}: {body['errors']}")
        await asyncio.sleep(0.3)


async def register_many(gateway: GraphQL, count: int, prefix: str) -> list[Learner]:
    """`count` new accounts, 4 registrations at a time (password hashing is the cost)."""
    run = uuid.uuid4().hex[:6]
    slots = asyncio.Semaphore(4)

    async def one(n: int) -> Learner:
        variables = {
            "i": {
                "email": f"{prefix}-{run}-{n}@bench.example.com",
                "password": PASSWORD,
                "displayName": f"{prefix} {n}",
            }
        }
        async with slots:
            data = (await gateway.data(REGISTER, variables))["register"]
        return Learner(data["user"]["id"], data["accessToken"])

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def build_world(bench: Bench, settings: Settings) -> World:
    stack = bench.stack
    rng = random.Random(SEED)
    gateway = GraphQL(stack.url)
    admin = await gateway.data(LOGIN, {"e": ADMIN["email"], "p": ADMIN["password"]})
    admin_token = admin["login"]["accessToken"]
    run = uuid.uuid4().hex[:6]

    slots = asyncio.Semaphore(4)  # password hashing: a few at a time, not all 20 at once

    async def register(name: str) -> Learner:
        email = f"{name}-{run}@bench.example.com"
        async with slots:
            data = await gateway.data(
                REGISTER, {"i": {"email": email, "password": PASSWORD, "displayName": name}}
            )
        return Learner(data["register"]["user"]["id"], data["register"]["accessToken"])

    editor = await register("editor")
    await gateway.data(SET_ROLES, {"u": editor.user_id, "r": ["EDITOR"]}, admin_token)
    email = f"editor-{run}@bench.example.com"
    editor_token = (await gateway.data(LOGIN, {"e": email, "p": PASSWORD}))["login"]["accessToken"]

    edges = (await gateway.data(ALL_SKILLS))["skills"]["edges"]
    skill_ids = [e["node"]["id"] for e in edges]
    roadmap = (await gateway.data(ROADMAP, {"s": "backend-python-developer"}))["roadmap"]
    meter = CpuMeter(bench.process_roots())
    world = World(stack, gateway, admin_token, editor_token, skill_ids, roadmap["slug"], settings,
                  meter, bench.gateway)  # fmt: skip

    # Published courses on the first 50 skills: 25 courses of two skills each.
    for n in range(25):
        course = {
            "slug": f"bench-course-{run}-{n}",
            "title": f"Bench course {n}",
            "summary": "For the benchmark.",
            "skillIds": skill_ids[2 * n : 2 * n + 2],
            "modules": [{"title": "M", "lessons": [{"title": "L", "body": "B",
                                                    "durationMinutes": 5}]}],
        }  # fmt: skip
        made = await retried(gateway, CREATE_COURSE, {"i": course}, editor_token)
        await gateway.data(PUBLISH_COURSE, {"id": made["createCourse"]["id"]}, editor_token)

    # Learners with progress on random demo skills and on the roadmap they follow.
    world.learners = list(await asyncio.gather(*(register(f"learner{n}") for n in range(LEARNERS))))
    steps = [s["skill"]["id"] for s in roadmap["steps"]]
    for learner in world.learners:
        await retried(gateway, FOLLOW, {"r": roadmap["id"]}, learner.token)
        done = rng.randint(0, min(3, len(steps) - 1))
        picks = [(s, 100.0) for s in steps[:done]]
        picks += [(s, float(rng.randint(5, 95))) for s in rng.sample(skill_ids[:60], 5)]
        for skill_id, percent in picks:
            await retried(gateway, RECORD, {"s": skill_id, "p": percent}, learner.token)
    return world
