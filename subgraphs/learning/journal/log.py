"""The learning log: one learner's transaction appends events and projects them.

`Journal.learner(user_id)` opens a transaction that first locks the learner
(an upsert, then SELECT ... FOR UPDATE on PostgreSQL; on SQLite the upsert
takes the database's write lock), so one learner's commands run one at a time
on any number of replicas. Everything a command decides is read under that
lock, appended to the log and projected, and the platform's events for it are
written to the outbox, before the single commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...common.events.outbox import SqlOutbox
from ..events import ProgressSnapshot, domain_events
from ..store import dialect_of, insert_ignoring_conflicts
from ..tables import (
    AchievementRow,
    AssessmentRow,
    AssessmentVersionRow,
    AttemptRow,
    CertificateRow,
    CourseProgressRow,
    EventRow,
    LearnerRow,
    LessonDoneRow,
    PathRow,
    ProgressRow,
    StatsRow,
)
from .projections import Projector

Clock = Callable[[], datetime]


def new_id() -> str:
    return str(uuid.uuid4())


class LearnerLog:
    """A learner's open transaction: their current state, and the events appended so far."""

    def __init__(
        self, session: AsyncSession, projector: Projector, user_id: str, now: datetime
    ) -> None:
        self.session = session
        self.projector = projector
        self.user_id = user_id
        self.now = now
        self.recorded: list[EventRow] = []
        self.progress_changes: list[ProgressSnapshot] = []

    async def record(self, type: str, payload: dict[str, Any]) -> EventRow:
        event = EventRow(
            id=new_id(), type=type, user_id=self.user_id, occurred_at=self.now, payload=payload
        )
        self.session.add(event)
        await self.session.flush()
        await self.projector.apply(self.session, event)
        self.recorded.append(event)
        return event

    # ------------------------------------------------------------ the learner's state
    async def progress(self, skill_id: str) -> ProgressRow | None:
        return await self.session.scalar(
            select(ProgressRow)
            .where(ProgressRow.user_id == self.user_id, ProgressRow.skill_id == skill_id)
            .execution_options(populate_existing=True)
        )

    async def stats(self) -> StatsRow | None:
        return await self.session.get(StatsRow, self.user_id, populate_existing=True)

    async def paths(self) -> list[PathRow]:
        rows = await self.session.scalars(
            select(PathRow)
            .where(PathRow.user_id == self.user_id)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def attempt(self, attempt_id: str) -> AttemptRow | None:
        """The learner's own attempt (someone else's is as good as missing)."""
        return await self.session.scalar(
            select(AttemptRow)
            .where(AttemptRow.id == attempt_id, AttemptRow.user_id == self.user_id)
            .execution_options(populate_existing=True)
        )

    async def assessment(self, assessment_id: str) -> AssessmentRow | None:
        return await self.session.get(AssessmentRow, assessment_id, populate_existing=True)

    async def questions_of(self, attempt: AttemptRow) -> tuple[float, list[dict[str, Any]]]:
        """(passing score, questions) of the assessment version the attempt was started on."""
        old = await self.session.get(
            AssessmentVersionRow, (attempt.assessment_id, attempt.assessment_version)
        )
        if old is not None:
            return old.passing_score, old.questions
        current = await self.assessment(attempt.assessment_id)
        assert current is not None and current.version == attempt.assessment_version
        return current.passing_score, current.questions

    async def attempt_starts(self, assessment_id: str) -> list[datetime]:
        """When the learner started each of their attempts at the assessment."""
        rows = await self.session.scalars(
            select(AttemptRow.started_at).where(
                AttemptRow.user_id == self.user_id, AttemptRow.assessment_id == assessment_id
            )
        )
        return list(rows)

    async def has_certificate(self, skill_id: str) -> bool:
        found = await self.session.scalar(
            select(func.count())
            .select_from(CertificateRow)
            .where(CertificateRow.user_id == self.user_id, CertificateRow.skill_id == skill_id)
        )
        return bool(found)

    async def achievement_codes(self) -> set[str]:
        codes = await self.session.scalars(
            select(AchievementRow.code).where(AchievementRow.user_id == self.user_id)
        )
        return set(codes)

    async def course_progress(self, course_id: str) -> CourseProgressRow | None:
        return await self.session.get(
            CourseProgressRow, (self.user_id, course_id), populate_existing=True
        )

    async def lessons_done(self, course_id: str) -> dict[str, datetime]:
        """Lesson id -> when marked done, for every lesson of the course still marked."""
        rows = await self.session.execute(
            select(LessonDoneRow.lesson_id, LessonDoneRow.done_at).where(
                LessonDoneRow.user_id == self.user_id, LessonDoneRow.course_id == course_id
            )
        )
        return {lesson_id: done_at for lesson_id, done_at in rows.all()}

    async def refresh_paths(self) -> None:
        """Recomputes the learner's learning paths from current reference data (deleted skills)."""
        await self.projector.refresh_paths(self.session, self.user_id, self.now)

    async def _snapshot_progress(self) -> None:
        ids = {e.payload["progressId"] for e in self.recorded if "progressId" in e.payload}
        if not ids:
            return
        rows = await self.session.scalars(
            select(ProgressRow)
            .where(ProgressRow.id.in_(ids))
            .order_by(ProgressRow.skill_id)
            .execution_options(populate_existing=True)
        )
        self.progress_changes = [ProgressSnapshot.of(row) for row in rows]


class Journal:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projector: Projector,
        clock: Clock,
        outbox: SqlOutbox,
    ) -> None:
        self.sessions = sessions
        self.projector = projector
        self.clock = clock
        self.outbox = outbox

    @asynccontextmanager
    async def learner(self, user_id: str) -> AsyncIterator[LearnerLog]:
        """A transaction holding the learner's lock; commits when the block ends without error."""
        async with self.sessions() as session, session.begin():
            await _lock_learner(session, user_id)
            learner_log = LearnerLog(session, self.projector, user_id, self.clock())
            yield learner_log
            await learner_log._snapshot_progress()
            events = domain_events(learner_log.recorded, learner_log.progress_changes)
            await self.outbox.add(session, events)

    async def rebuild_projections(self) -> int:
        """Rebuilds every read model from the log in one transaction; how many events."""
        async with self.sessions() as session, session.begin():
            if dialect_of(session) == "postgresql":
                # Waits for running commands and holds new ones (each first locks a learner).
                await session.execute(_LOCK_LEARNERS)
            return await self.projector.rebuild(session)


async def _lock_learner(session: AsyncSession, user_id: str) -> None:
    await session.execute(insert_ignoring_conflicts(session, LearnerRow, {"user_id": user_id}))
    await session.execute(
        select(LearnerRow.user_id).where(LearnerRow.user_id == user_id).with_for_update()
    )


_LOCK_LEARNERS = text("LOCK TABLE learners IN EXCLUSIVE MODE")
