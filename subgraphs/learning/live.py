"""Keeps the live-message reader of this process armed (a workaround for a race below us).

broadcaster 0.3.1's Redis backend wakes its reader before redis-py 8 records
the first channel as subscribed; the reader then sees no channel, stops, and
waits for a wake-up that never comes, so no subscription of the process ever
receives a message. A reader woken while some channel is already subscribed
keeps reading, so this process holds one subscription open for good, adding
listeners until one hears a probe message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from ..common.events import LiveChannels

log = logging.getLogger("skill_circle.learning.live")

KEEPALIVE = "learning:live-keepalive"
ATTEMPTS = 10


async def keep_live_reader_armed(
    live: LiveChannels, run_in_background: Callable[[Coroutine[Any, Any, None]], None]
) -> None:
    heard = asyncio.Event()

    async def hold(channel: str) -> None:
        async for _ in live.listen(channel):
            heard.set()

    for attempt in range(ATTEMPTS):
        channel = f"{KEEPALIVE}:{id(heard)}:{attempt}"
        run_in_background(hold(channel))
        await asyncio.sleep(0.05)  # let the subscription reach Redis
        await live.publish(channel, {"probe": attempt})
        try:
            await asyncio.wait_for(heard.wait(), 0.5)
            return
        except TimeoutError:
            continue
    log.warning("live messages are not being received; subscriptions may stay silent")
