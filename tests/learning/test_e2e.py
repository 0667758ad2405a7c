"""Learning through the gateway: live progress over websockets, replicas, permissions, answers."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from subgraphs.common.gateway_client import GatewayClient
from subgraphs.common.settings import Settings
from subgraphs.common.stores.sql import migrate, session_factory, sql_engine
from subgraphs.learning.app import MIGRATIONS
from subgraphs.learning.roadmaps import RoadmapCatalog
from tests.conftest import account_with_roles, register
from tests.support.client import Client, Subscription, subscribe
from tests.support.servers import PostgresServer, free_port
from tests.support.stack import Stack

CREATE_CATEGORY = "mutation($i: CategoryInput!) { createCategory(input: $i) { id } }"
CREATE_SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { id slug name } }"
CREATE_ROADMAP = "mutation($i: RoadmapInput!) { createRoadmap(input: $i) { id } }"
RECORD = """
mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { id percent status } }"""
PROGRESS_UPDATED = """
subscription { progressUpdated { id percent status skill { id name } user { id } } }"""
ACHIEVEMENT_UNLOCKED = "subscription { achievementUnlocked { code title unlockedAt } }"


@pytest.fixture
async def editor(gateway: Client, admin_token: str) -> AsyncIterator[Client]:
    account = await account_with_roles(gateway, admin_token, ["EDITOR"])
    client = gateway.as_user(account["accessToken"])
    yield client
    await client.close()


async def learner(gateway: Client, name: str = "Learner") -> tuple[str, str, Client]:
    account = await register(gateway, name)
    return account["user"]["id"], account["accessToken"], gateway.as_user(account["accessToken"])


async def new_skills(editor: Client, count: int) -> list[dict[str, str]]:
    """Skills created in the skills subgraph through the gateway, as an editor would."""
    tag = uuid.uuid4().hex[:8]
    await editor.data(
        CREATE_CATEGORY, {"i": {"slug": f"learning-{tag}", "name": f"Learning {tag}"}}
    )
    made = []
    for n in range(count):
        skill = {
            "slug": f"skill-{tag}-{n}",
            "name": f"Skill {tag} {n}",
            "description": "For learning tests",
            "level": "BEGINNER",
            "categorySlug": f"learning-{tag}",
        }
        made.append((await editor.data(CREATE_SKILL, {"i": skill}))["createSkill"])
    return made


async def until_live(sub: Subscription, client: Client, warm_up: str) -> None:
    """Records warm-up progress on skill `warm_up` until `sub` delivers it (setup is async)."""
    await asyncio.sleep(0.5)
    for percent in range(1, 21):
        await client.data(RECORD, {"s": warm_up, "p": percent})
        try:
            await sub.next(timeout=1.0)
            return
        except TimeoutError:
            continue
    raise AssertionError("the subscription never delivered")


async def next_about(sub: Subscription, skill_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """The next update about `skill_id` (late warm-up updates are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        payload = await sub.next(timeout=max(deadline - time.monotonic(), 0.01))
        assert "errors" not in payload, payload
        update = payload["data"]["progressUpdated"]
        if update["skill"]["id"] == skill_id:
            return update


async def updates_within(sub: Subscription, seconds: float) -> list[dict[str, Any]]:
    received = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            received.append((await sub.next(timeout=left))["data"]["progressUpdated"])
        except TimeoutError:
            break
    return received


async def test_a_learner_receives_their_own_progress_live_and_no_one_elses(
    stack: Stack, gateway: Client, editor: Client
) -> None:
    skill, warm_up = await new_skills(editor, 2)
    me, my_token, my_client = await learner(gateway)
    _, other_token, other_client = await learner(gateway, "Other")

    async with (
        subscribe(stack.ws_url, PROGRESS_UPDATED, my_token) as mine,
        subscribe(stack.ws_url, PROGRESS_UPDATED, other_token) as others,
    ):
        await until_live(mine, my_client, warm_up["id"])
        await until_live(others, other_client, warm_up["id"])
        sent = time.monotonic()
        await my_client.data(RECORD, {"s": skill["id"], "p": 42.5})
        update = await next_about(mine, skill["id"])
        latency = time.monotonic() - sent
        assert update["percent"] == 42.5 and update["status"] == "IN_PROGRESS"
        assert update["user"] == {"id": me}
        assert update["skill"] == {"id": skill["id"], "name": skill["name"]}  # from skills
        assert latency < 1.0, f"delivered after {latency:.2f}s"
        assert all(u["user"]["id"] != me for u in await updates_within(others, 1.0))


async def test_achievements_arrive_live(stack: Stack, gateway: Client, editor: Client) -> None:
    skill, warm_up = await new_skills(editor, 2)
    _, token, client = await learner(gateway)
    async with (
        subscribe(stack.ws_url, ACHIEVEMENT_UNLOCKED, token) as sub,
        subscribe(stack.ws_url, PROGRESS_UPDATED, token) as progress,
    ):
        await until_live(
            progress, client, warm_up["id"]
        )  # the same path as the achievement subscription
        await asyncio.sleep(0.5)
        await client.data(RECORD, {"s": skill["id"], "p": 100})
        payload = await sub.next(timeout=5)
        assert payload["data"]["achievementUnlocked"]["code"] == "FIRST_SKILL_COMPLETED"


async def test_unauthenticated_subscriptions_are_refused(stack: Stack) -> None:
    async with subscribe(stack.ws_url, PROGRESS_UPDATED) as sub:
        message = json.loads(await asyncio.wait_for(sub.socket.recv(), 10))
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"], message


async def test_a_subscription_on_one_replica_hears_a_mutation_on_another(
    stack: Stack, gateway: Client, editor: Client
) -> None:
    skill, warm_up = await new_skills(editor, 2)
    port = free_port()
    replica = stack.subgraph_process("learning", port=port, label="learning-2").start()
    try:
        _, token, client = await learner(gateway)
        skill_id = skill["id"]
        query = "subscription { progressUpdated { percent status skill { id } } }"
        async with subscribe(f"ws://127.0.0.1:{port}/graphql", query, token) as sub:
            await until_live(
                sub, client, warm_up["id"]
            )  # mutations go through the gateway to the first process
            await client.data(RECORD, {"s": skill_id, "p": 100})
            update = await next_about(sub, skill_id)
        assert update == {"percent": 100.0, "status": "COMPLETED", "skill": {"id": skill_id}}
    finally:
        replica.stop()


async def test_progress_is_private_and_percent_is_validated(
    gateway: Client, editor: Client
) -> None:
    (skill,) = await new_skills(editor, 1)
    owner_id, _, owner = await learner(gateway)
    _, _, other = await learner(gateway, "Other")
    skill_id = skill["id"]
    await owner.data(RECORD, {"s": skill_id, "p": 20})

    query = "query($u: ID!) { user(id: $u) { displayName progress { percent skill { id } } } }"
    body = await other.execute(query, {"u": owner_id})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    mine = await owner.data(query, {"u": owner_id})
    assert mine["user"]["progress"] == [{"percent": 20.0, "skill": {"id": skill_id}}]

    body = await owner.execute(RECORD, {"s": skill_id, "p": 150})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "percent"


async def test_learning_fields_on_skills_and_roadmaps(gateway: Client, editor: Client) -> None:
    skills = await new_skills(editor, 2)
    _, _, client = await learner(gateway)
    roadmap = {
        "slug": f"path-{uuid.uuid4().hex[:8]}",
        "title": "Path",
        "description": "Two steps",
        "skillSlugs": [s["slug"] for s in skills],
    }
    roadmap_id = (await editor.data(CREATE_ROADMAP, {"i": roadmap}))["createRoadmap"]["id"]
    follow = "mutation($r: ID!) { followRoadmap(roadmapId: $r) { percent nextSkill { name } } }"
    path = (await client.data(follow, {"r": roadmap_id}))["followRoadmap"]
    assert path == {"percent": 0.0, "nextSkill": {"name": skills[0]["name"]}}

    await client.data(RECORD, {"s": skills[0]["id"], "p": 100})
    read = """query($slug: String!) {
      roadmap(slug: $slug) { myPath { percent nextSkill { name } }
        steps { skill { name learnerCount myProgress { status } } } } }"""
    found = (await client.data(read, {"slug": roadmap["slug"]}))["roadmap"]
    assert found["myPath"] == {"percent": 50.0, "nextSkill": {"name": skills[1]["name"]}}
    assert [s["skill"]["learnerCount"] for s in found["steps"]] == [1, 0]
    assert [s["skill"]["myProgress"] for s in found["steps"]] == [{"status": "COMPLETED"}, None]


async def test_no_gateway_response_contains_the_correct_answers(
    gateway: Client, editor: Client
) -> None:
    (skill,) = await new_skills(editor, 1)
    questions = [
        {"prompt": "Pick b", "choices": ["a", "b"], "correctIndexes": [1]},
        {"prompt": "Pick a and c", "choices": ["a", "b", "c"], "correctIndexes": [0, 2]},
    ]
    create = """mutation($i: AssessmentInput!) {
      createAssessment(input: $i) { id questions { id prompt choices multiple } } }"""
    made = (
        await editor.data(
            create,
            {
                "i": {
                    "skillId": skill["id"],
                    "title": "Quiz",
                    "passingScore": 100,
                    "questions": questions,
                }
            },
        )
    )["createAssessment"]
    _, _, client = await learner(gateway)
    responses: list[Any] = [made]
    responses.append(
        await client.data(
            "query($s: String!) { skill(slug: $s) { assessments { title questions { id prompt choices multiple } } } }",
            {"s": skill["slug"]},
        )
    )
    responses.append(
        await client.data(
            "query($a: ID!) { assessment(id: $a) { questions { choices multiple } } }",
            {"a": made["id"]},
        )
    )
    attempt = await client.data(
        "mutation($a: ID!) { startAssessment(assessmentId: $a) { id } }", {"a": made["id"]}
    )
    responses.append(attempt)
    submitted = await client.data(
        """mutation($t: ID!, $x: [AnswerInput!]!) { submitAssessment(attemptId: $t, answers: $x) {
             score passed assessment { questions { id choices multiple } } } }""",
        {
            "t": attempt["startAssessment"]["id"],
            "x": [
                {"questionId": made["questions"][0]["id"], "choiceIndexes": [1]},
                {"questionId": made["questions"][1]["id"], "choiceIndexes": [2, 0]},
            ],
        },
    )
    responses.append(submitted)
    assert submitted["submitAssessment"]["passed"] is True
    for response in responses:
        text = json.dumps(response)
        assert "correct" not in text.lower(), text

    certificates = await client.data("{ me { certificates { verificationCode skill { name } } } }")
    (certificate,) = certificates["me"]["certificates"]
    assert certificate["skill"] == {"name": skill["name"]}
    verify = "query($c: String!) { verifyCertificate(verificationCode: $c) { skill { name } user { displayName } } }"
    verified = await gateway.data(verify, {"c": certificate["verificationCode"]})
    assert verified["verifyCertificate"]["skill"] == {"name": skill["name"]}


async def test_a_roadmap_not_yet_heard_of_is_fetched_from_the_gateway(
    stack: Stack, editor: Client, postgres: PostgresServer
) -> None:
    skills = await new_skills(editor, 2)
    roadmap = {
        "slug": f"fetched-{uuid.uuid4().hex[:8]}",
        "title": "Fetched",
        "description": "Learned from the gateway",
        "skillSlugs": [s["slug"] for s in skills],
    }
    roadmap_id = (await editor.data(CREATE_ROADMAP, {"i": roadmap}))["createRoadmap"]["id"]
    url = postgres.create_database(f"learning_catalog_{uuid.uuid4().hex[:8]}")
    await migrate(url, MIGRATIONS)
    engine = sql_engine(url, Settings(service="learning"))
    try:
        # no events: an empty catalogue
        catalog = RoadmapCatalog(session_factory(engine), GatewayClient(stack.url, timeout=10.0))
        assert await catalog.skill_ids(roadmap_id) == [s["id"] for s in skills]
        assert await catalog.skill_ids("no-such-roadmap") is None
    finally:
        await engine.dispose()


ENROLL = "mutation($s: ID!) { enroll(skillId: $s) { percent status skill { id name } } }"


async def test_only_skills_of_the_skills_subgraph_can_be_learned(
    gateway: Client, editor: Client
) -> None:
    _, _, client = await learner(gateway)
    made_up = str(uuid.uuid4().int)[:7]
    body = await client.execute(ENROLL, {"s": made_up})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], body
    assert body["errors"][0]["message"] == f"Skill {made_up} not found"
    body = await client.execute(RECORD, {"s": made_up, "p": 10})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], body

    (skill,) = await new_skills(editor, 1)  # asked of the gateway if its event is not in yet
    enrolled = (await client.data(ENROLL, {"s": skill["id"]}))["enroll"]
    assert enrolled == {
        "percent": 0.0,
        "status": "NOT_STARTED",
        "skill": {"id": skill["id"], "name": skill["name"]},
    }
    mine = await client.data("{ me { progress { skill { name } } } }")
    assert mine["me"]["progress"] == [{"skill": {"name": skill["name"]}}]


# ------------------------------------------------ learners' own reads from memory
MY_PROGRESS = """query($u: [_Any!]!) {
  _entities(representations: $u) { ... on User { progress { percent skill { id } } } }
}"""
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"


async def read_directly(url: str, token: str, user_id: str) -> tuple[dict[str, Any], bool]:
    """A user's progress read straight from a learning process, as a gateway asks for it:
    (the answer, whether it was served from memory: only those carry `Age`)."""
    variables = {"u": [{"__typename": "User", "id": user_id}]}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url,
            json={"query": MY_PROGRESS, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    return response.json(), "age" in response.headers


async def kept(url: str, token: str, user_id: str) -> dict[str, Any]:
    """Reads until one is served from memory, and returns it. Any event a learning
    process handles clears what it keeps (other tests' catalog events among them), so a
    pair of reads may straddle a clear: repeat the pair."""
    for _ in range(20):
        first, _ = await read_directly(url, token, user_id)
        second, from_memory = await read_directly(url, token, user_id)
        if from_memory:
            assert second == first
            return second
        await asyncio.sleep(0.1)
    raise AssertionError("a learner's repeated read was never served from memory")


def percents(answer: dict[str, Any]) -> dict[str, float]:
    progress = answer["data"]["_entities"][0]["progress"]
    return {row["skill"]["id"]: row["percent"] for row in progress}


async def test_a_learners_own_reads_come_from_memory_and_show_their_writes_at_once(
    stack: Stack, gateway: Client, editor: Client
) -> None:
    (skill,) = await new_skills(editor, 1)
    me, token, client = await learner(gateway)
    _, other_token, _ = await learner(gateway, "Other")
    await client.data(RECORD, {"s": skill["id"], "p": 10})
    url = stack.subgraph_url("learning")
    assert percents(await kept(url, token, me)) == {skill["id"]: 10.0}

    # The learner's own write (through the gateway) clears what was kept before its
    # answer leaves: the very next read runs and shows it.
    await client.data(RECORD, {"s": skill["id"], "p": 60})
    answer, from_memory = await read_directly(url, token, me)
    assert not from_memory and percents(answer) == {skill["id"]: 60.0}
    shown = await client.data("{ me { progress { percent } } }")
    assert shown["me"]["progress"] == [{"percent": 60.0}]

    # Someone else asking for this learner's progress is refused, every time: errors are
    # never kept, and an answer is only ever replayed to the token it was computed for.
    for _ in range(2):
        refused, from_memory = await read_directly(url, other_token, me)
        assert refused.get("errors") and not from_memory, refused


async def test_editors_and_ended_sessions_are_never_answered_from_memory(
    stack: Stack, gateway: Client, admin_token: str, editor: Client
) -> None:
    (skill,) = await new_skills(editor, 1)
    url = stack.subgraph_url("learning")
    account = await account_with_roles(gateway, admin_token, ["EDITOR"], "Cache Editor")
    editor_id, editor_token = account["user"]["id"], account["accessToken"]
    await gateway.as_user(editor_token).data(RECORD, {"s": skill["id"], "p": 20})
    for _ in range(3):
        answer, from_memory = await read_directly(url, editor_token, editor_id)
        assert percents(answer) == {skill["id"]: 20.0} and not from_memory

    registered = await register(gateway, "Leaving")
    me, token = registered["user"]["id"], registered["accessToken"]
    await gateway.as_user(token).data(RECORD, {"s": skill["id"], "p": 30})
    await kept(url, token, me)
    await gateway.data(LOGOUT, {"t": registered["refreshToken"]})
    # The session ended: its access token no longer reads the kept answer (nor anything
    # private), on this process within moments of the revocation's announcement.
    deadline = time.monotonic() + 5
    while True:
        answer, from_memory = await read_directly(url, token, me)
        if not from_memory and answer.get("errors"):
            break
        assert time.monotonic() < deadline, f"a logged-out token still read {answer}"
        await asyncio.sleep(0.1)


async def test_a_write_through_one_replica_clears_what_another_kept(
    stack: Stack, gateway: Client, editor: Client
) -> None:
    (skill,) = await new_skills(editor, 1)
    me, token, client = await learner(gateway)
    await client.data(RECORD, {"s": skill["id"], "p": 10})
    port = free_port()
    replica = stack.subgraph_process("learning", port=port, label="learning-2").start()
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        assert percents(await kept(url, token, me)) == {skill["id"]: 10.0}
        # Written through the gateway, i.e. by the first process. The second one kept
        # its answer a moment ago for up to 5 s (private_cache_seconds): the write's
        # announcement must clear it well before that.
        await client.data(RECORD, {"s": skill["id"], "p": 70})
        written = time.monotonic()
        while percents((await read_directly(url, token, me))[0]) != {skill["id"]: 70.0}:
            assert time.monotonic() - written < 2.0, "the other replica kept its old answer"
            await asyncio.sleep(0.05)
    finally:
        replica.stop()
