"""Courses as learning knows them, and a learner's standing in one.

The content subgraph owns courses; learning keeps the published outline of each
(modules, lesson ids and titles), learned from `content.published` and
`content.withdrawn`, to count lessons done and to decide completion inside the
learner's transaction. A course published before learning heard of it is asked
of the gateway once (as an anonymous learner would see it) and kept.

Standing is computed against the current outline: a lesson done and later
removed from the course is kept in the log but not counted; a lesson added
later counts as not done (a completed course stays completed: completion is
recorded once, as an event, and never undone).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.clock import utcnow
from ..common.errors import AppError
from ..common.events import Received
from ..common.events.contracts import ContentPublished, ContentWithdrawn
from ..common.gateway_client import GatewayClient, GatewayUnavailable
from .store import insert_or_update
from .tables import CourseProgressRow, KnownCourseRow

log = logging.getLogger("skill_circle.learning.courses")


class CoursesUnavailable(AppError):
    """The content subgraph could not say whether a course is published (a genuine outage)."""

    def __init__(self) -> None:
        super().__init__("The content service is unavailable; try again later", service="content")


COURSE_FIELDS = "id slug title version modules { title lessons { id title } }"
ABSENT_SECONDS = 30.0  # how long "no such published course" holds before asking again
MAX_ABSENT = 10_000


@dataclass(frozen=True)
class LessonOutline:
    id: str
    title: str
    position: int  # 1-based in its module
    module_position: int  # 1-based in the course


@dataclass(frozen=True)
class ModuleOutline:
    position: int
    title: str
    lessons: tuple[LessonOutline, ...]


@dataclass(frozen=True)
class CourseOutline:
    """The published version of a course: what learners see and complete."""

    id: str
    slug: str
    title: str
    version: int
    modules: tuple[ModuleOutline, ...]

    @property
    def lessons(self) -> list[LessonOutline]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def has_lesson(self, lesson_id: str) -> bool:
        return any(lesson.id == lesson_id for lesson in self.lessons)

    def completed_by(self, done: set[str]) -> bool:
        """Every lesson is done (a course without lessons is never completed)."""
        lessons = self.lessons
        return bool(lessons) and all(lesson.id in done for lesson in lessons)

    @classmethod
    def of(cls, row: KnownCourseRow) -> CourseOutline:
        modules = tuple(
            ModuleOutline(
                m,
                str(module.get("title", "")),
                tuple(
                    LessonOutline(str(lesson["id"]), str(lesson.get("title", "")), n, m)
                    for n, lesson in enumerate(module.get("lessons") or (), start=1)
                ),
            )
            for m, module in enumerate(row.modules, start=1)
        )
        return cls(row.id, row.slug, row.title, row.version, modules)


@dataclass(frozen=True)
class LessonStanding:
    lesson: LessonOutline
    done_at: datetime | None


@dataclass(frozen=True)
class Tally:
    done: int
    total: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.done / self.total, 2) if self.total else 0.0

    @classmethod
    def of(cls, lessons: Sequence[LessonStanding]) -> Tally:
        return cls(sum(1 for s in lessons if s.done_at is not None), len(lessons))


@dataclass(frozen=True)
class ModuleStanding:
    module: ModuleOutline
    lessons: tuple[LessonStanding, ...]

    @property
    def tally(self) -> Tally:
        return Tally.of(self.lessons)


@dataclass(frozen=True)
class CourseStanding:
    """A learner's progress in a course, against its current outline."""

    user_id: str
    outline: CourseOutline
    modules: tuple[ModuleStanding, ...]
    started_at: datetime | None  # None: no lesson marked yet
    updated_at: datetime | None
    completed_at: datetime | None

    @property
    def tally(self) -> Tally:
        return Tally.of([s for m in self.modules for s in m.lessons])

    @property
    def next_lesson(self) -> LessonStanding | None:
        """Where to resume: the first lesson in course order not done; None when all are."""
        return next((s for m in self.modules for s in m.lessons if s.done_at is None), None)


def standing(
    user_id: str,
    outline: CourseOutline,
    done: Mapping[str, datetime],
    progress: CourseProgressRow | None,
) -> CourseStanding:
    modules = tuple(
        ModuleStanding(module, tuple(LessonStanding(le, done.get(le.id)) for le in module.lessons))
        for module in outline.modules
    )
    return CourseStanding(
        user_id,
        outline,
        modules,
        progress.started_at if progress else None,
        progress.updated_at if progress else None,
        progress.completed_at if progress else None,
    )


class CourseCatalog:
    """The published outlines of courses (event-fed projection, gateway for the unheard-of)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gateway: GatewayClient,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self.gateway = gateway
        self.reads = reads or sessions  # single-statement reads (read_session_factory)
        self._absent: dict[str, float] = {}  # course id -> monotonic time to ask again

    async def outline(self, course_id: str) -> CourseOutline | None:
        """The course as learners see it now; None when unpublished or unknown."""
        found = await self.outlines([course_id])
        return found.get(course_id)

    async def outlines(self, course_ids: Sequence[str]) -> dict[str, CourseOutline]:
        """Published outlines by id; courses never heard of are asked of the gateway (one
        query for all of them), and a course it has not either is not asked again for
        ABSENT_SECONDS (editors' pages show drafts learning never hears of)."""
        wanted = list(dict.fromkeys(course_ids))
        async with self.reads() as session:
            rows = await session.scalars(
                select(KnownCourseRow).where(KnownCourseRow.id.in_(wanted))
            )
            known = {row.id: row for row in rows}
        now = time.monotonic()
        unknown = [c for c in wanted if c not in known and self._absent.get(c, 0.0) <= now]
        if unknown:
            fetched = await self._ask_gateway(unknown)  # in batches within the cost limit
            known.update(fetched)
            if len(self._absent) > MAX_ABSENT:  # made-up ids must not grow it without bound
                self._absent.clear()
            for course_id in unknown:
                if course_id not in fetched:
                    self._absent[course_id] = now + ABSENT_SECONDS
        return {cid: CourseOutline.of(row) for cid, row in known.items() if row.published}

    async def on_published(self, event: Received[ContentPublished]) -> None:
        p = event.payload
        if p.kind != "course":
            return
        if p.modules is None or p.version is None:  # an older producer: ask when needed
            async with self.sessions() as session, session.begin():
                await session.execute(delete(KnownCourseRow).where(KnownCourseRow.id == p.id))
            return
        modules = [module.model_dump(mode="json") for module in p.modules]
        await self._remember(p.id, p.slug, p.title, p.version, True, modules, event.time)

    async def on_withdrawn(self, event: Received[ContentWithdrawn]) -> None:
        p = event.payload
        if p.kind != "course":
            return
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(KnownCourseRow)
                .where(KnownCourseRow.id == p.id, KnownCourseRow.updated_at <= event.time)
                .values(published=False, updated_at=event.time)
            )

    async def _remember(
        self,
        course_id: str,
        slug: str,
        title: str,
        version: int,
        published: bool,
        modules: list[dict[str, Any]],
        at: datetime,
    ) -> KnownCourseRow:
        values = {
            "id": course_id,
            "slug": slug,
            "title": title,
            "version": version,
            "published": published,
            "modules": modules,
            "updated_at": at,
        }
        async with self.sessions() as session, session.begin():
            await session.execute(
                insert_or_update(
                    session,
                    KnownCourseRow,
                    values,
                    key=["id"],
                    where=KnownCourseRow.updated_at <= at,  # never older over newer
                )
            )
        return KnownCourseRow(**values)

    async def _ask_gateway(self, course_ids: Sequence[str]) -> dict[str, KnownCourseRow]:
        """The published courses among `course_ids`, from the content subgraph (kept);
        CoursesUnavailable when it cannot say."""
        try:
            found = await self.gateway.lookup("course", course_ids, COURSE_FIELDS)
        except GatewayUnavailable as exc:
            log.error("cannot look up courses %s: %s", list(course_ids), exc)
            raise CoursesUnavailable() from exc
        return {
            course_id: await self._remember_answer(course_id, course)
            for course_id, course in found.items()
        }

    async def _remember_answer(self, course_id: str, course: dict[str, Any]) -> KnownCourseRow:
        modules = [
            {
                "title": module.get("title", ""),
                "lessons": [
                    {"id": lesson["id"], "title": lesson.get("title", "")}
                    for lesson in module.get("lessons") or ()
                ],
            }
            for module in course.get("modules") or ()
        ]
        return await self._remember(
            course_id,
            str(course.get("slug") or ""),
            str(course.get("title") or ""),
            int(course.get("version") or 1),
            True,
            modules,
            utcnow(),
        )
