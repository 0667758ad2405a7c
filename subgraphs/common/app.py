"""The app factory of every subgraph: FastAPI + Strawberry, probes, metrics, limits."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

import strawberry
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from .auth import TokenVerifier, Viewer
from .context import Context
from .observability import (
    RequestIdMiddleware,
    configure_logging,
    configure_tracing,
    flush_tracing,
)
from .platform import Platform, ReadinessCheck
from .response_cache import PrivateAnswers, PublicAnswers, PublicResponseCache
from .settings import Settings
from .stores.sql import database_url, migrate

log = logging.getLogger("skill_circle.app")

DepsT = TypeVar("DepsT")
SettingsT = TypeVar("SettingsT", bound=Settings)
Hook = Callable[[DepsT, Platform], Awaitable[None]]


def create_app(
    settings: SettingsT,
    *,
    build: Callable[[SettingsT, Platform], DepsT],
    schema: Callable[[SettingsT], strawberry.federation.Schema],
    loaders: Callable[[DepsT], object],
    verifier: TokenVerifier | None = None,
    migrations: Path | None = None,
    readiness: Callable[[DepsT], Mapping[str, ReadinessCheck]] | None = None,
    on_startup: Hook[DepsT] | None = None,
    on_shutdown: Hook[DepsT] | None = None,
    routes: Callable[[FastAPI, DepsT, Platform], None] | None = None,
    private_answers: bool = False,
) -> FastAPI:
    """One subgraph's ASGI app, the same way for all six.

    `build` makes the subgraph's `Deps` on the platform (which owns Redis, the event
    bus, live channels and the token verifier; `verifier` replaces the JWKS one).
    Start-up applies `migrations` (when auto_migrate is on) before `on_startup`;
    `on_shutdown` runs before the platform stops. `routes` adds plain HTTP routes.
    `private_answers`: learners' own queries are answered from memory (only for a
    subgraph whose answers change only by its own mutations and the catalog events).
    """
    configure_logging(settings.service, settings.log_level, readable=settings.readable_logs)
    platform = Platform(settings, verifier=verifier)
    deps = build(settings, platform)
    platform.readiness.update(readiness(deps) if readiness else {})

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        if migrations is not None and settings.auto_migrate:
            await migrate(database_url(settings), migrations)
        if on_startup is not None:
            await on_startup(deps, platform)
        platform.start_relays()  # after migrations: the outbox table exists
        if answers.enabled or private is not None:
            # Catalog events clear what this process answers from memory (any event a
            # platform tail or consumer handles does: Platform.answers_changed).
            platform.on_answers_changed(partial(_forget_answers, answers, private))
            tail = platform.tail(answers.handlers())
            platform.run_in_background(tail.run(await tail.position()))
        if private is not None:  # other replicas' mutations and consumers
            platform.run_in_background(_follow_private_changes(platform, private))
        tune_garbage_collector(settings.gc_first_generation_threshold)
        try:
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown(deps, platform)
            await platform.stop()
            await asyncio.to_thread(flush_tracing)

    async def get_context() -> Context[DepsT, object]:
        return Context(platform, deps, loaders)

    graphql = GraphQLRouter(
        schema(settings),
        context_getter=get_context,
        graphql_ide="graphiql" if settings.is_development else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
    )
    app = FastAPI(title=f"Skill Circle {settings.service} subgraph", lifespan=lifespan)
    app.include_router(graphql, prefix="/graphql")
    app.state.platform = platform
    app.state.deps = deps
    _add_probes(app, platform)
    if routes is not None:
        routes(app, deps, platform)
    answers = PublicAnswers(settings.public_cache_seconds, metrics=platform.metrics)
    app.state.public_answers = answers
    private = _private_answers(platform) if private_answers else None
    app.state.private_answers = private
    app.add_middleware(PublicResponseCache, answers=answers, private=private)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ResponseSizeLimit, max_bytes=settings.max_response_bytes)
    app.add_middleware(RequestIdMiddleware)
    configure_tracing(settings, app)  # a no-op unless SKILL_CIRCLE_OTLP_ENDPOINT is set
    return app


def _private_channel(platform: Platform) -> str:
    return f"skillcircle:{platform.settings.service}:private-answers-changed"


def _private_answers(platform: Platform) -> PrivateAnswers | None:
    """Learners' own answers, or None when off or when replicas could not tell each other
    of changes (several workers on the in-memory live channel of the embedded mode)."""
    settings = platform.settings
    if settings.private_cache_seconds <= 0 or (settings.workers > 1 and not settings.redis_url):
        return None

    async def identify(token: str) -> Viewer | None:
        viewer = await platform.verifier.verify(token)
        if viewer is None or platform.sessions.is_revoked(viewer.session_id):
            return None
        return viewer

    async def announce(user_id: str | None) -> None:
        try:
            await platform.live.publish(_private_channel(platform), {"user": user_id})
        except Exception as exc:  # other replicas then hold old answers up to the TTL
            log.warning("could not announce a change of private answers: %s", exc)

    return PrivateAnswers(
        settings.private_cache_seconds,
        identify=identify,
        announce=announce,
        metrics=platform.metrics,
    )


async def _forget_answers(
    public: PublicAnswers, private: PrivateAnswers | None, everywhere: bool, user_id: str | None
) -> None:
    """After an event changed what this subgraph holds. A tail's event (every replica
    hears it: catalog events, read models) clears both caches here, after the tail's
    handlers updated memory. A consumer group's event (one replica handles it) clears
    the private answers of the user it is about (or all, when it names nobody) here and
    in every replica; the public ones keep their rule (the catalog events, mutations,
    and the TTL for the rest, e.g. `learnerCount`)."""
    if not everywhere:
        public.clear()
    if private is not None:
        private.forget(user_id)
        if everywhere:
            await private.announce(user_id)


async def _follow_private_changes(platform: Platform, private: PrivateAnswers) -> None:
    """Clears what other replicas' mutations changed, for the life of the process."""
    while True:
        try:
            async for message in platform.live.listen(_private_channel(platform)):
                user = message.get("user")
                private.forget(str(user) if user is not None else None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("private answers' change channel failed: %s", exc)
        private.clear()  # changes may have been missed while not listening
        await asyncio.sleep(1.0)


def _add_probes(app: FastAPI, platform: Platform) -> None:
    """/health (the process answers), /ready (its stores answer), /metrics."""
    service = platform.settings.service

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        results = await asyncio.gather(*(_check(check) for check in platform.readiness.values()))
        checks = dict(zip(platform.readiness, results, strict=True))
        healthy = all(result == "ok" for result in checks.values())
        return JSONResponse(
            {"status": "ready" if healthy else "unavailable", "checks": checks},
            status_code=200 if healthy else 503,
        )

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(platform.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def tune_garbage_collector(first_generation_threshold: int) -> None:
    """Once started: what exists now (modules, schema, pools) leaves the collector's scans.

    The GraphQL execution of one request allocates tens of thousands of container objects,
    so the default first-generation threshold (700) ran collections over and over, each
    walking everything start-up made; frozen objects are never walked again.
    """
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(first_generation_threshold, second, third)


async def _check(check: Callable[[], Awaitable[object]]) -> str:
    try:
        await asyncio.wait_for(check(), timeout=2.0)
    except Exception as exc:
        return f"failed: {type(exc).__name__}"
    return "ok"


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413 and a GraphQL-shaped error."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Request body larger than {self.max_bytes} bytes",
                        "extensions": {"code": "BAD_USER_INPUT", "field": "body"},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class ResponseSizeLimit:
    """Replaces a /graphql answer larger than `max_bytes` by a RESPONSE_TOO_LARGE error.

    The cost budget refuses most such operations before they run; this bounds
    what slips through (long texts, many drawings within budget) per response.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        refused = False

        async def capped_send(message: Message) -> None:
            nonlocal start, size, refused
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or refused:
                await send(message)
                return
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                refused = True
                await self._refuse(send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                assert start is not None
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks)})

        await self.app(scope, receive, capped_send)

    async def _refuse(self, send: Send) -> None:
        error = {
            "message": f"Response larger than {self.max_bytes} bytes; ask for less",
            "extensions": {"code": "RESPONSE_TOO_LARGE"},
        }
        body = json.dumps({"data": None, "errors": [error]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
