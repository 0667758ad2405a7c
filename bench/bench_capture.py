"""The subgraph requests the gateway sends for one client request, captured on the wire.

A recording HTTP proxy sits in front of every subgraph and a second gateway (same
kind, same config) is routed through them; one client request goes through it and
each subgraph call is kept (subgraph, body, forwarded headers) with the stage it
belongs to: calls that start before any earlier call has answered run in parallel.
The direct baseline then replays exactly these bodies with the same tool.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.servers import free_port, wait_until
from tests.support.stack import Stack

# Hop-by-hop or recomputed headers: not part of what the subgraph is asked.
SKIPPED_HEADERS = {
    "host", "content-length", "connection", "keep-alive", "transfer-encoding",
    "accept-encoding", "content-type", "te", "upgrade",
}  # fmt: skip


@dataclass
class Call:
    subgraph: str
    body: str
    headers: list[tuple[str, str]]
    sent: float
    answered: float = 0.0
    stage: int = 0


class Recorder:
    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets  # subgraph name -> its real /graphql URL
        self.ports = {name: free_port() for name in targets}
        self.calls: list[Call] = []
        self.http = httpx.AsyncClient(timeout=60)
        self.servers: list[uvicorn.Server] = []
        self.tasks: list[asyncio.Task[None]] = []

    def app(self, name: str) -> Starlette:
        async def forward(request: Request) -> Response:
            payload = await request.body()
            headers = [(k, v) for k, v in request.headers.items() if k not in SKIPPED_HEADERS]
            call = Call(name, payload.decode(), headers, time.perf_counter())
            if request.method == "POST":
                self.calls.append(call)
            upstream = await self.http.request(
                request.method,
                self.targets[name],
                content=payload,
                headers=[*headers, ("content-type", "application/json")],
            )
            call.answered = time.perf_counter()
            return Response(upstream.content, upstream.status_code,
                            media_type=upstream.headers.get("content-type"))  # fmt: skip

        return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST"])])

    async def start(self) -> None:
        for name, port in self.ports.items():
            config = uvicorn.Config(self.app(name), host="127.0.0.1", port=port, log_level="error")
            server = uvicorn.Server(config)
            self.servers.append(server)
            self.tasks.append(asyncio.create_task(server.serve()))
        ready = lambda: all(s.started for s in self.servers)  # noqa: E731
        await asyncio.to_thread(wait_until, ready, 10, "capturing proxies")

    async def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.http.aclose()

    def staged(self) -> list[Call]:
        """Calls in order, each with its stage: one more than the latest call answered before it."""
        ordered = sorted(self.calls, key=lambda c: c.sent)
        for n, call in enumerate(ordered):
            before = [e.stage + 1 for e in ordered[:n] if e.answered <= call.sent]
            call.stage = max(before, default=0)
        return ordered


async def capture(
    stack: Stack, body: str, gateway: dict[str, Any], headers: dict[str, str] | None = None
) -> list[Call]:
    """The subgraph calls a gateway like `stack`'s makes to answer one request with `body`.

    `gateway`: the Stack arguments that chose the gateway (bench_setup.gateway_kwargs).
    """
    recorder = Recorder({name: stack.subgraph_url(name) for name in stack.names})
    await recorder.start()
    mirror = Stack(stack.stores, stack.names, gateway_env=stack.gateway_env, **gateway)
    # A stack of no subgraph processes whose gateway routes every subgraph to its recorder.
    mirror.ports = {name: recorder.ports[name] for name in stack.names}
    mirror.names = []
    try:
        await asyncio.to_thread(mirror.start)
        async with httpx.AsyncClient(timeout=60) as client:
            sent = {"content-type": "application/json", **(headers or {})}
            answer = await client.post(mirror.url, content=body, headers=sent)
            data: dict[str, Any] = answer.json()
            if data.get("errors") or answer.status_code != 200:
                raise RuntimeError(f"captured request failed: {answer.text[:300]}")
        return recorder.staged()
    finally:
        await asyncio.to_thread(mirror.stop)
        await recorder.stop()
