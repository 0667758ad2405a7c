"""GraphQL inputs of the learning subgraph, and the checks that make them domain values."""

from __future__ import annotations

import strawberry

from ..common.errors import BadUserInput
from .domain import Answer, AttemptRules, QuestionDraft


@strawberry.input(description="The answer to one question.")
class AnswerInput:
    question_id: strawberry.ID = strawberry.field(description="A question of the assessment.")
    choice_indexes: list[int] = strawberry.field(
        description="The chosen choices, by index from 0; right only if exactly the correct set."
    )

    def answer(self) -> Answer:
        return Answer(str(self.question_id), list(self.choice_indexes))


@strawberry.input(description="A new question.")
class QuestionInput:
    prompt: str = strawberry.field(description="The question text.")
    choices: list[str] = strawberry.field(description="The answers to choose from.")
    correct_indexes: list[int] = strawberry.field(
        description="Indexes (from 0) of the correct choices: at least one, no repeats."
    )
    multiple: bool | None = strawberry.field(
        default=None,
        description="Optional check: false requires exactly one correct index, true more.",
    )

    def draft(self) -> QuestionDraft:
        return QuestionDraft(
            self.prompt, list(self.choices), list(self.correct_indexes), self.multiple
        )


@strawberry.input(description="A new assessment.")
class AssessmentInput:
    skill_id: strawberry.ID = strawberry.field(description="The skill it tests.")
    title: str = strawberry.field(description="1 to 200 characters.")
    passing_score: float = strawberry.field(description="Minimum score to pass, 0 to 100.")
    questions: list[QuestionInput] = strawberry.field(description="At least one question.")
    max_attempts: int | None = strawberry.field(
        default=None, description="Attempts each learner may start (1..1000); null: unlimited."
    )
    cooldown_seconds: int | None = strawberry.field(
        default=None,
        description="Seconds a learner waits from one start to the next; null or 0: none.",
    )

    def rules(self) -> AttemptRules:
        return AttemptRules.checked(self.max_attempts, self.cooldown_seconds)


@strawberry.input(description="A new version of an assessment; its skill stays.")
class AssessmentUpdateInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    passing_score: float = strawberry.field(description="Minimum score to pass, 0 to 100.")
    questions: list[QuestionInput] = strawberry.field(
        description="Every question anew (new question ids); started attempts keep theirs."
    )
    max_attempts: int | None = strawberry.field(
        default=None, description="Attempts each learner may start (1..1000); null: unlimited."
    )
    cooldown_seconds: int | None = strawberry.field(
        default=None,
        description="Seconds a learner waits from one start to the next; null or 0: none.",
    )

    def rules(self) -> AttemptRules:
        return AttemptRules.checked(self.max_attempts, self.cooldown_seconds)


def check_id(value: str, field: str) -> str:
    cleaned = str(value).strip()
    if not 1 <= len(cleaned) <= 64:
        raise BadUserInput(field, f"{field} must be 1 to 64 characters")
    return cleaned
