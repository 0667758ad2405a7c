"""Every event of the stream, to every process that tails it (no consumer group).

A consumer group hands each event to one of its members; an in-process read
model needs every change in every replica. A tail reads the stream itself from
a position, acknowledges nothing and keeps no state in Redis: a restarted
process rebuilds its model from the store and tails from the stream's end as
it was just before (`position()`), so nothing written meanwhile is missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from .envelope import STREAM, Event, text
from .handlers import Handlers, received

log = logging.getLogger("skill_circle.events")


class EventTail:
    def __init__(
        self,
        redis: Redis,
        handlers: Handlers,
        *,
        stream: str = STREAM,
        block_ms: int = 1_000,
        batch_size: int = 100,
    ) -> None:
        self.redis = redis
        self.handlers = handlers
        self.stream = stream
        self.block_ms = block_ms
        self.batch_size = batch_size
        self._stopping = False

    async def position(self) -> str:
        """The id of the stream's newest entry now ("0-0" for an empty stream)."""
        newest: Any = await self.redis.xrevrange(self.stream, count=1)
        return text(newest[0][0]) if newest else "0-0"

    def stop(self) -> None:
        """Ends `run` after the current read (at most `block_ms` later)."""
        self._stopping = True

    async def run(self, after: str) -> None:
        """Handles every entry after `after`, in stream order, until stopped."""
        while not self._stopping:
            try:
                after = await self.read_once(after)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event tail on %s failed; retrying", self.stream)
                await asyncio.sleep(1)

    async def read_once(self, after: str) -> str:
        """Handles the entries after `after` (waiting up to `block_ms`); the new position."""
        response: Any = await self.redis.xread(
            {self.stream: after}, count=self.batch_size, block=self.block_ms or None
        )
        if not response and not self.block_ms:
            await asyncio.sleep(0.2)  # a polling tail (the in-process Redis stand-in)
        for _, entries in response or []:
            for entry_id, fields in entries:
                after = text(entry_id)
                await self._handle(fields)
        return after

    async def _handle(self, fields: Mapping[bytes, bytes]) -> None:
        raw = fields.get(b"event") if fields else None
        if raw is None:
            return
        try:
            event = Event.from_json(raw)
            registered = self.handlers.get(event.type)
            if registered is None:
                return
            contract, handler = registered
            if event.version > contract.VERSION:  # a newer contract than this process knows
                log.warning(
                    "tail skips %s v%s (knows v%s)", event.type, event.version, contract.VERSION
                )
                return
            await handler(received(event, contract))
        except Exception:  # one bad event must not stop the model; its refresh repairs it
            log.exception("tail handler failed for stream entry %r", raw[:200])
