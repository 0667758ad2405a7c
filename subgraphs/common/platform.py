"""Process-wide resources of one subgraph, created once and passed down."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .auth import KeySet, TokenVerifier, remote_jwks
from .events import EventBus, EventConsumer, EventTail, Handlers, LiveChannels, Received
from .events.outbox import Outbox
from .events.relay import OutboxRelay
from .observability import Metrics, configure_tracing
from .ratelimit import RateLimits
from .sessions import SessionRevocations
from .settings import Settings
from .stores.redis import broadcast_url, redis_client

log = logging.getLogger("skill_circle.platform")

ReadinessCheck = Callable[[], Awaitable[object]]
AnswersChanged = Callable[[bool, str | None], Awaitable[None]]


class Platform:
    """Settings, token verifier, metrics, Redis, event bus, live channels, sessions,
    rate limits."""

    def __init__(self, settings: Settings, verifier: TokenVerifier | None = None) -> None:
        self.settings = settings
        # Before any store client exists, so that Redis/MongoDB/HTTP calls are traced.
        configure_tracing(settings)
        self.metrics = Metrics(settings.service)
        self.trusted_proxies = settings.trusted_networks  # parsed once
        self.redis = redis_client(settings)
        self.events = EventBus(self.redis, producer=settings.service)
        self.limits = RateLimits(self.redis, settings.rate_limits)
        self.live = LiveChannels(broadcast_url(settings))
        self.verifier = verifier or TokenVerifier(
            settings,
            KeySet(remote_jwks(settings.jwks_url), settings.jwks_refetch_interval_seconds),
        )
        # Remembered as long as a revoked session's last access token can be accepted.
        self.sessions = SessionRevocations(
            self.redis,
            self.live,
            settings.access_token_ttl_seconds + settings.jwt_leeway_seconds,
        )
        self.readiness: dict[str, ReadinessCheck] = {"redis": self.redis.ping}
        self._tasks: list[asyncio.Task[None]] = []
        self._consumers: list[EventConsumer | EventTail] = []
        self._relays: list[OutboxRelay] = []
        self._answer_listeners: list[AnswersChanged] = []

    def on_answers_changed(self, listener: AnswersChanged) -> None:
        """`listener(everywhere, user_id)` forgets the answers this process keeps in memory
        (the response caches); `everywhere`: and tells the other replicas to; `user_id`:
        only that user's own answers changed (None: anyone's may have)."""
        self._answer_listeners.append(listener)

    async def answers_changed(self, everywhere: bool, user_id: str | None = None) -> None:
        for listener in self._answer_listeners:
            await listener(everywhere, user_id)

    async def _consumed(self, event: Received[Any]) -> None:
        """A consumer group handled `event`. An event about one user (its payload names
        them) changed only that user's own answers here: a notification, a progress
        record, a profile. Any other may have changed anyone's."""
        user_id = getattr(event.payload, "user_id", None)
        await self.answers_changed(True, user_id if isinstance(user_id, str) else None)

    async def _tailed(self, _: Received[Any]) -> None:
        await self.answers_changed(False)

    def consumer(self, handlers: Handlers, **options: Any) -> EventConsumer:
        """This subgraph's consumer of the event stream (group = service name).

        The consumer name is stable per host and service so that a restarted
        process picks up the entries it had read but not acknowledged.
        """
        name = f"{self.settings.service}-{socket.gethostname()}-{self.settings.listen_port}"
        if self.settings.workers > 1:
            # Workers share host and port; a restarted worker's unacknowledged
            # entries are then reclaimed by XAUTOCLAIM once idle.
            name += f"-{os.getpid()}"
        if not self.settings.redis_url:
            # The in-process stand-in cannot cancel a blocking read: poll instead.
            options.setdefault("block_ms", 0)
        consumer = EventConsumer(
            self.redis,
            group=self.settings.service,
            consumer=name,
            # A handled event changed this subgraph's data: what every replica answered
            # from memory may be old (one replica handles it, so it tells the others).
            handlers=handlers.then(self._consumed),
            metrics=self.metrics,
            retention_s=self.settings.event_retention_seconds,
            **options,
        )
        self._consumers.append(consumer)
        return consumer

    def tail(self, handlers: Handlers) -> EventTail:
        """A reader of every event in this process (each replica hears every change)."""
        # The in-process stand-in cannot cancel a blocking read: poll instead.
        # Every replica hears the event and updates its memory: its own answers may be old.
        handlers = handlers.then(self._tailed)
        tail = EventTail(self.redis, handlers, block_ms=1_000 if self.settings.redis_url else 0)
        self._consumers.append(tail)
        return tail

    def relay(self, outbox: Outbox) -> OutboxRelay:
        """This subgraph's outbox relay; `start_relays` runs it (wake it after each commit)."""
        relay = OutboxRelay(
            outbox,
            self.events,
            self.redis,
            metrics=self.metrics,
            fault_point=self.settings.fault_point,
            store=self.settings.database_url or self.settings.mongodb_url,
        )
        self._relays.append(relay)
        return relay

    def start_relays(self) -> None:
        for relay in self._relays:
            self.run_in_background(relay.run())

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(work))

    async def start(self) -> None:
        await self.live.connect()
        await self.sessions.load()
        self.run_in_background(self.sessions.follow())

    async def stop_background(self, rounds: int = 5, wait_seconds: float = 2.0) -> None:
        """Cancels the background tasks, again until they end (bounded).

        Python 3.11's `asyncio.wait_for` (inside redis clients and stand-ins) can
        swallow a cancellation that lands as the awaited call completes; the task
        then keeps looping, and a single cancel() would hang shutdown.
        """
        for consumer in self._consumers:
            consumer.stop()
        for relay in self._relays:
            relay.stop()
        pending = {task for task in self._tasks if not task.done()}
        if pending:  # consumers end by themselves within one read
            _, pending = await asyncio.wait(pending, timeout=1.5)
        for _ in range(rounds):
            if not pending:
                break
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=wait_seconds)
        if pending:
            log.warning("%d background task(s) did not stop", len(pending))
        self._tasks.clear()

    async def stop(self) -> None:
        await self.stop_background()
        await self.live.disconnect()
        await self.redis.aclose()
