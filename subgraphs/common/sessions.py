"""Sessions that end: which sessions were revoked, known to every process within moments.

A session is one login: its refresh-token family, named in every access token
it issues by the `sid` claim. Ending sessions (logout, password reset, role
change, disabling, deletion: `SessionRevocations.revoke`) records their ids in
Redis for as long as their access tokens can live and announces them on a live
channel. Every process keeps the ids in memory (announcements, plus a reload
every few seconds for what a reconnect missed): HTTP requests with a revoked
session's token are treated as anonymous at the cost of a dict lookup, and
subscriptions watching a session (`guard`) end with UNAUTHENTICATED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from graphql import GraphQLError
from redis.asyncio import Redis

from .auth import Viewer
from .errors import Unauthenticated, coded_error
from .events.live import LiveChannels

log = logging.getLogger("skill_circle.sessions")

REVOKED_KEY = "sessions:revoked"  # sorted set: session id -> time it may be forgotten
CHANNEL = "skillcircle:sessions-revoked"

T = TypeVar("T")


class SessionRevocations:
    """Revoked session ids: recorded in Redis, announced live, mirrored in memory."""

    def __init__(
        self,
        redis: Redis,
        live: LiveChannels,
        remember_seconds: float,
        reload_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.live = live
        self.remember_seconds = remember_seconds
        self.reload_seconds = reload_seconds
        self._clock = clock
        self._revoked: dict[str, float] = {}
        self._watchers: dict[str, set[asyncio.Event]] = {}

    async def revoke(self, *session_ids: str) -> None:
        """Ends these sessions everywhere: HTTP refuses their tokens, subscriptions end."""
        ids = [sid for sid in session_ids if sid]
        if not ids:
            return
        now = self._clock()
        until = now + self.remember_seconds
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(REVOKED_KEY, dict.fromkeys(ids, until))
            pipe.zremrangebyscore(REVOKED_KEY, "-inf", now)
            await pipe.execute()
        self._remember(ids, until)
        await self.live.publish(CHANNEL, {"sessions": ids, "until": until})

    def is_revoked(self, session_id: str) -> bool:
        return bool(session_id) and self._revoked.get(session_id, 0.0) > self._clock()

    async def load(self) -> None:
        """Reads every still relevant revocation from Redis into memory."""
        now = self._clock()
        entries: Any = await self.redis.zrangebyscore(REVOKED_KEY, now, "+inf", withscores=True)
        self._revoked = {sid: until for sid, until in self._revoked.items() if until > now}
        for sid, until in entries:
            self._remember([_text(sid)], float(until))

    async def follow(self) -> None:
        """Runs for the life of the process: announcements, and a periodic reload."""
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                await asyncio.sleep(self.reload_seconds)
                try:
                    await self.load()
                except Exception as exc:  # Redis away for a moment: keep what we know
                    log.warning("could not reload revoked sessions: %s", exc)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener

    async def _listen(self) -> None:
        while True:
            try:
                async for message in self.live.listen(CHANNEL):
                    self._remember([str(s) for s in message["sessions"]], float(message["until"]))
            except Exception as exc:
                log.warning("session revocation channel failed: %s", exc)
            await asyncio.sleep(1.0)

    def _remember(self, session_ids: list[str], until: float) -> None:
        for sid in session_ids:
            self._revoked[sid] = max(until, self._revoked.get(sid, 0.0))
            for watcher in self._watchers.get(sid, ()):
                watcher.set()

    async def ended(self, viewer: Viewer) -> str:
        """Waits until the viewer's token expires or its session is revoked; says which."""
        if self.is_revoked(viewer.session_id):
            return "Session ended; please sign in again"
        event = asyncio.Event()
        self._watchers.setdefault(viewer.session_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), max(viewer.expires_at - self._clock(), 0.0))
            return "Session ended; please sign in again"
        except TimeoutError:
            return "Access token expired; subscribe again with a fresh token"
        finally:
            watchers = self._watchers.get(viewer.session_id, set())
            watchers.discard(event)
            if not watchers:
                self._watchers.pop(viewer.session_id, None)

    async def guard(self, viewer: Viewer, source: AsyncIterator[T]) -> AsyncIterator[T]:
        """`source` while the viewer's session lasts; then an UNAUTHENTICATED error."""
        ended = asyncio.create_task(self.ended(viewer))
        try:
            while True:
                item = asyncio.ensure_future(anext(source))
                done, _ = await asyncio.wait({item, ended}, return_when=asyncio.FIRST_COMPLETED)
                if item not in done:
                    item.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await item
                    error = Unauthenticated(ended.result())
                    # Strawberry runs no schema extension on a subscription's own error.
                    raise coded_error(GraphQLError(error.message, original_error=error))
                if isinstance(item.exception(), StopAsyncIteration):
                    return
                yield item.result()
        finally:
            ended.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ended
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
