"""Achievements from rules (each once per user) and learning paths that follow roadmaps."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from subgraphs.common.events.contracts import RoadmapCreated
from tests.learning.conftest import Account, Harness

RECORD = "mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { status } }"
FOLLOW = """
mutation($r: ID!) {
  followRoadmap(roadmapId: $r) { id percent nextSkill { id } roadmap { id } user { id } }
}"""
ME = """
query($u: _Any!) {
  _entities(representations: [$u]) {
    ... on User {
      achievements { code title description unlockedAt }
      learningPaths { id percent nextSkill { id } roadmap { id } }
      stats { skillsStarted skillsCompleted certificates currentStreakDays averagePercent }
    }
  }
}"""
MY_PATH = """
query($r: _Any!) { _entities(representations: [$r]) { ... on Roadmap { myPath { id percent nextSkill { id } } } } }"""


def skills(n: int) -> list[str]:
    return [f"skill-{uuid.uuid4().hex[:12]}" for _ in range(n)]


async def me(learning: Harness, learner: Account) -> dict[str, Any]:
    variables = {"u": {"__typename": "User", "id": learner.id}}
    return (await learning.data(ME, variables, learner.token))["_entities"][0]


async def roadmap(learning: Harness, skill_ids: list[str]) -> str:
    """A roadmap announced by the skills subgraph's event, once this subgraph has learned it."""
    roadmap_id = uuid.uuid4().hex[:24]
    bus = learning.app.state.platform.events
    await bus.publish(
        RoadmapCreated(roadmap_id=roadmap_id, slug=f"r-{roadmap_id}", skill_ids=skill_ids)
    )
    for _ in range(100):
        if await learning.deps.roadmaps.skill_ids(roadmap_id) == skill_ids:
            return roadmap_id
        await asyncio.sleep(0.05)
    raise AssertionError("roadmap.created was not consumed")


async def test_completion_achievements_unlock_once_each(learning: Harness) -> None:
    learner = learning.account()
    for number, skill_id in enumerate(skills(6), start=1):
        await learning.data(RECORD, {"s": skill_id, "p": 100}, learner.token)
        codes = [a["code"] for a in (await me(learning, learner))["achievements"]]
        expected = ["FIRST_SKILL_COMPLETED"] + (["FIVE_SKILLS_COMPLETED"] if number >= 5 else [])
        assert codes == expected
    achievement = (await me(learning, learner))["achievements"][0]
    assert achievement["title"] and achievement["description"] and achievement["unlockedAt"]


async def test_seven_consecutive_utc_days_unlock_the_streak(learning: Harness) -> None:
    learner, (s,) = learning.account(), skills(1)
    day = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)

    for n in range(1, 7):
        learning.clock.fixed = day + timedelta(days=n - 1)
        await learning.data(RECORD, {"s": s, "p": n * 10}, learner.token)
    state = await me(learning, learner)
    assert state["stats"]["currentStreakDays"] == 6
    assert "STREAK_7_DAYS" not in {a["code"] for a in state["achievements"]}

    learning.clock.fixed = day + timedelta(days=5, minutes=45)  # day 7, just after midnight UTC
    await learning.data(RECORD, {"s": s, "p": 70}, learner.token)
    state = await me(learning, learner)
    assert state["stats"]["currentStreakDays"] == 7
    assert [a["code"] for a in state["achievements"]] == ["STREAK_7_DAYS"]

    learning.clock.fixed = day + timedelta(days=8)  # two idle days: the streak is over
    assert (await me(learning, learner))["stats"]["currentStreakDays"] == 0


async def test_a_gap_restarts_the_streak(learning: Harness) -> None:
    learner, (s,) = learning.account(), skills(1)
    day = datetime(2026, 5, 1, 12, tzinfo=UTC)
    for n, offset in enumerate([0, 1, 2, 4, 5], start=1):  # day 3 missing
        learning.clock.fixed = day + timedelta(days=offset)
        await learning.data(RECORD, {"s": s, "p": n}, learner.token)
    assert (await me(learning, learner))["stats"]["currentStreakDays"] == 2


async def test_a_learning_path_follows_the_learners_progress(learning: Harness) -> None:
    learner, steps = learning.account(), skills(3)
    roadmap_id = await roadmap(learning, steps)

    path = (await learning.data(FOLLOW, {"r": roadmap_id}, learner.token))["followRoadmap"]
    assert path["percent"] == 0 and path["nextSkill"] == {"id": steps[0]}
    assert path["roadmap"] == {"id": roadmap_id} and path["user"] == {"id": learner.id}
    again = (await learning.data(FOLLOW, {"r": roadmap_id}, learner.token))["followRoadmap"]
    assert again["id"] == path["id"]  # following twice keeps one path

    await learning.data(RECORD, {"s": steps[0], "p": 100}, learner.token)
    await learning.data(RECORD, {"s": steps[1], "p": 50}, learner.token)
    state = await me(learning, learner)
    assert state["learningPaths"] == [
        {
            "id": path["id"],
            "percent": 50.0,
            "nextSkill": {"id": steps[1]},
            "roadmap": {"id": roadmap_id},
        }
    ]
    mine = await learning.data(
        MY_PATH, {"r": {"__typename": "Roadmap", "id": roadmap_id}}, learner.token
    )
    assert mine["_entities"][0]["myPath"]["percent"] == 50.0
    anonymous = await learning.data(MY_PATH, {"r": {"__typename": "Roadmap", "id": roadmap_id}})
    assert anonymous["_entities"][0]["myPath"] is None
    assert "ROADMAP_COMPLETED" not in {a["code"] for a in state["achievements"]}

    await learning.data(RECORD, {"s": steps[1], "p": 100}, learner.token)
    await learning.data(RECORD, {"s": steps[2], "p": 100}, learner.token)
    state = await me(learning, learner)
    assert (
        state["learningPaths"][0]["percent"] == 100
        and state["learningPaths"][0]["nextSkill"] is None
    )
    assert [a["code"] for a in state["achievements"]].count("ROADMAP_COMPLETED") == 1


async def test_following_a_roadmap_already_done_completes_it(learning: Harness) -> None:
    learner, steps = learning.account(), skills(2)
    for s in steps:
        await learning.data(RECORD, {"s": s, "p": 100}, learner.token)
    roadmap_id = await roadmap(learning, steps)
    path = (await learning.data(FOLLOW, {"r": roadmap_id}, learner.token))["followRoadmap"]
    assert path["percent"] == 100 and path["nextSkill"] is None
    assert "ROADMAP_COMPLETED" in {a["code"] for a in (await me(learning, learner))["achievements"]}


async def test_an_unknown_roadmap_is_not_found(learning: Harness) -> None:
    learner = learning.account()
    errors = await learning.errors(FOLLOW, {"r": "no-such-roadmap"}, learner.token)
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
