"""Admins' template edits in Redis: the current override of each template, every
version ever saved, and a generation number that every replica compares before it
renders (so none sends a template older than the newest saved one).

A version's `body` is None when it put the repository default back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from .catalogue import TemplateKey

GENERATION_KEY = "notif:templates:generation"
CURRENT_KEY = "notif:templates:current"  # hash: key id -> the current version (JSON)


def _history_key(key: TemplateKey) -> str:
    return f"notif:templates:history:{key.id}"


@dataclass(frozen=True)
class TemplateVersion:
    """One saved state of a template (version 1 is the first edit)."""

    version: int
    body: str | None  # None: the repository default
    edited_by: str
    edited_at: datetime
    reverted_to: int | None = None  # a revert: the version it restored (0: the default)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "edited_at": self.edited_at.isoformat()})

    @classmethod
    def from_json(cls, raw: str | bytes) -> TemplateVersion:
        data = json.loads(raw)
        return cls(**{**data, "edited_at": datetime.fromisoformat(data["edited_at"])})


class TemplateStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def generation(self) -> int:
        return int(await self.redis.get(GENERATION_KEY) or 0)

    async def overrides(self) -> tuple[int, dict[str, TemplateVersion]]:
        """The generation and every current override, read together."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(GENERATION_KEY)
            pipe.hgetall(CURRENT_KEY)
            generation, rows = await pipe.execute()
        found = {_text(k): TemplateVersion.from_json(v) for k, v in rows.items()}
        return int(generation or 0), found

    async def histories(self, keys: Sequence[TemplateKey]) -> list[list[TemplateVersion]]:
        """Each key's versions, newest first."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.lrange(_history_key(key), 0, -1)
            rows: list[Any] = await pipe.execute()
        return [[TemplateVersion.from_json(r) for r in reversed(row)] for row in rows]

    async def save(
        self,
        key: TemplateKey,
        body: str | None,
        edited_by: str,
        at: datetime,
        reverted_to: int | None = None,
    ) -> TemplateVersion:
        """Appends the next version of `key` and makes it current (None: the default)."""
        history = _history_key(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(history)
                    version = int(await pipe.llen(history)) + 1
                    saved = TemplateVersion(version, body, edited_by, at, reverted_to)
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    pipe.rpush(history, saved.to_json())
                    if body is None:
                        pipe.hdel(CURRENT_KEY, key.id)
                    else:
                        pipe.hset(CURRENT_KEY, key.id, saved.to_json())
                    pipe.incr(GENERATION_KEY)
                    await pipe.execute()
                    return saved
                except WatchError:
                    continue


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
