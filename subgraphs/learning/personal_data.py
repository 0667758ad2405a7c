"""What the learning subgraph holds about a user, exported and erased along one inventory.

The erasure is one transaction, under the learner's lock: every row of the user
goes, authorship of assessments is anonymized, and `account.data_erased` is
written to the outbox in the same commit. The event log is append-only except
for this: the PostgreSQL trigger lets a DELETE through only inside a transaction
that set `learning.erasure` (migration 0006).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.events.contracts import AccountDataErased
from ..common.events.outbox import SqlOutbox
from ..common.personal_data import ANONYMIZE, DELETED_USER_ID, ERASE, Holding, Inventory
from .store import dialect_of
from .tables import (
    AchievementRow,
    ActiveDayRow,
    AssessmentRow,
    AssessmentVersionRow,
    AttemptRow,
    Base,
    CertificateRow,
    CohortLearnerRow,
    CourseProgressRow,
    EventRow,
    LearnerRow,
    LessonDoneRow,
    PathRow,
    ProgressRow,
    StatsRow,
)

INVENTORY = Inventory(
    "learning",
    (
        Holding(
            "events",
            "The learner's event log: enrolments, progress, attempts, certificates, achievements.",
            ERASE,
            "It is the learner's history itself; nothing else needs it once they are gone.",
        ),
        Holding("progress", "Progress per skill.", ERASE, "The learner's own record."),
        Holding("stats", "Totals and the activity streak.", ERASE, "Derived from the log."),
        Holding("paths", "Roadmaps followed and how far along.", ERASE, "The learner's own."),
        Holding("attempts", "Assessment attempts and their scores.", ERASE, "The learner's own."),
        Holding(
            "certificates",
            "Certificates and their verification codes.",
            ERASE,
            "A certificate states that a named person holds a skill; with the person gone it"
            " states nothing true, and keeping it would keep them. verifyCertificate then"
            " answers null for its code, as for a code never issued.",
        ),
        Holding("achievements", "Achievements unlocked.", ERASE, "The learner's own."),
        Holding(
            "course_progress", "Courses started and when completed.", ERASE, "The learner's own."
        ),
        Holding("lessons_done", "Lessons marked done.", ERASE, "The learner's own."),
        Holding(
            "active_days",
            "The days the learner was active, for the platform's active-learner counts.",
            ERASE,
            "Analytics count learners, they need not keep them: past counts drop by one.",
        ),
        Holding(
            "cohort",
            "The week the learner started and how far they got, for the cohort view.",
            ERASE,
            "As active_days. The anonymous per-day counts (enrolments, completions, attempts,"
            " completion times, missed questions) name nobody and stay.",
        ),
        Holding(
            "authored_assessments",
            "Assessments (and superseded versions of them) the user wrote as an editor.",
            ANONYMIZE,
            "Other learners' attempts and certificates rest on them: the content stays, the"
            " author becomes the deleted-account placeholder.",
        ),
    ),
)

# Rows of the user, per holding (the log and the lock row are handled apart).
_OWN_ROWS: dict[str, type[Base]] = {
    "progress": ProgressRow,
    "stats": StatsRow,
    "paths": PathRow,
    "attempts": AttemptRow,
    "certificates": CertificateRow,
    "achievements": AchievementRow,
    "course_progress": CourseProgressRow,
    "lessons_done": LessonDoneRow,
    "active_days": ActiveDayRow,
    "cohort": CohortLearnerRow,
}


class LearningPersonalData:
    inventory = INVENTORY

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: SqlOutbox) -> None:
        self.sessions = sessions
        self.outbox = outbox

    async def export(self, user_id: str) -> dict[str, Any]:
        async with self.sessions() as session:
            exported: dict[str, Any] = {
                "events": await _rows(
                    session, select(EventRow).where(EventRow.user_id == user_id).order_by("seq")
                )
            }
            for name, model in _OWN_ROWS.items():
                query = select(model).where(model.user_id == user_id)  # type: ignore[attr-defined]
                exported[name] = await _rows(session, query)
            authored = await session.scalars(
                select(AssessmentRow).where(AssessmentRow.created_by == user_id)
            )
            exported["authored_assessments"] = [
                {"id": a.id, "title": a.title, "createdAt": _plain(a.created_at)} for a in authored
            ]
        return exported

    async def erase(self, user_id: str, deletion_id: str) -> None:
        erased: dict[str, int] = {}
        async with self.sessions() as session, session.begin():
            if dialect_of(session) == "postgresql":
                await session.execute(text("SELECT set_config('learning.erasure', 'on', true)"))
                # The learner's lock: a command of theirs still running finishes first.
                await session.execute(
                    select(LearnerRow).where(LearnerRow.user_id == user_id).with_for_update()
                )
            erased["events"] = await _delete(session, EventRow, EventRow.user_id == user_id)
            for name, model in _OWN_ROWS.items():
                owner = model.user_id  # type: ignore[attr-defined]
                erased[name] = await _delete(session, model, owner == user_id)
            await _delete(session, LearnerRow, LearnerRow.user_id == user_id)
            erased["authored_assessments"] = await _anonymize(session, user_id)
            report = AccountDataErased(
                deletion_id=deletion_id, user_id=user_id, subgraph="learning", erased=erased
            )
            await self.outbox.add(session, [report])
        self.outbox.wake()


async def _delete(session: AsyncSession, model: type[Base], condition: Any) -> int:
    result = await session.execute(delete(model).where(condition))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _anonymize(session: AsyncSession, user_id: str) -> int:
    authored = await session.execute(
        update(AssessmentRow)
        .where(AssessmentRow.created_by == user_id)
        .values(created_by=DELETED_USER_ID)
    )
    superseded = await session.execute(
        update(AssessmentVersionRow)
        .where(AssessmentVersionRow.superseded_by == user_id)
        .values(superseded_by=DELETED_USER_ID)
    )
    return int(authored.rowcount or 0) + int(superseded.rowcount or 0)  # type: ignore[attr-defined]


async def _rows(session: AsyncSession, query: Any) -> list[dict[str, Any]]:
    """The rows of an entity query as JSON-ready objects (column name: value)."""
    return [
        {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns}
        for row in await session.scalars(query)
    ]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value
