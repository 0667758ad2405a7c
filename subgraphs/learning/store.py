"""Reads of the read models, one query per batch of keys (what the DataLoaders call),
and the dialect-aware upserts the journal and caches write with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Insert

from .tables import (
    AchievementRow,
    AssessmentRow,
    AssessmentVersionRow,
    AttemptRow,
    CertificateRow,
    CourseProgressRow,
    KnownSkillRow,
    LessonDoneRow,
    PathRow,
    ProgressRow,
    StatsRow,
)

Pair = tuple[str, str]

# Skills the skills subgraph deleted: their progress and certificates are kept but not listed.
DELETED_SKILLS = select(KnownSkillRow.id).where(KnownSkillRow.deleted.is_(True))


class LearningStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # single-statement reads (read_session_factory)

    # ------------------------------------------------------------ progress
    async def progress_by_ids(self, ids: Sequence[str]) -> list[ProgressRow]:
        return await self._all(select(ProgressRow).where(ProgressRow.id.in_(ids)))

    async def progress_of_users(self, user_ids: Sequence[str]) -> list[tuple[str, ProgressRow]]:
        rows = await self._all(
            select(ProgressRow)
            .where(ProgressRow.user_id.in_(user_ids), ProgressRow.skill_id.not_in(DELETED_SKILLS))
            .order_by(ProgressRow.started_at, ProgressRow.skill_id)
        )
        return [(row.user_id, row) for row in rows]

    async def progress_by_pairs(self, pairs: Sequence[Pair]) -> list[ProgressRow]:
        """Progress by (user id, skill id)."""
        return await self._all(
            select(ProgressRow).where(tuple_(ProgressRow.user_id, ProgressRow.skill_id).in_(pairs))
        )

    async def learner_counts(self, skill_ids: Sequence[str]) -> dict[str, int]:
        async with self.reads() as session:
            result = await session.execute(
                select(ProgressRow.skill_id, func.count())
                .where(ProgressRow.skill_id.in_(skill_ids))
                .group_by(ProgressRow.skill_id)
            )
            return {skill_id: int(count) for skill_id, count in result.all()}

    async def stats_of_users(self, user_ids: Sequence[str]) -> list[StatsRow]:
        return await self._all(select(StatsRow).where(StatsRow.user_id.in_(user_ids)))

    # ------------------------------------------------------------ assessments
    async def assessment(self, assessment_id: str) -> AssessmentRow | None:
        found = await self.assessments_by_ids([assessment_id])
        return found[0] if found else None

    async def assessments_by_ids(self, ids: Sequence[str]) -> list[AssessmentRow]:
        return await self._all(select(AssessmentRow).where(AssessmentRow.id.in_(ids)))

    async def assessments_of_skills(
        self, skill_ids: Sequence[str]
    ) -> list[tuple[str, AssessmentRow]]:
        """The assessments learners can take (not retired) per skill."""
        rows = await self._all(
            select(AssessmentRow)
            .where(AssessmentRow.skill_id.in_(skill_ids), AssessmentRow.retired_at.is_(None))
            .order_by(AssessmentRow.created_at, AssessmentRow.id)
        )
        return [(row.skill_id, row) for row in rows]

    async def add_assessment(self, row: AssessmentRow) -> AssessmentRow:
        async with self.sessions() as session, session.begin():
            session.add(row)
        return row

    async def revise_assessment(
        self, id: str, expected_version: int, change: dict[str, Any], superseded_by: str, now: Any
    ) -> AssessmentRow | None:
        """Applies `change` as the next version, keeping the current one; None if it moved on."""
        async with self.sessions() as session, session.begin():
            row = await session.get(AssessmentRow, id, with_for_update=True)
            if row is None or row.version != expected_version:
                return None
            session.add(
                AssessmentVersionRow(
                    assessment_id=row.id,
                    version=row.version,
                    title=row.title,
                    passing_score=row.passing_score,
                    questions=row.questions,
                    superseded_at=now,
                    superseded_by=superseded_by,
                )
            )
            for name, value in change.items():
                setattr(row, name, value)
            row.version += 1
        return row

    async def retire_assessment(self, id: str, now: Any) -> AssessmentRow | None:
        async with self.sessions() as session, session.begin():
            row = await session.get(AssessmentRow, id, with_for_update=True)
            if row is not None and row.retired_at is None:
                row.retired_at = now
        return row

    async def attempts_of_users(self, user_ids: Sequence[str]) -> list[tuple[str, AttemptRow]]:
        """Every attempt of each user, newest first."""
        rows = await self._all(
            select(AttemptRow)
            .where(AttemptRow.user_id.in_(user_ids))
            .order_by(AttemptRow.started_at.desc(), AttemptRow.id)
        )
        return [(row.user_id, row) for row in rows]

    async def questions_of_versions(
        self, keys: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], list[dict[str, Any]]]:
        """The questions of each (assessment id, version), superseded or current."""
        old = await self._all(
            select(AssessmentVersionRow).where(
                tuple_(AssessmentVersionRow.assessment_id, AssessmentVersionRow.version).in_(keys)
            )
        )
        found = {(row.assessment_id, row.version): row.questions for row in old}
        current = await self.assessments_by_ids([a for a, _ in keys])
        found.update({(row.id, row.version): row.questions for row in current})
        return found

    async def attempts_by_ids(self, ids: Sequence[str]) -> list[AttemptRow]:
        return await self._all(select(AttemptRow).where(AttemptRow.id.in_(ids)))

    # ------------------------------------------------------------ certificates, achievements, paths
    async def certificates_of_users(
        self, user_ids: Sequence[str]
    ) -> list[tuple[str, CertificateRow]]:
        rows = await self._all(
            select(CertificateRow)
            .where(
                CertificateRow.user_id.in_(user_ids),
                CertificateRow.skill_id.not_in(DELETED_SKILLS),
            )
            .order_by(CertificateRow.issued_at, CertificateRow.id)
        )
        return [(row.user_id, row) for row in rows]

    async def certificates_by_ids(self, ids: Sequence[str]) -> list[CertificateRow]:
        return await self._all(select(CertificateRow).where(CertificateRow.id.in_(ids)))

    async def certificate_by_code(self, code: str) -> CertificateRow | None:
        found = await self._all(
            select(CertificateRow).where(CertificateRow.verification_code == code)
        )
        return found[0] if found else None

    async def achievements_of_users(
        self, user_ids: Sequence[str]
    ) -> list[tuple[str, AchievementRow]]:
        rows = await self._all(
            select(AchievementRow)
            .where(AchievementRow.user_id.in_(user_ids))
            .order_by(AchievementRow.unlocked_at, AchievementRow.code)
        )
        return [(row.user_id, row) for row in rows]

    async def achievements_by_ids(self, ids: Sequence[str]) -> list[AchievementRow]:
        return await self._all(select(AchievementRow).where(AchievementRow.id.in_(ids)))

    async def paths_of_users(self, user_ids: Sequence[str]) -> list[tuple[str, PathRow]]:
        rows = await self._all(
            select(PathRow)
            .where(PathRow.user_id.in_(user_ids))
            .order_by(PathRow.followed_at, PathRow.id)
        )
        return [(row.user_id, row) for row in rows]

    async def users_with_path_through(self, skill_id: str) -> list[str]:
        """The users with a learning path that has `skill_id` among its steps.

        Scans the paths (JSON steps, portable across both dialects): runs only on skill.deleted.
        """
        async with self.sessions() as session:
            rows = await session.execute(select(PathRow.user_id, PathRow.skill_ids))
            return sorted({user_id for user_id, steps in rows.all() if skill_id in steps})

    async def paths_by_ids(self, ids: Sequence[str]) -> list[PathRow]:
        return await self._all(select(PathRow).where(PathRow.id.in_(ids)))

    async def paths_by_pairs(self, pairs: Sequence[Pair]) -> list[PathRow]:
        """Learning paths by (user id, roadmap id)."""
        return await self._all(
            select(PathRow).where(tuple_(PathRow.user_id, PathRow.roadmap_id).in_(pairs))
        )

    # ------------------------------------------------------------ courses
    async def course_progress_of_users(
        self, user_ids: Sequence[str]
    ) -> list[tuple[str, CourseProgressRow]]:
        """Each user's started courses, most recently active first."""
        rows = await self._all(
            select(CourseProgressRow)
            .where(CourseProgressRow.user_id.in_(user_ids))
            .order_by(CourseProgressRow.updated_at.desc(), CourseProgressRow.course_id)
        )
        return [(row.user_id, row) for row in rows]

    async def course_progress_by_pairs(self, pairs: Sequence[Pair]) -> list[CourseProgressRow]:
        """Course progress by (user id, course id)."""
        return await self._all(
            select(CourseProgressRow).where(
                tuple_(CourseProgressRow.user_id, CourseProgressRow.course_id).in_(pairs)
            )
        )

    async def lessons_done_by_pairs(self, pairs: Sequence[Pair]) -> dict[Pair, dict[str, Any]]:
        """(user id, course id) -> {lesson id: when marked done}."""
        rows = await self._all(
            select(LessonDoneRow).where(
                tuple_(LessonDoneRow.user_id, LessonDoneRow.course_id).in_(pairs)
            )
        )
        found: dict[Pair, dict[str, Any]] = {}
        for row in rows:
            found.setdefault((row.user_id, row.course_id), {})[row.lesson_id] = row.done_at
        return found

    async def _all(self, statement: object) -> list:  # type: ignore[type-arg]
        async with self.reads() as session:
            return list(await session.scalars(statement))  # type: ignore[call-overload]


# INSERT ... ON CONFLICT for the two SQL dialects this subgraph runs on.


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _insert(session: AsyncSession, model: type[Any]) -> Any:
    dialect = dialect_of(session)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignoring_conflicts(
    session: AsyncSession, model: type[Any], values: dict[str, Any]
) -> Insert:
    """Inserts `values` unless a row with the same key already exists."""
    statement: Insert = _insert(session, model).values(**values).on_conflict_do_nothing()
    return statement


def insert_or_update(
    session: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    key: list[str],
    where: Any = None,
) -> Insert:
    """Inserts `values`, or updates the row with the same `key` columns to them
    (only when the existing row satisfies `where`, if given)."""
    statement = _insert(session, model).values(**values)
    changes = {name: value for name, value in values.items() if name not in key}
    upsert: Insert = statement.on_conflict_do_update(index_elements=key, set_=changes, where=where)
    return upsert


def insert_or_add(
    session: AsyncSession,
    model: type[Any],
    key: dict[str, Any],
    amounts: dict[str, int],
    other: dict[str, Any] | None = None,
) -> Insert:
    """Inserts a row of `key` with `amounts` (and `other` values), or adds `amounts` to the
    row of `key` already there."""
    statement = _insert(session, model).values(**key, **amounts, **(other or {}))
    table = model.__table__
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in amounts},
    )
    return upsert
