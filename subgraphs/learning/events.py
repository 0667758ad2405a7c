"""Events: the kinds in the learning log, and what the platform hears after a commit.

Log events (`learning_events.type`) are this subgraph's own history. Before a
learner transaction commits, `domain_events` turns them into the platform's
domain events, written to the outbox in that transaction (the relay publishes
them); once committed, `Announcer` sends the live messages (subscriptions on
any replica).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..common.events import Contract, LiveChannels
from ..common.events.contracts import (
    AchievementUnlocked,
    AssessmentPassed,
    CertificateIssued,
    CourseCompleted,
    ProgressUpdated,
    SkillCompleted,
)
from ..common.events.outbox import SqlOutbox
from .domain import KINDS
from .tables import EventRow, ProgressRow

log = logging.getLogger("skill_circle.learning.events")

# Kinds of log event.
ENROLLED = "learner.enrolled"
PROGRESS_RECORDED = "progress.recorded"
SKILL_COMPLETED = "skill.completed"
ASSESSMENT_STARTED = "assessment.started"
ASSESSMENT_SUBMITTED = "assessment.submitted"
CERTIFICATE_ISSUED = "certificate.issued"
ACHIEVEMENT_UNLOCKED = "achievement.unlocked"
ROADMAP_FOLLOWED = "roadmap.followed"
LESSON_DONE = "lesson.done"
LESSON_UNDONE = "lesson.undone"
COURSE_COMPLETED = "course.completed"


def progress_channel(user_id: str) -> str:
    return f"progress:{user_id}"


def achievements_channel(user_id: str) -> str:
    return f"achievements:{user_id}"


@dataclass(frozen=True)
class ProgressSnapshot:
    """A SkillProgress as it stood at commit, as plain values (it travels to other replicas)."""

    id: str
    user_id: str
    skill_id: str
    percent: float
    status: str
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, row: ProgressRow) -> ProgressSnapshot:
        return cls(
            row.id,
            row.user_id,
            row.skill_id,
            row.percent,
            row.status,
            row.started_at,
            row.updated_at,
            row.completed_at,
        )

    def to_message(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "userId": self.user_id,
            "skillId": self.skill_id,
            "percent": self.percent,
            "status": self.status,
            "startedAt": self.started_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
            "completedAt": self.completed_at.isoformat() if self.completed_at else None,
        }

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> ProgressSnapshot:
        completed = message.get("completedAt")
        return cls(
            str(message["id"]),
            str(message["userId"]),
            str(message["skillId"]),
            float(message["percent"]),
            str(message["status"]),
            datetime.fromisoformat(message["startedAt"]),
            datetime.fromisoformat(message["updatedAt"]),
            datetime.fromisoformat(completed) if completed else None,
        )


def achievement_message(event: EventRow) -> dict[str, Any]:
    kind = KINDS[event.payload["code"]]
    return {
        "id": event.payload["achievementId"],
        "userId": event.user_id,
        "code": kind.code,
        "title": kind.title,
        "description": kind.description,
        "unlockedAt": event.occurred_at.isoformat(),
    }


def domain_events(
    recorded: Sequence[EventRow], progress: Sequence[ProgressSnapshot]
) -> list[Contract]:
    """The platform's events for a learner transaction (written to the outbox before commit)."""
    events: list[Contract] = [
        ProgressUpdated(
            progress_id=snapshot.id,
            user_id=snapshot.user_id,
            skill_id=snapshot.skill_id,
            percent=snapshot.percent,
            status=snapshot.status,
        )
        for snapshot in progress
    ]
    for event in recorded:
        p, user_id = event.payload, event.user_id
        if event.type == SKILL_COMPLETED:
            events.append(SkillCompleted(user_id=user_id, skill_id=p["skillId"]))
        elif event.type == ASSESSMENT_SUBMITTED and p["passed"]:
            events.append(
                AssessmentPassed(
                    user_id=user_id,
                    assessment_id=p["assessmentId"],
                    skill_id=p["skillId"],
                    score=p["score"],
                )
            )
        elif event.type == CERTIFICATE_ISSUED:
            events.append(
                CertificateIssued(
                    user_id=user_id,
                    skill_id=p["skillId"],
                    certificate_id=p["certificateId"],
                    verification_code=p["verificationCode"],
                )
            )
        elif event.type == COURSE_COMPLETED:
            events.append(
                CourseCompleted(
                    user_id=user_id,
                    course_id=p["courseId"],
                    slug=p["slug"],
                    title=p["title"],
                    lessons=p["lessons"],
                )
            )
        elif event.type == ACHIEVEMENT_UNLOCKED:
            message = achievement_message(event)
            events.append(
                AchievementUnlocked(
                    user_id=user_id,
                    achievement_id=message["id"],
                    code=message["code"],
                    title=message["title"],
                    description=message["description"],
                )
            )
    return events


class Announcer:
    """After a commit: wakes the outbox relay and sends the live messages.

    Live messages are best effort (a subscription missing one sees the next);
    failures are logged, not raised: the transaction has committed, and the
    caller must get its answer. Domain events are already safe in the outbox.
    """

    def __init__(self, outbox: SqlOutbox, live: LiveChannels) -> None:
        self.outbox = outbox
        self.live = live

    async def announce(
        self, recorded: Sequence[EventRow], progress: Sequence[ProgressSnapshot]
    ) -> None:
        self.outbox.wake()
        for snapshot in progress:
            await self._broadcast(progress_channel(snapshot.user_id), snapshot.to_message())
        for event in recorded:
            if event.type == ACHIEVEMENT_UNLOCKED:
                await self._broadcast(
                    achievements_channel(event.user_id), achievement_message(event)
                )

    async def _broadcast(self, channel: str, message: dict[str, Any]) -> None:
        try:
            await self.live.publish(channel, message)
        except Exception:
            log.exception("could not broadcast on %s", channel)
