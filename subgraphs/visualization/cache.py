"""Rendered SVGs in Redis, keyed by the content versions of everything they show.

Every entity a render depends on has a version counter (`viz:ver:skill:{id}`,
`viz:ver:roadmap:{id}`, `viz:ver:user:{id}`), bumped by the events that change
it. A render is stored with its manifest (the entities it showed); a lookup
reads the manifest, then those versions, and finds the SVG under a key that
hashes them, so a bump makes exactly the renders that showed the entity miss.
A render that overlapped any bump (the global epoch moved) is returned but not
stored, so data read before a change is never cached under versions after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import WatchError

PREFIX = "viz"
EPOCH = f"{PREFIX}:epoch"


@dataclass(frozen=True)
class Rendered:
    svg: str
    depends_on: frozenset[str]  # entities shown: "skill:{id}", "roadmap:{id}", "user:{id}"


class SvgCache:
    def __init__(self, redis: Redis, ttl_seconds: int = 7 * 24 * 3600) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    async def bump(self, entities: Iterable[str]) -> None:
        """New content versions for `entities`: renders that showed them are stale."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for entity in set(entities):
                pipe.incr(f"{PREFIX}:ver:{entity}")
            pipe.incr(EPOCH)
            await pipe.execute()

    async def epoch(self) -> int:
        return int(await self.redis.get(EPOCH) or 0)

    async def lookup(self, keys: list[str]) -> dict[str, str]:
        """The fresh cached SVG of each of `keys` that has one (three round trips in all)."""
        if not keys:
            return {}
        manifests = await self.redis.mget([f"{PREFIX}:deps:{key}" for key in keys])
        known = {
            key: sorted(json.loads(raw))
            for key, raw in zip(keys, manifests, strict=True)
            if raw is not None
        }
        if not known:
            return {}
        versions = await self._versions({e for deps in known.values() for e in deps})
        content_keys = {key: self._content_key(key, deps, versions) for key, deps in known.items()}
        found = await self.redis.mget(list(content_keys.values()))
        return {
            key: svg.decode() if isinstance(svg, bytes) else str(svg)
            for key, svg in zip(content_keys, found, strict=True)
            if svg is not None
        }

    async def store(self, renders: dict[str, Rendered], epoch: int) -> bool:
        """Keep `renders` made from data read after `epoch`; False if a bump overlapped them."""
        if not renders:
            return True
        entities = {e for r in renders.values() for e in r.depends_on}
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(EPOCH)
                if int(await pipe.get(EPOCH) or 0) != epoch:
                    return False
                versions = await self._versions(entities, pipe)
                pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                for key, render in renders.items():
                    deps = sorted(render.depends_on)
                    content_key = self._content_key(key, deps, versions)
                    pipe.set(content_key, render.svg, ex=self.ttl)
                    pipe.set(f"{PREFIX}:deps:{key}", json.dumps(deps), ex=self.ttl)
                    for user in (e for e in deps if e.startswith("user:")):
                        # What the account's erasure deletes (stale versions included).
                        index = f"{PREFIX}:of:{user}"
                        pipe.hset(index, content_key, key)
                        pipe.expire(index, self.ttl)
                await pipe.execute()
            except WatchError:
                return False
        return True

    async def renders_of(self, user_id: str) -> list[str]:
        """The keys of the drawings cached of a user (charts of their progress and paths)."""
        found = await self.redis.hgetall(f"{PREFIX}:of:user:{user_id}")
        return sorted({decoded(key) for key in found.values()})

    async def erase_user(self, user_id: str) -> int:
        """Deletes every drawing cached of the user, stale ones too; how many."""
        index = f"{PREFIX}:of:user:{user_id}"
        found = {decoded(c): decoded(k) for c, k in (await self.redis.hgetall(index)).items()}
        async with self.redis.pipeline(transaction=True) as pipe:
            for content_key, key in found.items():
                pipe.delete(content_key, f"{PREFIX}:deps:{key}")
            pipe.delete(index, f"{PREFIX}:ver:user:{user_id}")
            pipe.incr(EPOCH)  # a render of theirs in flight is not stored
            await pipe.execute()
        return len(found)

    async def _versions(self, entities: set[str], client: Redis | None = None) -> dict[str, int]:
        ordered = sorted(entities)
        if not ordered:
            return {}
        raw = await (client or self.redis).mget([f"{PREFIX}:ver:{e}" for e in ordered])
        return {e: int(v or 0) for e, v in zip(ordered, raw, strict=True)}

    @staticmethod
    def _content_key(key: str, deps: list[str], versions: dict[str, int]) -> str:
        stamp = ",".join(f"{e}={versions.get(e, 0)}" for e in deps)
        digest = hashlib.sha256(f"{key}|{stamp}".encode()).hexdigest()[:32]
        return f"{PREFIX}:svg:{digest}"


def decoded(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
