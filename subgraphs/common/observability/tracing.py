"""OpenTelemetry tracing: OTLP export when configured, a no-op otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.extensions import SchemaExtension

from ..settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
from .metrics import operation_type

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
    continues the W3C trace context (traceparent) the gateway sends. SQL
    engines register themselves where they are made (`trace_sql_engine`).
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


def trace_sql_engine(engine: AsyncEngine) -> None:
    """Traces `engine`'s statements when tracing is configured (else nothing).

    Called by the SQL store factory as each engine is made; the platform has
    configured tracing before any store is built.
    """
    if _provider is None:
        return
    from opentelemetry import metrics
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    instrumentor = SQLAlchemyInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # Its declared range stops below SQLAlchemy 2.1; the event API it uses
        # is unchanged (the tracing test checks the spans on PostgreSQL).
        instrumentor.instrument(
            engine=engine.sync_engine, tracer_provider=_provider, skip_dep_check=True
        )
        return
    # instrument() acts once per process; a later engine gets its own tracer hooks.
    usage = metrics.get_meter("skill_circle.sql").create_up_down_counter(
        "db.client.connections.usage"
    )
    tracer = _provider.get_tracer("skill_circle.sql")
    EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


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
        kind = operation_type(execution)
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
