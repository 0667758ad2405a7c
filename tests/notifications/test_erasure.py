"""A deleted account's part in notifications (docs/privacy.md), on real Redis in process:
the erasure removes everything of the user and nothing of anyone else, reports once per
request, and events of the account that arrive after it write nothing."""

from __future__ import annotations

import json
from typing import Any

from subgraphs.common.events import STREAM, Event
from subgraphs.notifications.domain import PushSubscription
from tests.notifications.test_inbox import achievement, handle, page, registered


def deletion_requested(user_id: str, *subgraphs: str) -> Event:
    payload = {"deletionId": "d1", "userId": user_id, "subgraphs": list(subgraphs)}
    return Event(type="account.deletion_requested", producer="users", payload=payload)


async def reports(harness: Any) -> list[dict[str, Any]]:
    entries = await harness.platform.redis.xrange(STREAM)
    events = [json.loads(fields[b"event"]) for _, fields in entries]
    return [e["payload"] for e in events if e["type"] == "account.data_erased"]


async def test_erasure_removes_the_user_s_data_only_and_reports(make_harness: Any) -> None:
    h = await make_harness()
    for user in ("leaving", "staying"):
        await handle(h, registered(user))
        await handle(h, achievement(user, 1 if user == "leaving" else 2))
        await h.deps.directory.set_phone_number(user, "+4915112345678")
        endpoint = f"https://push.example/{user}"
        await h.deps.directory.add_push_subscription(
            user, PushSubscription(endpoint=endpoint, p256dh="key", auth="secret")
        )
    exported = await h.deps.personal_data.export("leaving")
    assert exported["push_subscriptions"] == [{"endpoint": "https://push.example/leaving"}]
    assert exported["sms_number"] == {"number": "+4915112345678", "verified": False}
    assert exported["inbox"]

    await handle(h, deletion_requested("leaving", "learning"))  # not asked: nothing happens
    assert (await page(h, "leaving")).total_count > 0 and await reports(h) == []

    await handle(h, deletion_requested("leaving", "notifications"))
    [report] = await reports(h)
    assert report["subgraph"] == "notifications" and report["deletionId"] == "d1"
    assert report["erased"]["push_subscriptions"] == 1 and report["erased"]["inbox"] >= 1
    after = await h.deps.personal_data.export("leaving")
    assert after["inbox"] == [] and after["push_subscriptions"] == []
    assert after["profile"] == {} and after["sms_number"] is None
    assert (await page(h, "staying")).total_count > 0
    kept = await h.deps.personal_data.export("staying")
    assert kept["sms_number"] and kept["push_subscriptions"] and kept["profile"]

    # Late events of the deleted account: no profile, no inbox entry.
    await handle(h, registered("leaving"))
    await handle(h, achievement("leaving", 3))
    late = await h.deps.personal_data.export("leaving")
    assert late["profile"] == {} and late["inbox"] == []

    # A repeated request erases nothing new and reports again (users ignores the repeat).
    await handle(h, deletion_requested("leaving", "notifications"))
    assert len(await reports(h)) == 2
