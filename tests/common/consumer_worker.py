"""A consumer process for the crash test: `python -m tests.common.consumer_worker REDIS_URL STREAM`.

Its handler records every attempt, crashes (os._exit, no cleanup, no ack) the
first time it meets an event marked `crashOnce`, and records completions.
"""

from __future__ import annotations

import asyncio
import os
import sys

from redis.asyncio import Redis

from subgraphs.common.events import EventConsumer, Handlers, Received
from tests.support.contracts import Work


async def main(url: str, stream: str) -> None:
    redis = Redis.from_url(url)

    async def handle(event: Received[Work]) -> None:
        await redis.rpush(f"{stream}:attempts", event.id)
        if event.payload.crash_once and await redis.set(f"{stream}:crashed", "1", nx=True):
            os._exit(137)  # killed mid-handling: read, not acknowledged
        await redis.rpush(f"{stream}:completed", event.id)

    consumer = EventConsumer(
        redis,
        group="crash-test",
        consumer="worker-1",
        handlers=Handlers().on(Work, handle),
        stream=stream,
        block_ms=200,
        claim_idle_ms=60_000,
    )
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
