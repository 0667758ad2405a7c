"""The domain event and its envelope on the stream (with the producer's trace context).

Durable events go to one Redis stream that every consumer group reads in full
(at-least-once); handlers are made idempotent by the event id carried here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opentelemetry import propagate, trace

from .contracts import Contract

STREAM = "skillcircle:events"
# Stream entry fields next to "event" carrying the producer's W3C trace
# context, so that handling an event continues the trace that published it.
TRACE_FIELDS = ("traceparent", "tracestate")

# Read through the module (envelope._tracer) by bus and consumer, so that tests
# can swap it for a recording tracer.
_tracer = trace.get_tracer("skill_circle.events")


@dataclass(frozen=True)
class Event:
    """The envelope: who sent what when, with the contract's payload as JSON values."""

    type: str
    producer: str
    payload: Mapping[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: int = 1

    @classmethod
    def of(cls, contract: Contract, producer: str) -> Event:
        return cls(
            type=contract.NAME,
            producer=producer,
            payload=contract.to_payload(),
            version=contract.VERSION,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "type": self.type,
                "version": self.version,
                "time": self.time.isoformat(),
                "producer": self.producer,
                "payload": dict(self.payload),
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        """Raises ValueError (or KeyError, TypeError) for a malformed envelope."""
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
            raise ValueError("the envelope is not a JSON object with a payload object")
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            time=datetime.fromisoformat(data["time"]),
            producer=str(data["producer"]),
            payload=data["payload"],
            version=int(data.get("version", 1)),
        )


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def event_attributes(event: Event, stream: str) -> dict[str, str]:
    return {
        "messaging.system": "redis",
        "messaging.destination.name": stream,
        "messaging.message.id": event.id,
        "skill_circle.event.type": event.type,
        "skill_circle.event.producer": event.producer,
    }


def trace_context() -> dict[str, str]:
    """The current W3C trace context as stream fields (none when not tracing)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {name: carrier[name] for name in TRACE_FIELDS if name in carrier}


def producer_context(fields: Mapping[bytes, bytes]) -> Any:
    """The trace context the producer stored next to the event, if any."""
    carrier = {name: text(fields.get(name.encode())) for name in TRACE_FIELDS}
    carrier = {name: value for name, value in carrier.items() if value}
    return propagate.extract(carrier) if carrier else None
