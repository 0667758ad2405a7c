"""Request ids, JSON logs and Prometheus metrics shared by every subgraph."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from .settings import Settings

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
        self.consumer_lag = Gauge(
            "events_consumer_lag",
            "Events this subgraph's consumer group has not handled yet:"
            " not yet delivered to the group plus delivered but unacknowledged",
            ["group"],
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


# ------------------------------------------------------------------ tracing
#
# Spans are made through the OpenTelemetry API only. Until configure_tracing
# installs an SDK (SKILL_CIRCLE_OTLP_ENDPOINT set), the API's tracer is a
# no-op: nothing is recorded, nothing is exported, no SDK is even imported.

tracer = trace.get_tracer("skill_circle")

# Paths never traced: probes and scrapes would drown the traces that matter.
UNTRACED_PATHS = "/health,/ready,/metrics"

_provider: Any = None  # the process's SDK TracerProvider, once configured


def otlp_traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector base URL (http://jaeger:4318)."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else f"{endpoint}/v1/traces"


def configure_tracing(settings: Settings, app: Any = None) -> bool:
    """OTLP/HTTP trace export when `settings.otlp_endpoint` is set; else nothing.

    Installs the SDK (once per process; BatchSpanProcessor, so OTEL_BSP_*
    variables apply), instruments outgoing httpx, Redis, PyMongo and
    SQLAlchemy calls, and instruments `app` (a FastAPI app): its server span
    continues the W3C trace context (traceparent) the gateway sends, and the
    SQL engines found on `app.state.deps` are traced too.
    """
    if not settings.otlp_endpoint:
        return False
    provider = _install_provider(settings)
    if app is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=provider,
            excluded_urls=UNTRACED_PATHS,
            exclude_spans=["receive", "send"],
        )
        _instrument_sql_engines(getattr(app.state, "deps", None), provider)
    return True


def flush_tracing(timeout_ms: int = 5_000) -> None:
    """Exports the spans still buffered (blocking; a no-op without tracing)."""
    if _provider is not None:
        _provider.force_flush(timeout_ms)


def _install_provider(settings: Settings) -> Any:
    global _provider
    if _provider is not None:
        return _provider
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased

    resource = Resource.create(
        {
            "service.name": settings.service,
            "service.namespace": "skill-circle",
            "deployment.environment.name": settings.environment,
        }
    )
    sampler = ParentBased(root=_traces_start_at_requests())
    provider = TracerProvider(resource=resource, sampler=sampler)
    exporter = OTLPSpanExporter(endpoint=otlp_traces_url(settings.otlp_endpoint))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    # Clients made from now on; a client built before this call is not traced.
    PymongoInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def _instrument_sql_engines(deps: Any, provider: Any) -> None:
    """Traces the SQL engines (AsyncEngine attributes) of a subgraph's deps."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    engines = [
        value.sync_engine
        for value in (vars(deps).values() if hasattr(deps, "__dict__") else ())
        if isinstance(value, AsyncEngine)
    ]
    if not engines:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # Its declared range stops below SQLAlchemy 2.1; the event API it uses
        # is unchanged (the tracing test checks the spans on PostgreSQL).
        instrumentor.instrument(engines=engines, tracer_provider=provider, skip_dep_check=True)


def _traces_start_at_requests() -> Any:
    """Root sampler: a trace starts at a request or an event, never at an
    outgoing call. Without a parent, client spans (the event consumer polling
    Redis, a background JWKS refresh) are dropped; all other spans are kept.
    """
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

    class TracesStartAtRequests(Sampler):
        def should_sample(
            self,
            parent_context: Any,
            trace_id: int,
            name: str,
            kind: SpanKind | None = None,
            attributes: Any = None,
            links: Any = None,
            trace_state: Any = None,
        ) -> SamplingResult:
            if kind == SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

        def get_description(self) -> str:
            return "TracesStartAtRequests"

    return TracesStartAtRequests()


class OperationTracing(SchemaExtension):
    """One span per GraphQL operation, named like "query Me", with its error codes."""

    def on_operation(self) -> Iterator[None]:
        with tracer.start_as_current_span("graphql.operation") as span:
            try:
                yield
            finally:  # also when a subscription is closed early
                if span.is_recording():
                    self._describe(span)

    def _describe(self, span: trace.Span) -> None:
        execution = self.execution_context
        kind = _operation_type(execution)
        name = execution.operation_name
        span.update_name(f"{kind} {name}" if name else kind)
        span.set_attribute("graphql.operation.type", kind)
        if name:
            span.set_attribute("graphql.operation.name", name)
        errors = getattr(execution.result, "errors", None) or []
        codes = sorted({(e.extensions or {}).get("code", "INTERNAL_SERVER_ERROR") for e in errors})
        if codes:
            span.set_attribute("graphql.error.codes", codes)
        if "INTERNAL_SERVER_ERROR" in codes:
            span.set_status(Status(StatusCode.ERROR, "internal server error"))
