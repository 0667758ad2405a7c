"""Per-kind preferences on top of the per-channel ones, in this process on real Redis:
which deliveries a notification makes, and what the service stores and refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput
from subgraphs.notifications.domain import Notification, PushSubscription, Recipient

PUSH = PushSubscription("https://push.example/1", "p256dh", "auth")
ALL_ON = Recipient(
    "u-kinds",
    email="kinds@example.com",
    sms_notifications=True,
    phone_number="+4915112345678",
    phone_verified=True,
    push_subscriptions=(PUSH,),
)


def note(kind: str) -> Notification:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return Notification(f"n-{kind}", "u-kinds", kind, f"A {kind}", "Body.", None, at)


async def test_a_kind_off_on_a_channel_stops_only_that_pair(make_harness: Any) -> None:
    h = await make_harness(sms_webhook_url="http://127.0.0.1:9/sms")
    notifier, service = h.deps.notifier, h.deps.service
    off = {("ANNOUNCEMENT", "EMAIL"), ("ANNOUNCEMENT", "PUSH")}
    await h.deps.directory.set_kind_preferences("u-kinds", on=[], off=sorted(off))
    stopped = await h.deps.directory.stopped("u-kinds")
    assert stopped == off
    recipient = replace(ALL_ON, stopped=stopped)

    def channels(kind: str, who: Recipient = recipient) -> list[str]:
        return [d.channel for d in notifier.deliveries(note(kind), who)]

    assert channels("ANNOUNCEMENT") == ["SMS"]
    assert channels("CERTIFICATE") == ["EMAIL", "SMS", "PUSH"]
    # The per-channel switch still wins over a kind that is on.
    assert channels("CERTIFICATE", replace(recipient, email_notifications=False)) == [
        "SMS",
        "PUSH",
    ]
    # An unverified number gets no notification, whatever the switches say.
    assert channels("CERTIFICATE", replace(recipient, phone_verified=False)) == ["EMAIL", "PUSH"]
    [email] = [
        d for d in notifier.deliveries(note("CERTIFICATE"), recipient) if d.channel == "EMAIL"
    ]
    assert email.unsubscribe and email.unsubscribe in email.text
    [token] = parse_qs(urlsplit(email.unsubscribe).query)["token"]
    assert service.unsubscribe_kind(token) == "CERTIFICATE"


async def test_the_service_stores_kind_switches_and_refuses_what_cannot_be_set(
    make_harness: Any,
) -> None:
    h = await make_harness()
    service, me = h.deps.service, Viewer("u-kinds")
    changed = await service.update_kind_preferences(
        me, [("CONTENT", {"EMAIL": False, "SMS": None, "PUSH": False})]
    )
    content = next(p for p in changed if p.kind == "CONTENT")
    assert (content.email, content.sms, content.push) == (False, True, False)
    assert [p.kind for p in changed] == [
        "PROGRESS",
        "ACHIEVEMENT",
        "CERTIFICATE",
        "CONTENT",
        "ANNOUNCEMENT",
    ]
    recipients = await h.deps.directory.recipients(["u-kinds"])
    assert recipients["u-kinds"].stopped == {("CONTENT", "EMAIL"), ("CONTENT", "PUSH")}
    await service.update_kind_preferences(me, [("CONTENT", {"EMAIL": True})])
    assert await h.deps.directory.stopped("u-kinds") == {("CONTENT", "PUSH")}
    for bad in ([("SECURITY", {"EMAIL": False})], [("CONTENT", {}), ("CONTENT", {})]):
        with pytest.raises(BadUserInput) as refused:
            await service.update_kind_preferences(me, bad)
        assert refused.value.extensions["field"] == "kind"

    # Erased with the profile; an unsubscribe arriving after the erasure writes nothing.
    await h.deps.directory.erase_user("u-kinds")
    assert await h.deps.directory.stopped("u-kinds") == frozenset()
    await h.deps.directory.set_kind_preferences("u-kinds", on=[], off=[("CONTENT", "EMAIL")])
    assert await h.deps.directory.stopped("u-kinds") == frozenset()
