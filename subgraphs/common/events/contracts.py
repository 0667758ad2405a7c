"""Every domain event of the platform: one frozen type per event, with its name and version.

Producers publish instances (`bus.publish(SkillCreated(...))`, or through an
outbox); consumers register handlers by type (`Handlers().on(SkillCreated, fn)`)
and receive the payload validated into that type. On the stream a payload is a
JSON object with camelCase keys (`skill_id` travels as `skillId`).

Compatibility: adding an optional field keeps the version (older readers ignore
unknown keys); renaming, retyping or removing a field is a new version, and a
consumer dead-letters a version newer than the one it knows.

`tests/common/test_contracts.py` fails when a handled event has no producer, or a
produced event no consumer, unless the contract says why (`UNCONSUMED`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Contract(BaseModel):
    """The payload of one kind of event. Subclasses set `NAME` (and `VERSION` when > 1)."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, validate_by_name=True
    )

    NAME: ClassVar[str]
    VERSION: ClassVar[int] = 1
    # Why nothing consumes this event yet (analytics, audit, ...); None: something must.
    UNCONSUMED: ClassVar[str | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "NAME" in cls.__dict__:
            register(cls)

    def to_payload(self) -> dict[str, Any]:
        """The JSON object that travels on the stream."""
        return self.model_dump(mode="json", by_alias=True)


CONTRACTS: dict[str, type[Contract]] = {}


def register(contract: type[Contract]) -> None:
    known = CONTRACTS.get(contract.NAME)
    if known is not None and known.__qualname__ != contract.__qualname__:
        raise ValueError(f"two contracts named {contract.NAME}: {known} and {contract}")
    CONTRACTS[contract.NAME] = contract


# ---------------------------------------------------------------- users
class Preferences(BaseModel):
    model_config = Contract.model_config

    locale: str
    timezone: str
    email_notifications: bool
    sms_notifications: bool
    push_notifications: bool


class UserEvent(Contract):
    """What other subgraphs learn of an account (every user.* event carries it)."""

    user_id: str
    email: str
    display_name: str
    email_verified: bool
    roles: list[str]
    preferences: Preferences


class UserRegistered(UserEvent):
    NAME = "user.registered"
    VERSION = 2  # v1 carried the link in clear
    sealed_link: str  # common/sealed.py: only notifications can open it


class EmailVerificationRequested(UserEvent):
    NAME = "user.email_verification_requested"
    VERSION = 2  # v1 carried the link in clear
    sealed_link: str  # common/sealed.py: only notifications can open it


class EmailVerified(UserEvent):
    NAME = "user.email_verified"


class EmailChangeRequested(UserEvent):
    """The user asked to use `new_email`; the account keeps `email` until the link is opened."""

    NAME = "user.email_change_requested"
    new_email: str
    sealed_link: str  # common/sealed.py: only notifications can open it; mailed to new_email


class EmailChanged(UserEvent):
    """`email` is now the (verified) login address; `previous_email` is told."""

    NAME = "user.email_changed"
    previous_email: str


class PasswordResetRequested(UserEvent):
    NAME = "user.password_reset_requested"
    VERSION = 2  # v1 carried the link in clear
    sealed_link: str  # common/sealed.py: only notifications can open it


class PasswordChanged(UserEvent):
    NAME = "user.password_changed"


class PreferencesUpdated(UserEvent):
    NAME = "user.preferences_updated"


class RolesChanged(UserEvent):
    NAME = "user.roles_changed"


# ---------------------------------------------------------------- skills
class SkillChanged(Contract):
    """What other subgraphs show of a skill. level and the category came later (issue 12:
    learning's projection answers the dashboard's skill fields); older events lack them."""

    skill_id: str
    slug: str
    name: str
    level: str | None = None
    category_id: str | None = None
    category_name: str | None = None


class SkillCreated(SkillChanged):
    NAME = "skill.created"


class SkillUpdated(SkillChanged):
    NAME = "skill.updated"


class SkillDeleted(SkillChanged):
    NAME = "skill.deleted"


class PrerequisiteChanged(Contract):
    skill_id: str
    prerequisite_id: str


class PrerequisiteAdded(PrerequisiteChanged):
    NAME = "skill.prerequisite_added"


class PrerequisiteRemoved(PrerequisiteChanged):
    NAME = "skill.prerequisite_removed"


class CategoryCreated(Contract):
    """Heard by every skills replica's in-process catalog (skills/read_model.py)."""

    NAME = "category.created"
    category_id: str
    slug: str
    name: str | None = None  # added for issue 12; older events lack it


class RoadmapChanged(Contract):
    roadmap_id: str
    slug: str
    skill_ids: list[str]


class RoadmapCreated(RoadmapChanged):
    NAME = "roadmap.created"


class RoadmapUpdated(RoadmapChanged):
    """A new prerequisite moved a roadmap's steps."""

    NAME = "roadmap.updated"


# ---------------------------------------------------------------- learning
class ProgressUpdated(Contract):
    NAME = "progress.updated"
    progress_id: str
    user_id: str
    skill_id: str
    percent: float
    status: str


class SkillCompleted(Contract):
    NAME = "skill.completed"
    user_id: str
    skill_id: str


class AssessmentPassed(Contract):
    NAME = "assessment.passed"
    UNCONSUMED = "analytics only: certificate.issued carries what learners are told"
    user_id: str
    assessment_id: str
    skill_id: str
    score: float


class CertificateIssued(Contract):
    NAME = "certificate.issued"
    user_id: str
    skill_id: str
    certificate_id: str
    verification_code: str


class CourseCompleted(Contract):
    """A learner has done every lesson of a course (once per learner and course, ever)."""

    NAME = "course.completed"
    user_id: str
    course_id: str
    slug: str
    title: str
    lessons: int  # how many lessons the course had when it was completed


class AchievementUnlocked(Contract):
    NAME = "achievement.unlocked"
    user_id: str
    achievement_id: str
    code: str
    title: str
    description: str


# ---------------------------------------------------------------- content
class PublishedLesson(BaseModel):
    model_config = Contract.model_config

    id: str  # stable across versions of the course
    title: str


class PublishedModule(BaseModel):
    model_config = Contract.model_config

    title: str
    lessons: list[PublishedLesson]


class ContentPublished(Contract):
    """A course or article version became what learners see.

    `version` and `modules` (courses only) came with course progress (issue 17):
    learning keeps the published outline of each course to count lessons done.
    Older events lack them."""

    NAME = "content.published"
    kind: Literal["course", "article"]
    id: str
    slug: str
    title: str
    skill_ids: list[str]
    version: int | None = None
    modules: list[PublishedModule] | None = None


class ContentWithdrawn(Contract):
    """Learners no longer see a course or article: unpublished (DRAFT) or ARCHIVED."""

    NAME = "content.withdrawn"
    kind: Literal["course", "article"]
    id: str
    status: Literal["DRAFT", "ARCHIVED"]


# ---------------------------------------------------------------- notifications
class AnnouncementSent(Contract):
    """An admin's announcement, fanned out by the notifications consumer."""

    NAME = "announcement.sent"
    title: str
    body: str
    link: str | None
    audience: int
    sent_by: str


# ---------------------------------------------------------------- account deletion (the saga)
class AccountDeletionRequested(Contract):
    """users deleted an account: each subgraph named in `subgraphs` erases or anonymizes
    what it holds of `user_id` (common/personal_data.py) and answers AccountDataErased.
    Re-published, with only the subgraphs still silent, until all have answered."""

    NAME = "account.deletion_requested"
    deletion_id: str
    user_id: str
    subgraphs: list[str]


class AccountDataErased(Contract):
    """A subgraph's part of a deletion is done (idempotent: it may arrive more than once)."""

    NAME = "account.data_erased"
    deletion_id: str
    user_id: str
    subgraph: str
    erased: dict[str, int]  # items erased or anonymized, per holding of its inventory
