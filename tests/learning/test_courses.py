"""Course progress in the learning log: one event per change, completion once under the
learner's lock, and the published outline learning keeps from content's events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from subgraphs.common.auth import Viewer
from subgraphs.common.clock import utcnow
from subgraphs.common.errors import BadUserInput, NotFound
from subgraphs.common.events import Received
from subgraphs.common.events.contracts import (
    ContentPublished,
    ContentWithdrawn,
    PublishedLesson,
    PublishedModule,
)
from subgraphs.common.gateway_client import GatewayClient
from subgraphs.learning import events as ev
from subgraphs.learning.courses import CourseCatalog, CoursesUnavailable
from subgraphs.learning.tables import EventRow
from tests.learning.conftest import Harness


async def published(
    learning: Harness,
    modules: list[list[str]],
    course_id: str | None = None,
    at: datetime | None = None,
) -> tuple[str, list[str]]:
    """Tells learning a course was published (as content's event would); its id and lesson ids."""
    course_id = course_id or uuid.uuid4().hex[:24]
    event = ContentPublished(
        kind="course",
        id=course_id,
        slug=f"course-{course_id}",
        title=f"Course {course_id}",
        skill_ids=[],
        version=1,
        modules=[
            PublishedModule(
                title=f"Module {n}", lessons=[PublishedLesson(id=i, title=i) for i in ids]
            )
            for n, ids in enumerate(modules, start=1)
        ],
    )
    await learning.deps.courses.on_published(
        Received(uuid.uuid4().hex, at or utcnow(), "content", event)
    )
    return course_id, [lesson for ids in modules for lesson in ids]


async def events_of(learning: Harness, viewer: Viewer, kind: str) -> int:
    async with learning.deps.store.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(EventRow)
            .where(EventRow.user_id == viewer.user_id, EventRow.type == kind)
        )
    return int(count or 0)


async def test_marks_are_recorded_once_and_complete_the_course_once(learning: Harness) -> None:
    service, learner = learning.deps.service, learning.account().viewer
    course_id, (a, b, c) = await published(learning, [["a", "b"], ["c"]])
    for lesson in (a, a, c, b, b):
        standing = await service.mark_lesson(learner, course_id, lesson, done=True)
    assert await events_of(learning, learner, ev.LESSON_DONE) == 3
    assert await events_of(learning, learner, ev.COURSE_COMPLETED) == 1
    assert standing.completed_at is not None and standing.tally.percent == 100.0

    await service.mark_lesson(learner, course_id, c, done=False)
    await service.mark_lesson(learner, course_id, c, done=False)  # not done: nothing
    again = await service.mark_lesson(learner, course_id, c, done=True)
    assert await events_of(learning, learner, ev.LESSON_UNDONE) == 1
    assert await events_of(learning, learner, ev.COURSE_COMPLETED) == 1
    assert again.completed_at == standing.completed_at
    stats = await learning.deps.store.stats_of_users([learner.user_id])
    assert stats[0].courses_completed == 1


async def test_racing_marks_of_the_last_lessons_complete_the_course_exactly_once(
    learning: Harness,
) -> None:
    service, learner = learning.deps.service, learning.account().viewer
    lessons = [f"l{n}" for n in range(6)]
    course_id, _ = await published(learning, [lessons])
    await asyncio.gather(
        *(service.mark_lesson(learner, course_id, lesson, done=True) for lesson in lessons)
    )
    assert await events_of(learning, learner, ev.COURSE_COMPLETED) == 1


async def test_unknown_lessons_and_withdrawn_courses_are_refused(learning: Harness) -> None:
    service, learner = learning.deps.service, learning.account().viewer
    published_at = utcnow()
    course_id, (lesson,) = await published(learning, [["only"]], at=published_at)
    with pytest.raises(BadUserInput) as bad:
        await service.mark_lesson(learner, course_id, "elsewhere", done=True)
    assert bad.value.extensions == {"field": "lessonId"}

    withdrawn = ContentWithdrawn(kind="course", id=course_id, status="ARCHIVED")
    await learning.deps.courses.on_withdrawn(
        Received(uuid.uuid4().hex, published_at + timedelta(seconds=1), "content", withdrawn)
    )
    with pytest.raises(NotFound):
        await service.mark_lesson(learner, course_id, lesson, done=True)
    # The publication arriving late (redelivered, another replica) does not resurrect it.
    await published(learning, [["only"]], course_id=course_id, at=published_at)
    with pytest.raises(NotFound):
        await service.mark_lesson(learner, course_id, lesson, done=True)


class Gateway(GatewayClient):
    """Answers course lookups as the gateway would: `courses` by id, others null."""

    def __init__(self, courses: dict[str, dict[str, Any]], errors: bool = False) -> None:
        super().__init__("http://gateway.invalid/graphql", 5.0)
        self.courses = courses
        self.errors = errors
        self.asked: list[list[str]] = []

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        variables = variables or {}
        self.asked.append(sorted(variables.values()))
        if self.errors:
            return {"data": None, "errors": [{"message": "down", "path": [next(iter(variables))]}]}
        return {"data": {alias: self.courses.get(cid) for alias, cid in variables.items()}}


async def test_courses_not_heard_of_are_asked_of_the_gateway_once(learning: Harness) -> None:
    known_id, absent_id = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    answer = {
        "id": known_id,
        "slug": "older",
        "title": "Published before learning listened",
        "version": 4,
        "modules": [{"title": "M", "lessons": [{"id": "x", "title": "X"}]}],
    }
    gateway = Gateway({known_id: answer})
    catalog = CourseCatalog(learning.deps.store.sessions, gateway)
    found = await catalog.outlines([known_id, absent_id])
    assert list(found) == [known_id] and found[known_id].lessons[0].id == "x"
    assert found[known_id].version == 4
    assert await catalog.outlines([known_id, absent_id]) == found  # kept; absent not re-asked
    assert gateway.asked == [sorted([known_id, absent_id])]

    with pytest.raises(CoursesUnavailable):
        await CourseCatalog(
            learning.deps.store.sessions, Gateway({}, errors=True)
        ).outlines(  # type: ignore[arg-type]
            [uuid.uuid4().hex[:24]]
        )
