"""Live messages for GraphQL subscriptions, delivered by every replica.

Messages go through `broadcaster` (Redis pub/sub, or memory when embedded), so
a subscription held by one replica sees an event published by another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from broadcaster import Broadcast

log = logging.getLogger("skill_circle.events")


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
