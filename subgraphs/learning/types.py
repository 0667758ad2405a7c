"""GraphQL types of the learning subgraph, and its fields on User, Skill, Roadmap and Course.

User, Skill and Roadmap are owned by the users and skills subgraphs: here they
carry only their key and this subgraph's fields. Every read goes through the
request's DataLoaders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.descriptions import (
    CATEGORY,
    CATEGORY_ID,
    CATEGORY_NAME,
    COURSE,
    COURSE_ID,
    PROGRESS,
    PROGRESS_COMPLETED_AT,
    PROGRESS_ID,
    PROGRESS_PERCENT,
    PROGRESS_SKILL,
    PROGRESS_STARTED_AT,
    PROGRESS_STATUS,
    PROGRESS_UPDATED_AT,
    ROADMAP,
    ROADMAP_ID,
    SKILL,
    SKILL_CATEGORY,
    SKILL_ID,
    SKILL_LEVEL,
    SKILL_NAME,
    USER,
    USER_ID,
    USER_PROGRESS,
)
from ..common.entities import ProgressStatus, SkillLevel
from ..common.errors import NotFound
from ..common.permissions import require_self_or_admin
from .courses import CourseStanding, LessonStanding, ModuleStanding, Tally
from .deps import Deps
from .domain import KINDS
from .events import ProgressSnapshot
from .loaders import Loaders
from .skills import SkillDetails
from .tables import AchievementRow, AssessmentRow, AttemptRow, CertificateRow, PathRow, StatsRow

Info = StrawberryInfo[Context[Deps, Loaders], None]
T = TypeVar("T")


async def _require_self_or_admin(info: Info, user_id: str) -> None:
    require_self_or_admin(await info.context.viewer(), user_id)


async def _skill_details(info: Info, skill_id: str) -> SkillDetails:
    details = await info.context.loaders.skill.load(str(skill_id))
    if details is None:
        raise NotFound("skill", str(skill_id))
    return details


def _skill_field(info: Info, skill_id: str, pick: Callable[[SkillDetails], T]) -> T:
    """A skill detail: from memory at once when held (every dashboard shows a few skills,
    and an awaited field costs graphql-core several times a plain one), else loaded.

    The loaded branch returns an awaitable, which graphql-core awaits like an async
    resolver's result; the annotation states the value the field resolves to.
    """
    held = info.context.deps.skills.held(str(skill_id))
    if held is not None:
        return pick(held)

    async def load() -> T:
        return pick(await _skill_details(info, skill_id))

    return load()  # type: ignore[return-value]  # awaited by graphql-core


# ---------------------------------------------------------------- entities owned elsewhere
@strawberry.federation.type(keys=["id"], description=USER)
class User:
    id: strawberry.ID = strawberry.field(description=USER_ID)

    @strawberry.field(description=USER_PROGRESS)
    async def progress(self, info: Info) -> list[SkillProgress]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.progress_of_user.load(str(self.id))
        return [SkillProgress.of(ProgressSnapshot.of(row)) for row in rows]

    @strawberry.field(
        description="Certificates earned by passing assessments. The user themself and ADMIN "
        "only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def certificates(self, info: Info) -> list[Certificate]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.certificates_of_user.load(str(self.id))
        return [Certificate.of(row) for row in rows]

    @strawberry.field(
        description="The user's assessment attempts, newest first. The user themself and ADMIN"
        " only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def assessment_attempts(
        self,
        info: Info,
        assessment_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only attempts at this assessment."),
        ] = None,
    ) -> list[AssessmentAttempt]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.attempts_of_user.load(str(self.id))
        wanted = str(assessment_id) if assessment_id is not None else None
        return [AssessmentAttempt.of(r) for r in rows if wanted in (None, r.assessment_id)]

    @strawberry.field(
        description="Achievements unlocked. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def achievements(self, info: Info) -> list[Achievement]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.achievements_of_user.load(str(self.id))
        return [Achievement.of(row) for row in rows]

    @strawberry.field(
        description="Roadmaps the user follows. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def learning_paths(self, info: Info) -> list[LearningPath]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.paths_of_user.load(str(self.id))
        return [LearningPath.of(row) for row in rows]

    @strawberry.field(
        description="Courses the user started (marked a lesson of), most recently active "
        "first; courses learners cannot see now (unpublished, archived) are left out. The "
        "user themself and ADMIN only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def course_progress(self, info: Info) -> list[CourseProgress]:
        await _require_self_or_admin(info, self.id)
        rows = await info.context.loaders.course_progress_of_user.load(str(self.id))
        found = await info.context.loaders.course_standing.load_many(
            [(row.user_id, row.course_id) for row in rows]
        )
        return [CourseProgress.of(standing) for standing in found if standing is not None]

    @strawberry.field(
        description="Learning totals and streak. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def stats(self, info: Info) -> LearningStats:
        await _require_self_or_admin(info, self.id)
        row = await info.context.loaders.stats.load(str(self.id))
        return LearningStats.of(row, today=info.context.deps.clock().date())

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.federation.type(
    keys=[Key(fields=FieldSet("id"), resolvable=False)], description=CATEGORY
)
class Category:
    id: strawberry.ID = strawberry.field(description=CATEGORY_ID)
    # As of the skill's last event (skills/events.py): a rename shows within one delivery.
    name: str = strawberry.federation.field(shareable=True, description=CATEGORY_NAME)


@strawberry.federation.type(keys=["id"], description=SKILL)
class Skill:
    id: strawberry.ID = strawberry.field(description=SKILL_ID)

    # name, level and category: answered here from the event-fed projection (one hop
    # less for the dashboard); a rename shows within one event delivery (docs/query-plans.md).
    @strawberry.federation.field(shareable=True, description=SKILL_NAME)
    def name(self, info: Info) -> str:
        return _skill_field(info, self.id, lambda d: d.name)

    @strawberry.federation.field(shareable=True, description=SKILL_LEVEL)
    def level(self, info: Info) -> SkillLevel:
        return _skill_field(info, self.id, lambda d: SkillLevel(d.level))

    @strawberry.federation.field(shareable=True, description=SKILL_CATEGORY)
    def category(self, info: Info) -> Category:
        return _skill_field(
            info,
            self.id,
            lambda d: Category(id=strawberry.ID(d.category_id), name=d.category_name),
        )

    @strawberry.field(description="How many learners are enrolled in this skill.")
    async def learner_count(self, info: Info) -> int:
        return await info.context.loaders.learner_count.load(str(self.id))

    @strawberry.field(
        description="The caller's progress in this skill; null when anonymous or not enrolled."
    )
    async def my_progress(self, info: Info) -> SkillProgress | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        row = await info.context.loaders.progress_by_pair.load((viewer.user_id, str(self.id)))
        return SkillProgress.of(ProgressSnapshot.of(row)) if row else None

    @strawberry.field(description="Assessments that test this skill.")
    async def assessments(self, info: Info) -> list[Assessment]:
        rows = await info.context.loaders.assessments_of_skill.load(str(self.id))
        return [Assessment.of(row) for row in rows]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Skill:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description=ROADMAP)
class Roadmap:
    id: strawberry.ID = strawberry.field(description=ROADMAP_ID)

    @strawberry.field(
        description="The caller's learning path on this roadmap; null when anonymous or not "
        "following it."
    )
    async def my_path(self, info: Info) -> LearningPath | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        row = await info.context.loaders.path_by_pair.load((viewer.user_id, str(self.id)))
        return LearningPath.of(row) if row else None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Roadmap:
        return cls(id=id)


# ---------------------------------------------------------------- progress
@strawberry.federation.type(keys=["id"], description=PROGRESS)
class SkillProgress:
    id: strawberry.ID = strawberry.field(description=PROGRESS_ID)
    percent: float = strawberry.field(description=PROGRESS_PERCENT)
    status: ProgressStatus = strawberry.field(description=PROGRESS_STATUS)
    started_at: datetime = strawberry.field(description=PROGRESS_STARTED_AT)
    updated_at: datetime = strawberry.field(description=PROGRESS_UPDATED_AT)
    completed_at: datetime | None = strawberry.field(description=PROGRESS_COMPLETED_AT)
    user_id: strawberry.Private[str]
    skill_id: strawberry.Private[str]

    @strawberry.field(description="The learner.")
    def user(self) -> User:
        return User(id=strawberry.ID(self.user_id))

    @strawberry.field(description=PROGRESS_SKILL)
    def skill(self) -> Skill:
        return Skill(id=strawberry.ID(self.skill_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> SkillProgress | None:
        row = await info.context.loaders.progress.load(str(id))
        return cls.of(ProgressSnapshot.of(row)) if row else None

    @classmethod
    def of(cls, snapshot: ProgressSnapshot) -> SkillProgress:
        return cls(
            id=strawberry.ID(snapshot.id),
            percent=snapshot.percent,
            status=ProgressStatus(snapshot.status),
            started_at=snapshot.started_at,
            updated_at=snapshot.updated_at,
            completed_at=snapshot.completed_at,
            user_id=snapshot.user_id,
            skill_id=snapshot.skill_id,
        )


@strawberry.type(description="A learner's totals.")
class LearningStats:
    skills_started: int = strawberry.field(description="Skills with progress above 0.")
    skills_completed: int = strawberry.field(description="Skills completed.")
    certificates: int = strawberry.field(description="Certificates earned.")
    current_streak_days: int = strawberry.field(
        description="Consecutive UTC days with progress, ending today or yesterday."
    )
    average_percent: float = strawberry.field(description="Mean percent of enrolled skills.")
    courses_completed: int = strawberry.field(description="Courses completed (every lesson done).")

    @classmethod
    def of(cls, row: StatsRow | None, today: date) -> LearningStats:
        if row is None:
            return cls(
                skills_started=0,
                skills_completed=0,
                certificates=0,
                current_streak_days=0,
                average_percent=0.0,
                courses_completed=0,
            )
        active = row.last_active_on is not None and row.last_active_on >= today - timedelta(days=1)
        return cls(
            skills_started=row.skills_started,
            skills_completed=row.skills_completed,
            certificates=row.certificates,
            current_streak_days=row.streak_days if active else 0,
            average_percent=row.average_percent,
            courses_completed=row.courses_completed,
        )


@strawberry.federation.type(keys=["id"], description="A learner following a roadmap.")
class LearningPath:
    id: strawberry.ID = strawberry.field(description="Stable id of the learning path.")
    percent: float = strawberry.field(description="Overall completion of the roadmap (0..100).")
    user_id: strawberry.Private[str]
    roadmap_id: strawberry.Private[str]
    next_skill_id: strawberry.Private[str | None]

    @strawberry.field(description="The learner.")
    def user(self) -> User:
        return User(id=strawberry.ID(self.user_id))

    @strawberry.field(description="The roadmap followed.")
    def roadmap(self) -> Roadmap:
        return Roadmap(id=strawberry.ID(self.roadmap_id))

    @strawberry.field(description="The first step not yet completed; null when all are.")
    def next_skill(self) -> Skill | None:
        return Skill(id=strawberry.ID(self.next_skill_id)) if self.next_skill_id else None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> LearningPath | None:
        row = await info.context.loaders.path.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: PathRow) -> LearningPath:
        return cls(
            id=strawberry.ID(row.id),
            percent=row.percent,
            user_id=row.user_id,
            roadmap_id=row.roadmap_id,
            next_skill_id=row.next_skill_id,
        )


# ---------------------------------------------------------------- assessments and rewards
@strawberry.type(description="A question as learners see it: never which choices are correct.")
class Question:
    """A question as learners see it: never which choices are correct."""

    id: strawberry.ID = strawberry.field(description="Answer it by this id.")
    prompt: str = strawberry.field(description="The question text.")
    choices: list[str] = strawberry.field(description="Answers to choose from, by index from 0.")
    multiple: bool = strawberry.field(description="Whether more than one choice is correct.")

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Question:
        return cls(
            id=strawberry.ID(stored["id"]),
            prompt=stored["prompt"],
            choices=list(stored["choices"]),
            multiple=bool(stored["multiple"]),
        )


@strawberry.federation.type(keys=["id"], description="A multiple-choice test of one skill.")
class Assessment:
    id: strawberry.ID = strawberry.field(description="Stable id of the assessment.")
    title: str = strawberry.field(description="Display title.")
    passing_score: float = strawberry.field(
        description="Minimum score to pass, from 0 to 100 (percent of questions right)."
    )
    questions: list[Question] = strawberry.field(description="Never exposes the correct choices.")
    version: int = strawberry.field(description="1, then one more on every update.")
    max_attempts: int | None = strawberry.field(
        description="Attempts each learner may start; null: unlimited."
    )
    cooldown_seconds: int = strawberry.field(
        description="Seconds a learner waits from one start to the next (0: none)."
    )
    retired_at: datetime | None = strawberry.field(
        description="When an editor retired it: no new attempts since."
    )
    skill_id: strawberry.Private[str]

    @strawberry.field(description="The skill it tests.")
    def skill(self) -> Skill:
        return Skill(id=strawberry.ID(self.skill_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Assessment | None:
        row = await info.context.loaders.assessment.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: AssessmentRow) -> Assessment:
        return cls(
            id=strawberry.ID(row.id),
            title=row.title,
            passing_score=row.passing_score,
            questions=[Question.of(q) for q in row.questions],
            version=row.version,
            max_attempts=row.max_attempts,
            cooldown_seconds=row.cooldown_seconds,
            retired_at=row.retired_at,
            skill_id=row.skill_id,
        )


@strawberry.federation.type(keys=["id"], description="One learner's attempt at an assessment.")
class AssessmentAttempt:
    id: strawberry.ID = strawberry.field(description="Pass it to submitAssessment.")
    started_at: datetime = strawberry.field(description="When the attempt started.")
    submitted_at: datetime | None = strawberry.field(description="Null until submitted.")
    score: float | None = strawberry.field(
        description="Percent of questions answered exactly right; null until submitted."
    )
    passed: bool | None = strawberry.field(
        description="Whether score reached the passing score; null until submitted."
    )
    assessment_version: int = strawberry.field(
        description="The version of the assessment the attempt was started on, and scored on."
    )
    assessment_id: strawberry.Private[str]
    user_id: strawberry.Private[str]

    @strawberry.field(description="The assessment taken.")
    async def assessment(self, info: Info) -> Assessment:
        row = await info.context.loaders.assessment.load(self.assessment_id)
        if row is None:  # attempts keep their assessment; typed loaders make it explicit
            raise NotFound("assessment", self.assessment_id)
        return Assessment.of(row)

    @strawberry.field(
        description="The questions of the version the attempt was started on (answer these)."
    )
    async def questions(self, info: Info) -> list[Question]:
        questions = await info.context.loaders.assessment_version_questions.load(
            (self.assessment_id, self.assessment_version)
        )
        return [Question.of(q) for q in questions]

    @strawberry.field(description="The learner.")
    def user(self) -> User:
        return User(id=strawberry.ID(self.user_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> AssessmentAttempt | None:
        row = await info.context.loaders.attempt.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: AttemptRow) -> AssessmentAttempt:
        return cls(
            id=strawberry.ID(row.id),
            started_at=row.started_at,
            submitted_at=row.submitted_at,
            score=row.score,
            passed=row.passed,
            assessment_version=row.assessment_version,
            assessment_id=row.assessment_id,
            user_id=row.user_id,
        )


@strawberry.federation.type(
    keys=["id"], description="Proof that a learner passed an assessment of a skill."
)
class Certificate:
    id: strawberry.ID = strawberry.field(description="Stable id of the certificate.")
    issued_at: datetime = strawberry.field(description="When it was issued.")
    verification_code: str = strawberry.field(
        description="Public: anyone can check it with verifyCertificate."
    )
    user_id: strawberry.Private[str]
    skill_id: strawberry.Private[str]

    @strawberry.field(description="The certified learner.")
    def user(self) -> User:
        return User(id=strawberry.ID(self.user_id))

    @strawberry.field(description="The certified skill.")
    def skill(self) -> Skill:
        return Skill(id=strawberry.ID(self.skill_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Certificate | None:
        row = await info.context.loaders.certificate.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: CertificateRow) -> Certificate:
        return cls(
            id=strawberry.ID(row.id),
            issued_at=row.issued_at,
            verification_code=row.verification_code,
            user_id=row.user_id,
            skill_id=row.skill_id,
        )


@strawberry.federation.type(keys=["id"], description="A milestone a learner unlocked.")
class Achievement:
    id: strawberry.ID = strawberry.field(description="Stable id of the unlock.")
    code: str = strawberry.field(
        description="Machine name: FIRST_SKILL_COMPLETED, FIVE_SKILLS_COMPLETED, "
        "FIRST_CERTIFICATE, ROADMAP_COMPLETED, STREAK_7_DAYS or FIRST_COURSE_COMPLETED."
    )
    title: str = strawberry.field(description="Display title.")
    description: str = strawberry.field(description="What was achieved.")
    unlocked_at: datetime = strawberry.field(description="When it was unlocked.")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Achievement | None:
        row = await info.context.loaders.achievement.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: AchievementRow) -> Achievement:
        return cls.from_message(
            {"id": row.id, "code": row.code, "unlockedAt": row.unlocked_at.isoformat()}
        )

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Achievement:
        kind = KINDS[message["code"]]
        return cls(
            id=strawberry.ID(message["id"]),
            code=kind.code,
            title=kind.title,
            description=kind.description,
            unlocked_at=datetime.fromisoformat(message["unlockedAt"]),
        )


# ---------------------------------------------------------------- course progress
DONE = "Lessons done, of those the course has now."
TOTAL = "Lessons the course has now (its published version)."
PERCENT = "Share of lessons done (lessonsDone / lessonsTotal), 0 to 100; 0 without lessons."


@strawberry.type(description="One lesson of a course, and whether the learner has done it.")
class LessonProgress:
    id: strawberry.ID = strawberry.field(description="The lesson's id (Lesson.id).")
    title: str = strawberry.field(description="The lesson's title in the published version.")
    position: int = strawberry.field(description="1-based, in its module's order.")
    module_position: int = strawberry.field(description="1-based position of its module.")
    done: bool = strawberry.field(description="Whether the learner marked it done.")
    done_at: datetime | None = strawberry.field(description="When it was marked done; null if not.")

    @classmethod
    def of(cls, lesson: LessonStanding) -> LessonProgress:
        return cls(
            id=strawberry.ID(lesson.lesson.id),
            title=lesson.lesson.title,
            position=lesson.lesson.position,
            module_position=lesson.lesson.module_position,
            done=lesson.done_at is not None,
            done_at=lesson.done_at,
        )


@strawberry.type(description="A learner's progress in one module of a course.")
class ModuleProgress:
    position: int = strawberry.field(description="1-based, in the course's order.")
    title: str = strawberry.field(description="The module's title in the published version.")
    lessons_done: int = strawberry.field(description=DONE)
    lessons_total: int = strawberry.field(description=TOTAL)
    percent: float = strawberry.field(description=PERCENT)
    lessons: list[LessonProgress] = strawberry.field(description="The module's lessons, in order.")

    @classmethod
    def of(cls, module: ModuleStanding) -> ModuleProgress:
        tally: Tally = module.tally
        return cls(
            position=module.module.position,
            title=module.module.title,
            lessons_done=tally.done,
            lessons_total=tally.total,
            percent=tally.percent,
            lessons=[LessonProgress.of(lesson) for lesson in module.lessons],
        )


@strawberry.type(
    description="A learner's progress in a course: lessons done per module and in all, where "
    "to resume, and whether the course is completed. Counted against the published version: "
    "a lesson removed from the course no longer counts; one added counts as not done."
)
class CourseProgress:
    lessons_done: int = strawberry.field(description=DONE)
    lessons_total: int = strawberry.field(description=TOTAL)
    percent: float = strawberry.field(description=PERCENT)
    completed: bool = strawberry.field(
        description="Whether the course was completed (every lesson done at some point). "
        "Stays true when lessons are undone or added later."
    )
    completed_at: datetime | None = strawberry.field(
        description="When the course was completed; null until then."
    )
    started_at: datetime | None = strawberry.field(
        description="When the learner marked their first lesson; null if never."
    )
    updated_at: datetime | None = strawberry.field(
        description="When the learner last marked or unmarked a lesson; null if never."
    )
    modules: list[ModuleProgress] = strawberry.field(description="Per module, in order.")
    next_lesson: LessonProgress | None = strawberry.field(
        description="Where to resume: the first lesson in course order not done; null when "
        "every lesson is done."
    )
    course_id: strawberry.ID = strawberry.field(description="The course's id.")

    @strawberry.field(
        description="The course; null only while a course just withdrawn by its editors is "
        "still being withdrawn here (courses learners cannot see are left out)."
    )
    def course(self) -> Course | None:
        return Course(id=self.course_id)

    @classmethod
    def of(cls, standing: CourseStanding) -> CourseProgress:
        tally = standing.tally
        next_lesson = standing.next_lesson
        return cls(
            lessons_done=tally.done,
            lessons_total=tally.total,
            percent=tally.percent,
            completed=standing.completed_at is not None,
            completed_at=standing.completed_at,
            started_at=standing.started_at,
            updated_at=standing.updated_at,
            modules=[ModuleProgress.of(module) for module in standing.modules],
            next_lesson=LessonProgress.of(next_lesson) if next_lesson else None,
            course_id=strawberry.ID(standing.outline.id),
        )


@strawberry.federation.type(keys=["id"], description=COURSE)
class Course:
    id: strawberry.ID = strawberry.field(description=COURSE_ID)

    @strawberry.field(
        description="The caller's progress in this course (lessons done, per module, where to "
        "resume). Null for anonymous callers and for a course learners cannot see "
        "(unpublished or archived); a course not started shows 0 done."
    )
    async def my_progress(self, info: Info) -> CourseProgress | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        found = await info.context.loaders.course_standing.load((viewer.user_id, str(self.id)))
        return CourseProgress.of(found) if found else None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Course:
        return cls(id=id)
