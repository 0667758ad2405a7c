"""The delivery retry queue: a Redis sorted set of job ids scored by when they are due.

A worker claims a due job with a lease (`SET NX PX`) and pushes its due time past
the lease, so a worker that dies mid-delivery leaves the job to be retried after
the lease, by itself after a restart or by another replica. Jobs that run out of
attempts end in a capped dead-letter list.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from ..common.clock import utcnow
from .domain import Delivery, DeliveryFailure

QUEUE_KEY = "notif:deliveries"
DEAD_LETTER_KEY = "notif:deadletters"


def _job_key(delivery_id: str) -> str:
    return f"notif:job:{delivery_id}"


def _lease_key(delivery_id: str) -> str:
    return f"notif:lease:{delivery_id}"


class DeliveryQueue:
    def __init__(self, redis: Redis, lease_seconds: float, dead_letter_limit: int) -> None:
        self.redis = redis
        self.lease_seconds = lease_seconds
        self.dead_letter_limit = dead_letter_limit

    def queue_enqueue(self, pipe: Any, delivery: Delivery, due: float | None = None) -> None:
        """Adds the commands that enqueue `delivery` to a pipeline (part of a bigger write)."""
        pipe.set(_job_key(delivery.id), json.dumps(delivery.to_dict()))
        pipe.zadd(QUEUE_KEY, {delivery.id: time.time() if due is None else due})

    async def enqueue(self, delivery: Delivery, due: float | None = None) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.queue_enqueue(pipe, delivery, due)
            await pipe.execute()

    async def due(self, limit: int) -> list[str]:
        ids = await self.redis.zrangebyscore(QUEUE_KEY, "-inf", time.time(), start=0, num=limit)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    async def channels(self, delivery_ids: list[str]) -> list[str | None]:
        """The channel of each job (None: finished since it was listed)."""
        if not delivery_ids:
            return []
        rows = await self.redis.mget([_job_key(i) for i in delivery_ids])
        return [None if row is None else str(json.loads(row)["channel"]) for row in rows]

    async def claim(self, delivery_id: str) -> Delivery | None:
        """The job, leased to this worker; None when another worker holds it or it is done."""
        lease_ms = int(self.lease_seconds * 1000)
        if not await self.redis.set(_lease_key(delivery_id), "1", nx=True, px=lease_ms):
            return None
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(_job_key(delivery_id))
            pipe.zscore(QUEUE_KEY, delivery_id)
            raw, due = await pipe.execute()
        if raw is None or due is None or due > time.time():
            # Finished or rescheduled by another worker since we listed it.
            async with self.redis.pipeline(transaction=True) as pipe:
                if raw is None:
                    pipe.zrem(QUEUE_KEY, delivery_id)
                pipe.delete(_lease_key(delivery_id))
                await pipe.execute()
            return None
        await self.redis.zadd(QUEUE_KEY, {delivery_id: time.time() + self.lease_seconds}, xx=True)
        return Delivery.from_dict(json.loads(raw))

    async def complete(self, delivery: Delivery) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(QUEUE_KEY, delivery.id)
            pipe.delete(_job_key(delivery.id), _lease_key(delivery.id))
            await pipe.execute()

    async def retry_later(self, delivery: Delivery, delay_seconds: float) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.queue_enqueue(pipe, delivery, time.time() + delay_seconds)
            pipe.delete(_lease_key(delivery.id))
            await pipe.execute()

    async def dead_letter(self, delivery: Delivery) -> None:
        failure = DeliveryFailure(
            delivery_id=delivery.id,
            channel=delivery.channel,
            user_id=delivery.user_id,
            kind=delivery.kind,
            notification_id=delivery.notification_id,
            attempts=delivery.attempts,
            error=delivery.last_error,
            failed_at=utcnow(),
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(DEAD_LETTER_KEY, json.dumps(failure.to_dict()))
            pipe.ltrim(DEAD_LETTER_KEY, 0, self.dead_letter_limit - 1)
            pipe.zrem(QUEUE_KEY, delivery.id)
            pipe.delete(_job_key(delivery.id), _lease_key(delivery.id))
            await pipe.execute()

    async def dead_letters(self, first: int) -> list[DeliveryFailure]:
        """The newest failures first."""
        rows = await self.redis.lrange(DEAD_LETTER_KEY, 0, first - 1) if first > 0 else []
        return [DeliveryFailure.from_dict(json.loads(row)) for row in rows]

    async def of_user(self, user_id: str) -> tuple[list[Delivery], list[DeliveryFailure]]:
        """The user's deliveries still queued, and their dead letters (the data export)."""
        ids = [
            i.decode() if isinstance(i, bytes) else str(i)
            for i in await self.redis.zrange(QUEUE_KEY, 0, -1)
        ]
        jobs = await self.redis.mget([_job_key(i) for i in ids]) if ids else []
        queued = [Delivery.from_dict(json.loads(raw)) for raw in jobs if raw is not None]
        failed = [
            DeliveryFailure.from_dict(json.loads(raw))
            for raw in await self.redis.lrange(DEAD_LETTER_KEY, 0, -1)
        ]
        return (
            [d for d in queued if d.user_id == user_id],
            [f for f in failed if f.user_id == user_id],
        )

    async def erase_user(self, user_id: str) -> int:
        """Drops the user's queued deliveries and dead letters: nothing more goes out to them."""
        queued, _ = await self.of_user(user_id)
        dead = [
            raw
            for raw in await self.redis.lrange(DEAD_LETTER_KEY, 0, -1)
            if json.loads(raw).get("user_id") == user_id
        ]
        async with self.redis.pipeline(transaction=True) as pipe:
            for delivery in queued:
                pipe.zrem(QUEUE_KEY, delivery.id)
                pipe.delete(_job_key(delivery.id), _lease_key(delivery.id))
            for raw in dead:
                pipe.lrem(DEAD_LETTER_KEY, 0, raw)  # type: ignore[arg-type]  # bytes are sent as is
            await pipe.execute()
        return len(queued) + len(dead)

    async def pending(self) -> int:
        return int(await self.redis.zcard(QUEUE_KEY))
