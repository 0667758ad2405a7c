"""The read models: rebuilt from the log they equal the live ones; batched reads cost O(1) queries."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.exc import DBAPIError

from subgraphs.learning.domain import Answer, QuestionDraft
from subgraphs.learning.tables import READ_MODELS, ProgressRow, StatsRow
from tests.learning.conftest import Harness
from tests.learning.test_achievements_and_paths import roadmap
from tests.learning.test_courses import published
from tests.support.stack import REPO


def skills(n: int) -> list[str]:
    return [f"skill-{uuid.uuid4().hex[:12]}" for _ in range(n)]


async def record_history(learning: Harness) -> None:
    """Several learners doing a bit of everything, over several days."""
    service = learning.deps.service
    editor = learning.account(("EDITOR",)).viewer
    steps = skills(4)
    roadmap_id = await roadmap(learning, steps)
    assessment = await service.create_assessment(
        editor,
        steps[3],
        "Final",
        50,
        [QuestionDraft("Q1", ["a", "b"], [0]), QuestionDraft("Q2", ["a", "b", "c"], [1, 2])],
    )
    q1, q2 = (q["id"] for q in assessment.questions)
    course_id, lessons = await published(learning, [["intro", "setup"], ["drill"]])
    start = datetime(2026, 1, 10, 9, tzinfo=UTC)
    for n in range(3):
        learner = learning.account().viewer
        for day in range(8 - n * 3):
            learning.clock.fixed = start + timedelta(days=day, hours=n)
            await service.record_progress(learner, steps[day % 3], 12.5 * (day + 1))
        await service.enroll(learner, steps[3])
        await service.follow_roadmap(learner, roadmap_id)
        failed = await service.start_assessment(learner, assessment.id)
        await service.submit_assessment(learner, failed.id, [Answer(q1, [1])])
        if n < 2:
            passed = await service.start_assessment(learner, assessment.id)
            await service.submit_assessment(
                learner, passed.id, [Answer(q1, [0]), Answer(q2, [2, 1])]
            )
        await service.start_assessment(learner, assessment.id)  # left unsubmitted
        await service.record_progress(learner, steps[1], 100)
        await service.record_progress(learner, steps[1], 30)  # no effect
        for lesson in lessons[: 3 - n]:  # the first completes the course, the others not
            await service.mark_lesson(learner, course_id, lesson, done=True)
        await service.mark_lesson(learner, course_id, lessons[0], done=n != 1)


async def snapshot(learning: Harness) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    async with learning.deps.store.sessions() as session:
        for model in READ_MODELS:
            table = model.__table__
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [dict(row._mapping) for row in rows]
    return tables


async def test_rebuilding_from_the_log_yields_the_same_read_models(learning: Harness) -> None:
    await record_history(learning)
    live = await snapshot(learning)
    assert all(live[model.__table__.name] for model in READ_MODELS)  # every read model has rows

    async with learning.deps.store.sessions() as session, session.begin():  # damage them
        await session.execute(delete(ProgressRow).where(ProgressRow.percent < 50))
        await session.execute(update(StatsRow).values(streak_days=99, average_percent=1.5))
    assert await snapshot(learning) != live

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "subgraphs.learning",
        "rebuild-projections",
        cwd=REPO,
        env={
            **os.environ,
            "SKILL_CIRCLE_ENVIRONMENT": "test",
            "SKILL_CIRCLE_DATABASE_URL": learning.deps.settings.database_url,
            "SKILL_CIRCLE_REDIS_URL": learning.deps.settings.redis_url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert b"read models rebuilt from" in out

    assert await snapshot(learning) == live


async def test_the_event_log_is_append_only(learning: Harness) -> None:
    await learning.deps.service.enroll(learning.account().viewer, skills(1)[0])
    for statement in ("UPDATE learning_events SET type = 'x'", "DELETE FROM learning_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with learning.deps.store.sessions() as session, session.begin():
                await session.execute(text(statement))


@contextmanager
def counting_statements(learning: Harness) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "outbox" not in statement:  # the relay's polling, not the request's work
            statements.append(statement)

    engine = learning.deps.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


PAGE = """
query($skills: [_Any!]!) {
  _entities(representations: $skills) {
    ... on Skill { id learnerCount myProgress { percent status } assessments { id } }
  }
}"""


async def test_a_page_of_skills_costs_the_same_queries_for_5_or_50(learning: Harness) -> None:
    learner, others = learning.account(), [learning.account() for _ in range(3)]
    page = skills(50)
    for i, skill_id in enumerate(page[::2]):
        await learning.deps.service.record_progress(learner.viewer, skill_id, 10 + i)
        await learning.deps.service.enroll(others[i % 3].viewer, skill_id)

    counts = {}
    for size in (5, 50):
        representations = [{"__typename": "Skill", "id": s} for s in page[:size]]
        with counting_statements(learning) as statements:
            data = await learning.data(PAGE, {"skills": representations}, learner.token)
        counts[size] = len(statements)
        found = data["_entities"]
        assert len(found) == size
        assert found[0]["learnerCount"] == 2 and found[0]["myProgress"]["percent"] == 10
        assert found[1]["learnerCount"] == 0 and found[1]["myProgress"] is None
    assert counts[5] == counts[50] == 3  # learner counts, my progress, assessments
