"""The app factory: FastAPI + Strawberry, health, readiness, metrics, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from .context import Context
from .observability import (
    RequestIdMiddleware,
    configure_logging,
    configure_tracing,
    flush_tracing,
)
from .platform import Platform

Hook = Callable[[], Awaitable[None]]


def create_app(
    platform: Platform,
    schema: strawberry.federation.Schema,
    *,
    deps: Any = None,
    make_loaders: Callable[[Context], Any] | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
) -> FastAPI:
    """One subgraph's ASGI app. Hooks run after the platform starts and before it stops."""
    settings = platform.settings
    configure_logging(settings.service, settings.log_level)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        for hook in on_startup:
            await hook()
        try:
            yield
        finally:
            for hook in reversed(on_shutdown):
                await hook()
            await platform.stop()
            await asyncio.to_thread(flush_tracing)

    async def get_context() -> Context:
        return Context(platform, deps, make_loaders)

    graphql = GraphQLRouter(
        schema,
        context_getter=get_context,
        graphql_ide="graphiql" if settings.is_development else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
    )
    app = FastAPI(title=f"Skill Circle {settings.service} subgraph", lifespan=lifespan)
    app.include_router(graphql, prefix="/graphql")
    app.state.platform = platform
    app.state.deps = deps

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service}

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

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    configure_tracing(settings, app)  # a no-op unless SKILL_CIRCLE_OTLP_ENDPOINT is set
    return app


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
