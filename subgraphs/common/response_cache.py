"""Public reads from memory: anonymous GraphQL queries answered from a short-lived cache.

The catalog (skills, their prerequisites, learner counts, courses) is read by
everyone and changes rarely; every gateway fans one anonymous page out to
several subgraphs, and each used to run the same query again and again. Each
subgraph process keeps the answers to anonymous queries for `ttl` seconds:

- **Never per-user data.** Only a POST /graphql without `Authorization` and
  without `Cookie` is served from or stored in the cache; a signed-in caller
  always runs the operation. The key is the exact request body plus the
  `Accept` header (which picks the response media type).
- **Only what is safe to repeat.** A document mentioning `mutation` or
  `subscription` anywhere is never cached; only a 200 answer without
  `errors` is stored (a refused, rate-limited or failed answer is not).
- **Invalidation.** A mutation that passes through this process clears its
  cache when it completes (read-your-writes on the replica that wrote); the
  catalog events (`INVALIDATING`) clear it in every replica as the event tail
  delivers them; `ttl` bounds everything else, e.g. `learnerCount` changes with
  every learner's progress and is at most `ttl` seconds old in an anonymous read.
- A hit skips parsing, validation, cost and rate accounting and execution: it
  costs what answering from memory costs, so the per-address limits that
  protect expensive work are not charged for it.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .events import Handlers, Received
from .events.contracts import (
    AccountDataErased,
    CategoryCreated,
    ContentPublished,
    ContentWithdrawn,
    Contract,
    PrerequisiteAdded,
    PrerequisiteRemoved,
    RoadmapCreated,
    RoadmapUpdated,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from .observability.metrics import Metrics
from .recent import Recent

# Events that change what anonymous reads show: the catalog, and a deleted account's
# erased data (its certificate must stop verifying at once, not `ttl` seconds later).
INVALIDATING: tuple[type[Contract], ...] = (
    AccountDataErased,
    SkillCreated,
    SkillUpdated,
    SkillDeleted,
    PrerequisiteAdded,
    PrerequisiteRemoved,
    CategoryCreated,
    RoadmapCreated,
    RoadmapUpdated,
    ContentPublished,
    ContentWithdrawn,  # an unpublished or archived course leaves anonymous reads at once
)
_UNSAFE = re.compile(rb"\b(mutation|subscription)\b")
_MUTATION = re.compile(rb"\bmutation\b")
_PRIVATE_HEADERS = (b"authorization", b"cookie")
_MAX_BODY = 64 * 1024  # larger queries are not cached (and are rare)


@dataclass(frozen=True)
class _Answer:
    expires_at: float
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PublicAnswers:
    """The answers one process keeps; `ttl` <= 0 keeps none."""

    def __init__(self, ttl: float, max_entries: int = 1_000, metrics: Metrics | None = None):
        self.ttl = ttl
        self.max_entries = max_entries
        self.metrics = metrics
        self._answers: Recent[bytes, _Answer] = Recent(max_entries)
        self._generation = 0  # a clear during a miss must not store the answer it started

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def clear(self) -> None:
        self._generation += 1
        self._answers.clear()

    def handlers(self) -> Handlers:
        """Clears on every catalog event (for the event tail of this process)."""

        async def on_event(_: Received[Contract]) -> None:
            self.clear()

        handlers = Handlers()
        for contract in INVALIDATING:
            handlers.on(contract, on_event)
        return handlers

    def get(self, key: bytes) -> _Answer | None:
        answer = self._answers.get(key)
        fresh = answer is not None and answer.expires_at > time.monotonic()
        self._count("hit" if fresh else "miss")
        return answer if fresh else None

    def keep(self, key: bytes, start: Message | None, body: bytes, generation: int) -> None:
        if start is None or start.get("status") != 200 or b'"errors"' in body:
            return
        if generation != self._generation:  # cleared while this answer was computed
            return
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"set-cookie"]
        self._answers.put(key, _Answer(time.monotonic() + self.ttl, headers, body))

    @property
    def generation(self) -> int:
        return self._generation

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.response_cache.labels(outcome=outcome).inc()


class PublicResponseCache:
    """ASGI middleware on POST /graphql, answering anonymous queries from `answers`."""

    def __init__(self, app: ASGIApp, *, answers: PublicAnswers) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.answers.enabled
            or scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path", "").rstrip("/") != "/graphql"
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        replay = _replaying(body, complete, receive)
        headers = scope.get("headers") or []
        private = any(name in _PRIVATE_HEADERS for name, _ in headers)
        if private or not complete or _UNSAFE.search(body):
            if not _MUTATION.search(body):
                await self.app(scope, replay, send)
                return

            # Whoever sent it, what this process holds may change: cleared once the
            # mutation has run and before its answer leaves, so that no one who has
            # seen the answer can then read an answer kept from before it.
            async def clearing_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    self.answers.clear()
                await send(message)

            await self.app(scope, replay, clearing_send)
            return
        accept = next((value for name, value in headers if name == b"accept"), b"")
        key = hashlib.sha256(accept + b"\n" + body).digest()
        answer = self.answers.get(key)
        if answer is not None:
            await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.body})
            return
        generation = self.answers.generation
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.answers.keep(key, start, b"".join(chunks), generation)
            await send(message)

        await self.app(scope, replay, keeping_send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, up to `_MAX_BODY`; whether it is all of it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > _MAX_BODY:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A `receive` that hands the app what was already read, then the rest."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay
