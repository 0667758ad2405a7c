"""The privacy half of the account lifecycle, through the gateway (docs/privacy.md).

`exportMyData`: one document with every subgraph's part, no secrets, only one's own.
`deleteAccount`: the saga; afterwards every store is checked directly (PostgreSQL,
Redis, FerretDB) as well as the API. One test stops the notifications subgraph
during a deletion and restarts it: its part is done once it is back.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.common.personal_data import DELETED_USER_ID
from tests.conftest import LOGIN, account_with_roles, register
from tests.e2e.test_abuse import push_subscription
from tests.e2e.test_journeys import (
    CREATE_ASSESSMENT,
    CREATE_COURSE,
    CREATE_ROADMAP,
    FOLLOW,
    PUBLISH_COURSE,
    RECORD,
    START,
    SUBMIT,
    VERIFY,
    accepted_once_known,
    eventually,
    new_skills,
    unique,
)
from tests.support.client import Client, subscribe
from tests.support.stack import Stack

EXPORT = "{ exportMyData { document } }"
DELETE = "mutation($p: String!) { deleteAccount(password: $p) }"
DELETIONS = """query($u: ID) { accountDeletions(userId: $u) {
  userId completed steps { subgraph status requests erased } } }"""
PUSH = """mutation($e: String!, $k: String!, $a: String!) {
  registerPushSubscription(endpoint: $e, p256dh: $k, auth: $a) }"""
SMS = "mutation($n: String!) { registerSmsNumber(phoneNumber: $n) }"
INBOX = "{ me { notifications(first: 20) { edges { node { id kind } } } } }"
PARTS = {"users", "skills", "learning", "content", "visualization", "notifications"}
ERASING = {"learning", "content", "notifications", "visualization"}
LEARNING_TABLES = (
    "learning_events",
    "learners",
    "skill_progress",
    "learner_stats",
    "learning_paths",
    "assessment_attempts",
    "certificates",
    "achievements",
    "course_progress",
    "lessons_done",
    "analytics_active_days",
    "analytics_cohort_learners",
)


async def an_account_with_data_everywhere(gateway: Client, admin_token: str) -> dict[str, Any]:
    """An editor who also learns: progress, a path, a certificate, achievements, an
    assessment and a course of their own, a drawn chart, an inbox, push and SMS."""
    account = await account_with_roles(gateway, admin_token, ["EDITOR"], "Leaving User")
    me = gateway.as_user(account["accessToken"])
    first, second = await new_skills(me, 2, chained=True)
    roadmap_input = {
        "slug": unique("leaving-path"),
        "title": "Leaving path",
        "description": "Two steps",
        "skillSlugs": [second["slug"], first["slug"]],
    }
    roadmap = (await me.data(CREATE_ROADMAP, {"i": roadmap_input}))["createRoadmap"]
    await accepted_once_known(me, FOLLOW, {"r": roadmap["id"]})  # once learning knows it
    question = {"prompt": "2 + 2?", "choices": ["3", "4"], "correctIndexes": [1]}
    assessment_input = {"skillId": first["id"], "title": "Check", "passingScore": 60,
                        "questions": [question]}  # fmt: skip
    assessment = (await accepted_once_known(me, CREATE_ASSESSMENT, {"i": assessment_input}))[
        "createAssessment"
    ]
    attempt = (await me.data(START, {"a": assessment["id"]}))["startAssessment"]
    answers = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [1]}]
    assert (await me.data(SUBMIT, {"t": attempt["id"], "a": answers}))["submitAssessment"]["passed"]
    await me.data(RECORD, {"s": second["id"], "p": 100})
    course_input = {
        "slug": unique("leaving-course"),
        "title": "A course by someone who leaves",
        "summary": "Its content stays.",
        "skillIds": [first["id"]],
        "modules": [{"title": "M", "lessons": [{"title": "L", "body": "B", "durationMinutes": 1}]}],
    }
    course = (await accepted_once_known(me, CREATE_COURSE, {"i": course_input}))["createCourse"]
    await me.data(PUBLISH_COURSE, {"id": course["id"]})
    await me.data("{ me { progressChartSvg } }")  # cached in visualization
    push = push_subscription()
    assert (await me.data(PUSH, push))["registerPushSubscription"]
    number = "+49151" + str(uuid.uuid4().int)[:8]  # its own: codes are limited per number
    assert (await me.data(SMS, {"n": number}))["registerSmsNumber"]
    certificates = await me.data("{ me { certificates { verificationCode } } }")
    [certificate] = certificates["me"]["certificates"]

    async def inbox() -> list[dict[str, Any]] | None:
        edges = (await me.data(INBOX))["me"]["notifications"]["edges"]
        kinds = {edge["node"]["kind"] for edge in edges}
        return [edge["node"] for edge in edges] if {"WELCOME", "CERTIFICATE"} <= kinds else None

    notes = await eventually(inbox)
    return {
        **account,
        "id": account["user"]["id"],
        "client": me,
        "push": push,
        "sms": number,
        "course": course,
        "skill": first,
        "assessment": assessment,
        "code": certificate["verificationCode"],
        "notifications": [note["id"] for note in notes],
    }


async def test_export_holds_every_part_and_no_secret(
    stack: Stack, gateway: Client, admin_token: str
) -> None:
    account = await an_account_with_data_everywhere(gateway, admin_token)
    document = (await account["client"].data(EXPORT))["exportMyData"]["document"]
    assert document["userId"] == account["id"]
    parts = document["subgraphs"]
    assert set(parts) == PARTS
    assert parts["users"]["account"]["email"] == account["email"]
    assert parts["skills"] == {}  # the catalog names no user (skills/personal_data.py)
    learning = parts["learning"]
    assert [c["verification_code"] for c in learning["certificates"]] == [account["code"]]
    assert learning["progress"] and learning["paths"] and learning["attempts"]
    assert learning["achievements"] and learning["events"]
    assert [a["id"] for a in learning["authored_assessments"]] == [account["assessment"]["id"]]
    edited = parts["content"]["edited_versions"]
    assert {(v["kind"], v["id"]) for v in edited} == {("course", account["course"]["id"])}
    notifications = parts["notifications"]
    assert {n["id"] for n in notifications["inbox"]} >= set(account["notifications"])
    assert notifications["push_subscriptions"] == [{"endpoint": account["push"]["e"]}]
    assert notifications["sms_number"] == {"number": account["sms"], "verified": False}
    assert notifications["profile"]["email"] == account["email"]
    assert [k for k in parts["visualization"]["drawings"] if k.startswith("progress:")]

    # Secrets are left out: the push keys, the password hash, the token hashes.
    whole = json.dumps(document)
    for secret in (account["push"]["k"], account["push"]["a"], "password_hash", "token_hash"):
        assert secret not in whole
    assert "argon2" not in whole

    # Only one's own: anonymous callers are refused; there is no argument to name another
    # user, and a part asked of a subgraph directly for someone else is FORBIDDEN.
    assert await gateway.error_codes(EXPORT) == ["UNAUTHENTICATED"]
    other = await register(gateway, "Other")
    entities = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on DataExport { learning } } }"""
    async with httpx.AsyncClient() as direct:
        answer = await direct.post(
            stack.subgraph_url("learning"),
            json={"query": entities,
                  "variables": {"r": [{"__typename": "DataExport", "userId": other["user"]["id"]}]}},
            headers={"Authorization": f"Bearer {account['accessToken']}"},
        )  # fmt: skip
    errors = answer.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    # Through the gateway `_entities` is not part of the API at all.
    body = await account["client"].execute(entities, {"r": []})
    assert body.get("errors") and not body.get("data")


async def test_deleting_an_account_erases_or_anonymizes_it_everywhere(
    stack: Stack, gateway: Client, admin_token: str
) -> None:
    account = await an_account_with_data_everywhere(gateway, admin_token)
    me, user_id = account["client"], account["id"]
    admin = gateway.as_user(admin_token)
    # A bystander learning the same skill: nothing of theirs may go.
    bystander = await register(gateway, "Bystander")
    other = gateway.as_user(bystander["accessToken"])
    await other.data(RECORD, {"s": account["skill"]["id"], "p": 30})
    await eventually(lambda: _inbox_not_empty(other))

    # Refusals: anonymous, a wrong password (nothing deleted), a non-admin reading the saga.
    assert await gateway.error_codes(DELETE, {"p": account["password"]}) == ["UNAUTHENTICATED"]
    assert await me.error_codes(DELETE, {"p": "not the password"}) == ["BAD_USER_INPUT"]
    assert (await me.data("{ me { id } }"))["me"] == {"id": user_id}
    assert await me.error_codes(DELETIONS, {"u": user_id}) == ["FORBIDDEN"]

    document = f"http://127.0.0.1:{stack.ports['visualization']}/certificates/{account['code']}.svg"
    async with httpx.AsyncClient() as http:
        assert (await http.get(document)).status_code == 200

    # The deletion: the live subscription ends (a websocket through the stack's Hive Gateway:
    # not every gateway serves that transport), the tokens stop working, no login.
    progress = "subscription { progressUpdated { percent } }"
    async with subscribe(stack.ws_url, progress, account["accessToken"]) as live:
        assert (await me.data(DELETE, {"p": account["password"]}))["deleteAccount"] is True
        assert await live.ending(15) == ["UNAUTHENTICATED"]
    assert (await me.data("{ me { id } }"))["me"] is None
    login = {"email": account["email"], "password": account["password"]}
    assert await gateway.error_codes(LOGIN, login) == ["UNAUTHENTICATED"]
    refresh = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
    assert await gateway.error_codes(refresh, {"t": account["refreshToken"]}) == ["UNAUTHENTICATED"]

    # Every subgraph reports; the admin sees each step done, with what it erased.
    deletion = await eventually(lambda: _completed(admin, user_id), timeout=30)
    steps = {step["subgraph"]: step for step in deletion["steps"]}
    assert set(steps) == ERASING and {s["status"] for s in steps.values()} == {"DONE"}
    assert steps["learning"]["erased"]["certificates"] == 1
    assert steps["content"]["erased"]["edited_versions"] >= 1
    assert steps["notifications"]["erased"]["push_subscriptions"] == 1
    assert steps["visualization"]["erased"]["drawings"] >= 1

    # The API: no user, the certificate no longer verifies, the course keeps its versions
    # under the deleted-account placeholder.
    assert (await admin.data("query($u: ID!) { user(id: $u) { id } }", {"u": user_id}))[
        "user"
    ] is None
    assert (await gateway.data(VERIFY, {"c": account["code"]}))["verifyCertificate"] is None
    async with httpx.AsyncClient() as http:
        assert (await http.get(document)).status_code == 404
    versions = await admin.data(
        "query($id: ID!) { course(id: $id) { versions { editor { id displayName } } } }",
        {"id": account["course"]["id"]},
    )
    editors = {(v["editor"]["id"], v["editor"]["displayName"])
               for v in versions["course"]["versions"]}  # fmt: skip
    assert editors == {(DELETED_USER_ID, "Deleted account")}

    # The bystander keeps everything.
    kept = await other.data(
        "{ me { progress { percent } notifications(first: 5) { totalCount } } }"
    )
    assert kept["me"]["progress"] == [{"percent": 30.0}]
    assert kept["me"]["notifications"]["totalCount"] >= 1

    # The stores themselves.
    await _nothing_left_in_sql(stack, user_id, account["assessment"]["id"])
    await _nothing_left_in_redis(stack, user_id, account["notifications"])
    await _content_anonymized(stack, user_id, account["course"]["id"])


async def test_a_subgraph_down_during_a_deletion_does_its_part_when_back(stack: Stack) -> None:
    """Once, through the stack's own gateway (not per gateway: it restarts a subgraph)."""
    if "notifications" not in stack.names:
        pytest.skip("notifications subgraph is not in this stack")
    gateway = Client(stack.url)
    account = await register(gateway, "Leaving While Down")
    me, user_id = gateway.as_user(account["accessToken"]), account["user"]["id"]
    await eventually(lambda: _inbox_not_empty(me))  # the welcome: notifications holds data
    admin_login = {"email": "admin@skillcircle.local", "password": "admin-dev-password"}
    admin = gateway.as_user((await gateway.data(LOGIN, admin_login))["login"]["accessToken"])
    notifications = stack.subgraphs["notifications"]
    notifications.stop()
    try:
        assert (await me.data(DELETE, {"p": account["password"]}))["deleteAccount"] is True

        async def others_done_notifications_asked_again() -> dict[str, Any] | None:
            [deletion] = (await admin.data(DELETIONS, {"u": user_id}))["accountDeletions"]
            steps = {s["subgraph"]: s for s in deletion["steps"]}
            waiting = steps["notifications"]
            others = [s["status"] for name, s in steps.items() if name != "notifications"]
            if set(others) == {"DONE"} and waiting["requests"] >= 2:
                assert waiting["status"] == "PENDING" and not deletion["completed"]
                return deletion
            return None

        # The retry (every 3 s in tests) asks the silent subgraph again while it is down.
        await eventually(others_done_notifications_asked_again, timeout=30)
        redis = Redis.from_url(stack.stores["redis"])
        assert await redis.exists(f"notif:user:{user_id}")  # nothing erased while down
    finally:
        notifications.start()
    deletion = await eventually(lambda: _completed(admin, user_id), timeout=30)
    assert {s["status"] for s in deletion["steps"]} == {"DONE"}
    assert not await redis.exists(f"notif:user:{user_id}", f"notif:inbox:{user_id}")
    await redis.aclose()
    await gateway.close()


# ---------------------------------------------------------------- helpers
async def _completed(admin: Client, user_id: str) -> dict[str, Any] | None:
    found = (await admin.data(DELETIONS, {"u": user_id}))["accountDeletions"]
    assert len(found) == 1 and found[0]["userId"] == user_id
    return found[0] if found[0]["completed"] else None


async def _inbox_not_empty(me: Client) -> bool:
    return bool((await me.data(INBOX))["me"]["notifications"]["edges"])


async def _nothing_left_in_sql(stack: Stack, user_id: str, assessment_id: str) -> None:
    learning = create_async_engine(stack.stores["learning_db"])
    users = create_async_engine(stack.stores["users_db"])
    try:
        async with learning.connect() as sql:
            for table in LEARNING_TABLES:
                query = text(f"SELECT count(*) FROM {table} WHERE user_id = :u")
                assert (await sql.scalar(query, {"u": user_id})) == 0, table
            author = await sql.scalar(
                text("SELECT created_by FROM assessments WHERE id = :a"), {"a": assessment_id}
            )
            assert author == DELETED_USER_ID
        async with users.connect() as sql:
            for query in (
                "SELECT count(*) FROM users WHERE id = :u",
                "SELECT count(*) FROM one_time_tokens WHERE user_id = :u",
            ):
                assert (await sql.scalar(text(query), {"u": uuid.UUID(user_id)})) == 0, query
    finally:
        await learning.dispose()
        await users.dispose()


async def _nothing_left_in_redis(stack: Stack, user_id: str, notification_ids: list[str]) -> None:
    redis = Redis.from_url(stack.stores["redis"])
    try:
        keys = [
            f"notif:user:{user_id}",
            f"notif:push:{user_id}",
            f"notif:inbox:{user_id}",
            f"notif:unread:{user_id}",
            f"viz:of:user:{user_id}",
            f"viz:ver:user:{user_id}",
            f"refresh-families:{user_id}",
            f"refresh-tokens:{user_id}",
            *(f"notif:n:{n}" for n in notification_ids),
        ]
        assert await redis.exists(*keys) == 0
        async for key in redis.scan_iter(match="refresh:*", count=1000):  # the tokens too
            assert await redis.hget(key, "user") != user_id.encode(), key
        assert await redis.zscore("notif:users", user_id) is None
        async for key in redis.scan_iter(match="viz:deps:progress:*", count=1000):
            assert user_id not in key.decode()
        async for key in redis.scan_iter(match="notif:learners:*", count=1000):
            assert not await redis.sismember(key, user_id)
    finally:
        await redis.aclose()


async def _content_anonymized(stack: Stack, user_id: str, course_id: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.stores["content_db"])
    try:
        database = client.get_default_database()
        assert await database["course_versions"].count_documents({"editor_id": user_id}) == 0
        assert await database["article_revisions"].count_documents({"editor_id": user_id}) == 0
        editors = await database["course_versions"].distinct("editor_id", {"course_id": course_id})
        assert editors == [DELETED_USER_ID]
    finally:
        await client.close()
