"""The outbox relay: publishes a subgraph's committed events, in order, whatever happens.

One relay runs in every replica; a Redis lease lets one of them publish at a time
(the others stand by), so that events leave in order and not N times over.
Woken right after a commit, it publishes at once; otherwise it polls. While Redis
refuses, it retries with backoff; nothing is lost, mutations never wait for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import signal
import time
import uuid
from collections.abc import Mapping

from opentelemetry import propagate
from redis.asyncio import Redis

from ..observability.metrics import Metrics
from .bus import EventBus
from .envelope import Event, text
from .outbox import Outbox

log = logging.getLogger("skill_circle.events.relay")

# A fault-injection point for tests (settings.fault_point, refused in production):
# the process is SIGKILLed after the commit and before the first XADD.
BEFORE_PUBLISH = "outbox.before_publish"
# The pending gauge of an idle relay is refreshed this often (seconds): a scrape interval.
GAUGE_INTERVAL_S = 15.0


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        bus: EventBus,
        redis: Redis,
        *,
        metrics: Metrics | None = None,
        fault_point: str = "",
        store: str = "",
        batch_size: int = 100,
        poll_s: float = 1.0,
        lease_ms: int = 5_000,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.outbox = outbox
        self.bus = bus
        self.redis = redis
        self.metrics = metrics
        self.fault_point = fault_point
        self.batch_size = batch_size
        self.poll_s = poll_s
        self.lease_ms = lease_ms
        self.max_backoff_s = max_backoff_s
        # One lease per outbox: replicas of one deployment share it; another deployment
        # (another database) on the same Redis, e.g. a second test stack, does not.
        scope = hashlib.sha256(store.encode()).hexdigest()[:16]
        self.lease_key = f"outbox:relay:{bus.stream}:{bus.producer}:{scope}"
        self._holder = uuid.uuid4().hex
        self._wake = asyncio.Event()
        self._stopping = False
        self._measured_at = float("-inf")
        outbox.wake = self.wake

    def wake(self) -> None:
        """A commit just added events: publish now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.0
        while not self._stopping:
            try:
                sent = await self.relay_once()
                backoff = 0.0
                if sent:
                    continue
                await self._sleep(self.poll_s, wakeable=True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                backoff = min(self.max_backoff_s, max(0.2, backoff * 2))
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                await self._sleep(backoff, wakeable=False)

    async def relay_once(self) -> int:
        """One batch, if this replica holds the lease; how many events went out."""
        if not await self._hold_lease():
            return 0
        sent = await self.outbox.relay(self._send, self.batch_size)
        await self._measure_pending(changed=bool(sent))
        return sent

    async def _measure_pending(self, *, changed: bool) -> None:
        """The pending gauge: after a batch went out, else every `GAUGE_INTERVAL_S` (counting
        scans the outbox; an idle relay polls every `poll_s` and would double its reads)."""
        if self.metrics is None:
            return
        now = time.monotonic()
        if not changed and now - self._measured_at < GAUGE_INTERVAL_S:
            return
        self._measured_at = now
        self.metrics.outbox_pending.set(await self.outbox.pending())

    async def _send(self, event: Event, trace: Mapping[str, str]) -> None:
        if self.fault_point == BEFORE_PUBLISH:
            os.kill(os.getpid(), signal.SIGKILL)
        await self.bus.send(event, parent=propagate.extract(dict(trace)) if trace else None)

    async def _hold_lease(self) -> bool:
        """Takes or extends the lease; False while another replica holds it."""
        taken = await self.redis.set(self.lease_key, self._holder, nx=True, px=self.lease_ms)
        if taken:
            return True
        holder = await self.redis.get(self.lease_key)
        if text(holder) == self._holder:
            await self.redis.pexpire(self.lease_key, self.lease_ms)
            return True
        return False

    async def _sleep(self, seconds: float, *, wakeable: bool) -> None:
        if not wakeable:
            await asyncio.sleep(seconds)
            return
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
        self._wake.clear()
