"""Inboxes on real Redis: idempotent writes, newest-first pages, read marks, retention,
announcements and content fan-out (the notifications wiring in process, no HTTP)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput, NotFound
from subgraphs.common.events import Event
from subgraphs.common.events.contracts import AnnouncementSent
from subgraphs.common.events.handlers import received
from subgraphs.common.pagination import encode_cursor
from subgraphs.common.sealed import seal
from subgraphs.common.settings import DEV_MAIL_LINK_KEY
from subgraphs.notifications.store import Page

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def event(type: str, payload: dict[str, Any], at: datetime = T0) -> Event:
    return Event(type=type, producer="test", payload=payload, time=at)


def achievement(user_id: str, n: int, at: datetime = T0) -> Event:
    return event(
        "achievement.unlocked",
        {
            "userId": user_id,
            "achievementId": f"a{n}",
            "code": f"CODE_{n}",
            "title": f"Badge {n}",
            "description": f"Earned badge {n}",
        },
        at,
    )


def registered(user_id: str, email: str = "", **preferences: Any) -> Event:
    return event(
        "user.registered",
        {
            "userId": user_id,
            "email": email or f"{user_id}@example.com",
            "displayName": "Ada",
            "emailVerified": False,
            "roles": ["LEARNER"],
            "preferences": {
                "locale": "en",
                "timezone": "UTC",
                "emailNotifications": True,
                "smsNotifications": False,
                "pushNotifications": True,
                **preferences,
            },
            "sealedLink": seal(
                DEV_MAIL_LINK_KEY, "https://skillcircle.test/verify-email?token=t0k3n"
            ),
        },
    )


async def handle(harness: Any, e: Event) -> None:
    registered = harness.deps.events.handlers().get(e.type)
    assert registered is not None, f"notifications does not handle {e.type}"
    contract, handler = registered
    await handler(received(e, contract))


async def page(
    harness: Any, user_id: str, first: int = 20, after: str | None = None, unread_only: bool = False
) -> Page:
    request = harness.deps.service.page_request(user_id, first, after, unread_only)
    return (await harness.deps.store.pages([request]))[0]


def cursor_after(p: Page) -> str:
    return encode_cursor(list(p.cursors[-1]))


async def test_a_redelivered_event_writes_its_notification_once(make_harness: Any) -> None:
    h = await make_harness()
    e = achievement("u1", 1)
    for _ in range(3):
        await handle(h, e)
    await handle(h, achievement("u1", 2))
    inbox = await page(h, "u1")
    assert inbox.total_count == 2
    assert {n.title for n in inbox.notifications} == {
        "Achievement unlocked: Badge 1",
        "Achievement unlocked: Badge 2",
    }
    assert (await h.deps.store.unread_counts(["u1"]))["u1"] == 2
    assert inbox.notifications[0].created_at == T0  # the event's time, not the handling time


async def test_pages_are_newest_first_with_no_gaps_while_new_ones_arrive(
    make_harness: Any,
) -> None:
    h = await make_harness()
    for n in range(25):
        await handle(h, achievement("u1", n, T0 + timedelta(seconds=n)))
    expected = [f"Earned badge {n}" for n in reversed(range(25))]

    seen: list[str] = []
    after = None
    for round_ in range(10):
        p = await page(h, "u1", first=7, after=after)
        seen += [n.body for n in p.notifications]
        # Newer notifications arriving between pages must not shift the ones still to come.
        await handle(h, achievement("u1", 100 + round_, T0 + timedelta(hours=1, seconds=round_)))
        if not p.has_next_page:
            break
        after = cursor_after(p)
    assert seen == expected
    assert (await page(h, "u1")).total_count == 25 + round_ + 1


async def test_unread_only_read_marks_and_ownership(make_harness: Any) -> None:
    h = await make_harness()
    for n in range(4):
        await handle(h, achievement("u1", n, T0 + timedelta(seconds=n)))
    await handle(h, achievement("u2", 9))
    me, other = Viewer("u1"), Viewer("u2")
    newest = (await page(h, "u1")).notifications[0]

    read = await h.deps.service.mark_read(me, newest.id)
    assert read.read_at is not None
    assert (await h.deps.service.mark_read(me, newest.id)).read_at == read.read_at  # idempotent
    with pytest.raises(NotFound):
        await h.deps.service.mark_read(other, newest.id)  # someone else's: as if it did not exist
    with pytest.raises(NotFound):
        await h.deps.service.mark_read(me, str(uuid.uuid4()))

    unread = await page(h, "u1", unread_only=True)
    assert unread.total_count == 3 and newest.id not in {n.id for n in unread.notifications}
    assert (await h.deps.store.unread_counts(["u1", "u2"])) == {"u1": 3, "u2": 1}
    assert await h.deps.service.mark_all_read(me) == 3
    assert await h.deps.service.mark_all_read(me) == 0
    assert all(n.read_at for n in (await page(h, "u1")).notifications)
    assert (await h.deps.store.unread_counts(["u1", "u2"])) == {"u1": 0, "u2": 1}


async def test_a_cursor_of_an_entry_read_since_still_continues_below_it(
    make_harness: Any,
) -> None:
    h = await make_harness()
    for n in range(6):
        await handle(h, achievement("u1", n, T0 + timedelta(seconds=n)))
    first = await page(h, "u1", first=3, unread_only=True)
    await h.deps.service.mark_read(Viewer("u1"), first.notifications[-1].id)
    rest = await page(h, "u1", first=3, after=cursor_after(first), unread_only=True)
    assert [n.body for n in rest.notifications] == [
        "Earned badge 2",
        "Earned badge 1",
        "Earned badge 0",
    ]


async def test_bad_page_arguments_are_bad_user_input(make_harness: Any) -> None:
    h = await make_harness()
    with pytest.raises(BadUserInput) as error:
        h.deps.service.page_request("u1", 10, "not-a-cursor", False)
    assert error.value.extensions["field"] == "after"
    with pytest.raises(BadUserInput):
        h.deps.service.page_request("u1", 10, encode_cursor({"x": 1}), False)
    with pytest.raises(BadUserInput):
        h.deps.service.page_request("u1", -1, None, False)
    assert h.deps.service.page_request("u1", 500, None, False).first == 100


async def test_retention_keeps_the_newest_notifications(make_harness: Any) -> None:
    h = await make_harness(inbox_retention=5)
    for n in range(8):
        await handle(h, achievement("u1", n, T0 + timedelta(seconds=n)))
    inbox = await page(h, "u1")
    assert inbox.total_count == 5
    assert [n.body for n in inbox.notifications] == [f"Earned badge {n}" for n in (7, 6, 5, 4, 3)]
    assert (await h.deps.store.unread_counts(["u1"]))["u1"] == 5
    assert await h.platform.redis.exists("notif:n:" + inbox.notifications[0].id)


async def test_registration_welcomes_and_fills_the_directory(make_harness: Any) -> None:
    h = await make_harness()
    await handle(h, registered("u1", "ada@example.com", emailNotifications=False))
    inbox = await page(h, "u1")
    assert [n.kind for n in inbox.notifications] == ["WELCOME"]
    assert "Ada" in inbox.notifications[0].title
    recipient = (await h.deps.directory.recipients(["u1"]))["u1"]
    assert recipient.email == "ada@example.com" and recipient.email_notifications is False

    # An older event arriving late does not overwrite newer preferences.
    stale = registered("u1", "old@example.com", emailNotifications=True)
    stale = Event(
        type="user.preferences_updated",
        producer="users",
        payload=stale.payload,
        time=T0 - timedelta(days=1),
    )
    await handle(h, stale)
    assert (await h.deps.directory.recipients(["u1"]))["u1"].email == "ada@example.com"


async def test_an_announcement_reaches_every_known_user_in_batches(make_harness: Any) -> None:
    h = await make_harness(announcement_batch_size=3)
    users = [f"user-{n}" for n in range(7)]
    for user_id in users:
        await handle(h, event("user.preferences_updated", registered(user_id).payload))
    admin = Viewer("admin", frozenset({"LEARNER", "ADMIN"}))
    reach = await h.deps.service.send_announcement(admin, " Maintenance ", "Back at 10:00.", None)
    assert reach == 7

    # The request only queued it: the fan-out is the handling of the queued event.
    _, fields = (await h.platform.redis.xrevrange("skillcircle:events", count=1))[0]
    queued = Event.from_json(fields[b"event"])
    assert queued.type == AnnouncementSent.NAME
    assert [(await page(h, u)).total_count for u in users] == [0] * 7
    await handle(h, queued)
    await handle(h, queued)  # redelivered: still one each
    for user_id in users:
        inbox = await page(h, user_id)
        assert inbox.total_count == 1
        assert (inbox.notifications[0].kind, inbox.notifications[0].title) == (
            "ANNOUNCEMENT",
            "Maintenance",
        )
    with pytest.raises(BadUserInput):
        await h.deps.service.send_announcement(admin, "  ", "body", None)
    with pytest.raises(BadUserInput):
        await h.deps.service.send_announcement(admin, "t", "body", "javascript:alert(1)")


async def test_published_content_reaches_the_learners_of_its_skills(make_harness: Any) -> None:
    h = await make_harness()
    for user_id, skill_id in [("ann", "s1"), ("bob", "s2"), ("cat", "s3"), ("ann", "s2")]:
        await handle(
            h,
            event(
                "progress.updated",
                {
                    "progressId": "p",
                    "userId": user_id,
                    "skillId": skill_id,
                    "percent": 10.0,
                    "status": "IN_PROGRESS",
                },
            ),
        )
    await handle(
        h,
        event(
            "content.published",
            {
                "kind": "course",
                "id": "c1",
                "slug": "py-101",
                "title": "Python 101",
                "skillIds": ["s1", "s2"],
            },
        ),
    )
    for user_id, count in [("ann", 1), ("bob", 1), ("cat", 0)]:
        inbox = await page(h, user_id)
        assert inbox.total_count == count, user_id
    note = (await page(h, "ann")).notifications[0]
    assert (note.kind, note.title) == ("CONTENT", "New course: Python 101")
    assert note.link == "https://skillcircle.test/courses/py-101"


async def test_skill_events_name_the_skill_in_progress_notifications(make_harness: Any) -> None:
    h = await make_harness()
    await handle(h, event("skill.created", {"skillId": "s9", "slug": "sql", "name": "SQL"}))
    await handle(h, event("skill.completed", {"userId": "u1", "skillId": "s9"}))
    note = (await page(h, "u1")).notifications[0]
    assert (note.kind, note.title, note.link) == (
        "PROGRESS",
        "You completed SQL",
        "https://skillcircle.test/skills/sql",
    )


async def test_a_completed_course_is_told_like_a_completed_skill(make_harness: Any) -> None:
    """In the inbox, and by email when the learner wants emails (kind PROGRESS, as skills)."""
    h = await make_harness()
    await handle(h, registered("u1", "ada@example.com", emailNotifications=True))
    payload = {"userId": "u1", "courseId": "c1", "slug": "py-101", "title": "Python 101"}
    await handle(h, event("course.completed", {**payload, "lessons": 12}))
    [note] = [n for n in (await page(h, "u1")).notifications if n.kind != "WELCOME"]
    assert (note.kind, note.title, note.link) == (
        "PROGRESS",
        "You completed Python 101",
        "https://skillcircle.test/courses/py-101",
    )
    assert "all 12 lessons" in note.body
    recipient = (await h.deps.directory.recipients(["u1"]))["u1"]
    emails = [d for d in h.deps.notifier.deliveries(note, recipient) if d.channel == "EMAIL"]
    assert [d.address for d in emails] == ["ada@example.com"]
    assert "Python 101" in emails[0].subject
