"""Consumer groups on the event stream: handle, mark done, acknowledge.

At-least-once: an entry is acknowledged only after its handler succeeded;
pending entries of a crashed consumer are reclaimed after `claim_idle_ms`;
an event that keeps failing goes to the dead letters after `max_attempts`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ..observability.metrics import Metrics
from . import envelope
from .envelope import STREAM, Event, event_attributes, producer_context, text

log = logging.getLogger("skill_circle.events")

DONE_TTL_SECONDS = 7 * 24 * 3600


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
            if text(group.get("name")) != self.group:
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
        after = text(last_delivered) or "0-0"
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
        with envelope._tracer.start_as_current_span(
            f"process {event.type}",
            context=producer_context(fields),
            kind=SpanKind.CONSUMER,
            attributes={
                **event_attributes(event, self.stream),
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


def _entries(response: Any) -> list[Any]:
    """The (id, fields) entries of an XREADGROUP response, across streams."""
    return [entry for _, stream_entries in response or [] for entry in stream_entries]
