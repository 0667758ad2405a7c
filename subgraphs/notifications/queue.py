"""The delivery queue: retries, leases, and per-user fairness, all in Redis.

`notif:deliveries` is a sorted set of every job id scored by when it is due. Due
jobs are promoted, oldest first, into their user's lane (`notif:lane:{lane}:{user}`,
a list) and scored +inf ("ready"); each lane (emails, and SMS with push) has a ring
of the users with ready jobs (`notif:ring:{lane}`, a sorted set scored by turn).
A worker claims from the head of the ring: that user's oldest ready job, the user
going to the back of the ring if they have more. So one user's backlog of N
deliveries delays another user's single one by one turn per user, not by N.

Claiming scores the job `now + lease`: a worker that dies mid-delivery leaves it to
come due again and be retried, by itself after a restart or by another replica. Both
steps are Lua scripts, atomic however many replicas claim at once. Jobs that run out
of attempts end in a capped dead-letter list.
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
TURN_KEY = "notif:turn"
JOB_PREFIX = "notif:job:"
LANE_PREFIX = "notif:lane:"  # + lane + ":" + user
RING_PREFIX = "notif:ring:"  # + lane
LANES = ("email", "other")  # emails go one at a time (channels/deliveries.py)
PROMOTE_CHUNK = 1000

# Due jobs (oldest first) into their user's lane; the user joins the lane's ring at
# the back if not in it. A job whose record is gone (finished) leaves the queue.
_PROMOTE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  local raw = redis.call('GET', ARGV[3] .. id)
  if raw then
    local job = cjson.decode(raw)
    local lane = job['channel'] == 'EMAIL' and 'email' or 'other'
    redis.call('RPUSH', ARGV[4] .. lane .. ':' .. job['user_id'], id)
    redis.call('ZADD', ARGV[5] .. lane, 'NX', redis.call('INCR', KEYS[2]), job['user_id'])
    redis.call('ZADD', KEYS[1], 'XX', 'inf', id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return #ids
"""

# Up to ARGV[3] ready jobs of the lane, one per user in ring order: [id, job, id, job...].
# A lane entry whose job is no longer ready (rescheduled, finished, erased) is skipped.
_CLAIM = """
local out = {}
while #out < 2 * tonumber(ARGV[3]) do
  local head = redis.call('ZRANGE', KEYS[3], 0, 0)
  if #head == 0 then break end
  local user = head[1]
  local lane = ARGV[1] .. user
  local got, raw = nil, nil
  while true do
    local id = redis.call('LPOP', lane)
    if not id then break end
    if redis.call('ZSCORE', KEYS[1], id) == 'inf' then
      raw = redis.call('GET', ARGV[4] .. id)
      if raw then got = id break end
      redis.call('ZREM', KEYS[1], id)
    end
  end
  if redis.call('LLEN', lane) > 0 then
    redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[2]), user)
  else
    redis.call('ZREM', KEYS[3], user)
  end
  if got then
    redis.call('ZADD', KEYS[1], ARGV[2], got)
    out[#out + 1] = got
    out[#out + 1] = raw
  end
end
return out
"""


def _job_key(delivery_id: str) -> str:
    return f"{JOB_PREFIX}{delivery_id}"


def _lane_key(lane: str, user_id: str) -> str:
    return f"{LANE_PREFIX}{lane}:{user_id}"


def _ring_key(lane: str) -> str:
    return f"{RING_PREFIX}{lane}"


class DeliveryQueue:
    def __init__(self, redis: Redis, lease_seconds: float, dead_letter_limit: int) -> None:
        self.redis = redis
        self.lease_seconds = lease_seconds
        self.dead_letter_limit = dead_letter_limit
        self._promote = redis.register_script(_PROMOTE)
        self._claim = redis.register_script(_CLAIM)

    def queue_enqueue(self, pipe: Any, delivery: Delivery, due: float | None = None) -> None:
        """Adds the commands that enqueue `delivery` to a pipeline (part of a bigger write)."""
        pipe.set(_job_key(delivery.id), json.dumps(delivery.to_dict()))
        pipe.zadd(QUEUE_KEY, {delivery.id: time.time() if due is None else due})

    async def enqueue(self, delivery: Delivery, due: float | None = None) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.queue_enqueue(pipe, delivery, due)
            await pipe.execute()

    async def promote_due(self, chunks: int = 10) -> int:
        """Moves due jobs into their users' lanes (at most `chunks` x 1000 a call)."""
        moved = 0
        keys = [QUEUE_KEY, TURN_KEY]
        for _ in range(chunks):
            args: list[float | int | str] = [time.time(), PROMOTE_CHUNK, JOB_PREFIX]
            args += [LANE_PREFIX, RING_PREFIX]
            count = int(await self._promote(keys=keys, args=args))
            moved += count
            if count < PROMOTE_CHUNK:
                break
        return moved

    async def claim_next(self, lane: str, count: int) -> list[Delivery]:
        """Up to `count` ready jobs of `lane`, users taking turns, each leased to this worker."""
        if count <= 0:
            return []
        found = await self._claim(
            keys=[QUEUE_KEY, TURN_KEY, _ring_key(lane)],
            args=[_lane_key(lane, ""), time.time() + self.lease_seconds, count, JOB_PREFIX],
        )
        return [Delivery.from_dict(json.loads(raw)) for raw in found[1::2]]

    async def complete(self, delivery: Delivery) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(QUEUE_KEY, delivery.id)
            pipe.delete(_job_key(delivery.id))
            await pipe.execute()

    async def retry_later(self, delivery: Delivery, delay_seconds: float) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.queue_enqueue(pipe, delivery, time.time() + delay_seconds)
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
            pipe.delete(_job_key(delivery.id))
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
                pipe.delete(_job_key(delivery.id))
            for lane in LANES:
                pipe.delete(_lane_key(lane, user_id))
                pipe.zrem(_ring_key(lane), user_id)
            for raw in dead:
                pipe.lrem(DEAD_LETTER_KEY, 0, raw)  # type: ignore[arg-type]  # bytes are sent as is
            await pipe.execute()
        return len(queued) + len(dead)

    async def pending(self) -> int:
        return int(await self.redis.zcard(QUEUE_KEY))
