"""Request ids and JSON logs, Prometheus metrics, OpenTelemetry traces."""

from .logging import REQUEST_ID_HEADER, RequestIdMiddleware, configure_logging, current_request_id
from .metrics import Metrics, OperationMetrics
from .tracing import (
    OperationTracing,
    configure_tracing,
    flush_tracing,
    trace_sql_engine,
    tracer,
)

__all__ = [
    "REQUEST_ID_HEADER",
    "Metrics",
    "OperationMetrics",
    "OperationTracing",
    "RequestIdMiddleware",
    "configure_logging",
    "configure_tracing",
    "current_request_id",
    "flush_tracing",
    "trace_sql_engine",
    "tracer",
]
