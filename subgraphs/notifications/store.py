"""The inboxes in Redis: one hash per notification, two sorted sets per user.

`notif:inbox:{user}` and `notif:unread:{user}` hold notification ids scored by
creation time in microseconds (newest first with ZREVRANGE). A notification
and its channel deliveries are written in one MULTI/EXEC, guarded by a
`notif:made:{id}` marker under WATCH, so a redelivered event writes nothing twice
and a crash leaves either all of it or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from .domain import Delivery, Notification
from .queue import DeliveryQueue

MADE_TTL_SECONDS = 7 * 24 * 3600  # as long as the event consumer remembers handled events
TRIM_CHUNK = 500


def _notification_key(notification_id: str) -> str:
    return f"notif:n:{notification_id}"


def _inbox_key(user_id: str, unread_only: bool = False) -> str:
    return f"notif:{'unread' if unread_only else 'inbox'}:{user_id}"


def _made_key(dispatch_id: str) -> str:
    return f"notif:made:{dispatch_id}"


def erased_key(user_id: str) -> str:
    """Set when the user's account was deleted: nothing is written for them any more."""
    return f"notif:erased:{user_id}"


def text_of(value: Any) -> str:
    """A Redis reply (bytes) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def score_of(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


@dataclass
class Dispatch:
    """What one event produces for one user: an inbox entry and/or channel deliveries."""

    id: str
    notification: Notification | None = None
    deliveries: list[Delivery] = field(default_factory=list)


@dataclass(frozen=True)
class PageRequest:
    user_id: str
    first: int
    after: tuple[int, str] | None  # (score, id) of the last entry already seen
    unread_only: bool = False


@dataclass(frozen=True)
class Page:
    notifications: list[Notification]
    cursors: list[tuple[int, str]]
    total_count: int
    has_next_page: bool


class InboxStore:
    def __init__(self, redis: Redis, queue: DeliveryQueue, retention: int) -> None:
        self.redis = redis
        self.queue = queue
        self.retention = retention

    # ------------------------------------------------------------ writing
    async def write(self, dispatches: Sequence[Dispatch]) -> list[Dispatch]:
        """Writes the dispatches not written before, except to deleted accounts (an event
        of theirs arriving after the erasure); returns those it wrote."""
        if not dispatches:
            return []
        guards = [_made_key(d.id) for d in dispatches]
        users = sorted({user for user in map(_recipient_of, dispatches) if user})
        erased = [erased_key(user) for user in users]
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(*guards, *erased)  # an erasure meanwhile: try again
                    made = await pipe.mget(guards)
                    marks = await pipe.mget(erased) if erased else []
                    gone = {user for user, mark in zip(users, marks, strict=True) if mark}
                    fresh = [
                        d
                        for d, m in zip(dispatches, made, strict=True)
                        if m is None and _recipient_of(d) not in gone
                    ]
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    for dispatch in fresh:
                        self._queue_writes(pipe, dispatch)
                    await pipe.execute()
                    break
                except WatchError:
                    continue
        await self._trim({d.notification.user_id for d in fresh if d.notification})
        return fresh

    def _queue_writes(self, pipe: Any, dispatch: Dispatch) -> None:
        pipe.set(_made_key(dispatch.id), "1", ex=MADE_TTL_SECONDS)
        notification = dispatch.notification
        if notification is not None:
            pipe.hset(_notification_key(notification.id), mapping=_to_hash(notification))
            score = score_of(notification.created_at)
            pipe.zadd(_inbox_key(notification.user_id), {notification.id: score})
            pipe.zadd(_inbox_key(notification.user_id, unread_only=True), {notification.id: score})
        for delivery in dispatch.deliveries:
            self.queue.queue_enqueue(pipe, delivery)

    async def _trim(self, user_ids: set[str]) -> None:
        """Keeps the newest `retention` notifications of each user."""
        users = sorted(user_ids)
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in users:
                pipe.zcard(_inbox_key(user_id))
            sizes = await pipe.execute()
        for user_id, size in zip(users, sizes, strict=True):
            excess = int(size) - self.retention
            if excess > 0:
                await self._drop_oldest(user_id, excess)

    async def _drop_oldest(self, user_id: str, count: int) -> None:
        while count > 0:
            chunk = min(count, TRIM_CHUNK)
            ids = [text_of(i) for i in await self.redis.zrange(_inbox_key(user_id), 0, chunk - 1)]
            if not ids:
                return
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zrem(_inbox_key(user_id), *ids)
                pipe.zrem(_inbox_key(user_id, unread_only=True), *ids)
                pipe.delete(*(_notification_key(i) for i in ids))
                await pipe.execute()
            count -= len(ids)

    # ------------------------------------------------------------ reading
    async def by_ids(self, ids: Sequence[str]) -> list[Notification]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for notification_id in ids:
                pipe.hgetall(_notification_key(notification_id))
            rows = await pipe.execute()
        # A row without an id is the leftover of a concurrent trim: treat it as gone.
        return [_from_hash(row) for row in rows if row and b"id" in row]

    async def pages(self, requests: Sequence[PageRequest]) -> list[Page]:
        """One page per request, in three pipelined round trips for the whole batch."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for r in requests:
                key = _inbox_key(r.user_id, r.unread_only)
                pipe.zcard(key)
                pipe.zrevrank(key, r.after[1] if r.after else "")
            positions = await pipe.execute()
        async with self.redis.pipeline(transaction=False) as pipe:
            for i, r in enumerate(requests):
                self._queue_range(pipe, r, positions[2 * i + 1])
            ranges = await pipe.execute()
        ids = [
            member.decode()
            for r, found in zip(requests, ranges, strict=True)
            for member, _ in found[: r.first]
        ]
        by_id = {n.id: n for n in await self.by_ids(ids)}
        pages = []
        for i, (r, found) in enumerate(zip(requests, ranges, strict=True)):
            entries = [(m.decode(), int(s)) for m, s in found[: r.first]]
            present = [(by_id[m], (s, m)) for m, s in entries if m in by_id]
            pages.append(
                Page(
                    notifications=[n for n, _ in present],
                    cursors=[c for _, c in present],
                    total_count=int(positions[2 * i]),
                    has_next_page=len(found) > r.first,
                )
            )
        return pages

    def _queue_range(self, pipe: Any, r: PageRequest, rank: int | None) -> None:
        key = _inbox_key(r.user_id, r.unread_only)
        if r.after is None:
            pipe.zrevrange(key, 0, r.first, withscores=True)
        elif rank is not None:
            pipe.zrevrange(key, rank + 1, rank + 1 + r.first, withscores=True)
        else:  # the cursor's entry is gone (read or trimmed): continue below its score
            pipe.zrevrangebyscore(
                key, f"({r.after[0]}", "-inf", start=0, num=r.first + 1, withscores=True
            )

    async def unread_counts(self, user_ids: Sequence[str]) -> dict[str, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zcard(_inbox_key(user_id, unread_only=True))
            counts = await pipe.execute()
        return {u: int(c) for u, c in zip(user_ids, counts, strict=True)}

    # ------------------------------------------------------------ marking read
    async def mark_read(self, notification: Notification, at: datetime) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(_notification_key(notification.id), "readAt", at.isoformat())
            pipe.zrem(_inbox_key(notification.user_id, unread_only=True), notification.id)
            await pipe.execute()

    async def mark_all_read(self, user_id: str, at: datetime) -> int:
        """Marks every unread notification of the user; returns how many it marked."""
        unread_key = _inbox_key(user_id, unread_only=True)
        ids = [text_of(i) for i in await self.redis.zrange(unread_key, 0, -1)]
        marked = 0
        for start in range(0, len(ids), TRIM_CHUNK):
            chunk = ids[start : start + TRIM_CHUNK]
            async with self.redis.pipeline(transaction=False) as pipe:
                for notification_id in chunk:
                    pipe.zrem(unread_key, notification_id)
                    pipe.hsetnx(_notification_key(notification_id), "readAt", at.isoformat())
                results = await pipe.execute()
            marked += sum(int(removed) for removed in results[0::2])
        return marked

    # ------------------------------------------------------------ one user's inbox, whole
    async def inbox_of(self, user_id: str) -> list[Notification]:
        """Every notification in the user's inbox, newest first (the data export)."""
        ids = [text_of(i) for i in await self.redis.zrevrange(_inbox_key(user_id), 0, -1)]
        return await self.by_ids(ids) if ids else []

    async def erase_inbox(self, user_id: str) -> int:
        """Deletes the user's inbox and every notification in it; how many there were."""
        ids = [text_of(i) for i in await self.redis.zrange(_inbox_key(user_id), 0, -1)]
        async with self.redis.pipeline(transaction=True) as pipe:
            for chunk in range(0, len(ids), TRIM_CHUNK):
                pipe.delete(*(_notification_key(i) for i in ids[chunk : chunk + TRIM_CHUNK]))
            pipe.delete(_inbox_key(user_id), _inbox_key(user_id, unread_only=True))
            await pipe.execute()
        return len(ids)


def _recipient_of(dispatch: Dispatch) -> str | None:
    if dispatch.notification is not None:
        return dispatch.notification.user_id
    return dispatch.deliveries[0].user_id if dispatch.deliveries else None


def _to_hash(notification: Notification) -> dict[str, str]:
    return {
        "id": notification.id,
        "userId": notification.user_id,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link or "",
        "createdAt": notification.created_at.isoformat(),
    }


def _from_hash(row: dict[bytes, bytes]) -> Notification:
    values = {k.decode(): v.decode() for k, v in row.items()}
    return Notification(
        id=values["id"],
        user_id=values["userId"],
        kind=values["kind"],
        title=values["title"],
        body=values["body"],
        link=values.get("link") or None,
        created_at=datetime.fromisoformat(values["createdAt"]),
        read_at=datetime.fromisoformat(values["readAt"]) if values.get("readAt") else None,
    )
