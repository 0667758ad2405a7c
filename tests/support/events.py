"""Reading the shared event stream in tests: events arrive once the outbox relay publishes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from redis.asyncio import Redis

from subgraphs.common.events import STREAM


async def latest_event(redis: Redis, type: str, email: str, timeout: float = 10) -> dict[str, Any]:
    """The newest `type` event about `email`, once the outbox relay has published it."""
    deadline = time.monotonic() + timeout
    while True:
        for _, fields in reversed(await redis.xrange(STREAM)):
            event = json.loads(fields[b"event"])
            if event["type"] == type and event["payload"].get("email") == email:
                return dict(event)
        if time.monotonic() > deadline:
            raise AssertionError(f"no {type} event for {email} within {timeout}s")
        await asyncio.sleep(0.05)
