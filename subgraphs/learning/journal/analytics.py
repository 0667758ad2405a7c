"""The analytics read models as functions of the log, beside the learner's own (projections).

Run for every event before the learner's read models take it, in the same transaction, live
and on rebuild: what it needs to know of the past (when a skill or course was started, whether
a learner's course row exists yet) is still as it was before the event. Days are UTC days of
`occurred_at`; weeks start on Monday.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import events as ev
from ..store import insert_ignoring_conflicts, insert_or_add
from ..tables import (
    COURSE,
    SKILL,
    ActiveDayRow,
    CohortLearnerRow,
    CompletionTimeRow,
    CourseProgressRow,
    EventRow,
    ProgressRow,
    QuestionDayRow,
    SubjectDayRow,
)

# Active on a day: at least one progress event or assessment attempt (issue 18).
PROGRESS_EVENTS = frozenset(
    {
        ev.ENROLLED,
        ev.PROGRESS_RECORDED,
        ev.SKILL_COMPLETED,
        ev.LESSON_DONE,
        ev.LESSON_UNDONE,
        ev.COURSE_COMPLETED,
    }
)
ATTEMPT_EVENTS = frozenset({ev.ASSESSMENT_STARTED, ev.ASSESSMENT_SUBMITTED})

Apply = Callable[[AsyncSession, EventRow], Awaitable[None]]


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


class Analytics:
    def __init__(self) -> None:
        self._apply: dict[str, Apply] = {
            ev.ENROLLED: self._enrolled,
            ev.PROGRESS_RECORDED: self._progress_recorded,
            ev.SKILL_COMPLETED: self._skill_completed,
            ev.ASSESSMENT_SUBMITTED: self._assessment_submitted,
            ev.LESSON_DONE: self._lesson_marked,
            ev.LESSON_UNDONE: self._lesson_marked,
            ev.COURSE_COMPLETED: self._course_completed,
        }

    async def apply(self, session: AsyncSession, event: EventRow) -> None:
        if event.type in PROGRESS_EVENTS or event.type in ATTEMPT_EVENTS:
            day = event.occurred_at.date()
            await session.execute(
                insert_ignoring_conflicts(
                    session,
                    ActiveDayRow,
                    {"day": day, "user_id": event.user_id, "week": week_of(day)},
                )
            )
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(session, event)

    # ------------------------------------------------------------ skills
    async def _enrolled(self, session: AsyncSession, event: EventRow) -> None:
        await self._count(session, SKILL, event.payload["skillId"], event, enrolments=1)
        await self._join_cohort(session, event)

    async def _progress_recorded(self, session: AsyncSession, event: EventRow) -> None:
        if float(event.payload["percent"]) > 0:
            await self._cohort_reached(session, event, progressed=True)

    async def _skill_completed(self, session: AsyncSession, event: EventRow) -> None:
        skill_id = event.payload["skillId"]
        await self._count(session, SKILL, skill_id, event, completions=1)
        started = await session.scalar(
            select(ProgressRow.started_at).where(ProgressRow.id == event.payload["progressId"])
        )
        await self._completion_time(session, SKILL, skill_id, event, started)
        await self._cohort_reached(session, event, progressed=True, completed_skill=True)

    async def _assessment_submitted(self, session: AsyncSession, event: EventRow) -> None:
        payload, day = event.payload, event.occurred_at.date()
        passed = bool(payload["passed"])
        await self._count(
            session, SKILL, payload["skillId"], event, attempts=1, passes=1 if passed else 0
        )
        missed = set(payload.get("missed", ()))
        for question_id in payload.get("questions", ()):  # older events: not graded per question
            key = {"skill_id": payload["skillId"], "question_id": question_id, "day": day}
            await session.execute(
                insert_or_add(
                    session,
                    QuestionDayRow,
                    key,
                    {"answers": 1, "misses": 1 if question_id in missed else 0},
                    {"assessment_id": payload["assessmentId"]},
                )
            )

    # ------------------------------------------------------------ courses
    async def _lesson_marked(self, session: AsyncSession, event: EventRow) -> None:
        course_id = event.payload["courseId"]
        started = await _course_started(session, event.user_id, course_id)
        if started is None:  # the learner's first mark in this course starts it
            await self._count(session, COURSE, course_id, event, enrolments=1)
            await self._join_cohort(session, event)
        if event.type == ev.LESSON_DONE:
            await self._cohort_reached(session, event, progressed=True)

    async def _course_completed(self, session: AsyncSession, event: EventRow) -> None:
        course_id = event.payload["courseId"]
        await self._count(session, COURSE, course_id, event, completions=1)
        started = await _course_started(session, event.user_id, course_id)
        await self._completion_time(session, COURSE, course_id, event, started)
        await self._cohort_reached(session, event, completed_course=True)

    # ------------------------------------------------------------ shared
    async def _count(
        self, session: AsyncSession, kind: str, subject_id: str, event: EventRow, **amounts: int
    ) -> None:
        counters = {"enrolments": 0, "completions": 0, "attempts": 0, "passes": 0, **amounts}
        key = {"kind": kind, "subject_id": subject_id, "day": event.occurred_at.date()}
        await session.execute(insert_or_add(session, SubjectDayRow, key, counters))

    async def _completion_time(
        self, session: AsyncSession, kind: str, subject_id: str, event: EventRow, started: object
    ) -> None:
        if started is None:  # no start on record (not possible through the commands)
            return
        seconds = (event.occurred_at - started).total_seconds()  # type: ignore[operator]
        await session.execute(
            insert_ignoring_conflicts(
                session,
                CompletionTimeRow,
                {
                    "event_seq": event.seq,
                    "kind": kind,
                    "subject_id": subject_id,
                    "day": event.occurred_at.date(),
                    "seconds": max(seconds, 0.0),
                },
            )
        )

    async def _join_cohort(self, session: AsyncSession, event: EventRow) -> None:
        """The learner joins the cohort of this week, unless they started before."""
        await session.execute(
            insert_ignoring_conflicts(
                session,
                CohortLearnerRow,
                {
                    "user_id": event.user_id,
                    "week": week_of(event.occurred_at.date()),
                    "progressed": False,
                    "completed_skill": False,
                    "completed_course": False,
                },
            )
        )

    async def _cohort_reached(
        self, session: AsyncSession, event: EventRow, **reached: bool
    ) -> None:
        await session.execute(
            update(CohortLearnerRow)
            .where(CohortLearnerRow.user_id == event.user_id)
            .values(**reached)
            .execution_options(synchronize_session=False)
        )


async def _course_started(session: AsyncSession, user_id: str, course_id: str) -> datetime | None:
    """When the learner started the course (their first lesson mark); None: not yet."""
    started: datetime | None = await session.scalar(
        select(CourseProgressRow.started_at).where(
            CourseProgressRow.user_id == user_id, CourseProgressRow.course_id == course_id
        )
    )
    return started
