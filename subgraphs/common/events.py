"""Domain events on Redis Streams, and live pub/sub for subscriptions.

Durable events go to one stream that every consumer group reads in full
(at-least-once: acknowledged only after the handler succeeded, pending entries
of a crashed consumer reclaimed after `claim_idle_ms`); handlers are made
idempotent by event id. Live messages for GraphQL subscriptions go through
`broadcaster`, so a subscription held by one replica sees an event published
by another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from broadcaster import Broadcast
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from .observability import Metrics

log = logging.getLogger("skill_circle.events")

STREAM = "skillcircle:events"
DONE_TTL_SECONDS = 7 * 24 * 3600
# Stream entry fields next to "event" carrying the producer's W3C trace
# context, so that handling an event continues the trace that published it.
TRACE_FIELDS = ("traceparent", "tracestate")

_tracer = trace.get_tracer("skill_circle.events")


@dataclass(frozen=True)
class Event:
    type: str
    producer: str
    payload: Mapping[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "type": self.type,
                "time": self.time.isoformat(),
                "producer": self.producer,
                "payload": dict(self.payload),
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        data = json.loads(raw)
        return cls(
            id=data["id"],
            type=data["type"],
            time=datetime.fromisoformat(data["time"]),
            producer=data["producer"],
            payload=data["payload"],
        )


class EventBus:
    """Publishes a subgraph's domain events to the shared stream."""

    def __init__(self, redis: Redis, producer: str, stream: str = STREAM) -> None:
        self.redis = redis
        self.producer = producer
        self.stream = stream

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        event = Event(type=type, producer=self.producer, payload=payload)
        with _tracer.start_as_current_span(
            f"publish {type}",
            kind=SpanKind.PRODUCER,
            attributes=_event_attributes(event, self.stream),
        ):
            fields = {"event": event.to_json(), **_trace_context()}
            await self.redis.xadd(self.stream, fields, maxlen=200_000)  # type: ignore[arg-type]
        return event


Handler = Callable[[Event], Awaitable[None]]


class EventConsumer:
    """One consumer of a consumer group: handles, marks done, then acknowledges."""

    def __init__(
        self,
        redis: Redis,
        group: str,
        consumer: str,
        handlers: Mapping[str, Handler],
        *,
        stream: str = STREAM,
        claim_idle_ms: int = 30_000,
        block_ms: int = 1_000,
        batch_size: int = 50,
        max_attempts: int = 5,
        metrics: Metrics | None = None,
        lag_interval_s: float = 5.0,
    ) -> None:
        self.redis = redis
        self.group = group
        self.consumer = consumer
        self.handlers = handlers
        self.stream = stream
        self.claim_idle_ms = claim_idle_ms
        self.block_ms = block_ms
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.metrics = metrics
        self.dead_letter_stream = f"{stream}:dead:{group}"
        self._stopping = False
        self.lag_interval_s = lag_interval_s
        self._lag_measured_at = float("-inf")

    async def ensure_group(self) -> None:
        try:
            # From the start of the stream: events published before the group
            # existed are still delivered (at-least-once from day one).
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def stop(self) -> None:
        """Ends `run` after the current read (at most `block_ms` later).

        Cancellation alone is not reliable here: a cancel that lands while the
        Redis client waits on its socket can be swallowed by its timeouts.
        """
        self._stopping = True

    async def run(self) -> None:
        await self.ensure_group()
        await self.process_own_pending()
        while not self._stopping:
            try:
                await self._measure_lag_now_and_then()
                handled = await self.process_once()
                if not handled and not self.block_ms:
                    await asyncio.sleep(0.2)  # a non-blocking (polling) consumer
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event consumer %s/%s failed; retrying", self.group, self.consumer)
                await asyncio.sleep(1)

    async def process_own_pending(self) -> int:
        """After a restart: entries this consumer read but never acknowledged."""
        handled, last_id = 0, "0"
        while True:
            response = await self.redis.xreadgroup(
                self.group, self.consumer, {self.stream: last_id}, count=self.batch_size
            )
            entries = _entries(response)
            if not entries:
                return handled
            for entry_id, fields in entries:
                await self._handle(entry_id, fields)
            handled += len(entries)
            last_id = entries[-1][0]

    async def process_once(self) -> int:
        """Handle reclaimed pending entries, then new ones; returns how many."""
        claimed: Any = await self.redis.xautoclaim(
            self.stream, self.group, self.consumer, self.claim_idle_ms, count=self.batch_size
        )
        entries: list[Any] = list(claimed[1])
        if not entries:
            response = await self.redis.xreadgroup(
                self.group,
                self.consumer,
                {self.stream: ">"},
                count=self.batch_size,
                block=self.block_ms or None,
            )
            entries = _entries(response)
        for entry_id, fields in entries:
            await self._handle(entry_id, fields)
        return len(entries)

    async def measure_lag(self) -> int | None:
        """Entries of the stream this group has not handled yet (the
        `events_consumer_lag` gauge): not yet delivered plus pending."""
        groups: Any = await self.redis.xinfo_groups(self.stream)
        for group in groups:
            if _text(group.get("name")) != self.group:
                continue
            lag = group.get("lag")
            if lag is None:  # Redis < 7, or a lag Redis cannot tell (after deletions)
                lag = await self._undelivered(group.get("last-delivered-id"))
            total = int(lag) + int(group.get("pending") or 0)
            if self.metrics is not None:
                self.metrics.consumer_lag(self.group).set(total)
            return total
        return None

    async def _undelivered(self, last_delivered: Any, cap: int = 10_000) -> int:
        """Entries after `last_delivered`, counted up to `cap`."""
        after = _text(last_delivered) or "0-0"
        entries = await self.redis.xrange(self.stream, min=f"({after}", count=cap)
        return len(entries or [])

    async def _measure_lag_now_and_then(self) -> None:
        if self.metrics is None or time.monotonic() - self._lag_measured_at < self.lag_interval_s:
            return
        self._lag_measured_at = time.monotonic()
        try:
            await self.measure_lag()
        except Exception:  # a metric must never stop event handling
            log.warning("measuring the lag of %s failed", self.group, exc_info=True)

    async def _handle(self, entry_id: bytes | str, fields: Mapping[bytes, bytes]) -> None:
        raw = fields.get(b"event") if fields else None
        if raw is None:  # trimmed or malformed entry: nothing to do
            await self.redis.xack(self.stream, self.group, entry_id)
            return
        event = Event.from_json(raw)
        with _tracer.start_as_current_span(
            f"process {event.type}",
            context=_producer_context(fields),
            kind=SpanKind.CONSUMER,
            attributes={
                **_event_attributes(event, self.stream),
                "messaging.consumer.group.name": self.group,
            },
        ) as span:
            await self._handle_event(entry_id, event, raw, span)

    async def _handle_event(
        self, entry_id: bytes | str, event: Event, raw: bytes, span: trace.Span
    ) -> None:
        done_key = f"events:done:{self.group}:{event.id}"
        if await self.redis.exists(done_key):
            await self.redis.xack(self.stream, self.group, entry_id)
            self._count(event.type, "duplicate")
            span.set_attribute("skill_circle.event.outcome", "duplicate")
            return
        handler = self.handlers.get(event.type)
        if handler is not None:
            try:
                await handler(event)
            except Exception as exc:
                log.exception("handler for %s failed (event %s)", event.type, event.id)
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                span.set_attribute("skill_circle.event.outcome", "failed")
                await self._record_failure(entry_id, event, raw)
                return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(done_key, "1", ex=DONE_TTL_SECONDS)
            pipe.xack(self.stream, self.group, entry_id)
            await pipe.execute()
        outcome = "handled" if handler else "ignored"
        self._count(event.type, outcome)
        span.set_attribute("skill_circle.event.outcome", outcome)

    async def _record_failure(self, entry_id: bytes | str, event: Event, raw: bytes) -> None:
        """Leave the entry pending for a retry, or dead-letter it after max_attempts."""
        attempts_key = f"events:attempts:{self.group}"
        attempts = await self.redis.hincrby(attempts_key, event.id, 1)
        self._count(event.type, "failed")
        if attempts >= self.max_attempts:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xadd(self.dead_letter_stream, {"event": raw}, maxlen=10_000)
                pipe.xack(self.stream, self.group, entry_id)
                pipe.hdel(attempts_key, event.id)
                await pipe.execute()
            self._count(event.type, "dead_lettered")

    def _count(self, type: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.events_handled(type, outcome).inc()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def _event_attributes(event: Event, stream: str) -> dict[str, str]:
    return {
        "messaging.system": "redis",
        "messaging.destination.name": stream,
        "messaging.message.id": event.id,
        "skill_circle.event.type": event.type,
        "skill_circle.event.producer": event.producer,
    }


def _trace_context() -> dict[str, str]:
    """The current W3C trace context as stream fields (none when not tracing)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {name: carrier[name] for name in TRACE_FIELDS if name in carrier}


def _producer_context(fields: Mapping[bytes, bytes]) -> Any:
    """The trace context the producer stored next to the event, if any."""
    carrier = {name: _text(fields.get(name.encode())) for name in TRACE_FIELDS}
    carrier = {name: value for name, value in carrier.items() if value}
    return propagate.extract(carrier) if carrier else None


def _entries(response: Any) -> list[Any]:
    """The (id, fields) entries of an XREADGROUP response, across streams."""
    return [entry for _, stream_entries in response or [] for entry in stream_entries]


class LiveChannels:
    """Live messages for subscriptions, delivered by every replica."""

    ARM_ATTEMPTS = 10

    def __init__(self, url: str) -> None:
        self._broadcast = Broadcast(url)
        self._keepalive: list[asyncio.Task[None]] = []
        self._membership = asyncio.Lock()

    async def connect(self) -> None:
        await self._broadcast.connect()
        await self._arm_reader()

    async def disconnect(self) -> None:
        for task in self._keepalive:
            task.cancel()
        for task in self._keepalive:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._keepalive.clear()
        with contextlib.suppress(Exception):
            await self._broadcast.disconnect()

    async def _arm_reader(self) -> None:
        """Holds one private subscription open for the life of the process.

        broadcaster 0.3.1's Redis backend wakes its reader before redis-py 8
        records the first channel as subscribed; that reader then sees no
        channel, stops, and never wakes again, so no subscription would ever
        receive a message. A reader woken while a channel is already subscribed
        keeps reading: subscribe until a probe message comes back.
        """
        heard = asyncio.Event()

        async def hold(channel: str) -> None:
            async for _ in self.listen(channel):
                heard.set()

        for attempt in range(self.ARM_ATTEMPTS):
            channel = f"skillcircle:live-keepalive:{uuid.uuid4().hex}"
            self._keepalive.append(asyncio.create_task(hold(channel)))
            await asyncio.sleep(0.05)  # let the subscription reach Redis
            await self.publish(channel, {"probe": attempt})
            try:
                await asyncio.wait_for(heard.wait(), 0.5)
                return
            except TimeoutError:
                continue
        log.warning("live messages are not being received; subscriptions may stay silent")

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        await self._broadcast.publish(channel, json.dumps(dict(message)))

    async def listen(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        # broadcaster registers a channel's first listener after awaiting the Redis
        # SUBSCRIBE (and drops its last one before UNSUBSCRIBE): two listeners of one
        # channel starting or ending together would lose one. Take turns for both.
        subscription = self._broadcast.subscribe(channel)
        async with self._membership:
            subscriber = await subscription.__aenter__()
        try:
            async for event in subscriber:  # type: ignore[union-attr]
                if event is None:
                    return
                yield json.loads(event.message)
        finally:
            async with self._membership:
                await subscription.__aexit__(None, None, None)
