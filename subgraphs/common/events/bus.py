"""Publishing a subgraph's domain events to the shared stream.

The stream is never trimmed here: consumers trim what every group has
acknowledged (`EventConsumer.trim`). Producers with a database publish through
their outbox (`outbox.py`), so that an event is never lost between commit and XADD.
"""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.trace import SpanKind
from redis.asyncio import Redis

from . import envelope
from .contracts import Contract
from .envelope import STREAM, Event, event_attributes, trace_context


class EventBus:
    """Publishes a subgraph's domain events to the shared stream."""

    def __init__(self, redis: Redis, producer: str, stream: str = STREAM) -> None:
        self.redis = redis
        self.producer = producer
        self.stream = stream

    def event(self, contract: Contract) -> Event:
        """The envelope this subgraph sends for `contract` (a fresh id and time)."""
        return Event.of(contract, self.producer)

    async def publish(self, contract: Contract) -> Event:
        """XADDs a new event now (for producers whose store is this Redis)."""
        event = self.event(contract)
        await self.send(event)
        return event

    async def send(self, event: Event, parent: Context | None = None) -> None:
        """XADDs an event built earlier (the outbox relay), under its producer's trace."""
        with envelope._tracer.start_as_current_span(
            f"publish {event.type}",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes=event_attributes(event, self.stream),
        ):
            fields = {"event": event.to_json(), **trace_context()}
            await self.redis.xadd(self.stream, fields)  # type: ignore[arg-type]
