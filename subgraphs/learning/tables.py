"""The learning subgraph's tables: the event log, reference data and the read models.

`learning_events` is the source of truth (append-only). The read models
(`READ_MODELS`) are projections of it, written in the same transaction as the
events and rebuildable from the log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..common.clock import utcnow
from ..common.events.outbox import outbox_table
from ..common.stores.sql import UTCDateTime

ID = String(64)  # ids owned elsewhere (users, skills, roadmaps) are opaque strings


class Base(DeclarativeBase):
    pass


# ---------------------------------------------------------------- source of truth
OUTBOX = outbox_table(Base.metadata)


class EventRow(Base):
    """One learner event, in order; never updated or deleted (a PostgreSQL trigger enforces it)."""

    __tablename__ = "learning_events"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(ID, index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class LearnerRow(Base):
    """One row per learner, locked by every command so a learner's commands run one at a time."""

    __tablename__ = "learners"

    user_id: Mapped[str] = mapped_column(ID, primary_key=True)


# ---------------------------------------------------------------- reference data
class AssessmentRow(Base):
    """An assessment as an editor wrote it; `questions` hold the correct answers (never exposed)."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    skill_id: Mapped[str] = mapped_column(ID, index=True)
    title: Mapped[str] = mapped_column(String(200))
    passing_score: Mapped[float] = mapped_column(Float)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    max_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: unlimited
    cooldown_seconds: Mapped[int] = mapped_column(Integer, default=0)  # between a learner's starts
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssessmentVersionRow(Base):
    """A superseded version of an assessment, kept so attempts started on it score against it."""

    __tablename__ = "assessment_versions"

    assessment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    passing_score: Mapped[float] = mapped_column(Float)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[str] = mapped_column(ID)


class RoadmapRow(Base):
    """The skills subgraph's roadmaps as this subgraph knows them: ordered skill ids."""

    __tablename__ = "roadmaps"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), default="")
    skill_ids: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnownSkillRow(Base):
    """A skill id the skills subgraph vouched for (event or gateway answer); `deleted` once gone.

    name, level and category are what the dashboard shows of a skill, as of
    `updated_at` (the time of the skill event, or of the gateway answer, that
    set them); None until one of them arrived.
    """

    __tablename__ = "known_skills"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    level: Mapped[str | None] = mapped_column(String(32), nullable=True)
    category_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    category_name: Mapped[str | None] = mapped_column(String(200), nullable=True)


class KnownCourseRow(Base):
    """A course of the content subgraph as learners see it: its published outline.

    Learned from `content.published` / `content.withdrawn` (or a gateway answer for a
    course published before learning heard of it); `modules` is
    `[{"title", "lessons": [{"id", "title"}]}]`. `published` False: withdrawn, the outline
    kept for the day it is published again. `updated_at` is the time of the event that set
    it: an older event never overwrites a newer one.
    """

    __tablename__ = "known_courses"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean)
    modules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- read models (projections)
class ProgressRow(Base):
    __tablename__ = "skill_progress"
    __table_args__ = (UniqueConstraint("user_id", "skill_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID)
    skill_id: Mapped[str] = mapped_column(ID, index=True)
    percent: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StatsRow(Base):
    __tablename__ = "learner_stats"

    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    skills_started: Mapped[int] = mapped_column(Integer)
    skills_completed: Mapped[int] = mapped_column(Integer)
    certificates: Mapped[int] = mapped_column(Integer)
    courses_completed: Mapped[int] = mapped_column(Integer, default=0)
    average_percent: Mapped[float] = mapped_column(Float)
    streak_days: Mapped[int] = mapped_column(Integer)  # the run of active days ending on:
    last_active_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class PathRow(Base):
    __tablename__ = "learning_paths"
    __table_args__ = (UniqueConstraint("user_id", "roadmap_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    roadmap_id: Mapped[str] = mapped_column(ID)
    skill_ids: Mapped[list[str]] = mapped_column(JSON)
    percent: Mapped[float] = mapped_column(Float)
    next_skill_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttemptRow(Base):
    __tablename__ = "assessment_attempts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    skill_id: Mapped[str] = mapped_column(ID)
    assessment_version: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class CertificateRow(Base):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "skill_id"),)  # one per user and skill

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    skill_id: Mapped[str] = mapped_column(ID)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)


class AchievementRow(Base):
    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("user_id", "code"),)  # each unlocked once per user

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    code: Mapped[str] = mapped_column(String(40))
    unlocked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CourseProgressRow(Base):
    """A learner's progress in a course: from their first lesson done; completed once, ever."""

    __tablename__ = "course_progress"

    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    course_id: Mapped[str] = mapped_column(ID, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LessonDoneRow(Base):
    """A lesson the learner marked done (and did not undo); kept when the course drops it."""

    __tablename__ = "lessons_done"

    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    course_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ID, primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- analytics (projections)
# What editors and admins see of skills, courses and the platform, kept by the same
# projector from the same events. Counters per day are anonymous and stay when a learner
# is erased; the rows naming a learner (active days, cohort) go with them.
SKILL, COURSE = "skill", "course"


class SubjectDayRow(Base):
    """Per skill or course and UTC day: enrolments, completions, submitted attempts, passes."""

    __tablename__ = "analytics_subject_days"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # SKILL or COURSE
    subject_id: Mapped[str] = mapped_column(ID, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    enrolments: Mapped[int] = mapped_column(Integer, default=0)
    completions: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passes: Mapped[int] = mapped_column(Integer, default=0)


class CompletionTimeRow(Base):
    """One completion of a skill or course and how long it took from enrolment (anonymous).

    Keyed by the completing event's `seq`, so a rebuild writes the very same rows.
    """

    __tablename__ = "analytics_completion_times"
    __table_args__ = (Index("ix_completion_times_subject", "kind", "subject_id", "day"),)

    event_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(8))
    subject_id: Mapped[str] = mapped_column(ID)
    day: Mapped[date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(Float)


class QuestionDayRow(Base):
    """Per assessment question and UTC day: how often it was answered, and missed."""

    __tablename__ = "analytics_question_days"

    skill_id: Mapped[str] = mapped_column(ID, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(String(36))
    answers: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)


class ActiveDayRow(Base):
    """A learner active on a UTC day: a progress event or an assessment attempt."""

    __tablename__ = "analytics_active_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    week: Mapped[date] = mapped_column(Date, index=True)  # the Monday of `day`


class CohortLearnerRow(Base):
    """A learner in the cohort of the week they started, and how far they got."""

    __tablename__ = "analytics_cohort_learners"

    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    week: Mapped[date] = mapped_column(Date, index=True)  # Monday of their first enrolment
    progressed: Mapped[bool] = mapped_column(Boolean, default=False)  # any progress recorded
    completed_skill: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_course: Mapped[bool] = mapped_column(Boolean, default=False)


ANALYTICS: tuple[type[Base], ...] = (
    SubjectDayRow,
    CompletionTimeRow,
    QuestionDayRow,
    ActiveDayRow,
    CohortLearnerRow,
)

# Children before parents is irrelevant (no foreign keys); this order is the rebuild order.
READ_MODELS: tuple[type[Base], ...] = (
    ProgressRow,
    StatsRow,
    PathRow,
    AttemptRow,
    CertificateRow,
    AchievementRow,
    CourseProgressRow,
    LessonDoneRow,
    *ANALYTICS,
)
