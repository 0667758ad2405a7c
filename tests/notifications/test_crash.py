"""At-least-once, exactly-once-visible: SIGKILL the notifications process in the middle of a
burst of events, restart it, and count every inbox entry (real Redis, real processes)."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from subgraphs.common.events import EventBus
from subgraphs.common.events.contracts import AchievementUnlocked
from tests.conftest import register
from tests.support.client import Client
from tests.support.stack import Stack

USERS = 5
EVENTS = 500
UPDATE_PREFERENCES = "mutation { updatePreferences(input: {emailNotifications: false}) { locale } }"
COUNTS = "{ me { unreadNotificationCount notifications(first: 1) { totalCount } } }"


async def inbox_sizes(redis: Redis, user_ids: list[str]) -> list[int]:
    """Inbox entries per user, read straight from Redis."""
    async with redis.pipeline(transaction=False) as pipe:
        for user_id in user_ids:
            pipe.zcard(f"notif:inbox:{user_id}")
        return [int(size) for size in await pipe.execute()]


async def achievements_in_inboxes(redis: Redis, user_ids: list[str]) -> int:
    """Inbox entries other than each user's welcome."""
    return sum(size - 1 for size in await inbox_sizes(redis, user_ids))


async def test_a_crash_mid_burst_loses_and_duplicates_no_notification(
    notifications_stack: Stack, gateway: Client, stack_redis: Redis, event_bus: EventBus
) -> None:
    accounts = [await register(gateway, f"Burst {n}") for n in range(USERS)]
    user_ids = [a["user"]["id"] for a in accounts]
    for account in accounts:  # keep 500 emails out of this test: in-app only
        await gateway.as_user(account["accessToken"]).data(UPDATE_PREFERENCES)
    deadline = time.monotonic() + 30
    while min(await inbox_sizes(stack_redis, user_ids)) < 1:  # every welcome is in
        assert time.monotonic() < deadline, "welcome notifications never arrived"
        await asyncio.sleep(0.1)

    process = notifications_stack.subgraphs["notifications"]
    for n in range(EVENTS):
        await event_bus.publish(
            AchievementUnlocked.model_validate(
                {
                    "userId": user_ids[n % USERS],
                    "achievementId": f"burst-{n}",
                    "code": f"B{n}",
                    "title": f"Burst {n}",
                    "description": "A crash test badge",
                },
            )
        )
    at_kill = 0
    while at_kill < 50:  # let the consumer get going, then crash it mid-burst
        at_kill = await achievements_in_inboxes(stack_redis, user_ids)
        await asyncio.sleep(0.01)
    process.kill()
    at_kill = await achievements_in_inboxes(stack_redis, user_ids)
    print(f"\nburst: {EVENTS} events published; {at_kill} in inboxes when SIGKILLed")
    assert at_kill < EVENTS, "the burst was over before the kill: nothing was tested"

    started = time.monotonic()
    process.start()
    count = at_kill
    while count < EVENTS and time.monotonic() - started < 90:
        await asyncio.sleep(0.1)
        count = await achievements_in_inboxes(stack_redis, user_ids)
    after_restart = time.monotonic() - started
    await asyncio.sleep(1.0)  # anything still pending or reclaimed would show up now
    final = await achievements_in_inboxes(stack_redis, user_ids)
    print(f"burst: {count} in inboxes {after_restart:.1f}s after restart; {final} a second later")
    assert final == EVENTS

    per_user = []
    for account in accounts:
        me = (await gateway.as_user(account["accessToken"]).data(COUNTS))["me"]
        per_user.append(me["notifications"]["totalCount"])
        assert me["unreadNotificationCount"] == me["notifications"]["totalCount"]
    print(f"burst: totalCount per user through the gateway (100 badges + welcome): {per_user}")
    assert per_user == [EVENTS // USERS + 1] * USERS
