"""Local projections kept from other subgraphs' events, in Redis.

- the user directory (`notif:user:{id}` hashes, `notif:users` ordered by first sight):
  email, display name and channel preferences, for delivery and announcements, and the
  per-kind preferences set here (an `off:{KIND}:{CHANNEL}` field per kind stopped on a
  channel: one HSET or HDEL each, no read-modify-write);
- the channel addresses users registered here (push subscriptions, SMS number);
- skill names (`notif:skills`) and the learners of each skill (`notif:learners:{skill}`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from ..common.events.contracts import UserEvent
from .domain import KindChannel, PushSubscription, Recipient, SmsNumber
from .sms_numbers import sms_code_key
from .store import erased_key, score_of, text_of

USERS_KEY = "notif:users"
SKILLS_KEY = "notif:skills"


def _flag(on: bool) -> str:
    return "1" if on else "0"


def _user_key(user_id: str) -> str:
    return f"notif:user:{user_id}"


def _push_key(user_id: str) -> str:
    return f"notif:push:{user_id}"


def _off_field(kind: str, channel: str) -> str:
    return f"off:{kind}:{channel}"


def _learners_key(skill_id: str) -> str:
    return f"notif:learners:{skill_id}"


ERASED_TTL_SECONDS = 30 * 24 * 3600  # longer than any event of the account can arrive late


class UserDirectory:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    # ------------------------------------------------------------ users
    async def record_user(self, user: UserEvent, seen_at: datetime) -> None:
        """Keeps the newest account details of a users event (older events lose)."""
        user_id = user.user_id
        key, version = _user_key(user_id), score_of(seen_at)
        preferences = user.preferences
        values: dict[Any, str] = {
            "email": user.email,
            "displayName": user.display_name,
            "locale": preferences.locale or "en",
            "version": str(version),
            "emailNotifications": _flag(preferences.email_notifications),
            "smsNotifications": _flag(preferences.sms_notifications),
            "pushNotifications": _flag(preferences.push_notifications),
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    known = await pipe.hget(key, "version")
                    if known is not None and int(known) > version:
                        return
                    if await pipe.exists(erased_key(user_id)):
                        return  # an event older than the account's deletion, arriving late
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    pipe.hset(key, mapping=values)
                    pipe.zadd(USERS_KEY, {user_id: version}, nx=True)
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    async def recipients(self, user_ids: Sequence[str]) -> dict[str, Recipient]:
        """Who each user is and how they want to be reached (users never seen: defaults)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.hgetall(_user_key(user_id))
                pipe.hgetall(_push_key(user_id))
            rows = await pipe.execute()
        found = {}
        for i, user_id in enumerate(user_ids):
            found[user_id] = _recipient(user_id, rows[2 * i], rows[2 * i + 1])
        return found

    async def user_count(self) -> int:
        return int(await self.redis.zcard(USERS_KEY))

    async def user_ids(self, offset: int, count: int) -> list[str]:
        """Users in the order they were first seen (a stable order for batched fan-outs)."""
        ids = await self.redis.zrange(USERS_KEY, offset, offset + count - 1)
        return [text_of(i) for i in ids]

    async def set_kind_preferences(
        self, user_id: str, on: Sequence[KindChannel], off: Sequence[KindChannel]
    ) -> None:
        """Turns (kind, channel) pairs on and off; nothing for a deleted account."""
        key = _user_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(erased_key(user_id))
                    if await pipe.exists(erased_key(user_id)):
                        return
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    if on:
                        pipe.hdel(key, *(_off_field(k, c) for k, c in on))
                    if off:
                        pipe.hset(key, mapping={_off_field(k, c): "1" for k, c in off})
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    async def stopped(self, user_id: str) -> frozenset[KindChannel]:
        """The (kind, channel) pairs the user stopped."""
        return _stopped({text_of(f): "" for f in await self.redis.hkeys(_user_key(user_id))})

    # ------------------------------------------------------------ channel addresses
    async def add_push_subscription(self, user_id: str, subscription: PushSubscription) -> None:
        keys = {"p256dh": subscription.p256dh, "auth": subscription.auth}
        await self.redis.hset(_push_key(user_id), subscription.endpoint, json.dumps(keys))

    async def push_subscription_count(self, user_id: str, but: str = "") -> int:
        """How many push endpoints the user has, not counting `but`."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hlen(_push_key(user_id))
            pipe.hexists(_push_key(user_id), but)
            count, has_but = await pipe.execute()
        return int(count) - (1 if has_but else 0)

    async def remove_push_subscription(self, user_id: str, endpoint: str) -> bool:
        return bool(await self.redis.hdel(_push_key(user_id), endpoint))

    async def set_phone_number(self, user_id: str, phone_number: str) -> None:
        """Registers the number; a number other than the one registered is unverified."""
        key = _user_key(user_id)
        if text_of(await self.redis.hget(key, "phone") or b"") == phone_number:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "phone", phone_number)
            pipe.hdel(key, "phoneVerified")
            await pipe.execute()

    async def sms_number(self, user_id: str) -> SmsNumber | None:
        number, verified = await self.redis.hmget(_user_key(user_id), ["phone", "phoneVerified"])
        if not number:
            return None
        return SmsNumber(text_of(number), verified == b"1")

    async def mark_phone_verified(self, user_id: str, phone_number: str) -> bool:
        """Marks the number verified if it is still the user's; False if it changed."""
        key = _user_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    if text_of(await pipe.hget(key, "phone") or b"") != phone_number:
                        return False
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    pipe.hset(key, "phoneVerified", "1")
                    await pipe.execute()
                    return True
                except WatchError:
                    continue

    # ------------------------------------------------------------ one user's data, whole
    async def personal_data(self, user_id: str) -> dict[str, Any]:
        """The account as this directory knows it, its channel addresses (push endpoints,
        without their keys) and the skills it is a learner of (the data export)."""
        row = await self.redis.hgetall(_user_key(user_id))
        profile = {text_of(k): text_of(v) for k, v in row.items()}
        phone = profile.pop("phone", None)
        verified = profile.pop("phoneVerified", None) == "1"
        profile.pop("version", None)
        endpoints = sorted(text_of(e) for e in await self.redis.hkeys(_push_key(user_id)))
        return {
            "profile": profile,
            "sms_number": {"number": phone, "verified": verified} if phone else None,
            "push_subscriptions": [{"endpoint": e} for e in endpoints],
            "followed_skills": await self._skills_of(user_id),
        }

    async def erase_user(self, user_id: str) -> dict[str, int]:
        """Forgets the account, its addresses and its skills; later events of it are ignored."""
        skills = await self._skills_of(user_id)
        had_phone = await self.redis.hexists(_user_key(user_id), "phone")
        pushes = await self.redis.hlen(_push_key(user_id))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(erased_key(user_id), "1", ex=ERASED_TTL_SECONDS)
            pipe.delete(_user_key(user_id))
            pipe.zrem(USERS_KEY, user_id)
            pipe.delete(_push_key(user_id), sms_code_key(user_id))
            for skill_id in skills:
                pipe.srem(_learners_key(skill_id), user_id)
            results = await pipe.execute()
        return {
            "profile": int(results[1]),
            "sms_number": int(bool(had_phone)),
            "push_subscriptions": int(pushes),
            "followed_skills": len(skills),
        }

    async def _skills_of(self, user_id: str) -> list[str]:
        found = []
        async for key in self.redis.scan_iter(match=_learners_key("*"), count=500):
            if await self.redis.sismember(key, user_id):
                found.append(text_of(key).removeprefix(_learners_key("")))
        return sorted(found)

    # ------------------------------------------------------------ skills and learners
    async def record_skill(self, skill_id: str, name: str, slug: str) -> None:
        await self.redis.hset(SKILLS_KEY, skill_id, json.dumps({"name": name, "slug": slug}))

    async def skill(self, skill_id: str) -> dict[str, str] | None:
        raw = await self.redis.hget(SKILLS_KEY, skill_id)
        return json.loads(raw) if raw else None

    async def add_learner(self, skill_id: str, user_id: str) -> None:
        await self.redis.sadd(_learners_key(skill_id), user_id)

    async def learners(self, skill_ids: Sequence[str]) -> list[str]:
        """Every user who has progress on any of the skills, each once."""
        if not skill_ids:
            return []
        members = await self.redis.sunion([_learners_key(s) for s in skill_ids])
        return sorted(text_of(m) for m in members)


def _recipient(user_id: str, row: dict[bytes, bytes], push: dict[bytes, bytes]) -> Recipient:
    values = {k.decode(): v.decode() for k, v in row.items()}
    subscriptions = tuple(
        PushSubscription(endpoint=endpoint.decode(), **json.loads(keys))
        for endpoint, keys in sorted(push.items())
    )
    return Recipient(
        user_id=user_id,
        email=values.get("email", ""),
        display_name=values.get("displayName", ""),
        locale=values.get("locale", "en"),
        email_notifications=values.get("emailNotifications", "1") == "1",
        sms_notifications=values.get("smsNotifications", "0") == "1",
        push_notifications=values.get("pushNotifications", "1") == "1",
        phone_number=values.get("phone", ""),
        phone_verified=values.get("phoneVerified") == "1",
        push_subscriptions=subscriptions,
        stopped=_stopped(values),
    )


def _stopped(fields: dict[str, str]) -> frozenset[KindChannel]:
    pairs = (name.split(":")[1:] for name in fields if name.startswith("off:"))
    return frozenset((pair[0], pair[1]) for pair in pairs if len(pair) == 2)
