"""Skill ids must exist: the directory of known skills, and what a deleted skill stops breaking."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from subgraphs.common.clock import utcnow
from subgraphs.common.errors import NotFound
from subgraphs.common.events import Received
from subgraphs.common.events.contracts import SkillCreated, SkillDeleted, SkillUpdated
from subgraphs.common.gateway_client import GatewayClient
from subgraphs.learning.skills import SkillDirectory, SkillsUnavailable
from subgraphs.learning.skills import directory as sql_directory
from subgraphs.learning.tables import EventRow
from tests.learning.conftest import Account, Harness
from tests.learning.test_achievements_and_paths import FOLLOW, RECORD, roadmap, skills

PROGRESS = """
query($u: _Any!) {
  _entities(representations: [$u]) {
    ... on User { progress { skill { id } percent } learningPaths { percent nextSkill { id } } }
  }
}"""


def directory(learning: Harness) -> SkillDirectory:
    """The real directory on the harness database; nothing listens at the gateway URL."""
    return sql_directory(
        learning.deps.store.sessions, GatewayClient("http://127.0.0.1:9/graphql", timeout=1.0)
    )


def event(
    contract: type[SkillCreated | SkillUpdated],
    skill_id: str,
    name: str | None = None,
    time: datetime | None = None,
) -> Received[SkillCreated | SkillUpdated]:
    """A skill event as the skills subgraph now sends it: with level and category."""
    payload = contract(
        skill_id=skill_id,
        slug=skill_id,
        name=name or skill_id,
        level="BEGINNER",
        category_id="c1",
        category_name="Data",
    )
    return Received(uuid.uuid4().hex, time or utcnow(), "skills", payload)


async def test_skills_heard_of_need_no_gateway_and_unknown_ones_fail_clearly(
    learning: Harness,
) -> None:
    skills_ = directory(learning)
    known, unknown = skills(2)
    await skills_.on_skill_changed(event(SkillCreated, known))
    await skills_.require_existing([known, known])  # no gateway needed
    with pytest.raises(SkillsUnavailable) as raised:
        await skills_.require_existing([known, unknown])
    assert raised.value.code == "INTERNAL_SERVER_ERROR"
    assert "skills service is unavailable" in raised.value.message
    await skills_.mark(known, deleted=True)
    with pytest.raises(NotFound, match=f"Skill {known} not found"):
        await skills_.require_existing([known])


async def state(learning: Harness, learner: Account) -> dict[str, Any]:
    variables = {"u": {"__typename": "User", "id": learner.id}}
    return (await learning.data(PROGRESS, variables, learner.token))["_entities"][0]


async def test_a_deleted_skill_leaves_progress_and_paths_but_the_log_untouched(
    learning: Harness,
) -> None:
    learner = learning.account()
    gone, kept = skills(2)
    await learning.data(RECORD, {"s": gone, "p": 40}, learner.token)
    await learning.data(RECORD, {"s": kept, "p": 100}, learner.token)
    await learning.data(FOLLOW, {"r": await roadmap(learning, [gone, kept])}, learner.token)
    before = await state(learning, learner)
    assert before["learningPaths"] == [{"percent": 70.0, "nextSkill": {"id": gone}}]
    events_before = await count_events(learning, learner.id)

    await learning.app.state.platform.events.publish(
        SkillDeleted(skill_id=gone, slug=gone, name=gone)
    )
    for _ in range(100):
        after = await state(learning, learner)
        if after["learningPaths"][0]["nextSkill"] is None:
            break
        await asyncio.sleep(0.05)
    assert after["progress"] == [{"skill": {"id": kept}, "percent": 100.0}]
    assert after["learningPaths"] == [{"percent": 100.0, "nextSkill": None}]
    assert await count_events(learning, learner.id) == events_before
    with pytest.raises(NotFound):  # the real directory knows it is gone
        await directory(learning).require_existing([gone])


async def count_events(learning: Harness, user_id: str) -> int:
    async with learning.deps.store.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.user_id == user_id)
        )
        return int(found or 0)


SKILL_FIELDS = """
query($u: _Any!) {
  _entities(representations: [$u]) {
    ... on User { progress { skill { id name level category { name } } } }
  }
}"""


async def test_learning_answers_skill_names_from_events_newest_wins(learning: Harness) -> None:
    """The dashboard's skill fields come from the projection; a rename arrives with its event,
    and an older event handled late (another replica) does not undo a newer one."""
    skills_ = learning.deps.skills  # the serving replica's own consumer handles the events
    learner = learning.account()
    (skill,) = skills(1)
    created = event(SkillCreated, skill, "Python")
    await skills_.on_skill_changed(created)
    await learning.data(RECORD, {"s": skill, "p": 10}, learner.token)
    variables = {"u": {"__typename": "User", "id": learner.id}}

    async def shown() -> Any:
        data = await learning.data(SKILL_FIELDS, variables, learner.token)
        return data["_entities"][0]["progress"][0]["skill"]

    assert await shown() == {
        "id": skill,
        "name": "Python",
        "level": "BEGINNER",
        "category": {"name": "Data"},
    }
    renamed = event(SkillUpdated, skill, "Python 3", time=created.time + timedelta(seconds=1))
    await skills_.on_skill_changed(renamed)
    assert (await shown())["name"] == "Python 3"
    await skills_.on_skill_changed(created)  # redelivered late: older than what is held
    assert (await shown())["name"] == "Python 3"


async def test_a_rename_handled_by_another_replica_reaches_this_one_through_its_tail(
    learning: Harness,
) -> None:
    """Names are served from memory: another replica's consumer writes the rename to the
    projection, and this replica's tail (every replica hears every event) updates it."""
    serving, other = learning.deps.skills, directory(learning)
    learner = learning.account()
    (skill,) = skills(1)
    created = event(SkillCreated, skill, "Rust")
    await other.on_skill_changed(created)
    await learning.data(RECORD, {"s": skill, "p": 10}, learner.token)
    variables = {"u": {"__typename": "User", "id": learner.id}}

    async def shown() -> Any:
        data = await learning.data(SKILL_FIELDS, variables, learner.token)
        return data["_entities"][0]["progress"][0]["skill"]["name"]

    assert await shown() == "Rust"  # read from the projection once, then held
    renamed = event(SkillUpdated, skill, "Rust 2024", time=created.time + timedelta(seconds=1))
    await other.on_skill_changed(renamed)
    assert await shown() == "Rust"  # this replica has not heard the event yet
    # As this replica's tail delivers it (a platform tail also forgets what the replica
    # answered from memory once the directory took the event).
    platform = learning.app.state.platform
    handler = platform.tail(serving.tail_handlers()).handlers.get("skill.updated")
    assert handler is not None
    await handler[1](renamed)
    assert await shown() == "Rust 2024"
    await handler[1](created)  # an older event heard late changes nothing
    assert await shown() == "Rust 2024"
