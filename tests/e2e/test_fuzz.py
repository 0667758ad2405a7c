"""Fuzzing the gateway with thousands of valid and invalid operations from the composed schema.

Valid queries and mutations come from hypothesis-graphql over the gateway's own API
schema (introspected; half sent anonymously, half with a learner's token); invalid
input is hypothesis-graphql's negative mode plus hand-made abuse: random strings,
truncated operations, mistyped variables, well-typed but absurd values,
huge/negative `first`, malformed cursors, deep nesting, alias floods, broken HTTP
bodies and tokens. Whatever the input, no response may be a 5xx, show internals
(stack traces, server paths) or carry INTERNAL_SERVER_ERROR. Everything is seeded
(hypothesis derandomized), so a failure reproduces on the same schema.

SKILL_CIRCLE_FUZZ_SCALE (default 1) multiplies the number of operations.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import re
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx

from tests.conftest import register
from tests.support.client import Client
from tests.support.stack import Stack

from . import fuzz_cases as cases_
from .fuzz_runner import Finding, distinct, run
from .fuzz_schema import fuzz_schema, introspection_query

SEED = 20240611
SCALE = float(os.environ.get("SKILL_CIRCLE_FUZZ_SCALE", "1"))
GENERATED = {
    "queries": int(2000 * SCALE),
    "mutations": int(500 * SCALE),
    "violations": int(300 * SCALE),
}
RANDOM_STRINGS = int(300 * SCALE)
TRUNCATIONS = int(400 * SCALE)
WRONG_VARIABLES = int(500 * SCALE)
HOSTILE_VALUES = int(900 * SCALE)
SHOWN = 10


async def _api_introspection(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(url, json={"query": introspection_query()})
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return dict(body["data"])


# Logged with a traceback, yet answered properly: domain errors and GraphQL validation.
EXPECTED_ERRORS = ("subgraphs.common.errors.", "graphql.error.graphql_error.GraphQLError")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Unavailable|Exit)\w*: ")


def _log_sizes(stack: Stack) -> dict[str, int]:
    return {
        name: p.log_path.stat().st_size if p.log_path.exists() else 0
        for name, p in stack.subgraphs.items()
    }


def _unexpected_errors_logged(stack: Stack, since: dict[str, int]) -> list[str]:
    """Per subgraph, the distinct exceptions it logged since `since`, other than domain errors."""
    found = []
    for name, process in stack.subgraphs.items():
        if not process.log_path.exists():
            continue
        with process.log_path.open("rb") as log:
            log.seek(since.get(name, 0))
            lines = log.read().decode("utf-8", "replace").splitlines()
        last_lines: Counter[str] = Counter()
        for line in lines:
            if "Traceback" not in line or any(e in line for e in EXPECTED_ERRORS):
                continue
            try:
                trace = str(json.loads(line).get("exc_info") or line)
            except ValueError:
                trace = line
            raised = [t for t in trace.splitlines() if EXCEPTION_LINE.match(t)] or [trace]
            last_lines[raised[-1][:300]] += 1
        if last_lines:
            found.append(
                f"--- {name} logged these unexpected exceptions:\n"
                + "\n".join(f"  {n}x {text}" for text, n in last_lines.most_common(8))
            )
    return found


def _failure_report(findings: list[Finding], stack: Stack, since: dict[str, int]) -> str:
    by_problem = Counter(f.problem for f in findings)
    # Failures of schema-valid operations first: no client can avoid those.
    groups = sorted(distinct(findings), key=lambda g: g[0].case.group == "invalid")
    lines = [
        f"{len(findings)} fuzz findings {dict(by_problem)} in {len(groups)} distinct kinds "
        f"(problem, status, failing field and message); the first {SHOWN}:"
    ]
    lines += [f"({n}x) {f.describe()}" for f, n in groups[:SHOWN]]
    if len(groups) > SHOWN:
        lines.append(
            "and also:\n"
            + "\n".join(
                f"  ({n}x) [{f.case.kind}] {f.problem}: {f.case.describe()[:160]!r}"
                for f, n in groups[SHOWN:]
            )
        )
    return "\n\n".join(lines + _unexpected_errors_logged(stack, since))


async def test_no_input_gets_a_5xx_a_leak_or_an_internal_error(stack: Stack) -> None:
    started = time.monotonic()
    log_sizes = _log_sizes(stack)
    introspection = await _api_introspection(stack.url)
    schema = fuzz_schema(introspection, stack.names)
    client = Client(stack.url)
    try:
        user_token = (await register(client, "Fuzz Learner"))["accessToken"]
    finally:
        await client.close()
    rng = random.Random(SEED)
    timings: dict[str, float] = {}  # request seconds per case kind

    # hypothesis is the slow part (~15 ms an operation): it runs in another process
    # while the hand-made cases go out.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        generating = asyncio.get_running_loop().run_in_executor(
            pool, cases_.generated, introspection, list(stack.names), GENERATED
        )
        handmade = (
            cases_.random_strings(rng, RANDOM_STRINGS)
            + cases_.wrong_variable_types(rng, schema, WRONG_VARIABLES)
            + cases_.within_budget(cases_.hostile_values(rng, schema, HOSTILE_VALUES))
            + cases_.paging_abuse(schema)
            + cases_.nesting_and_floods(schema)
            + cases_.bad_requests(schema)
        )
        findings = await run(stack.url, handmade, user_token, timings=timings)
        handmade_done = time.monotonic() - started
        generated = await generating
    generated_done = time.monotonic() - started
    mutations = cases_.within_budget([c for c in generated if c.kind == "mutation"])
    generated = [c for c in generated if c.kind != "mutation"] + mutations
    valid = [c.query for c in generated if c.group in ("query", "mutation") and c.query]
    generated += cases_.truncations(rng, valid, TRUNCATIONS)
    findings += await run(stack.url, generated, user_token, timings=timings)

    every = handmade + generated
    kinds = Counter(c.group for c in every)
    invalid = Counter(c.kind.removeprefix("invalid:") for c in every if c.group == "invalid")
    print(
        f"\nfuzz: {len(every)} operations ({kinds['query']} valid queries, "
        f"{kinds['mutation']} valid mutations, {kinds['invalid']} invalid: "
        f"{', '.join(f'{n} {k}' for k, n in invalid.most_common())}) against "
        f"{', '.join(stack.names)} in {time.monotonic() - started:.1f} s (hand-made sent at "
        f"{handmade_done:.1f} s, generated at {generated_done:.1f} s): {len(findings)} failures"
    )
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:5]
    print("fuzz: request seconds by kind: " + ", ".join(f"{k} {v:.0f}" for k, v in slowest))

    # The fuzzing took nothing down.
    async with httpx.AsyncClient(timeout=10) as http:
        health = await http.get(stack.url.removesuffix("/graphql") + "/healthcheck")
        alive = await http.post(stack.url, json={"query": "{ __typename }"})
    assert health.status_code == 200 and alive.json() == {"data": {"__typename": "Query"}}
    dead = [n for n, p in stack.subgraphs.items() if p.process and p.process.poll() is not None]
    assert not dead, f"subgraphs died during fuzzing: {dead}"

    assert not findings, _failure_report(findings, stack, log_sizes)
