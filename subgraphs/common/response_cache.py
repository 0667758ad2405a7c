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
- A served answer carries the standard `Age` header (seconds since it was kept); a
  computed one has none.
- A hit skips parsing, validation, cost and rate accounting and execution: it
  costs what answering from memory costs, so the per-address limits that
  protect expensive work are not charged for it.

Private reads from memory (`PrivateAnswers`, only in subgraphs that opt in, whose answers
change only through their own mutations and the events they handle: learning, users,
notifications, visualization):

- **Only a learner's own reads.** A request with a bearer token (and no `Cookie`) whose
  token verifies, whose session is not revoked and whose roles are LEARNER only; editors'
  and admins' requests always run. The key is the token plus the anonymous key, so an
  answer is only ever replayed to the same token, and every hit verifies the token again
  (expiry and revocation included).
- **Invalidation.** A learner's mutation clears that learner's answers in this process
  before its answer leaves (read-your-writes), and is announced on a live channel that
  clears them in every other replica within one pub/sub delivery; any other mutation
  (anonymous, editor, admin) clears every private answer everywhere the same way; the
  catalog events clear them as they clear the public answers. `ttl` bounds the rest
  (values computed from other learners' data, such as counts, or from the clock).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Viewer, bearer_token
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
_UNSAFE = re.compile(r"\b(mutation|subscription)\b")
_MUTATION = re.compile(r"\bmutation\b")
_MAX_BODY = 64 * 1024  # larger queries are not cached (and are rare)


@dataclass(frozen=True)
class _Answer:
    expires_at: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    tag: str | None  # whose answer it is (private answers: the viewer's user id)
    started: int  # the clear counter when it began to be computed
    kept_at: float

    def replayed_headers(self) -> list[tuple[bytes, bytes]]:
        """Its headers plus the standard `Age` a cache adds to what it serves (seconds)."""
        age = max(0, int(time.monotonic() - self.kept_at))
        return [*self.headers, (b"age", str(age).encode())]


class PublicAnswers:
    """The answers one process keeps; `ttl` <= 0 keeps none.

    Clears are lazy: each clear takes the next value of a counter, and an answer is
    served only if it began to be computed at or after the last clear that covers it
    (all answers, or its tag's): a clear during a slow miss wins over the miss.
    """

    # Each answer lives a random part of `ttl` no shorter than this share of it: answers
    # kept together (a warm-up, a clear) then do not all expire together, which sent a
    # burst of misses through every few seconds (0: all live `ttl` exactly).
    ttl_spread = 0.0

    def __init__(self, ttl: float, max_entries: int = 1_000, metrics: Metrics | None = None):
        self.ttl = ttl
        self.max_entries = max_entries
        self.metrics = metrics
        self._answers: Recent[bytes, _Answer] = Recent(max_entries)
        self._clears = 0  # the counter every clear advances
        self._all_cleared = 0  # its value at the last clear of everything
        self._tag_cleared: Recent[str, int] = Recent(max(10 * max_entries, 10_000))

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def clear(self) -> None:
        self._clears += 1
        self._all_cleared = self._clears
        self._answers.clear()
        self._tag_cleared.clear()

    def clear_tag(self, tag: str) -> None:
        """Forgets the answers kept under `tag` (one viewer's answers)."""
        self._clears += 1
        self._tag_cleared.put(tag, self._clears)

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
        fresh = (
            answer is not None
            and answer.expires_at > time.monotonic()
            and answer.started >= self._all_cleared
            and (answer.tag is None or answer.started >= (self._tag_cleared.get(answer.tag) or 0))
        )
        self._count("hit" if fresh else "miss")
        return answer if fresh else None

    def keep(
        self,
        key: bytes,
        start: Message | None,
        body: bytes,
        generation: int,
        tag: str | None = None,
    ) -> None:
        if start is None or start.get("status") != 200 or b'"errors"' in body:
            return
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"set-cookie"]
        now = time.monotonic()
        ttl = self.ttl * (1 - self.ttl_spread * random.random())
        answer = _Answer(now + ttl, headers, body, tag, generation, now)
        if answer.started < self._all_cleared:  # cleared while this answer was computed
            return
        self._answers.put(key, answer)

    @property
    def generation(self) -> int:
        return self._clears

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self._counter(self.metrics).labels(outcome=outcome).inc()

    def _counter(self, metrics: Metrics) -> Counter:
        return metrics.response_cache


class PrivateAnswers(PublicAnswers):
    """Learners' own answers, kept under their user id (see the module's docstring)."""

    ttl_spread = 0.5

    def __init__(
        self,
        ttl: float,
        *,
        identify: Callable[[str], Awaitable[Viewer | None]],
        announce: Callable[[str | None], Awaitable[None]],
        max_entries: int = 10_000,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(ttl, max_entries, metrics)
        self.identify = identify  # a bearer token -> its verified, unrevoked viewer
        self.announce = announce  # tells every replica whose answers changed (None: all)

    def _counter(self, metrics: Metrics) -> Counter:
        return metrics.private_cache

    def forget(self, user_id: str | None) -> None:
        """What another replica announced (or this one): clear a viewer's answers, or all."""
        if user_id is None:
            self.clear()
        else:
            self.clear_tag(user_id)


def own_reader(viewer: Viewer | None) -> bool:
    """Whose answers may be kept: a learner and nothing more."""
    return viewer is not None and viewer.roles <= {"LEARNER"}


class PublicResponseCache:
    """ASGI middleware on POST /graphql, answering anonymous queries from `answers` and,
    where the subgraph keeps them, learners' own queries from `private`."""

    def __init__(
        self, app: ASGIApp, *, answers: PublicAnswers, private: PrivateAnswers | None = None
    ) -> None:
        self.app = app
        self.answers = answers
        self.private = private if private is not None and private.enabled else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not (self.answers.enabled or self.private)
            or scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path", "").rstrip("/") != "/graphql"
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        replay = _replaying(body, complete, receive)
        headers = scope.get("headers") or []
        document = _document(body) if complete else None
        if not complete or (document is not None and _MUTATION.search(document)):
            await self._mutation(scope, replay, send, headers)  # too long to tell: maybe one
            return
        if document is None or _UNSAFE.search(document) or _header(headers, b"cookie") is not None:
            await self.app(scope, replay, send)
            return
        accept = _header(headers, b"accept") or b""
        authorization = _header(headers, b"authorization")
        answers: PublicAnswers | None = self.answers if self.answers.enabled else None
        tag: str | None = None
        if authorization is not None:  # a signed-in request: only a learner's is kept
            tag = await self._learner(authorization)
            answers = self.private if tag is not None else None
        if answers is None:
            await self.app(scope, replay, send)
            return
        key = hashlib.sha256((authorization or b"") + b"\n" + accept + b"\n" + body).digest()
        answer = answers.get(key)
        if answer is not None:
            replayed = answer.replayed_headers()
            await send({"type": "http.response.start", "status": 200, "headers": replayed})
            await send({"type": "http.response.body", "body": answer.body})
            return
        generation = answers.generation
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answers.keep(key, start, b"".join(chunks), generation, tag)
            await send(message)

        await self.app(scope, replay, keeping_send)

    async def _mutation(
        self, scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        """Whoever sent it, what this process holds may change: cleared once the mutation
        has run and before its answer leaves, so that no one who has seen the answer can
        then read an answer kept from before it. A learner's mutation clears that
        learner's private answers, any other one all of them, here and (announced) in
        every other replica."""
        private = self.private
        authorization = _header(headers, b"authorization")
        whose = await self._learner(authorization) if authorization is not None else None

        async def clearing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.answers.clear()
                if private is not None:
                    private.forget(whose)
                    await private.announce(whose)
            await send(message)

        await self.app(scope, receive, clearing_send)

    async def _learner(self, authorization: bytes) -> str | None:
        """The user id behind an Authorization value when private answers are kept and it
        is a learner's valid, unrevoked bearer token (and nothing more); else None."""
        token = bearer_token(authorization.decode("latin-1"))
        if self.private is None or token is None:
            return None
        viewer = await self.private.identify(token)
        return viewer.user_id if viewer is not None and own_reader(viewer) else None


def _document(body: bytes) -> str | None:
    """The GraphQL document of a single-operation JSON body, decoded (a keyword may be
    spelt with JSON escapes, and a newline before it is `\\n` in the raw bytes); None
    for anything else."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    query = payload.get("query") if isinstance(payload, dict) else None
    return query if isinstance(query, str) else None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header `name` (ASGI header names are lower-case)."""
    return next((value for n, value in headers if n == name), None)


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
