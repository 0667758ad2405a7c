"""The Prometheus series of a subgraph and the extension that counts operations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from strawberry.extensions import SchemaExtension


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
        self.consumer_pending = Gauge(
            "events_consumer_pending",
            "Events delivered to this subgraph's consumer group but not acknowledged yet",
            ["group"],
            registry=self.registry,
        ).labels
        self.dead_letters = Gauge(
            "events_dead_letters",
            "Entries in this subgraph's consumer group's dead-letter stream",
            ["group"],
            registry=self.registry,
        ).labels
        self.outbox_pending = Gauge(
            "events_outbox_pending",
            "Events this subgraph committed but has not published to the stream yet",
            registry=self.registry,
        )
        self.response_cache = Counter(
            "graphql_public_cache_requests",
            "Anonymous queries answered from the public response cache (hit) or run (miss)",
            ["outcome"],
            registry=self.registry,
        )
        self.private_cache = Counter(
            "graphql_private_cache_requests",
            "Learners' own queries answered from their private response cache (hit) or run (miss)",
            ["outcome"],
            registry=self.registry,
        )
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
        kind = operation_type(self.execution_context)
        metrics.operations(name, kind).inc()
        metrics.latency(name).observe(time.perf_counter() - started)
        for error in getattr(self.execution_context.result, "errors", None) or []:
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
            metrics.errors(name, code).inc()


def operation_type(execution_context: Any) -> str:
    try:
        return str(execution_context.operation_type.value)
    except Exception:  # no parsable operation
        return "invalid"
