"""Request ids, JSON logs and Prometheus metrics shared by every subgraph."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "x-request-id"


def current_request_id() -> str:
    return _request_id.get()


class _RequestIdFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        record.service = self.service
        return True


def configure_logging(service: str, level: str) -> None:
    """JSON lines on stderr, each carrying the service and the request id."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_RequestIdFilter(service))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID (or makes one) and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given[:64] if given.isprintable() and given else uuid.uuid4().hex
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)


class Metrics:
    """The Prometheus series of one subgraph, on a registry of its own."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
        self.operations = Counter(
            "graphql_operations_total",
            "GraphQL operations executed",
            ["operation", "type"],
            registry=self.registry,
        ).labels
        self.errors = Counter(
            "graphql_errors_total",
            "GraphQL errors returned, by extensions.code",
            ["operation", "code"],
            registry=self.registry,
        ).labels
        self.latency = Histogram(
            "graphql_operation_duration_seconds",
            "GraphQL operation latency",
            ["operation"],
            registry=self.registry,
        ).labels
        self.events_handled = Counter(
            "events_handled_total",
            "Domain events handled by this subgraph's consumers",
            ["type", "outcome"],
            registry=self.registry,
        ).labels
        self.service = labels


class OperationMetrics(SchemaExtension):
    """Counts operations, their errors by code, and their latency."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context: Any = self.execution_context.context
        metrics: Metrics | None = getattr(context, "metrics", None)
        if metrics is None:
            return
        name = self.execution_context.operation_name or "anonymous"
        kind = _operation_type(self.execution_context)
        metrics.operations(name, kind).inc()
        metrics.latency(name).observe(time.perf_counter() - started)
        for error in getattr(self.execution_context.result, "errors", None) or []:
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
            metrics.errors(name, code).inc()


def _operation_type(execution_context: Any) -> str:
    try:
        return str(execution_context.operation_type.value)
    except Exception:  # no parsable operation
        return "invalid"
