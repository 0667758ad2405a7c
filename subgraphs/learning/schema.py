"""Queries, mutations and subscriptions of the learning subgraph (thin: check, then service)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from ..common.auth import Viewer
from ..common.errors import AppError, coded_error
from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .events import ProgressSnapshot, achievements_channel, progress_channel
from .inputs import AnswerInput, AssessmentInput, AssessmentUpdateInput
from .types import (
    Achievement,
    Assessment,
    AssessmentAttempt,
    Certificate,
    Info,
    LearningPath,
    Roadmap,
    Skill,
    SkillProgress,
    User,
)


@strawberry.type
class Query:
    @strawberry.field
    async def assessment(self, info: Info, id: strawberry.ID) -> Assessment | None:
        row = await info.context.loaders.assessment.load(str(id))
        return Assessment.of(row) if row else None

    @strawberry.field(description="Public: null for an unknown code.")
    async def verify_certificate(self, info: Info, verification_code: str) -> Certificate | None:
        row = await info.context.deps.store.certificate_by_code(verification_code)
        return Certificate.of(row) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Idempotent: enrolling twice keeps the first enrolment.")
    async def enroll(self, info: Info, skill_id: strawberry.ID) -> SkillProgress:
        viewer = require_viewer(await info.context.viewer())
        row = await info.context.deps.service.enroll(viewer, str(skill_id))
        return SkillProgress.of(ProgressSnapshot.of(row))

    @strawberry.mutation(description="Never moves backwards; 100 completes the skill.")
    async def record_progress(
        self, info: Info, skill_id: strawberry.ID, percent: float
    ) -> SkillProgress:
        viewer = require_viewer(await info.context.viewer())
        row = await info.context.deps.service.record_progress(viewer, str(skill_id), percent)
        return SkillProgress.of(ProgressSnapshot.of(row))

    @strawberry.mutation
    async def follow_roadmap(self, info: Info, roadmap_id: strawberry.ID) -> LearningPath:
        viewer = require_viewer(await info.context.viewer())
        return LearningPath.of(
            await info.context.deps.service.follow_roadmap(viewer, str(roadmap_id))
        )

    @strawberry.mutation(description="EDITOR.")
    async def create_assessment(self, info: Info, input: AssessmentInput) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        drafts = [question.draft() for question in input.questions]
        row = await info.context.deps.service.create_assessment(
            editor, str(input.skill_id), input.title, input.passing_score, drafts, input.rules()
        )
        return Assessment.of(row)

    @strawberry.mutation(
        description="EDITOR. A new version of the assessment (title, questions, passing score,"
        " limits); attempts already started are scored on the version they were started on."
    )
    async def update_assessment(
        self, info: Info, id: strawberry.ID, input: AssessmentUpdateInput
    ) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        drafts = [question.draft() for question in input.questions]
        row = await info.context.deps.service.update_assessment(
            editor, str(id), input.title, input.passing_score, drafts, input.rules()
        )
        return Assessment.of(row)

    @strawberry.mutation(
        description="EDITOR. No new attempts (CONFLICT on start) and hidden from Skill.assessments;"
        " attempts already started may still be submitted. Idempotent."
    )
    async def retire_assessment(self, info: Info, id: strawberry.ID) -> Assessment:
        editor = require_role(await info.context.viewer(), "EDITOR")
        return Assessment.of(await info.context.deps.service.retire_assessment(editor, str(id)))

    @strawberry.mutation(
        description="A new attempt on the current version; CONFLICT when no attempts are left"
        " or the assessment is retired, RATE_LIMITED (retryAfter) during the cooldown."
    )
    async def start_assessment(self, info: Info, assessment_id: strawberry.ID) -> AssessmentAttempt:
        viewer = require_viewer(await info.context.viewer())
        return AssessmentAttempt.of(
            await info.context.deps.service.start_assessment(viewer, str(assessment_id))
        )

    @strawberry.mutation(description="Once per attempt; a pass completes the skill and certifies.")
    async def submit_assessment(
        self, info: Info, attempt_id: strawberry.ID, answers: list[AnswerInput]
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


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The authenticated user's own progress changes.")
    async def progress_updated(self, info: Info) -> AsyncGenerator[SkillProgress, None]:
        viewer = await _subscriber(info)
        async for message in info.context.platform.live.listen(progress_channel(viewer.user_id)):
            yield SkillProgress.of(ProgressSnapshot.from_message(message))

    @strawberry.subscription(description="The authenticated user's own achievements.")
    async def achievement_unlocked(self, info: Info) -> AsyncGenerator[Achievement, None]:
        viewer = await _subscriber(info)
        async for message in info.context.platform.live.listen(
            achievements_channel(viewer.user_id)
        ):
            yield Achievement.from_message(message)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Skill, Roadmap, SkillProgress, LearningPath, Certificate, Achievement],
    )
