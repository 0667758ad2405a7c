"""Notifications through the gateway: emails over SMTP, inbox pages and permissions,
live notifications over websockets, announcements."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from subgraphs.common.events import EventBus
from subgraphs.common.events.contracts import AchievementUnlocked, CertificateIssued
from tests.conftest import register
from tests.support.client import Client, subscribe
from tests.support.mail import SmtpServer, bodies
from tests.support.stack import Stack

INBOX = """
query Inbox($first: Int, $after: String, $unreadOnly: Boolean) {
  me {
    id
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      totalCount
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
      edges { cursor node { id kind title body link createdAt readAt } }
    }
  }
}"""
USER_INBOX = (
    "query($id: ID!) { user(id: $id) { notifications { totalCount } unreadNotificationCount } }"
)
MARK = "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }"
MARK_ALL = "mutation { markAllNotificationsRead }"
ANNOUNCE = "mutation($input: AnnouncementInput!) { sendAnnouncement(input: $input) }"
DEAD_LETTERS = "{ deliveryDeadLetters(first: 5) { id channel kind attempts error failedAt } }"
VERIFY = "mutation($t: String!) { verifyEmail(token: $t) }"
CREATE_CATEGORY = "mutation($input: CategoryInput!) { createCategory(input: $input) { id } }"
CREATE_SKILL = "mutation($input: SkillInput!) { createSkill(input: $input) { id } }"
CREATE_ASSESSMENT = """mutation($input: AssessmentInput!) {
  createAssessment(input: $input) { id questions { id } } }"""
LIVE = "subscription { notificationReceived { id kind title body link createdAt readAt } }"


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def inbox(client: Client, **variables: Any) -> dict[str, Any]:
    return (await client.data(INBOX, variables))["me"]


async def inbox_of_size(client: Client, size: int) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        me = await inbox(client, first=100)
        return me if me["notifications"]["totalCount"] >= size else None

    found = await eventually(check)
    assert found, f"inbox never reached {size} notifications"
    return found


async def test_registration_emails_a_verification_link_that_verifies_the_address(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client
) -> None:
    account = await register(gateway, "Mail Reader")
    [message] = await smtp.mailbox.wait_for(account["email"], timeout=30)
    assert message["Subject"] == "Verify your email address"
    text, html = bodies(message)["text/plain"], bodies(message)["text/html"]
    match = re.search(r"https?://\S+/verify-email\?token=\S+", text)
    assert match, text
    link = match.group(0)
    assert f'href="{link}"' in html
    print(f"verification email received over SMTP by {account['email']}: {link[:60]}...")

    token = parse_qs(urlparse(link).query)["token"][0]
    assert (await gateway.data(VERIFY, {"t": token}))["verifyEmail"] is True
    me = await gateway.as_user(account["accessToken"]).data("{ me { emailVerified } }")
    assert me["me"]["emailVerified"] is True


async def test_the_inbox_is_private_and_someone_elses_notification_is_not_found(
    notifications_stack: Stack, gateway: Client, admin_token: str
) -> None:
    ann, bob = await register(gateway, "Ann"), await register(gateway, "Bob")
    as_ann, as_bob = gateway.as_user(ann["accessToken"]), gateway.as_user(bob["accessToken"])
    me = await inbox_of_size(as_ann, 1)
    welcome = me["notifications"]["edges"][0]["node"]
    assert welcome["kind"] == "WELCOME" and "Ann" in welcome["title"] and welcome["readAt"] is None
    assert me["unreadNotificationCount"] == 1

    assert await as_bob.error_codes(MARK, {"id": welcome["id"]}) == ["NOT_FOUND"]
    assert await as_bob.error_codes(USER_INBOX, {"id": ann["user"]["id"]}) == ["FORBIDDEN"]
    assert await gateway.error_codes(MARK_ALL) == ["UNAUTHENTICATED"]
    as_admin = gateway.as_user(admin_token)
    seen_by_admin = await as_admin.data(USER_INBOX, {"id": ann["user"]["id"]})
    assert seen_by_admin["user"] == {
        "notifications": {"totalCount": 1},
        "unreadNotificationCount": 1,
    }

    marked = (await as_ann.data(MARK, {"id": welcome["id"]}))["markNotificationRead"]
    assert marked["id"] == welcome["id"] and marked["readAt"]
    me = await inbox(as_ann, unreadOnly=True)
    assert me["unreadNotificationCount"] == 0 and me["notifications"]["totalCount"] == 0
    assert (await as_ann.data(MARK_ALL))["markAllNotificationsRead"] == 0


async def test_pages_come_newest_first_with_no_gaps(
    notifications_stack: Stack, gateway: Client, event_bus: EventBus
) -> None:
    account = await register(gateway, "Pager")
    client = gateway.as_user(account["accessToken"])
    await inbox_of_size(client, 1)
    for n in range(12):
        await event_bus.publish(
            AchievementUnlocked.model_validate(
                {
                    "userId": account["user"]["id"],
                    "achievementId": f"a{n}",
                    "code": f"C{n}",
                    "title": f"Badge {n}",
                    "description": f"Badge number {n}",
                },
            )
        )
    await inbox_of_size(client, 13)
    assert (await client.data(MARK_ALL))["markAllNotificationsRead"] == 13

    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await inbox(client, first=5, after=after))["notifications"]
        assert page["totalCount"] == 13
        nodes += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    titles = [n["title"] for n in nodes]
    assert titles == [f"Achievement unlocked: Badge {n}" for n in reversed(range(12))] + [
        titles[-1]
    ]
    assert nodes[-1]["kind"] == "WELCOME"
    assert len({n["id"] for n in nodes}) == 13
    created = [n["createdAt"] for n in nodes]
    assert created == sorted(created, reverse=True)
    assert await client.error_codes(INBOX, {"after": "bogus"}) == ["BAD_USER_INPUT"]


async def earn_certificate(
    stack: Stack, gateway: Client, admin_token: str, account: dict[str, Any], bus: EventBus
) -> None:
    """A real certificate when learning runs in the stack, else the event it would emit."""
    if not {"learning", "skills"} <= set(stack.names):
        await bus.publish(
            CertificateIssued.model_validate(
                {
                    "userId": account["user"]["id"],
                    "skillId": "skill-for-live-test",
                    "certificateId": "cert-live-1",
                    "verificationCode": "LIVE-CODE-1",
                },
            )
        )
        return
    as_admin, as_learner = gateway.as_user(admin_token), gateway.as_user(account["accessToken"])
    slug = f"live-{uuid.uuid4().hex[:8]}"
    await as_admin.data(CREATE_CATEGORY, {"input": {"slug": slug, "name": "Live tests"}})
    skill = {
        "slug": slug,
        "name": "Live skill",
        "description": "For the live test.",
        "level": "BEGINNER",
        "categorySlug": slug,
    }
    created_skill = await as_admin.data(CREATE_SKILL, {"input": skill})
    skill_id = created_skill["createSkill"]["id"]
    question = {"prompt": "2 + 2?", "choices": ["3", "4"], "correctIndexes": [1]}
    assessment_input = {
        "skillId": skill_id,
        "title": "Live check",
        "passingScore": 50,
        "questions": [question],
    }

    async def create() -> dict[str, Any] | None:
        body = await as_admin.execute(CREATE_ASSESSMENT, {"input": assessment_input})
        if body.get("errors"):  # learning may not have seen the skill's event yet
            assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
            return None
        return dict(body["data"])

    created = await eventually(create)
    assert created, "learning never accepted an assessment for a catalog skill"
    assessment = created["createAssessment"]
    attempt = await as_learner.data(
        "mutation($a: ID!) { startAssessment(assessmentId: $a) { id } }", {"a": assessment["id"]}
    )
    answers = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [1]}]
    submitted = await as_learner.data(
        "mutation($t: ID!, $a: [AnswerInput!]!) { submitAssessment(attemptId: $t, answers: $a) "
        "{ passed } }",
        {"t": attempt["startAssessment"]["id"], "a": answers},
    )
    assert submitted["submitAssessment"]["passed"] is True


async def test_a_certificate_arrives_live_over_the_gateway_websocket(
    notifications_stack: Stack, gateway: Client, admin_token: str, event_bus: EventBus
) -> None:
    account = await register(gateway, "Live Learner")
    await inbox_of_size(gateway.as_user(account["accessToken"]), 1)
    async with subscribe(notifications_stack.ws_url, LIVE, account["accessToken"]) as sub:
        await asyncio.sleep(0.5)
        await earn_certificate(notifications_stack, gateway, admin_token, account, event_bus)
        while True:  # a real certificate may come with progress notifications first
            note = (await sub.next(20))["data"]["notificationReceived"]
            if note["kind"] == "CERTIFICATE":
                break
    assert note["title"].startswith("Your certificate for") and note["readAt"] is None
    assert "/certificates/" in note["link"]
    me = await inbox(gateway.as_user(account["accessToken"]), first=10)
    assert note["id"] in {e["node"]["id"] for e in me["notifications"]["edges"]}


async def test_an_unauthenticated_subscription_is_refused(notifications_stack: Stack) -> None:
    async with subscribe(notifications_stack.ws_url, LIVE) as sub:
        message = json.loads(await asyncio.wait_for(sub.socket.recv(), 15))
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def test_an_announcement_reaches_known_users_live_and_in_their_inbox(
    notifications_stack: Stack, gateway: Client, admin_token: str
) -> None:
    account = await register(gateway, "Listener")
    client = gateway.as_user(account["accessToken"])
    await inbox_of_size(client, 1)  # known to the notifications user directory
    announcement = {
        "title": "Planned maintenance",
        "body": "Back by 10:00 UTC.",
        "link": "https://status.skillcircle.test/",
    }
    assert await client.error_codes(ANNOUNCE, {"input": announcement}) == ["FORBIDDEN"]
    async with subscribe(notifications_stack.ws_url, LIVE, account["accessToken"]) as sub:
        await asyncio.sleep(0.5)
        reach = await gateway.as_user(admin_token).data(ANNOUNCE, {"input": announcement})
        note = (await sub.next(20))["data"]["notificationReceived"]
    assert reach["sendAnnouncement"] >= 1
    assert (note["kind"], note["title"], note["link"]) == (
        "ANNOUNCEMENT",
        "Planned maintenance",
        "https://status.skillcircle.test/",
    )
    me = await inbox_of_size(client, 2)
    assert me["notifications"]["edges"][0]["node"]["id"] == note["id"]


async def test_dead_letters_are_for_admins(
    notifications_stack: Stack, gateway: Client, admin_token: str
) -> None:
    learner = await register(gateway, "Curious")
    assert await gateway.as_user(learner["accessToken"]).error_codes(DEAD_LETTERS) == ["FORBIDDEN"]
    assert await gateway.error_codes(DEAD_LETTERS) == ["UNAUTHENTICATED"]
    found = await gateway.as_user(admin_token).data(DEAD_LETTERS)
    assert isinstance(found["deliveryDeadLetters"], list)
