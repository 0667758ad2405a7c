"""Bounded load: a fixed number of calls from a fixed number of workers, timed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.client import new_client_address


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass
class Figures:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p99_ms": round(percentile(self.latencies_ms, 99), 1),
        }


async def run_fixed(
    total: int, concurrency: int, call: Callable[[int], Awaitable[bool]]
) -> Figures:
    """`call(n)` for n in 0..total-1 from `concurrency` workers; `call` returns success."""
    next_n = iter(range(total))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        for n in next_n:
            started = time.perf_counter()
            ok = await call(n)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(total, time.perf_counter() - started, latencies, errors)


class GraphQL:
    """A minimal GraphQL-over-HTTP client for load (one pooled connection set)."""

    def __init__(self, url: str, connections: int = 32) -> None:
        self.url = url
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = httpx.AsyncClient(timeout=60, limits=limits)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        # Many simulated clients: each request from an address of its own (the
        # harness is the stack's trusted proxy), so per-address limits stay per client.
        headers = {"x-forwarded-for": new_client_address()}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        return dict(response.json())

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.post(query, variables, token)
        if body.get("errors"):
            raise RuntimeError(f"{query.strip()[:60]}...: {body['errors']}")
        return dict(body["data"])

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> bool:
        body = await self.post(query, variables, token)
        return not body.get("errors") and body.get("data") is not None

    async def close(self) -> None:
        await self.http.aclose()
