"""Publishing a subgraph's domain events to the shared stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import SpanKind
from redis.asyncio import Redis

from . import envelope
from .envelope import STREAM, Event, event_attributes, trace_context


class EventBus:
    """Publishes a subgraph's domain events to the shared stream."""

    def __init__(self, redis: Redis, producer: str, stream: str = STREAM) -> None:
        self.redis = redis
        self.producer = producer
        self.stream = stream

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        event = Event(type=type, producer=self.producer, payload=payload)
        with envelope._tracer.start_as_current_span(
            f"publish {type}",
            kind=SpanKind.PRODUCER,
            attributes=event_attributes(event, self.stream),
        ):
            fields = {"event": event.to_json(), **trace_context()}
            await self.redis.xadd(self.stream, fields, maxlen=200_000)  # type: ignore[arg-type]
        return event
