"""Enrolment and progress: validation, monotonic updates, completion, concurrency."""

from __future__ import annotations

import asyncio
import json
import math
import random
import uuid

import pytest
from sqlalchemy import func, select

from subgraphs.common.errors import BadUserInput
from subgraphs.learning.tables import EventRow, ProgressRow
from tests.learning.conftest import Harness

RECORD = """
mutation($s: ID!, $p: Float!) {
  recordProgress(skillId: $s, percent: $p) {
    id percent status startedAt updatedAt completedAt skill { id } user { id }
  }
}"""
ENROLL = "mutation($s: ID!) { enroll(skillId: $s) { id percent status completedAt } }"
USER_PROGRESS = """
query($u: _Any!) {
  _entities(representations: [$u]) {
    ... on User { progress { skill { id } percent status } stats { skillsStarted skillsCompleted averagePercent } }
  }
}"""


def skill() -> str:
    return f"skill-{uuid.uuid4().hex[:12]}"


async def test_enroll_is_idempotent(learning: Harness) -> None:
    learner, s = learning.account(), skill()
    first = (await learning.data(ENROLL, {"s": s}, learner.token))["enroll"]
    again = (await learning.data(ENROLL, {"s": s}, learner.token))["enroll"]
    assert first == again
    assert first["percent"] == 0 and first["status"] == "NOT_STARTED"
    assert first["completedAt"] is None


async def test_progress_never_moves_backwards_and_completes_at_100(learning: Harness) -> None:
    learner, s = learning.account(), skill()
    started = (await learning.data(RECORD, {"s": s, "p": 40}, learner.token))["recordProgress"]
    assert started["percent"] == 40 and started["status"] == "IN_PROGRESS"
    assert started["skill"] == {"id": s} and started["user"] == {"id": learner.id}

    lower = (await learning.data(RECORD, {"s": s, "p": 10}, learner.token))["recordProgress"]
    assert lower == started  # unchanged, not an error

    done = (await learning.data(RECORD, {"s": s, "p": 100}, learner.token))["recordProgress"]
    assert done["status"] == "COMPLETED" and done["percent"] == 100
    assert done["completedAt"] is not None and done["id"] == started["id"]
    again = (await learning.data(RECORD, {"s": s, "p": 100}, learner.token))["recordProgress"]
    assert again == done


@pytest.mark.parametrize("percent", [150, -1, 100.0001])
async def test_percent_out_of_range_is_bad_user_input_on_percent(
    learning: Harness, percent: float
) -> None:
    learner = learning.account()
    errors = await learning.errors(RECORD, {"s": skill(), "p": percent}, learner.token)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "percent"}


async def test_nan_percent_is_refused(learning: Harness) -> None:
    learner = learning.account()
    with pytest.raises(BadUserInput) as raised:
        await learning.deps.service.record_progress(learner.viewer, skill(), math.nan)
    assert raised.value.extensions == {"field": "percent"}
    # JSON has no NaN: over GraphQL, Float input coercion refuses it before any resolver runs.
    body = await learning.http.post(
        "/graphql",
        content=f'{{"query": {json.dumps(RECORD)}, "variables": {{"s": "x", "p": NaN}}}}'.encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {learner.token}"},
    )
    assert body.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "percent"}


async def test_progress_needs_authentication(learning: Harness) -> None:
    errors = await learning.errors(RECORD, {"s": skill(), "p": 10})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_another_users_progress_is_forbidden_but_admin_may_read(learning: Harness) -> None:
    owner, other, admin = learning.account(), learning.account(), learning.account(("ADMIN",))
    await learning.data(RECORD, {"s": skill(), "p": 30}, owner.token)
    ref = {"u": {"__typename": "User", "id": owner.id}}

    errors = await learning.errors(USER_PROGRESS, ref, other.token)
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}
    errors = await learning.errors(USER_PROGRESS, ref)
    assert {e["extensions"]["code"] for e in errors} == {"UNAUTHENTICATED"}

    for token in (owner.token, admin.token):
        user = (await learning.data(USER_PROGRESS, ref, token))["_entities"][0]
        assert [p["percent"] for p in user["progress"]] == [30]
        assert user["stats"] == {"skillsStarted": 1, "skillsCompleted": 0, "averagePercent": 30}


async def test_fifty_concurrent_updates_end_at_the_maximum_with_one_completion(
    learning: Harness,
) -> None:
    learner, s = learning.account(), skill()
    percents = [random.uniform(1, 99) for _ in range(45)] + [100.0] * 5
    random.shuffle(percents)
    service = learning.deps.service

    results = await asyncio.gather(
        *(service.record_progress(learner.viewer, s, p) for p in percents)
    )

    assert all(r.percent <= 100 for r in results)
    async with learning.deps.store.sessions() as session:
        rows = list(
            await session.scalars(
                select(ProgressRow).where(
                    ProgressRow.user_id == learner.id, ProgressRow.skill_id == s
                )
            )
        )
        completions = await session.scalar(
            select(func.count())
            .select_from(EventRow)
            .where(EventRow.user_id == learner.id, EventRow.type == "skill.completed")
        )
        enrolments = await session.scalar(
            select(func.count())
            .select_from(EventRow)
            .where(EventRow.user_id == learner.id, EventRow.type == "learner.enrolled")
        )
        recorded = list(
            await session.scalars(
                select(EventRow.payload)
                .where(EventRow.user_id == learner.id, EventRow.type == "progress.recorded")
                .order_by(EventRow.seq)
            )
        )
    assert len(rows) == 1
    assert rows[0].percent == 100 and rows[0].status == "COMPLETED"
    assert completions == 1 and enrolments == 1
    values = [p["percent"] for p in recorded]
    assert values == sorted(values) and len(set(values)) == len(values)  # strictly increasing
