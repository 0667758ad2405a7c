"""Analytics for editors and admins: how skills, courses and the platform are doing.

Read from the analytics read models (analytics.py), never from learners' own rows. Every
field is EDITOR (ADMIN holds every role); ranges are inclusive UTC days.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from ...common.descriptions import described_enum
from ...common.errors import BadUserInput
from ...common.pagination import (
    PAGE,
    Connection,
    Cursor,
    PageSize,
    connection,
    decode_cursor,
    page_size,
)
from ...common.permissions import require_role
from ..tables import COURSE, SKILL
from ..types import Course, Info, Skill
from .reads import AnalyticsPeriod as PeriodValue
from .reads import (
    AnalyticsReads,
    CohortFigures,
    DateRange,
    MissedQuestion,
    PeriodCount,
    SubjectFigures,
    periods,
)

EDITORS = " EDITOR or ADMIN. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (from, to, after)."
FROM = "First UTC day counted (inclusive); default: "
TO = "Last UTC day counted (inclusive); default: "
RATE = "0 to 1."

Period = described_enum(
    "How a series of active learners is bucketed.",
    DAY="One point per UTC day.",
    WEEK="One point per week, Monday to Sunday (UTC); a learner counts once per week.",
)(PeriodValue)

From = Annotated[
    date | None,
    strawberry.argument(name="from", description=FROM + "the first day with any activity."),
]
To = Annotated[date | None, strawberry.argument(description=TO + "today.")]
SeriesFrom = Annotated[
    date | None,
    strawberry.argument(
        name="from", description=FROM + "30 days before `to` by day, 12 weeks by week."
    ),
]


@strawberry.type(
    name="MissedQuestion", description="An assessment question learners got wrong, and how often."
)
class MissedQuestionFigures:
    question_id: strawberry.ID = strawberry.field(description="The question's id.")
    assessment_id: strawberry.ID = strawberry.field(description="Its assessment's id.")
    prompt: str = strawberry.field(description="The question as learners read it.")
    misses: int = strawberry.field(description="Submitted attempts that got it wrong.")
    answers: int = strawberry.field(description="Submitted attempts that included it.")
    miss_rate: float = strawberry.field(description="Misses / answers, " + RATE)

    @classmethod
    def of(cls, q: MissedQuestion) -> MissedQuestionFigures:
        return cls(
            question_id=strawberry.ID(q.question_id),
            assessment_id=strawberry.ID(q.assessment_id),
            prompt=q.prompt,
            misses=q.misses,
            answers=q.answers,
            miss_rate=q.miss_rate,
        )


class _MissedOfPage:
    """The most-missed questions of every skill on a page, read once for the page."""

    def __init__(self, info: Info, skill_ids: list[str], span: DateRange) -> None:
        self.info, self.skill_ids, self.span = info, skill_ids, span
        self.found: dict[str, list[MissedQuestion]] | None = None

    async def of(self, skill_id: str) -> list[MissedQuestion]:
        if self.found is None:
            analytics = _reads(self.info)
            self.found = await analytics.missed_questions(self.skill_ids, self.span)
        return self.found.get(skill_id, [])


@strawberry.type
class _Completions:
    """What skills and courses both count: enrolments, completions and the time between."""

    figures: strawberry.Private[SubjectFigures]

    @strawberry.field(description="Enrolments in the range (a course: the first lesson mark).")
    def enrolments(self) -> int:
        return self.figures.enrolments

    @strawberry.field(
        description="Completions in the range (a skill: 100% or a pass; a course: no lesson "
        "left undone)."
    )
    def completions(self) -> int:
        return self.figures.completions

    @strawberry.field(
        description="Completions / enrolments over the range, " + RATE + " 0 without enrolments."
    )
    def completion_rate(self) -> float:
        return self.figures.completion_rate

    @strawberry.field(
        description="Median time from enrolment to completion, in seconds, of the completions "
        "in the range; null without completions."
    )
    def median_seconds_to_complete(self) -> float | None:
        return self.figures.median_seconds


@strawberry.type(description="How a skill did over a date range: from events, per UTC day.")
class SkillAnalytics(_Completions):
    missed: strawberry.Private[_MissedOfPage]

    @strawberry.field(description="The skill.")
    def skill(self) -> Skill:
        return Skill(id=strawberry.ID(self.figures.subject_id))

    @strawberry.field(description="Assessment attempts submitted in the range.")
    def assessment_attempts(self) -> int:
        return self.figures.attempts

    @strawberry.field(description="Of those, the attempts that passed.")
    def assessment_passes(self) -> int:
        return self.figures.passes

    @strawberry.field(
        description="Passes / attempts (assessmentPasses / assessmentAttempts), "
        + RATE
        + " Null without attempts."
    )
    def assessment_pass_rate(self) -> float | None:
        return self.figures.pass_rate

    @strawberry.field(
        description="The skill's assessment questions most often missed in the range (at "
        "least one miss), most misses first."
    )
    async def most_missed_questions(
        self,
        first: Annotated[
            int | None,
            strawberry.argument(description="How many: at most 100, default 5."),
        ] = 5,
    ) -> list[MissedQuestionFigures]:
        found = await self.missed.of(self.figures.subject_id)
        return [MissedQuestionFigures.of(q) for q in found[: page_size(first, 5)]]


@strawberry.type(
    description="How a course did over a date range. A learner enrols with their first "
    "lesson mark and completes it when no lesson is left undone."
)
class CourseAnalytics(_Completions):
    @strawberry.field(description="The course.")
    def course(self) -> Course:
        return Course(id=strawberry.ID(self.figures.subject_id))


@strawberry.type(description="Learners active in one day or week.")
class ActivePeriod:
    start: date = strawberry.field(description="The day, or the Monday starting the week.")
    learners: int = strawberry.field(
        description="Learners with at least one progress event or assessment attempt in it."
    )

    @classmethod
    def of(cls, count: PeriodCount) -> ActivePeriod:
        return cls(start=count.start, learners=count.learners)


@strawberry.type(description="The learners who started in one week, and how far they got.")
class Cohort:
    week: date = strawberry.field(description="The Monday of the week they started (UTC).")
    learners: int = strawberry.field(
        description="Learners whose first enrolment or lesson mark fell in this week."
    )
    progressed: int = strawberry.field(description="Of those, learners who recorded progress.")
    completed_skill: int = strawberry.field(description="Of those, who completed a skill.")
    completed_course: int = strawberry.field(description="Of those, who completed a course.")

    @classmethod
    def of(cls, f: CohortFigures) -> Cohort:
        return cls(
            week=f.week,
            learners=f.learners,
            progressed=f.progressed,
            completed_skill=f.completed_skill,
            completed_course=f.completed_course,
        )


def _series_page(
    starts: list[date], first: int | None, after: str | None
) -> tuple[list[date], bool, int]:
    """The page of `starts` after the cursor (a start's ISO day), whether more follow, total."""
    position = decode_cursor(after)
    if position is not None:
        try:
            cursor_day = date.fromisoformat(str(position))
        except ValueError as exc:
            raise BadUserInput("after", "Invalid cursor") from exc
        starts_after = [start for start in starts if start > cursor_day]
    else:
        starts_after = starts
    size = page_size(first)
    return starts_after[:size], len(starts_after) > size, len(starts)


async def _subject_page(
    info: Info,
    kind: str,
    first: int | None,
    after: str | None,
    span: DateRange,
    ids: list[strawberry.ID] | None,
) -> tuple[list[SubjectFigures], bool, Any]:
    analytics = _reads(info)
    position = decode_cursor(after)
    if position is not None and not isinstance(position, str):
        raise BadUserInput("after", "Invalid cursor")
    wanted = None if ids is None else [str(i) for i in ids]
    size = page_size(first)
    rows = await analytics.subject_page(kind, span, wanted, position, size + 1)

    async def total() -> int:
        return await analytics.count_subjects(kind, span, wanted)

    return rows[:size], len(rows) > size, total


def _reads(info: Info) -> AnalyticsReads:
    return AnalyticsReads(info.context.deps.store.reads)


async def _editor(info: Info) -> None:
    require_role(await info.context.viewer(), "EDITOR")


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="How each skill with any activity in the range is doing, by skill id."
        + EDITORS,
        directives=[PAGE],
    )
    async def skill_analytics(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        from_: From = None,
        to: To = None,
        skill_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these skills; default: all."),
        ] = None,
    ) -> Connection[SkillAnalytics]:
        await _editor(info)
        span = DateRange.of(from_, to)
        rows, more, total = await _subject_page(info, SKILL, first, after, span, skill_ids)
        missed = _MissedOfPage(info, [row.subject_id for row in rows], span)
        nodes = [SkillAnalytics(figures=row, missed=missed) for row in rows]
        return connection(nodes, [r.subject_id for r in rows], total, more, after=after)

    @strawberry.field(
        description="How each course with any activity in the range is doing, by course id."
        + EDITORS,
        directives=[PAGE],
    )
    async def course_analytics(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        from_: From = None,
        to: To = None,
        course_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these courses; default: all."),
        ] = None,
    ) -> Connection[CourseAnalytics]:
        await _editor(info)
        span = DateRange.of(from_, to)
        rows, more, total = await _subject_page(info, COURSE, first, after, span, course_ids)
        nodes = [CourseAnalytics(figures=row) for row in rows]
        return connection(nodes, [r.subject_id for r in rows], total, more, after=after)

    @strawberry.field(
        description="Active learners per day or week over the range, oldest first; every "
        "period in the range is listed, with 0 where nobody was active." + EDITORS,
        directives=[PAGE],
    )
    async def active_learners(
        self,
        info: Info,
        period: Annotated[
            Period,  # type: ignore[valid-type]
            strawberry.argument(description="DAY (default) or WEEK."),
        ] = PeriodValue.DAY,
        from_: SeriesFrom = None,
        to: To = None,
        first: PageSize = None,
        after: Cursor = None,
    ) -> Connection[ActivePeriod]:
        await _editor(info)
        chosen = PeriodValue(period)
        start, end = DateRange.of(from_, to).closed(info.context.deps.clock().date(), chosen)
        page, more, total = _series_page(periods(start, end, chosen), first, after)
        counts = await _reads(info).active_learners(page, chosen)
        nodes = [ActivePeriod.of(count) for count in counts]
        return connection(nodes, [d.isoformat() for d in page], total, more, after=after)

    @strawberry.field(
        description="Weekly cohorts over the range, oldest first: the learners who started in "
        "each week and how far they have got since. Every week in the range is listed." + EDITORS,
        directives=[PAGE],
    )
    async def cohorts(
        self,
        info: Info,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description=FROM + "12 weeks before `to`."),
        ] = None,
        to: To = None,
        first: PageSize = None,
        after: Cursor = None,
    ) -> Connection[Cohort]:
        await _editor(info)
        today = info.context.deps.clock().date()
        start, end = DateRange.of(from_, to).closed(today, PeriodValue.WEEK)
        page, more, total = _series_page(periods(start, end, PeriodValue.WEEK), first, after)
        figures = await _reads(info).cohorts(page)
        nodes = [Cohort.of(f) for f in figures]
        return connection(nodes, [d.isoformat() for d in page], total, more, after=after)
