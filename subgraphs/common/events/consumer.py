"""Consumer groups on the event stream: handle, mark done, acknowledge.

At-least-once: an entry is acknowledged only after its handler succeeded;
pending entries of a crashed consumer are reclaimed after `claim_idle_ms`;
an event that keeps failing goes to the dead letters after `max_attempts`.
Nothing an entry holds can stop the group: a malformed envelope, a type with no
contract, a newer version or a payload that does not fit its contract goes to
the dead letters at once, with the reason, and the entries behind it flow.
Types the group has no handler for are acknowledged as ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ..observability.metrics import Metrics
from . import envelope
from .contracts import CONTRACTS, Contract
from .envelope import STREAM, Event, event_attributes, producer_context, text
from .handlers import Handlers, received

log = logging.getLogger("skill_circle.events")

DONE_TTL_SECONDS = 7 * 24 * 3600


class EventConsumer:
    """One consumer of a consumer group: handles, marks done, then acknowledges."""

    def __init__(
        self,
        redis: Redis,
        group: str,
        consumer: str,
        handlers: Handlers,
        *,
        stream: str = STREAM,
        claim_idle_ms: int = 30_000,
        block_ms: int = 1_000,
        batch_size: int = 50,
        max_attempts: int = 5,
        metrics: Metrics | None = None,
        lag_interval_s: float = 5.0,
        retention_s: float = 3600.0,
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
        self.retention_s = retention_s
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
        ready = False  # the group exists and this consumer's own pending entries are done
        while not self._stopping:
            try:
                if not ready:
                    await self.ensure_group()
                    await self.process_own_pending()
                    ready = True
                await self._measure_now_and_then()
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
        response = await self.redis.xreadgroup(
            self.group,
            self.consumer,
            {self.stream: ">"},
            count=self.batch_size,
            block=None if entries or not self.block_ms else self.block_ms,
        )
        entries += _entries(response)
        for entry_id, fields in entries:
            await self._handle(entry_id, fields)
        return len(entries)

    async def measure_lag(self) -> int | None:
        """Entries of the stream this group has not handled yet (the
        `events_consumer_lag` gauge): not yet delivered plus pending. Also sets
        the pending and dead-letter gauges."""
        groups: Any = await self.redis.xinfo_groups(self.stream)
        for group in groups:
            if text(group.get("name")) != self.group:
                continue
            lag = group.get("lag")
            if lag is None:  # Redis < 7, or a lag Redis cannot tell (after deletions)
                lag = await self._undelivered(group.get("last-delivered-id"))
            pending = int(group.get("pending") or 0)
            total = int(lag) + pending
            if self.metrics is not None:
                self.metrics.consumer_lag(self.group).set(total)
                self.metrics.consumer_pending(self.group).set(pending)
                dead = await self.redis.xlen(self.dead_letter_stream)
                self.metrics.dead_letters(self.group).set(dead)
            return total
        return None

    async def trim(self) -> int:
        """Drops the entries every consumer group of the stream has acknowledged,
        once older than `retention_s`.

        An entry is acknowledged by a group when it is at or before the group's
        last delivered id and not in its pending list; trimming below the
        smallest such bound over all groups never drops what a group still needs.
        The retention window keeps recent history readable (a new group, an
        operator replaying, a test reading what was published) however fast
        the groups are.
        """
        groups: Any = await self.redis.xinfo_groups(self.stream)
        if not groups:
            return 0
        bounds = [await self._acknowledged_below(group) for group in groups]
        retained_from = (int((time.time() - self.retention_s) * 1000), 0)
        floor = min(*bounds, retained_from)
        if floor <= (0, 0):
            return 0
        trimmed: Any = await self.redis.xtrim(
            self.stream, minid=f"{floor[0]}-{floor[1]}", approximate=False
        )
        return int(trimmed)

    async def _acknowledged_below(self, group: Mapping[Any, Any]) -> tuple[int, int]:
        """The id below which this group has acknowledged everything."""
        name = text(group.get("name"))
        if int(group.get("pending") or 0):
            summary: Any = await self.redis.xpending(self.stream, name)
            if summary.get("min"):
                return _entry_id(summary["min"])
        ms, seq = _entry_id(group.get("last-delivered-id"))
        return (ms, seq + 1) if (ms, seq) != (0, 0) else (0, 0)

    async def _undelivered(self, last_delivered: Any, cap: int = 10_000) -> int:
        """Entries after `last_delivered`, counted up to `cap`."""
        after = text(last_delivered) or "0-0"
        entries = await self.redis.xrange(self.stream, min=f"({after}", count=cap)
        return len(entries or [])

    async def _measure_now_and_then(self) -> None:
        """Gauges and trimming, every `lag_interval_s` (a failure never stops handling)."""
        if time.monotonic() - self._lag_measured_at < self.lag_interval_s:
            return
        self._lag_measured_at = time.monotonic()
        try:
            await self.trim()
            await self.measure_lag()
        except Exception:
            log.warning("measuring or trimming %s failed", self.group, exc_info=True)

    async def _handle(self, entry_id: bytes | str, fields: Mapping[bytes, bytes] | None) -> None:
        """Handles one entry; never raises for what the entry holds (only for Redis errors)."""
        if not fields:  # an entry trimmed while pending: nothing left to handle
            await self.redis.xack(self.stream, self.group, entry_id)
            return
        raw = fields.get(b"event")
        try:
            if raw is None:
                raise ValueError("the entry has no event field")
            event = Event.from_json(raw)
        except Exception as exc:
            await self._dead_letter(entry_id, raw, "malformed", f"malformed envelope: {exc!r}")
            return
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
        known = CONTRACTS.get(event.type)
        if known is None:
            await self._dead_letter(entry_id, raw, event.type, "no contract of this type")
            return
        registered = self.handlers.get(event.type)
        if registered is None:
            await self.redis.xack(self.stream, self.group, entry_id)
            self._outcome(span, event.type, "ignored")
            return
        contract, handler = registered
        if event.version > contract.VERSION:
            reason = f"version {event.version} is newer than {contract.VERSION}, the one known"
            await self._dead_letter(entry_id, raw, event.type, reason)
            return
        try:
            message = received(event, contract)
        except ValidationError as exc:
            await self._dead_letter(entry_id, raw, event.type, _invalid(contract, exc))
            return
        done_key = f"events:done:{self.group}:{event.id}"
        if await self.redis.exists(done_key):
            await self.redis.xack(self.stream, self.group, entry_id)
            self._outcome(span, event.type, "duplicate")
            return
        try:
            await handler(message)
        except Exception as exc:
            log.exception("handler for %s failed (event %s)", event.type, event.id)
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.set_attribute("skill_circle.event.outcome", "failed")
            await self._record_failure(entry_id, event, raw, exc)
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(done_key, "1", ex=DONE_TTL_SECONDS)
            pipe.xack(self.stream, self.group, entry_id)
            await pipe.execute()
        self._outcome(span, event.type, "handled")

    async def _record_failure(
        self, entry_id: bytes | str, event: Event, raw: bytes, exc: Exception
    ) -> None:
        """Leave the entry pending for a retry, or dead-letter it after max_attempts."""
        attempts_key = f"events:attempts:{self.group}"
        attempts = await self.redis.hincrby(attempts_key, event.id, 1)
        self._count(event.type, "failed")
        if attempts >= self.max_attempts:
            reason = f"handler failed {attempts} times: {type(exc).__name__}: {exc}"
            await self._dead_letter(entry_id, raw, event.type, reason[:500])
            await self.redis.hdel(attempts_key, event.id)

    async def _dead_letter(
        self, entry_id: bytes | str, raw: bytes | None, type: str, reason: str
    ) -> None:
        """Moves the entry to this group's dead letters with why, and acknowledges it."""
        log.warning("dead-lettering entry %s of %s: %s", text(entry_id), self.stream, reason)
        fields = {"event": raw or b"", "reason": reason, "entry": text(entry_id)}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_letter_stream, fields, maxlen=10_000)  # type: ignore[arg-type]
            pipe.xack(self.stream, self.group, entry_id)
            await pipe.execute()
        self._count(type, "dead_lettered")

    def _outcome(self, span: trace.Span, type: str, outcome: str) -> None:
        self._count(type, outcome)
        span.set_attribute("skill_circle.event.outcome", outcome)

    def _count(self, type: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.events_handled(type, outcome).inc()


def _entries(response: Any) -> list[Any]:
    """The (id, fields) entries of an XREADGROUP response, across streams."""
    return [entry for _, stream_entries in response or [] for entry in stream_entries]


def _entry_id(value: Any) -> tuple[int, int]:
    ms, _, seq = (text(value) or "0-0").partition("-")
    return int(ms), int(seq or 0)


def _invalid(contract: type[Contract], exc: ValidationError) -> str:
    """Why a payload does not fit, without the offending values (they may be personal)."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    )
    return f"payload is not a valid {contract.NAME} v{contract.VERSION}: {problems}"[:500]
