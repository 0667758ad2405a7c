"""Reads of the analytics read models (journal/analytics.py writes them): pages of numbers.

Every answer is a handful of indexed aggregate queries over per-day rows, never a scan of
learners' progress. Ranges are inclusive UTC days; a week is the Monday that starts it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...common.errors import BadUserInput
from ..journal.analytics import week_of
from ..store import dialect_of
from ..tables import (
    ActiveDayRow,
    AssessmentRow,
    AssessmentVersionRow,
    CohortLearnerRow,
    CompletionTimeRow,
    QuestionDayRow,
    SubjectDayRow,
)

MAX_RANGE_DAYS = 10 * 366  # a series longer than ten years is a mistake, not a question
SERIES_DAYS = 30  # the default range of a series by day: the last 30 days
SERIES_WEEKS = 12  # by week (and cohorts): the last 12 weeks


class AnalyticsPeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"


@dataclass(frozen=True)
class DateRange:
    """Inclusive; either end open (None)."""

    start: date | None
    end: date | None

    @classmethod
    def of(cls, start: date | None, end: date | None) -> DateRange:
        if start is not None and end is not None:
            if start > end:
                raise BadUserInput("from", "from must not be after to")
            if (end - start).days > MAX_RANGE_DAYS:
                raise BadUserInput("from", f"a range spans at most {MAX_RANGE_DAYS} days")
        return cls(start, end)

    def closed(self, today: date, period: AnalyticsPeriod) -> tuple[date, date]:
        """Both ends: `to` defaults to today, `from` to 30 days or 12 weeks before it."""
        end = self.end or today
        back = (
            timedelta(days=SERIES_DAYS - 1)
            if period is AnalyticsPeriod.DAY
            else timedelta(weeks=11)
        )
        start = self.start if self.start is not None else end - back
        DateRange.of(start, end)  # a `from` after today's default `to` is still refused
        return start, end

    def where(self, column: Any) -> list[Any]:
        clauses = []
        if self.start is not None:
            clauses.append(column >= self.start)
        if self.end is not None:
            clauses.append(column <= self.end)
        return clauses


@dataclass(frozen=True)
class MissedQuestion:
    question_id: str
    assessment_id: str
    prompt: str
    misses: int
    answers: int

    @property
    def miss_rate(self) -> float:
        return self.misses / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class SubjectFigures:
    """One skill's or course's numbers over a range."""

    kind: str
    subject_id: str
    enrolments: int
    completions: int
    attempts: int
    passes: int
    median_seconds: float | None

    @property
    def completion_rate(self) -> float:
        return self.completions / self.enrolments if self.enrolments else 0.0

    @property
    def pass_rate(self) -> float | None:
        return self.passes / self.attempts if self.attempts else None


@dataclass(frozen=True)
class PeriodCount:
    start: date
    learners: int


@dataclass(frozen=True)
class CohortFigures:
    week: date
    learners: int
    progressed: int
    completed_skill: int
    completed_course: int


def periods(first: date, last: date, period: AnalyticsPeriod) -> list[date]:
    """The starts of every day, or of every week (Mondays), that `first`..`last` touches."""
    if period is AnalyticsPeriod.DAY:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
    monday = week_of(first)
    return [monday + timedelta(weeks=n) for n in range((week_of(last) - monday).days // 7 + 1)]


class AnalyticsReads:
    def __init__(self, reads: async_sessionmaker[AsyncSession]) -> None:
        self.reads = reads

    # ------------------------------------------------------------ skills and courses
    def _subjects(self, kind: str, span: DateRange, ids: Sequence[str] | None) -> Select[Any]:
        query = select(SubjectDayRow.subject_id).where(
            SubjectDayRow.kind == kind, *span.where(SubjectDayRow.day)
        )
        if ids is not None:
            query = query.where(SubjectDayRow.subject_id.in_(list(ids)))
        return query

    async def subject_page(
        self,
        kind: str,
        span: DateRange,
        ids: Sequence[str] | None,
        after: str | None,
        limit: int,
    ) -> list[SubjectFigures]:
        """Up to `limit` subjects with any activity in the range, by id, after `after`."""
        subjects = self._subjects(kind, span, ids)
        if after is not None:
            subjects = subjects.where(SubjectDayRow.subject_id > after)
        sums = (
            subjects.add_columns(
                func.sum(SubjectDayRow.enrolments),
                func.sum(SubjectDayRow.completions),
                func.sum(SubjectDayRow.attempts),
                func.sum(SubjectDayRow.passes),
            )
            .group_by(SubjectDayRow.subject_id)
            .order_by(SubjectDayRow.subject_id)
            .limit(limit)
        )
        async with self.reads() as session:
            rows = (await session.execute(sums)).all()
            medians = await self._medians(session, kind, span, [row[0] for row in rows])
        return [
            SubjectFigures(kind, subject, int(e), int(c), int(a), int(p), medians.get(subject))
            for subject, e, c, a, p in rows
        ]

    async def count_subjects(self, kind: str, span: DateRange, ids: Sequence[str] | None) -> int:
        subjects = self._subjects(kind, span, ids).distinct().subquery()
        async with self.reads() as session:
            return int(await session.scalar(select(func.count()).select_from(subjects)) or 0)

    async def _medians(
        self, session: AsyncSession, kind: str, span: DateRange, subject_ids: list[str]
    ) -> dict[str, float]:
        """Median seconds from enrolment to completion, per subject, of completions in range."""
        if not subject_ids:
            return {}
        where = and_(
            CompletionTimeRow.kind == kind,
            CompletionTimeRow.subject_id.in_(subject_ids),
            *span.where(CompletionTimeRow.day),
        )
        if dialect_of(session) == "postgresql":
            median = func.percentile_cont(0.5).within_group(CompletionTimeRow.seconds)
            query = select(CompletionTimeRow.subject_id, median).where(where)
            rows = await session.execute(query.group_by(CompletionTimeRow.subject_id))
            return {subject: float(value) for subject, value in rows}
        # SQLite (embedded runs) has no percentile: the same median, in Python.
        times: dict[str, list[float]] = {}
        query = select(CompletionTimeRow.subject_id, CompletionTimeRow.seconds).where(where)
        for subject, seconds in await session.execute(query):
            times.setdefault(subject, []).append(seconds)
        return {subject: statistics.median(values) for subject, values in times.items()}

    async def missed_questions(
        self, skill_ids: Sequence[str], span: DateRange
    ) -> dict[str, list[MissedQuestion]]:
        """Per skill, its questions with at least one miss in range, most missed first."""
        totals = (
            select(
                QuestionDayRow.skill_id,
                QuestionDayRow.question_id,
                func.max(QuestionDayRow.assessment_id),
                func.sum(QuestionDayRow.misses).label("misses"),
                func.sum(QuestionDayRow.answers),
            )
            .where(QuestionDayRow.skill_id.in_(list(skill_ids)), *span.where(QuestionDayRow.day))
            .group_by(QuestionDayRow.skill_id, QuestionDayRow.question_id)
            .having(func.sum(QuestionDayRow.misses) > 0)
        )
        async with self.reads() as session:
            rows = (await session.execute(totals)).all()
            prompts = await self._prompts(session, {row[2] for row in rows})
        found: dict[str, list[MissedQuestion]] = {}
        for skill_id, question_id, assessment_id, misses, answers in rows:
            prompt = prompts.get((assessment_id, question_id), "")
            found.setdefault(skill_id, []).append(
                MissedQuestion(question_id, assessment_id, prompt, int(misses), int(answers))
            )
        for questions in found.values():
            questions.sort(key=lambda q: (-q.misses, -q.miss_rate, q.question_id))
        return found

    async def _prompts(
        self, session: AsyncSession, assessment_ids: set[str]
    ) -> dict[tuple[str, str], str]:
        """Each question's prompt, from the assessment's current version or an earlier one."""
        prompts: dict[tuple[str, str], str] = {}
        if not assessment_ids:
            return prompts
        older = select(AssessmentVersionRow.assessment_id, AssessmentVersionRow.questions).where(
            AssessmentVersionRow.assessment_id.in_(assessment_ids)
        )
        current = select(AssessmentRow.id, AssessmentRow.questions).where(
            AssessmentRow.id.in_(assessment_ids)
        )
        for query in (older.order_by(AssessmentVersionRow.version), current):
            for assessment_id, questions in await session.execute(query):
                for question in questions:
                    prompts[(assessment_id, question["id"])] = question["prompt"]
        return prompts

    # ------------------------------------------------------------ the platform
    async def active_learners(
        self, starts: Sequence[date], period: AnalyticsPeriod
    ) -> list[PeriodCount]:
        """Learners active on each day (or in each week) starting at `starts`."""
        if not starts:
            return []
        column = ActiveDayRow.day if period is AnalyticsPeriod.DAY else ActiveDayRow.week
        query = (
            select(column, func.count(func.distinct(ActiveDayRow.user_id)))
            .where(column >= starts[0], column <= starts[-1])
            .group_by(column)
        )
        async with self.reads() as session:
            counts = {start: int(n) for start, n in await session.execute(query)}
        return [PeriodCount(start, counts.get(start, 0)) for start in starts]

    async def cohorts(self, weeks: Sequence[date]) -> list[CohortFigures]:
        if not weeks:
            return []

        def reached(column: Any) -> Any:
            return func.sum(case((column.is_(True), 1), else_=0))

        query = (
            select(
                CohortLearnerRow.week,
                func.count(),
                reached(CohortLearnerRow.progressed),
                reached(CohortLearnerRow.completed_skill),
                reached(CohortLearnerRow.completed_course),
            )
            .where(CohortLearnerRow.week >= weeks[0], CohortLearnerRow.week <= weeks[-1])
            .group_by(CohortLearnerRow.week)
        )
        async with self.reads() as session:
            found = {row[0]: row for row in await session.execute(query)}
        return [
            CohortFigures(week, *(int(n) for n in found[week][1:]))
            if week in found
            else CohortFigures(week, 0, 0, 0, 0)
            for week in weeks
        ]
