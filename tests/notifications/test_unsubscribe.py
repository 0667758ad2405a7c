"""Per-kind preferences and one-click unsubscribe links (RFC 8058), through the stack:
emails captured by the SMTP test server, links followed over HTTP, preferences through
the gateway. The in-app inbox gets every kind whatever the preferences say."""

from __future__ import annotations

import asyncio
import re
from email.message import Message
from typing import Any

import httpx

from subgraphs.common.events import EventBus
from subgraphs.common.events.contracts import AchievementUnlocked, CertificateIssued
from subgraphs.common.sealed import seal
from subgraphs.common.settings import Settings
from tests.conftest import register
from tests.support.client import Client
from tests.support.mail import SmtpServer, bodies, unsubscribe_url
from tests.support.stack import Stack

from .test_gateway import inbox_of_size

PREFERENCES = "{ me { notificationKindPreferences { kind email sms push } } }"
USER_PREFERENCES = "query($id: ID!) { user(id: $id) { notificationKindPreferences { kind } } }"
UPDATE = """mutation($p: [NotificationKindPreferenceInput!]!) {
  updateNotificationKindPreferences(preferences: $p) { kind email sms push } }"""
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


async def achievement(bus: EventBus, user_id: str, code: str) -> None:
    await bus.publish(
        AchievementUnlocked.model_validate(
            {
                "userId": user_id,
                "achievementId": code,
                "code": code,
                "title": f"Badge {code}",
                "description": "For the unsubscribe test.",
            }
        )
    )


async def certificate(bus: EventBus, user_id: str, code: str) -> None:
    await bus.publish(
        CertificateIssued.model_validate(
            {
                "userId": user_id,
                "skillId": f"skill-{code}",
                "certificateId": f"cert-{code}",
                "verificationCode": code,
            }
        )
    )


def with_subject(messages: list[Message], prefix: str) -> list[Message]:
    return [m for m in messages if str(m["Subject"]).startswith(prefix)]


def unsubscribe_link(message: Message) -> str:
    header = "".join(str(message["List-Unsubscribe"]).split())  # unfolded
    match = re.fullmatch(r"<(https?://[^>]+)>", header)
    assert match, header
    return match.group(1)


async def test_an_email_link_stops_that_kind_of_email_for_that_user_and_nothing_else(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client, event_bus: EventBus
) -> None:
    ann, bob = await register(gateway, "Ann Unsub"), await register(gateway, "Bob Stays")
    as_ann = gateway.as_user(ann["accessToken"])
    await inbox_of_size(as_ann, 1)  # both known to notifications' directory
    await inbox_of_size(gateway.as_user(bob["accessToken"]), 1)
    ann_id, bob_id = ann["user"]["id"], bob["user"]["id"]
    await achievement(event_bus, ann_id, "A1")
    await achievement(event_bus, bob_id, "B1")
    [verification, first] = await smtp.mailbox.wait_for(ann["email"], count=2, timeout=30)

    assert verification["List-Unsubscribe"] is None  # account emails cannot be stopped
    assert str(first["Subject"]).startswith("Achievement unlocked")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_link(first)
    assert link.startswith(unsubscribe_url(notifications_stack) + "?token=")
    text, html = bodies(first)["text/plain"], bodies(first)["text/html"]
    assert link in text and f'href="{link.replace("&", "&amp;")}"' in html
    bob_link = unsubscribe_link((await smtp.mailbox.wait_for(bob["email"], count=2))[1])
    assert bob_link != link

    async with httpx.AsyncClient(timeout=10) as http:
        shown = await http.get(link)  # a link scanner's GET stops nothing
        assert shown.status_code == 200 and "Stop achievement emails?" in shown.text
        assert shown.headers["cache-control"] == "no-store"
        assert (await as_ann.data(PREFERENCES))["me"]["notificationKindPreferences"][1] == {
            "kind": "ACHIEVEMENT",
            "email": True,
            "sms": True,
            "push": True,
        }
        done = await http.post(link, data=ONE_CLICK)
        assert done.status_code == 200 and "Unsubscribed" in done.text
        assert (await http.post(link, data=ONE_CLICK)).status_code == 200  # idempotent

    preferences = (await as_ann.data(PREFERENCES))["me"]["notificationKindPreferences"]
    assert {p["kind"]: p["email"] for p in preferences} == {
        "PROGRESS": True,
        "ACHIEVEMENT": False,
        "CERTIFICATE": True,
        "CONTENT": True,
        "ANNOUNCEMENT": True,
    }
    assert all(p["sms"] and p["push"] for p in preferences)

    await achievement(event_bus, ann_id, "A2")
    await achievement(event_bus, bob_id, "B2")
    await certificate(event_bus, ann_id, "C-UNSUB-1")  # published after the achievement
    me = await inbox_of_size(as_ann, 4)  # welcome, A1, A2, the certificate: in-app gets all
    kinds = [e["node"]["kind"] for e in me["notifications"]["edges"]]
    assert sorted(kinds) == ["ACHIEVEMENT", "ACHIEVEMENT", "CERTIFICATE", "WELCOME"]
    mails = await smtp.mailbox.wait_for(ann["email"], count=3, timeout=30)
    assert with_subject(mails, "Your certificate for"), "another kind still arrives by email"
    await smtp.mailbox.wait_for(bob["email"], count=3)  # Bob's achievements still arrive
    await asyncio.sleep(1)  # anything Ann's second achievement queued would have gone by now
    assert len(with_subject(smtp.mailbox.to(ann["email"]), "Achievement unlocked")) == 1


async def test_a_tampered_or_foreign_link_is_refused_with_a_clear_400(
    notifications_stack: Stack, gateway: Client
) -> None:
    url = unsubscribe_url(notifications_stack)
    mail_link_key = Settings().mail_link_key  # the stack's (development) key
    # Sealed under the mail-link key itself, not the unsubscribe purpose key: refused.
    foreign = seal(mail_link_key, '{"user": "someone", "kind": "ANNOUNCEMENT"}')
    async with httpx.AsyncClient(timeout=10) as http:
        for token in ["", "bogus", foreign, foreign[:-4] + "AAAA", "x" * 5000]:
            for method in ("GET", "POST"):
                response = await http.request(method, url, params={"token": token}, data=ONE_CLICK)
                assert response.status_code == 400, (method, token[:20], response.text)
                assert "This unsubscribe link is invalid" in response.text
                assert "Traceback" not in response.text


async def test_per_kind_preferences_through_the_gateway(
    notifications_stack: Stack, gateway: Client, admin_token: str
) -> None:
    ann, bob = await register(gateway, "Ann Prefs"), await register(gateway, "Bob Prefs")
    as_ann, as_bob = gateway.as_user(ann["accessToken"]), gateway.as_user(bob["accessToken"])
    stop = [{"kind": "ANNOUNCEMENT", "email": False, "push": False}]

    assert await gateway.error_codes(UPDATE, {"p": stop}) == ["UNAUTHENTICATED"]
    assert await gateway.error_codes(USER_PREFERENCES, {"id": ann["user"]["id"]}) == [
        "UNAUTHENTICATED"
    ]
    assert await as_bob.error_codes(USER_PREFERENCES, {"id": ann["user"]["id"]}) == ["FORBIDDEN"]
    for bad in (
        [{"kind": "SECURITY", "email": False}],  # account emails cannot be stopped
        [{"kind": "WELCOME", "email": False}],  # in-app only
        [{"kind": "ANNOUNCEMENT", "email": False}, {"kind": "ANNOUNCEMENT", "sms": False}],
    ):
        await refused(as_ann, bad, "kind")
    await refused(as_ann, [{"kind": "HOLIDAYS", "email": False}], "kind")  # no such kind

    changed = (await as_ann.data(UPDATE, {"p": stop}))["updateNotificationKindPreferences"]
    by_kind = {p["kind"]: (p["email"], p["sms"], p["push"]) for p in changed}
    assert by_kind["ANNOUNCEMENT"] == (False, True, False)
    assert all(v == (True, True, True) for k, v in by_kind.items() if k != "ANNOUNCEMENT")
    read = (await as_ann.data(PREFERENCES))["me"]["notificationKindPreferences"]
    assert read == changed
    bobs = (await as_bob.data(PREFERENCES))["me"]["notificationKindPreferences"]
    assert all(p["email"] and p["sms"] and p["push"] for p in bobs)  # Ann's alone
    seen = await gateway.as_user(admin_token).data(USER_PREFERENCES, {"id": ann["user"]["id"]})
    assert len(seen["user"]["notificationKindPreferences"]) == 5

    again = [{"kind": "ANNOUNCEMENT", "email": True}]  # push stays off: null leaves it
    changed = (await as_ann.data(UPDATE, {"p": again}))["updateNotificationKindPreferences"]
    assert [p for p in changed if p["kind"] == "ANNOUNCEMENT"] == [
        {"kind": "ANNOUNCEMENT", "email": True, "sms": True, "push": False}
    ]


async def refused(client: Client, preferences: list[dict[str, Any]], field: str) -> None:
    body = await client.execute(UPDATE, {"p": preferences})
    assert body.get("errors"), body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("field") == field, error
