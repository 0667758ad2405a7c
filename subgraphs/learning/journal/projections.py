"""The read models as functions of the event log: one `apply` per event, live and on rebuild.

Commands call `Projector.apply` in the transaction that appends the event;
`rebuild` replays the whole log through the very same code, so a rebuild
yields exactly the read models the live path wrote. Times come from the
events, never from the clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import events as ev
from ..tables import (
    READ_MODELS,
    AchievementRow,
    AttemptRow,
    CertificateRow,
    CourseProgressRow,
    EventRow,
    KnownSkillRow,
    LessonDoneRow,
    PathRow,
    ProgressRow,
    StatsRow,
)
from .analytics import Analytics

NOT_STARTED, IN_PROGRESS, COMPLETED = "NOT_STARTED", "IN_PROGRESS", "COMPLETED"
REBUILD_BATCH = 500

Apply = Callable[[AsyncSession, EventRow], Awaitable[None]]


class Projector:
    def __init__(self) -> None:
        self.analytics = Analytics()
        self._apply: dict[str, Apply] = {
            ev.ENROLLED: self._enrolled,
            ev.PROGRESS_RECORDED: self._progress_recorded,
            ev.SKILL_COMPLETED: self._skill_completed,
            ev.ASSESSMENT_STARTED: self._assessment_started,
            ev.ASSESSMENT_SUBMITTED: self._assessment_submitted,
            ev.CERTIFICATE_ISSUED: self._certificate_issued,
            ev.ACHIEVEMENT_UNLOCKED: self._achievement_unlocked,
            ev.ROADMAP_FOLLOWED: self._roadmap_followed,
            ev.LESSON_DONE: self._lesson_done,
            ev.LESSON_UNDONE: self._lesson_undone,
            ev.COURSE_COMPLETED: self._course_completed,
        }

    async def apply(self, session: AsyncSession, event: EventRow) -> None:
        await self.analytics.apply(session, event)  # first: it reads the state before the event
        await self._apply[event.type](session, event)

    async def rebuild(self, session: AsyncSession) -> int:
        """Empties the read models and replays the whole log into them; how many events."""
        for model in READ_MODELS:
            await session.execute(delete(model))
        replayed, last_seq = 0, 0
        while True:
            batch = list(
                await session.scalars(
                    select(EventRow)
                    .where(EventRow.seq > last_seq)
                    .order_by(EventRow.seq)
                    .limit(REBUILD_BATCH)
                )
            )
            if not batch:
                return replayed
            for event in batch:
                await self.apply(session, event)
            replayed += len(batch)
            last_seq = batch[-1].seq
            session.expunge_all()

    # ------------------------------------------------------------ progress
    async def _enrolled(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            insert(ProgressRow).values(
                id=event.payload["progressId"],
                user_id=event.user_id,
                skill_id=event.payload["skillId"],
                percent=0.0,
                status=NOT_STARTED,
                started_at=event.occurred_at,
                updated_at=event.occurred_at,
                completed_at=None,
            )
        )
        await self._refresh_learner(session, event)

    async def _progress_recorded(self, session: AsyncSession, event: EventRow) -> None:
        percent = float(event.payload["percent"])
        await session.execute(
            update(ProgressRow)
            .where(ProgressRow.id == event.payload["progressId"])
            .values(
                percent=percent,
                status=IN_PROGRESS if percent > 0 else NOT_STARTED,
                updated_at=event.occurred_at,
            )
            .execution_options(synchronize_session=False)
        )
        await self._refresh_learner(session, event, active_on=event.occurred_at.date())

    async def _skill_completed(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            update(ProgressRow)
            .where(ProgressRow.id == event.payload["progressId"])
            .values(status=COMPLETED, completed_at=event.occurred_at, updated_at=event.occurred_at)
            .execution_options(synchronize_session=False)
        )
        await self._refresh_learner(session, event)

    # ------------------------------------------------------------ assessments and rewards
    async def _assessment_started(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            insert(AttemptRow).values(
                id=event.payload["attemptId"],
                assessment_id=event.payload["assessmentId"],
                user_id=event.user_id,
                skill_id=event.payload["skillId"],
                assessment_version=int(event.payload.get("version", 1)),
                started_at=event.occurred_at,
            )
        )

    async def _assessment_submitted(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            update(AttemptRow)
            .where(AttemptRow.id == event.payload["attemptId"])
            .values(
                submitted_at=event.occurred_at,
                score=float(event.payload["score"]),
                passed=bool(event.payload["passed"]),
            )
            .execution_options(synchronize_session=False)
        )

    async def _certificate_issued(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            insert(CertificateRow).values(
                id=event.payload["certificateId"],
                user_id=event.user_id,
                skill_id=event.payload["skillId"],
                issued_at=event.occurred_at,
                verification_code=event.payload["verificationCode"],
            )
        )
        await self._refresh_learner(session, event)

    async def _achievement_unlocked(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            insert(AchievementRow).values(
                id=event.payload["achievementId"],
                user_id=event.user_id,
                code=event.payload["code"],
                unlocked_at=event.occurred_at,
            )
        )

    async def _roadmap_followed(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            insert(PathRow).values(
                id=event.payload["learningPathId"],
                user_id=event.user_id,
                roadmap_id=event.payload["roadmapId"],
                skill_ids=list(event.payload["skillIds"]),
                percent=0.0,
                next_skill_id=None,
                followed_at=event.occurred_at,
                updated_at=event.occurred_at,
            )
        )
        await self._refresh_learner(session, event)

    # ------------------------------------------------------------ courses
    async def _lesson_done(self, session: AsyncSession, event: EventRow) -> None:
        course_id, at = event.payload["courseId"], event.occurred_at
        await self._touch_course(session, event.user_id, course_id, at)
        await session.execute(
            insert(LessonDoneRow).values(
                user_id=event.user_id,
                course_id=course_id,
                lesson_id=event.payload["lessonId"],
                done_at=at,
            )
        )
        await self._refresh_learner(session, event, active_on=at.date())

    async def _lesson_undone(self, session: AsyncSession, event: EventRow) -> None:
        course_id = event.payload["courseId"]
        await self._touch_course(session, event.user_id, course_id, event.occurred_at)
        await session.execute(
            delete(LessonDoneRow).where(
                LessonDoneRow.user_id == event.user_id,
                LessonDoneRow.course_id == course_id,
                LessonDoneRow.lesson_id == event.payload["lessonId"],
            )
        )

    async def _course_completed(self, session: AsyncSession, event: EventRow) -> None:
        await session.execute(
            update(CourseProgressRow)
            .where(
                CourseProgressRow.user_id == event.user_id,
                CourseProgressRow.course_id == event.payload["courseId"],
            )
            .values(completed_at=event.occurred_at, updated_at=event.occurred_at)
            .execution_options(synchronize_session=False)
        )
        await self._refresh_learner(session, event)

    async def _touch_course(
        self, session: AsyncSession, user_id: str, course_id: str, at: datetime
    ) -> None:
        """The learner's course row, created by their first mark, updated by every other."""
        found = await session.get(CourseProgressRow, (user_id, course_id), populate_existing=True)
        if found is None:
            await session.execute(
                insert(CourseProgressRow).values(
                    user_id=user_id, course_id=course_id, started_at=at, updated_at=at
                )
            )
            return
        await session.execute(
            update(CourseProgressRow)
            .where(CourseProgressRow.user_id == user_id, CourseProgressRow.course_id == course_id)
            .values(updated_at=at)
            .execution_options(synchronize_session=False)
        )

    # ------------------------------------------------------------ derived per learner
    async def _refresh_learner(
        self, session: AsyncSession, event: EventRow, active_on: date | None = None
    ) -> None:
        """Recomputes the learner's stats and learning paths from their progress."""
        progress = list(
            await session.scalars(
                select(ProgressRow)
                .where(ProgressRow.user_id == event.user_id)
                .order_by(ProgressRow.skill_id)
                .execution_options(populate_existing=True)
            )
        )
        await self._write_stats(session, event.user_id, progress, active_on)
        await self._write_paths(session, event, {p.skill_id: p for p in progress})

    async def _write_stats(
        self,
        session: AsyncSession,
        user_id: str,
        progress: list[ProgressRow],
        active_on: date | None,
    ) -> None:
        certificates = await session.scalar(
            select(func.count())
            .select_from(CertificateRow)
            .where(CertificateRow.user_id == user_id)
        )
        courses = await session.scalar(
            select(func.count())
            .select_from(CourseProgressRow)
            .where(
                CourseProgressRow.user_id == user_id, CourseProgressRow.completed_at.is_not(None)
            )
        )
        stats = await session.get(StatsRow, user_id, populate_existing=True)
        streak, last = (stats.streak_days, stats.last_active_on) if stats else (0, None)
        if active_on is not None and (last is None or active_on > last):
            streak = streak + 1 if last == active_on - timedelta(days=1) else 1
            last = active_on
        values = {
            "skills_started": sum(1 for p in progress if p.status != NOT_STARTED),
            "skills_completed": sum(1 for p in progress if p.status == COMPLETED),
            "certificates": int(certificates or 0),
            "courses_completed": int(courses or 0),
            "average_percent": sum(p.percent for p in progress) / len(progress)
            if progress
            else 0.0,
            "streak_days": streak,
            "last_active_on": last,
        }
        if stats is None:
            await session.execute(insert(StatsRow).values(user_id=user_id, **values))
        else:
            await session.execute(
                update(StatsRow)
                .where(StatsRow.user_id == user_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def _write_paths(
        self, session: AsyncSession, event: EventRow, progress: dict[str, ProgressRow]
    ) -> None:
        await self.write_paths(session, event.user_id, progress, event.occurred_at)

    async def refresh_paths(self, session: AsyncSession, user_id: str, at: datetime) -> None:
        """Recomputes the learner's paths (a skill of theirs was deleted); no event needed."""
        progress = await session.scalars(
            select(ProgressRow)
            .where(ProgressRow.user_id == user_id)
            .execution_options(populate_existing=True)
        )
        await self.write_paths(session, user_id, {p.skill_id: p for p in progress}, at)

    async def write_paths(
        self,
        session: AsyncSession,
        user_id: str,
        progress: dict[str, ProgressRow],
        at: datetime,
    ) -> None:
        paths = list(
            await session.scalars(
                select(PathRow)
                .where(PathRow.user_id == user_id)
                .execution_options(populate_existing=True)
            )
        )
        if not paths:
            return
        gone = set(
            await session.scalars(
                select(KnownSkillRow.id).where(
                    KnownSkillRow.deleted.is_(True),
                    KnownSkillRow.id.in_({s for p in paths for s in p.skill_ids}),
                )
            )
        )
        for path in paths:
            steps = [s for s in path.skill_ids if s not in gone]  # deleted skills are skipped
            percent, next_skill = path_completion(steps, progress)
            if (percent, next_skill) == (path.percent, path.next_skill_id):
                continue
            await session.execute(
                update(PathRow)
                .where(PathRow.id == path.id)
                .values(percent=percent, next_skill_id=next_skill, updated_at=at)
                .execution_options(synchronize_session=False)
            )


def path_completion(
    skill_ids: list[str], progress: dict[str, ProgressRow]
) -> tuple[float, str | None]:
    """A roadmap's completion for a learner: mean percent of its steps, first step not completed."""
    if not skill_ids:
        return 100.0, None
    percents = [progress[s].percent if s in progress else 0.0 for s in skill_ids]
    pending = [s for s in skill_ids if s not in progress or progress[s].status != COMPLETED]
    return sum(percents) / len(skill_ids), pending[0] if pending else None
