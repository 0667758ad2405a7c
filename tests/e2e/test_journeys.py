"""Whole journeys through every gateway we ship: a learner, an editor, an admin, who may see what.

Every test runs once per gateway (tests/e2e/conftest.py: Hive Gateway, Hive
Router, Apollo Router), each in front of the same subgraphs from
router/supergraph.yaml, as a frontend would use it. The demo catalog is loaded
with `python -m subgraphs.skills load-demo` (the `demo_loaded` fixture of
tests/skills/test_e2e.py). Live updates have tests of their own, one per
subscription transport: a gateway that cannot serve a transport skips that test
by name, with the reason (tests/support/gateways.py SUBSCRIPTION_TRANSPORTS).
Steps about notifications skip only when the notifications subgraph is not part
of the stack.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from graphql import GraphQLObjectType

from tests.conftest import LOGIN, register
from tests.e2e.authorization_matrix import (
    CALLERS,
    HIDDEN,
    LEAST_ROLE,
    NO_EFFECT,
    OWNED,
    OWNER,
    READ,
    READ_TYPES,
    SELF,
    USER_PATHS,
    expected,
    field_request,
    mutation_request,
    supergraph,
)
from tests.e2e.test_abuse import push_subscription
from tests.skills.test_e2e import demo_loaded  # noqa: F401  (module fixture, reused)
from tests.support.client import (
    Client,
    StreamedSubscription,
    Subscription,
    subscribe,
    subscribe_http,
)
from tests.support.gateways import Gateway
from tests.support.stack import Stack

pytestmark = pytest.mark.usefixtures("demo_loaded")

CATALOG = """query($first: Int, $filter: SkillFilter) {
  skills(first: $first, filter: $filter) {
    totalCount
    edges { node { id slug name level category { slug } prerequisites { slug } } }
  }
}"""
CREATE_CATEGORY = "mutation($i: CategoryInput!) { createCategory(input: $i) { id slug } }"
CREATE_SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { id slug name } }"
ADD_PREREQUISITE = """mutation($s: ID!, $p: ID!) {
  addPrerequisite(skillId: $s, prerequisiteId: $p) { slug prerequisites { slug } } }"""
CREATE_ROADMAP = "mutation($i: RoadmapInput!) { createRoadmap(input: $i) { id slug } }"
CREATE_ASSESSMENT = """mutation($i: AssessmentInput!) {
  createAssessment(input: $i) { id passingScore questions { id choices } } }"""
START = "mutation($a: ID!) { startAssessment(assessmentId: $a) { id } }"
SUBMIT = """mutation($t: ID!, $a: [AnswerInput!]!) {
  submitAssessment(attemptId: $t, answers: $a) { passed score } }"""
ENROLL = "mutation($s: ID!) { enroll(skillId: $s) { id percent status skill { name } } }"
RECORD = """mutation($s: ID!, $p: Float!) {
  recordProgress(skillId: $s, percent: $p) { id percent status } }"""
PROGRESS_UPDATED = "subscription { progressUpdated { percent status skill { id name } } }"
NOTIFICATION_RECEIVED = "subscription { notificationReceived { id kind title link } }"
FOLLOW = "mutation($r: ID!) { followRoadmap(roadmapId: $r) { percent nextSkill { slug } } }"
MY_PATHS = "{ me { learningPaths { roadmap { slug } percent nextSkill { slug } } } }"
VERIFY = """query($c: String!) {
  verifyCertificate(verificationCode: $c) { id user { id } skill { slug } } }"""
CHARTS = "query($r: String!) { me { progressChartSvg skillTreeSvg(roadmapSlug: $r) } }"
UNREAD = "{ me { unreadNotificationCount } }"
CREATE_COURSE = "mutation($i: CourseInput!) { createCourse(input: $i) { id slug status } }"
PUBLISH_COURSE = "mutation($id: ID!) { publishCourse(id: $id) { id status publishedAt } }"
SKILL_COURSES = "query($slug: String!) { skill(slug: $slug) { name courses { slug title } } }"
SEARCH = """query($q: String!) {
  searchContent(query: $q, first: 10) { __typename ... on Course { slug title } } }"""
CREATE_COURSE_WITH_LESSONS = """mutation($i: CourseInput!) {
  createCourse(input: $i) { id modules { lessons { id } } } }"""
MARK_LESSON = """mutation($c: ID!, $l: ID!) {
  markLessonDone(courseId: $c, lessonId: $l, done: true) { percent } }"""
PUSH = """mutation($e: String!, $k: String!, $a: String!) {
  registerPushSubscription(endpoint: $e, p256dh: $k, auth: $a) }"""
UNPUSH = "mutation($e: String!) { unregisterPushSubscription(endpoint: $e) }"
MARK_READ = "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }"
ATTEMPTS = "{ me { assessmentAttempts { id submittedAt score } } }"
INBOX_STATE = "{ me { notifications(first: 50) { edges { node { id kind readAt } } } } }"
EXPORT_PUSH = "{ exportMyData { notifications } }"
CODES = "{ me { certificates { verificationCode } } }"
MUTATIONS_OF_NOTIFICATIONS = {"markNotificationRead", "unregisterPushSubscription"}
# Private fields the matrix's owner has no value in: disabledAt is null while the
# account is enabled (and disabling it would end the owner's sessions).
NULL = {"User.disabledAt"}
SET_ROLES = "mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id roles } }"
ANNOUNCE = "mutation($i: AnnouncementInput!) { sendAnnouncement(input: $i) }"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def has_notifications(stack: Stack) -> bool:
    return "notifications" in stack.names


def skip_without_notifications(stack: Stack) -> None:
    if not has_notifications(stack):
        pytest.skip("notifications subgraph is not in router/supergraph.yaml (or this stack)")


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20) -> Any:
    """`check()` until it returns something truthy: events between subgraphs are asynchronous."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check.__qualname__}")
        await asyncio.sleep(0.2)


async def accepted_once_known(client: Client, query: str, variables: dict[str, Any]) -> Any:
    """A write that another subgraph accepts once it has heard of a new skill (NOT_FOUND before)."""

    async def attempt() -> dict[str, Any] | None:
        body = await client.execute(query, variables)
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT"), body
            return None
        return dict(body["data"])

    return await eventually(attempt)


@asynccontextmanager
async def live_updates(
    edge: Gateway, transport: str, query: str, token: str
) -> AsyncIterator[Subscription | StreamedSubscription]:
    """A subscription through `edge` over `transport`."""
    if transport == "websocket":
        async with subscribe(edge.ws_url, query, token) as socket:
            yield socket
    else:
        async with subscribe_http(edge.url, query, token, transport) as stream:
            yield stream


async def next_of_kind(
    sub: Subscription | StreamedSubscription, kind: str, timeout: float = 20
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        payload = await sub.next(max(deadline - time.monotonic(), 0.01))
        assert "errors" not in payload, payload
        note = payload["data"]["notificationReceived"]
        if note["kind"] == kind:
            return dict(note)


async def next_progress(
    sub: Subscription | StreamedSubscription, skill_id: str, timeout: float = 10
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        payload = await sub.next(max(deadline - time.monotonic(), 0.01))
        assert "errors" not in payload, payload
        update = payload["data"]["progressUpdated"]
        if update["skill"]["id"] == skill_id:
            return dict(update)


async def live(sub: Subscription | StreamedSubscription, client: Client, warm_up: str) -> None:
    """Records progress on skill `warm_up` until the subscription delivers it (setup is async)."""
    await asyncio.sleep(0.5)
    for percent in range(1, 21):
        await client.data(RECORD, {"s": warm_up, "p": percent})
        try:
            await sub.next(timeout=1.0)
            return
        except TimeoutError:
            continue
    raise AssertionError("progressUpdated never delivered")


def parse_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag.endswith("svg"), root.tag
    return root


async def new_skills(editor: Client, count: int, *, chained: bool = False) -> list[dict[str, Any]]:
    """`count` skills in a new category, created through the gateway; `chained`: each needs the one before."""
    category = (
        await editor.data(CREATE_CATEGORY, {"i": {"slug": unique("journey"), "name": "Journey"}})
    )["createCategory"]
    skills = []
    for n in range(count):
        skill = {
            "slug": unique(f"journey-skill-{n}"),
            "name": f"Journey skill {n} {uuid.uuid4().hex[:4]}",
            "description": "Made by the journey tests.",
            "level": "BEGINNER",
            "categorySlug": category["slug"],
        }
        skills.append((await editor.data(CREATE_SKILL, {"i": skill}))["createSkill"])
    if chained:
        for before, after in itertools.pairwise(skills):
            await editor.data(ADD_PREREQUISITE, {"s": after["id"], "p": before["id"]})
    return skills


async def new_assessment(editor: Client, skill_id: str) -> dict[str, Any]:
    """A new one-question assessment of the skill (once learning has heard of it)."""
    question = {"prompt": "2 + 2?", "choices": ["3", "4", "5"], "correctIndexes": [1]}
    created = await accepted_once_known(
        editor,
        CREATE_ASSESSMENT,
        {"i": {"skillId": skill_id, "title": "Check", "passingScore": 60,
               "questions": [question]}},
    )  # fmt: skip
    return dict(created["createAssessment"])


def right_answers(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers that pass an assessment of `new_assessment`."""
    return [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [1]}]


async def test_the_learner_journey(stack: Stack, gateway: Client, editor: Client) -> None:
    # Register, and browse the demo catalog anonymously and signed in.
    account = await register(gateway, "Journey Learner")
    user_id, token = account["user"]["id"], account["accessToken"]
    me = gateway.as_user(token)
    page = (await gateway.data(CATALOG, {"first": 20}))["skills"]
    assert page["totalCount"] >= 100 and len(page["edges"]) == 20
    python = (await me.data(CATALOG, {"first": 5, "filter": {"search": "python"}}))["skills"]
    assert python["edges"], "the demo catalog has Python skills"
    demo_skill = python["edges"][0]["node"]

    # Enroll in a catalog skill and record progress (live updates: test_progress_arrives_live).
    enrolled = (await me.data(ENROLL, {"s": demo_skill["id"]}))["enroll"]
    assert enrolled["percent"] == 0 and enrolled["skill"]["name"] == demo_skill["name"]
    recorded = (await me.data(RECORD, {"s": demo_skill["id"], "p": 40}))["recordProgress"]
    assert {"percent": 40.0, "status": "IN_PROGRESS"}.items() <= recorded.items()
    progress = (await me.data("{ me { progress { percent skill { id } } } }"))["me"]["progress"]
    assert {"percent": 40.0, "skill": {"id": demo_skill["id"]}} in progress

    # An editor's assessment on a roadmap of two new skills; the learner follows the roadmap.
    first, second = await new_skills(editor, 2, chained=True)
    roadmap = (
        await editor.data(
            CREATE_ROADMAP,
            {
                "i": {
                    "slug": unique("journey-path"),
                    "title": "Journey path",
                    "description": "Two steps",
                    "skillSlugs": [second["slug"], first["slug"]],
                }
            },
        )
    )["createRoadmap"]
    # Learning hears of the roadmap by event (or asks the gateway, at most every 2 s).
    path = (await accepted_once_known(me, FOLLOW, {"r": roadmap["id"]}))["followRoadmap"]
    assert path == {"percent": 0.0, "nextSkill": {"slug": first["slug"]}}
    assessment = await new_assessment(editor, first["id"])
    assert assessment["questions"][0]["choices"] == ["3", "4", "5"]

    # Pass it; the certificate verifies publicly (and lands in the inbox, below).
    attempt = (await me.data(START, {"a": assessment["id"]}))["startAssessment"]
    answers = right_answers(assessment)
    result = (await me.data(SUBMIT, {"t": attempt["id"], "a": answers}))["submitAssessment"]
    assert result == {"passed": True, "score": 100.0}
    mine = await me.data("{ me { certificates { id verificationCode skill { slug } } } }")
    [certificate] = mine["me"]["certificates"]
    assert certificate["skill"]["slug"] == first["slug"]
    verified = await gateway.data(VERIFY, {"c": certificate["verificationCode"]})
    assert verified["verifyCertificate"] == {
        "id": certificate["id"],
        "user": {"id": user_id},
        "skill": {"slug": first["slug"]},
    }
    assert (await gateway.data(VERIFY, {"c": "NO-SUCH-CODE"}))["verifyCertificate"] is None

    # The roadmap moved: half done, the second skill is next; then all done.
    paths = (await me.data(MY_PATHS))["me"]["learningPaths"]
    assert {"roadmap": {"slug": roadmap["slug"]}, "percent": 50.0,
            "nextSkill": {"slug": second["slug"]}} in paths  # fmt: skip
    await me.data(RECORD, {"s": second["id"], "p": 100})
    paths = (await me.data(MY_PATHS))["me"]["learningPaths"]
    assert {"roadmap": {"slug": roadmap["slug"]}, "percent": 100.0, "nextSkill": None} in paths

    # Charts are standalone SVG documents.
    charts = (await me.data(CHARTS, {"r": roadmap["slug"]}))["me"]
    parse_svg(charts["progressChartSvg"])
    parse_svg(charts["skillTreeSvg"])

    # Notifications: read them, then clear them.
    if not has_notifications(stack):
        pytest.skip("notifications subgraph is not in router/supergraph.yaml: inbox steps skipped")
    await eventually(lambda: _unread_at_least(me, 2))  # the welcome and the certificate at least
    inbox = await me.data(
        "{ me { notifications(first: 20) { totalCount edges { node { kind link } } } } }"
    )
    notes = [e["node"] for e in inbox["me"]["notifications"]["edges"]]
    assert {"WELCOME", "CERTIFICATE"} <= {note["kind"] for note in notes}
    [certificate_note] = [note for note in notes if note["kind"] == "CERTIFICATE"]
    assert "/certificates/" in (certificate_note["link"] or "")
    marked = (await me.data("mutation { markAllNotificationsRead }"))["markAllNotificationsRead"]
    assert marked >= 2
    assert (await me.data(UNREAD))["me"]["unreadNotificationCount"] == 0


async def test_the_editor_journey(gateway: Client, editor: Client) -> None:
    basics, advanced = await new_skills(editor, 2, chained=True)
    skill = (await gateway.data(
        "query($s: String!) { skill(slug: $s) { prerequisites { slug } } }", {"s": advanced["slug"]}
    ))["skill"]  # fmt: skip
    assert skill["prerequisites"] == [{"slug": basics["slug"]}]

    title = f"Journey course {uuid.uuid4().hex[:6]}"
    course_input = {
        "slug": unique("journey-course"),
        "title": title,
        "summary": "A course made by the editor journey.",
        "skillIds": [basics["id"], advanced["id"]],
        "modules": [
            {"title": "Start", "lessons": [{"title": "One", "body": "Hello", "durationMinutes": 5}]}
        ],
    }
    course = (await accepted_once_known(editor, CREATE_COURSE, {"i": course_input}))["createCourse"]
    assert course["status"] == "DRAFT"

    learner = gateway.as_user((await register(gateway, "Course Reader"))["accessToken"])
    drafts = (await learner.data(SKILL_COURSES, {"slug": basics["slug"]}))["skill"]["courses"]
    assert drafts == [], "a draft is not listed for learners"

    published = (await editor.data(PUBLISH_COURSE, {"id": course["id"]}))["publishCourse"]
    assert published["status"] == "PUBLISHED" and published["publishedAt"]
    listed = (await learner.data(SKILL_COURSES, {"slug": advanced["slug"]}))["skill"]["courses"]
    assert listed == [{"slug": course_input["slug"], "title": title}]
    hits = (await learner.data(SEARCH, {"q": title}))["searchContent"]
    assert {"__typename": "Course", "slug": course_input["slug"], "title": title} in hits


async def test_the_admin_journey(stack: Stack, gateway: Client, admin_token: str) -> None:
    admin = gateway.as_user(admin_token)
    account = await register(gateway, "Promoted")
    roles = await admin.data(SET_ROLES, {"u": account["user"]["id"], "r": ["LEARNER", "EDITOR"]})
    assert sorted(roles["setUserRoles"]["roles"]) == ["EDITOR", "LEARNER"]
    # The role change ended the account's sessions: its old token signs no one in.
    old = gateway.as_user(account["accessToken"])
    assert await old.error_codes(SET_ROLES, {"u": account["user"]["id"], "r": ["ADMIN"]}) == [
        "UNAUTHENTICATED"
    ]
    # Signed in again (as an editor now), it still may not promote anyone, itself included.
    login = await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    learner = gateway.as_user(login["login"]["accessToken"])
    codes = await learner.error_codes(SET_ROLES, {"u": account["user"]["id"], "r": ["ADMIN"]})
    assert codes == ["FORBIDDEN"]

    skip_without_notifications(stack)
    listener = await register(gateway, "Listener")
    me = gateway.as_user(listener["accessToken"])
    await eventually(lambda: _unread_at_least(me, 1))  # its welcome: notifications knows the user
    title = f"Maintenance {uuid.uuid4().hex[:6]}"
    reached = await admin.data(ANNOUNCE, {"i": {"title": title, "body": "Tonight."}})
    assert reached["sendAnnouncement"] >= 2

    async def announced() -> bool:
        # The fan-out is an event (AnnouncementSent): the inbox has it a moment later.
        inbox = await me.data(
            "{ me { notifications(first: 5) { edges { node { kind title } } } } }"
        )
        notes = [e["node"] for e in inbox["me"]["notifications"]["edges"]]
        return {"kind": "ANNOUNCEMENT", "title": title} in notes

    await eventually(announced)
    assert await learner.error_codes(ANNOUNCE, {"i": {"title": "x", "body": "y"}}) == ["FORBIDDEN"]


TRANSPORTS = ("websocket", "sse", "multipart")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_progress_arrives_live(gateway: Client, edge: Gateway, transport: str) -> None:
    edge.skip_unless_serves(transport)
    account = await register(gateway, "Live Learner")
    me = gateway.as_user(account["accessToken"])
    python = (await me.data(CATALOG, {"first": 5, "filter": {"search": "python"}}))["skills"]
    skill, warm_up = (e["node"] for e in python["edges"][:2])
    async with live_updates(edge, transport, PROGRESS_UPDATED, account["accessToken"]) as updates:
        await live(updates, me, warm_up["id"])
        await me.data(RECORD, {"s": skill["id"], "p": 40})
        update = await next_progress(updates, skill["id"])
    assert update == {
        "percent": 40.0,
        "status": "IN_PROGRESS",
        "skill": {"id": skill["id"], "name": skill["name"]},
    }


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_announcement_arrives_live(
    stack: Stack, gateway: Client, edge: Gateway, admin_token: str, transport: str
) -> None:
    edge.skip_unless_serves(transport)
    skip_without_notifications(stack)
    listener = await register(gateway, "Listener")
    me = gateway.as_user(listener["accessToken"])
    await eventually(lambda: _unread_at_least(me, 1))  # its welcome: notifications knows the user
    title = f"Maintenance {uuid.uuid4().hex[:6]}"
    query = NOTIFICATION_RECEIVED
    async with live_updates(edge, transport, query, listener["accessToken"]) as notes:
        await asyncio.sleep(0.5)
        admin = gateway.as_user(admin_token)
        await admin.data(ANNOUNCE, {"i": {"title": title, "body": "Tonight."}})
        note = await next_of_kind(notes, "ANNOUNCEMENT")
    assert note["title"] == title


async def _unread_at_least(client: Client, count: int) -> bool:
    return (await client.data(UNREAD))["me"]["unreadNotificationCount"] >= count


async def matrix_callers(
    gateway: Client, editor: Client, admin_token: str
) -> tuple[dict[str, Client], str]:
    """The authorization matrix's callers (CALLERS), and the owner's user id."""
    owner = await register(gateway, "Owner")
    other = await register(gateway, "Other Learner")
    callers = {
        "owner": gateway.as_user(owner["accessToken"]),
        "admin": gateway.as_user(admin_token),
        "other learner": gateway.as_user(other["accessToken"]),
        "editor": editor,
        "anonymous": gateway,
    }
    assert set(callers) == set(CALLERS)
    return callers, owner["user"]["id"]


def at(body: dict[str, Any], path: list[str]) -> tuple[bool, Any]:
    """Whether the response's data has `path`, and the value there (None if not)."""
    value: Any = body.get("data")
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def wrong_answer(body: dict[str, Any], paths: list[list[str]], want: str) -> str | None:
    """Why `body` is not `want` ("data", "empty" or an error code) for the field at
    `paths[0]`; None if it is. A refusal must leave the field null (nothing leaks) and
    be about it: its errors' paths start at one of `paths` (the field's, those of the
    fields it @requires) or, for a field with @requires, name its parent."""
    errors = body.get("errors") or []
    path = paths[0]
    present, value = at(body, path)
    if "stacktrace" in str(body).lower():
        return "a stack trace in the answer"
    if want in ("data", "empty"):
        if errors or not present:
            return f"wanted {want}, got {body}"
        return None if want == "data" or value in ([], None) else f"not empty: {value!r}"
    codes = {e.get("extensions", {}).get("code") for e in errors}
    if codes != {want}:
        return f"wanted {want}, got {body}"
    if value is not None:
        return f"refused, but the value leaked: {value!r}"
    # A refused @requires fetch: Hive Router names the required field, Apollo Router the
    # object it was fetched for.
    named = [e["path"] for e in errors if e.get("path")]
    elsewhere = [
        p
        for p in named
        if all(p[: len(q)] != q for q in paths) and not (len(paths) > 1 and p == path[:-1])
    ]
    return f"errors about other fields: {elsewhere}" if elsewhere else None


async def owner_with_something_everywhere(owner: Client, editor: Client) -> dict[str, Any]:
    """Gives the owner a value in every private field: progress on a roadmap followed, a
    passed assessment (attempt, certificate, achievement), a lesson of a course done, an
    SMS number (unverified).
    Returns what the matrix needs: the roadmap's slug, a skill's slug, and an attempt of
    the owner's that is started and not submitted, with its right answers."""
    first, second = await new_skills(editor, 2, chained=True)
    roadmap = (
        await editor.data(
            CREATE_ROADMAP,
            {"i": {"slug": unique("matrix-path"), "title": "Matrix path",
                   "description": "Two steps", "skillSlugs": [second["slug"], first["slug"]]}},
        )
    )["createRoadmap"]  # fmt: skip
    await accepted_once_known(owner, FOLLOW, {"r": roadmap["id"]})
    await owner.data(RECORD, {"s": second["id"], "p": 30})
    assessment = await new_assessment(editor, first["id"])
    answers = right_answers(assessment)
    passed = (await owner.data(START, {"a": assessment["id"]}))["startAssessment"]
    await owner.data(SUBMIT, {"t": passed["id"], "a": answers})
    open_attempt = (await owner.data(START, {"a": assessment["id"]}))["startAssessment"]
    course_input = {
        "slug": unique("matrix-course"), "title": "Matrix course", "summary": "For the matrix.",
        "skillIds": [], "modules": [{"title": "Only", "lessons": [
            {"title": "One", "body": "Hello", "durationMinutes": 5}]}],
    }  # fmt: skip
    course = (await editor.data(CREATE_COURSE_WITH_LESSONS, {"i": course_input}))["createCourse"]
    await editor.data(PUBLISH_COURSE, {"id": course["id"]})
    lesson = course["modules"][0]["lessons"][0]["id"]
    await accepted_once_known(owner, MARK_LESSON, {"c": course["id"], "l": lesson})
    number = "+49152" + str(uuid.uuid4().int)[:8]  # codes are limited per number
    await owner.data("mutation($n: String!) { registerSmsNumber(phoneNumber: $n) }", {"n": number})
    return {
        "roadmap": roadmap["slug"],
        "skill": second["slug"],
        "attempt": open_attempt["id"],
        "answers": answers,
    }


async def test_who_may_see_and_do_what(
    stack: Stack, gateway: Client, editor: Client, admin_token: str
) -> None:
    """Generated from schema/supergraph.graphql: every field of Query and User is
    declared in READ, and each is read as every caller (one request per field and
    caller; User fields on the owner, by each of USER_PATHS), the owner first, so that an answer
    kept for the owner would show up in another's cell. Each answer is `expected`'s:
    data, an empty value (HIDDEN), or null with only the declared error code."""
    schema = supergraph()
    declared = {name: rule for fields in READ.values() for name, rule in fields.items()}
    types = [schema.type_map[t] for t in READ_TYPES]
    fields = {f"{t}.{f}" for t in types if isinstance(t, GraphQLObjectType) for f in t.fields}
    assert not fields - declared.keys(), f"declare {sorted(fields - declared.keys())} in READ"
    assert not declared.keys() - fields, f"stale entries: {sorted(declared.keys() - fields)}"

    callers, owner_id = await matrix_callers(gateway, editor, admin_token)
    owned = await owner_with_something_everywhere(callers["owner"], editor)
    [certificate] = (await callers["owner"].data(CODES))["me"]["certificates"]
    values = {
        "owner": owner_id,
        "code": certificate["verificationCode"],
        "User.skillTreeSvg": {"roadmapSlug": owned["roadmap"]},
        "Query.course": {"slug": "no-such-course"},
        "Query.skill": {"slug": owned["skill"]},
        "Query.visualization": {"spec": {"kind": "PROGRESS_CHART", "userId": owner_id}},
        "Query.notificationTemplatePreview": {"channel": "SMS", "name": "progress", "locale": "de"},
    }
    wrong, tried = [], 0
    for subgraph, rules in READ.items():
        if subgraph not in stack.names:
            continue
        for name, rule in rules.items():
            for via in USER_PATHS if name.startswith("User.") else ["Query"]:
                given = {**values, **values.get(name, {})}
                query, variables, paths = field_request(schema, name, given, via)
                for caller in CALLERS:
                    body = await callers[caller].execute(query, variables)
                    problem = wrong_answer(body, paths, expected(rule, caller))
                    empty = at(body, paths[0])[1] in ([], None)
                    if caller == "owner" and rule in (SELF, HIDDEN) and empty and name not in NULL:
                        problem = problem or "the owner's value is empty: the cell proves nothing"
                    if problem:
                        wrong.append((name, via, caller, problem))
                    tried += 1
    assert not wrong, "\n".join(map(str, wrong))
    assert tried, "no field tried"


async def test_only_the_owner_acts_on_their_objects(
    stack: Stack, gateway: Client, editor: Client, admin_token: str
) -> None:
    """Every OWNER mutation, on a real object of the owner's, as every caller, the owner
    last: anonymous is UNAUTHENTICATED, everyone else (admins too) gets OWNED's answer
    and leaves the object as it was (the owner's view of it, before and after each
    call); then the owner acts on it, and it changes."""
    callers, _ = await matrix_callers(gateway, editor, admin_token)
    owner = callers["owner"]
    owned = await owner_with_something_everywhere(owner, editor)
    cases: dict[str, tuple[str, dict[str, Any], Callable[[], Awaitable[Any]]]]
    cases = {"submitAssessment": (SUBMIT, {"t": owned["attempt"], "a": owned["answers"]},
                                  lambda: _attempt(owner, owned["attempt"]))}  # fmt: skip
    if has_notifications(stack):
        push = push_subscription()
        assert (await owner.data(PUSH, push))["registerPushSubscription"]
        welcome = await eventually(lambda: _welcome(owner))
        cases["markNotificationRead"] = (MARK_READ, {"id": welcome}, lambda: _welcome(owner))
        cases["unregisterPushSubscription"] = (UNPUSH, {"e": push["e"]}, lambda: _pushes(owner))
    declared = {name for name, role in LEAST_ROLE.items() if role == OWNER}
    assert declared == set(OWNED), "declare how others fare with each OWNER mutation in OWNED"
    if not has_notifications(stack):
        declared -= MUTATIONS_OF_NOTIFICATIONS
    assert set(cases) == declared, f"write a case for {sorted(declared - set(cases))}"
    wrong = []
    for name, (query, variables, state) in sorted(cases.items()):
        first = await state()
        for caller in sorted(CALLERS, key=lambda c: c == "owner"):
            before = await state()
            body = await callers[caller].execute(query, variables)
            want = expected(OWNER, caller)
            want = OWNED[name] if want == "others" else want
            problem: Any
            if want == NO_EFFECT:
                problem = None if not body.get("errors") and at(body, [name])[1] is False else body
            else:
                problem = wrong_answer(body, [[name]], want)
            if problem is None and caller != "owner" and await state() != before:
                problem = f"the owner's object changed: {before} -> {await state()}"
            if problem:
                wrong.append((name, caller, problem))
        assert await state() != first, f"{name}: the owner's own call changed nothing"
    assert not wrong, "\n".join(map(str, wrong))


async def _attempt(owner: Client, attempt_id: str) -> dict[str, Any]:
    attempts = (await owner.data(ATTEMPTS))["me"]["assessmentAttempts"]
    [attempt] = [a for a in attempts if a["id"] == attempt_id]
    return dict(attempt)


async def _welcome(owner: Client) -> Any:
    """The id of the owner's welcome notification while unread, else its read time."""
    edges = (await owner.data(INBOX_STATE))["me"]["notifications"]["edges"]
    notes = [e["node"] for e in edges if e["node"]["kind"] == "WELCOME"]
    return notes and (notes[0]["readAt"] or notes[0]["id"])


async def _pushes(owner: Client) -> list[Any]:
    return list(
        (await owner.data(EXPORT_PUSH))["exportMyData"]["notifications"]["push_subscriptions"]
    )


async def test_every_mutation_is_guarded_as_declared(gateway: Client, editor: Client) -> None:
    """Generated from schema/supergraph.graphql: every mutation is declared with its
    least role, and every caller below it is refused as `expected` says (anonymous:
    UNAUTHENTICATED, signed in without the role: FORBIDDEN), with made-up arguments.
    Public mutations are only declared; OWNER ones on a real object:
    test_only_the_owner_acts_on_their_objects."""
    schema = supergraph()
    assert schema.mutation_type is not None
    undeclared = sorted(set(schema.mutation_type.fields) - set(LEAST_ROLE))
    assert not undeclared, f"declare the least role of {undeclared} in authorization_matrix.py"
    assert not set(LEAST_ROLE) - set(schema.mutation_type.fields), "stale entries"
    learner = gateway.as_user((await register(gateway, "Matrix"))["accessToken"])
    callers = {"anonymous": gateway, "other learner": learner, "editor": editor}
    wrong = []
    for name, role in sorted(LEAST_ROLE.items()):
        query, variables = mutation_request(schema, name)
        for caller, client in callers.items():
            code = expected(role, caller)
            if code in ("data", "empty", "others"):
                continue
            body = await client.execute(query, variables)
            got = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
            if got != [code] or at(body, [name])[1] is not None:
                wrong.append((name, caller, code, body))
    assert not wrong, wrong
