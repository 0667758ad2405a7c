"""Queries, mutations and subscriptions of the learning subgraph (thin: check, then service)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from graphql import GraphQLError

from ..common.auth import Viewer
from ..common.descriptions import MUTATION, QUERY, SUBSCRIPTION
from ..common.errors import AppError, coded_error
from ..common.permissions import require_role, require_viewer
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from .analytics.schema import AnalyticsQuery
from .events import ProgressSnapshot, achievements_channel, progress_channel
from .inputs import AnswerInput, AssessmentInput, AssessmentUpdateInput
from .personal_data import INVENTORY
from .types import (
    Achievement,
    Assessment,
    AssessmentAttempt,
    Certificate,
    Course,
    CourseProgress,
    Info,
    LearningPath,
    Roadmap,
    Skill,
    SkillProgress,
    User,
)

SKILL_TO_LEARN = "The skill to learn."
COURSE_OF_LESSON = "The course (Course.id); it must be published."
LESSON = "The lesson (Lesson.id of the course's published version)."
LESSON_ERRORS = (
    "Signed-in users. Errors: UNAUTHENTICATED; NOT_FOUND (no such course, or not published: "
    "unpublished and archived courses take no marks); BAD_USER_INPUT with field lessonId (not a "
    "lesson of the published course) or courseId."
)


@strawberry.type(description=QUERY)
class Query(AnalyticsQuery):
    @strawberry.field(description="An assessment by id; null if unknown. Anyone.")
    async def assessment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Assessment id.")],
    ) -> Assessment | None:
        row = await info.context.loaders.assessment.load(str(id))
        return Assessment.of(row) if row else None

    @strawberry.field(
        description="The certificate a verification code belongs to; null for an unknown code. "
        "Anyone."
    )
    async def verify_certificate(
        self,
        info: Info,
        verification_code: Annotated[
            str, strawberry.argument(description="The code printed on the certificate.")
        ],
    ) -> Certificate | None:
        row = await info.context.deps.store.certificate_by_code(verification_code)
        return Certificate.of(row) if row else None


@strawberry.type(description=MUTATION)
class Mutation:
    @strawberry.mutation(
        description="Enrols the caller in a skill at 0%; enrolling twice keeps the first "
        "enrolment. Signed-in users. Errors: UNAUTHENTICATED, NOT_FOUND (skill)."
    )
    async def enroll(
        self,
        info: Info,
        skill_id: Annotated[strawberry.ID, strawberry.argument(description=SKILL_TO_LEARN)],
    ) -> SkillProgress:
        viewer = require_viewer(await info.context.viewer())
        row = await info.context.deps.service.enroll(viewer, str(skill_id))
        return SkillProgress.of(ProgressSnapshot.of(row))

    @strawberry.mutation(
        description="Records the caller's progress in a skill (enrolling if needed); never moves "
        "backwards; 100 completes the skill. Signed-in users. Errors: UNAUTHENTICATED, "
        "NOT_FOUND (skill), BAD_USER_INPUT (percent)."
    )
    async def record_progress(
        self,
        info: Info,
        skill_id: Annotated[strawberry.ID, strawberry.argument(description=SKILL_TO_LEARN)],
        percent: Annotated[float, strawberry.argument(description="0 to 100.")],
    ) -> SkillProgress:
        viewer = require_viewer(await info.context.viewer())
        row = await info.context.deps.service.record_progress(viewer, str(skill_id), percent)
        return SkillProgress.of(ProgressSnapshot.of(row))

    @strawberry.mutation(
        description="Marks a lesson done for the caller (done: false undoes the mark); marking"
        " it the same way again changes nothing. The mark that leaves no lesson undone"
        " completes the course, once, ever: a notification and the FIRST_COURSE_COMPLETED"
        " achievement follow, and undoing a lesson later does not take that back. Returns the"
        " caller's progress in the course. " + LESSON_ERRORS
    )
    async def mark_lesson_done(
        self,
        info: Info,
        course_id: Annotated[strawberry.ID, strawberry.argument(description=COURSE_OF_LESSON)],
        lesson_id: Annotated[strawberry.ID, strawberry.argument(description=LESSON)],
        done: Annotated[
            bool, strawberry.argument(description="False: undo the mark. Default true.")
        ] = True,
    ) -> CourseProgress:
        viewer = require_viewer(await info.context.viewer())
        service = info.context.deps.service
        return CourseProgress.of(
            await service.mark_lesson(viewer, str(course_id), str(lesson_id), done=done)
        )

    @strawberry.mutation(
        description="Starts the caller's learning path on a roadmap; following twice keeps the "
        "first. Signed-in users. Errors: UNAUTHENTICATED, NOT_FOUND (roadmap)."
    )
    async def follow_roadmap(
        self,
        info: Info,
        roadmap_id: Annotated[
            strawberry.ID, strawberry.argument(description="The roadmap to follow.")
        ],
    ) -> LearningPath:
        viewer = require_viewer(await info.context.viewer())
        return LearningPath.of(
            await info.context.deps.service.follow_roadmap(viewer, str(roadmap_id))
        )

    @strawberry.mutation(
        description="Adds an assessment to a skill. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, "
        "NOT_FOUND (skill), BAD_USER_INPUT (title, passingScore, questions)."
    )
    async def create_assessment(
        self,
        info: Info,
        input: Annotated[AssessmentInput, strawberry.argument(description="The assessment.")],
    ) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        drafts = [question.draft() for question in input.questions]
        row = await info.context.deps.service.create_assessment(
            editor, str(input.skill_id), input.title, input.passing_score, drafts, input.rules()
        )
        return Assessment.of(row)

    @strawberry.mutation(
        description="Publishes a new version of the assessment (title, questions, passing score,"
        " attempt limit, cooldown); attempts already started keep and are scored on the version"
        " they were started on. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND"
        " (assessment), BAD_USER_INPUT (title, passingScore, questions, maxAttempts,"
        " cooldownSeconds)."
    )
    async def update_assessment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The assessment to edit.")],
        input: Annotated[
            AssessmentUpdateInput, strawberry.argument(description="The new version.")
        ],
    ) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        drafts = [question.draft() for question in input.questions]
        row = await info.context.deps.service.update_assessment(
            editor, str(id), input.title, input.passing_score, drafts, input.rules()
        )
        return Assessment.of(row)

    @strawberry.mutation(
        description="Retires an assessment: no new attempts and hidden from Skill.assessments;"
        " attempts already started may still be submitted. Idempotent. EDITOR. Errors:"
        " UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (assessment)."
    )
    async def retire_assessment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The assessment to retire.")],
    ) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        return Assessment.of(await info.context.deps.service.retire_assessment(editor, str(id)))

    @strawberry.mutation(
        description="Starts an attempt at the current version of an assessment for the caller."
        " Signed-in users. Errors: UNAUTHENTICATED, NOT_FOUND (assessment or its skill),"
        " CONFLICT (retired, or no attempts left), RATE_LIMITED (during the cooldown; retryAfter)."
    )
    async def start_assessment(
        self,
        info: Info,
        assessment_id: Annotated[
            strawberry.ID, strawberry.argument(description="The assessment to take.")
        ],
    ) -> AssessmentAttempt:
        viewer = require_viewer(await info.context.viewer())
        return AssessmentAttempt.of(
            await info.context.deps.service.start_assessment(viewer, str(assessment_id))
        )

    @strawberry.mutation(
        description="Scores the caller's own attempt, once; a pass completes the skill and "
        "issues a certificate. Signed-in users. Errors: UNAUTHENTICATED, NOT_FOUND (attempt), "
        "CONFLICT (already submitted), BAD_USER_INPUT (answers)."
    )
    async def submit_assessment(
        self,
        info: Info,
        attempt_id: Annotated[
            strawberry.ID, strawberry.argument(description="From startAssessment.")
        ],
        answers: Annotated[
            list[AnswerInput],
            strawberry.argument(description="At most one per question; unanswered is wrong."),
        ],
    ) -> AssessmentAttempt:
        viewer = require_viewer(await info.context.viewer())
        given = [answer.answer() for answer in answers]
        row = await info.context.deps.service.submit_assessment(viewer, str(attempt_id), given)
        return AssessmentAttempt.of(row)


async def _subscriber(info: Info) -> Viewer:
    """The authenticated subscriber; a coded error otherwise."""
    try:
        return require_viewer(await info.context.viewer())
    except AppError as error:
        # Strawberry does not run schema extensions (ErrorCodes) on a subscription's own error.
        raise coded_error(GraphQLError(error.message, original_error=error)) from None


@strawberry.type(description=SUBSCRIPTION)
class Subscription:
    @strawberry.subscription(
        description="The caller's own progress changes, live. Signed-in users. "
        "Errors: UNAUTHENTICATED."
    )
    async def progress_updated(self, info: Info) -> AsyncGenerator[SkillProgress, None]:
        viewer = await _subscriber(info)
        async for message in info.context.listen(viewer, progress_channel(viewer.user_id)):
            yield SkillProgress.of(ProgressSnapshot.from_message(message))

    @strawberry.subscription(
        description="The caller's own achievements as they unlock. Signed-in users. "
        "Errors: UNAUTHENTICATED."
    )
    async def achievement_unlocked(self, info: Info) -> AsyncGenerator[Achievement, None]:
        viewer = await _subscriber(info)
        async for message in info.context.listen(viewer, achievements_channel(viewer.user_id)):
            yield Achievement.from_message(message)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            User,
            Skill,
            Roadmap,
            SkillProgress,
            LearningPath,
            Certificate,
            Achievement,
            data_export_type(INVENTORY),
            Course,
        ],
    )
