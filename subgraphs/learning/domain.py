"""Plain values and rules of learning: achievements and what unlocks them, assessment
rules (what a valid assessment is, how an attempt is scored). No I/O."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..common.errors import AppError, BadUserInput, Conflict, RateLimited


@dataclass(frozen=True)
class AchievementKind:
    code: str
    title: str
    description: str


@dataclass(frozen=True)
class LearnerFacts:
    """What the rules look at, read from the learner's read models."""

    skills_completed: int
    certificates: int
    streak_days: int
    roadmap_completed: bool
    courses_completed: int = 0


KINDS: dict[str, AchievementKind] = {
    kind.code: kind
    for kind in (
        AchievementKind(
            "FIRST_SKILL_COMPLETED", "First skill completed", "You completed your first skill."
        ),
        AchievementKind(
            "FIVE_SKILLS_COMPLETED", "Five skills completed", "You completed five skills."
        ),
        AchievementKind(
            "FIRST_CERTIFICATE", "First certificate", "You earned your first certificate."
        ),
        AchievementKind(
            "ROADMAP_COMPLETED", "Roadmap completed", "You completed every skill of a roadmap."
        ),
        AchievementKind(
            "STREAK_7_DAYS", "Seven-day streak", "You made progress on 7 consecutive days."
        ),
        AchievementKind(
            "FIRST_COURSE_COMPLETED",
            "First course completed",
            "You completed every lesson of a course.",
        ),
    )
}


def earned(facts: LearnerFacts) -> list[str]:
    """The codes of every achievement whose rule `facts` satisfy, in catalogue order."""
    rules = {
        "FIRST_SKILL_COMPLETED": facts.skills_completed >= 1,
        "FIVE_SKILLS_COMPLETED": facts.skills_completed >= 5,
        "FIRST_CERTIFICATE": facts.certificates >= 1,
        "ROADMAP_COMPLETED": facts.roadmap_completed,
        "STREAK_7_DAYS": facts.streak_days >= 7,
        "FIRST_COURSE_COMPLETED": facts.courses_completed >= 1,
    }
    return [code for code in KINDS if rules[code]]


MAX_ATTEMPTS = 1_000
MAX_COOLDOWN_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class AttemptRules:
    """How often a learner may start an assessment, as its editor set it."""

    max_attempts: int | None = None  # None: unlimited
    cooldown_seconds: int = 0  # from one start to the next

    @classmethod
    def checked(cls, max_attempts: int | None, cooldown_seconds: int | None) -> AttemptRules:
        if max_attempts is not None and not 1 <= max_attempts <= MAX_ATTEMPTS:
            raise BadUserInput("maxAttempts", f"maxAttempts must be 1 to {MAX_ATTEMPTS}")
        cooldown = cooldown_seconds or 0
        if not 0 <= cooldown <= MAX_COOLDOWN_SECONDS:
            raise BadUserInput(
                "cooldownSeconds", f"cooldownSeconds must be 0 to {MAX_COOLDOWN_SECONDS}"
            )
        return cls(max_attempts, cooldown)

    def refusal(self, starts: Sequence[datetime], now: datetime) -> AppError | None:
        """Why a learner whose earlier attempts started at `starts` may not start now, if so."""
        if self.max_attempts is not None and len(starts) >= self.max_attempts:
            return Conflict(
                f"No attempts left: this assessment allows {self.max_attempts}",
                maxAttempts=self.max_attempts,
            )
        if starts and self.cooldown_seconds:
            wait = max(starts) + timedelta(seconds=self.cooldown_seconds) - now
            if wait > timedelta(0):
                return RateLimited(math.ceil(wait.total_seconds()))
        return None


MAX_QUESTIONS = 200
MAX_CHOICES = 20
MAX_TEXT = 2000


@dataclass(frozen=True)
class QuestionDraft:
    prompt: str
    choices: list[str]
    correct_indexes: list[int]
    multiple: bool | None = None  # optional check: must agree with the number of correct indexes


@dataclass(frozen=True)
class Answer:
    question_id: str
    choice_indexes: list[int]


def check_score(value: float, field: str) -> float:
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise BadUserInput(field, f"{field} must be a number from 0 to 100")
    return float(value)


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not 1 <= len(cleaned) <= 200:
        raise BadUserInput("title", "title must be 1 to 200 characters")
    return cleaned


def stored_questions(drafts: Sequence[QuestionDraft]) -> list[dict[str, Any]]:
    """Validated questions as stored (with their correct answers), each with a new id."""
    if not drafts:
        raise BadUserInput("questions", "an assessment needs at least one question")
    if len(drafts) > MAX_QUESTIONS:
        raise BadUserInput("questions", f"at most {MAX_QUESTIONS} questions")
    return [_stored_question(draft, f"questions[{i}]") for i, draft in enumerate(drafts)]


def _stored_question(draft: QuestionDraft, field: str) -> dict[str, Any]:
    prompt = draft.prompt.strip()
    if not 1 <= len(prompt) <= MAX_TEXT:
        raise BadUserInput(f"{field}.prompt", f"a prompt must be 1 to {MAX_TEXT} characters")
    choices = [c.strip() for c in draft.choices]
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise BadUserInput(f"{field}.choices", f"a question needs 2 to {MAX_CHOICES} choices")
    if any(not 1 <= len(c) <= MAX_TEXT for c in choices):
        raise BadUserInput(f"{field}.choices", f"a choice must be 1 to {MAX_TEXT} characters")
    correct = draft.correct_indexes
    where = f"{field}.correctIndexes"
    if not correct:
        raise BadUserInput(where, "at least one choice must be correct")
    if any(not 0 <= i < len(choices) for i in correct):
        raise BadUserInput(where, "correct indexes must name existing choices")
    if len(set(correct)) != len(correct):
        raise BadUserInput(where, "correct indexes must not repeat")
    multiple = len(correct) > 1
    if draft.multiple is not None and draft.multiple != multiple:
        message = (
            "a single-choice question needs exactly one correct choice"
            if not draft.multiple
            else "a multiple-choice question needs more than one correct choice"
        )
        raise BadUserInput(where, message)
    return {
        "id": uuid.uuid4().hex,
        "prompt": prompt,
        "choices": choices,
        "correct": sorted(correct),
        "multiple": multiple,
    }


@dataclass(frozen=True)
class AssessmentContent:
    """What an editor writes for one version of an assessment, checked."""

    title: str
    passing_score: float
    questions: list[dict[str, Any]]
    rules: AttemptRules

    @classmethod
    def checked(
        cls,
        title: str,
        passing_score: float,
        questions: Sequence[QuestionDraft],
        rules: AttemptRules,
    ) -> AssessmentContent:
        return cls(
            check_title(title),
            check_score(passing_score, "passingScore"),
            stored_questions(questions),
            rules,
        )

    def columns(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "passing_score": self.passing_score,
            "questions": self.questions,
            "max_attempts": self.rules.max_attempts,
            "cooldown_seconds": self.rules.cooldown_seconds,
        }


def score(questions: Sequence[dict[str, Any]], answers: Sequence[Answer]) -> float:
    """The percentage of questions answered exactly right (multiple choice: the exact set)."""
    right = sum(graded(questions, answers).values())
    return round(100.0 * right / len(questions), 2)


def graded(questions: Sequence[dict[str, Any]], answers: Sequence[Answer]) -> dict[str, bool]:
    """Each question's id, and whether it was answered exactly right (unanswered: wrong)."""
    by_id = {q["id"]: q for q in questions}
    chosen: dict[str, set[int]] = {}
    for i, answer in enumerate(answers):
        question = by_id.get(answer.question_id)
        if question is None:
            raise BadUserInput(f"answers[{i}].questionId", "no such question in this assessment")
        if answer.question_id in chosen:
            raise BadUserInput(f"answers[{i}].questionId", "a question is answered twice")
        if any(not 0 <= c < len(question["choices"]) for c in answer.choice_indexes):
            raise BadUserInput(f"answers[{i}].choiceIndexes", "choice indexes must name choices")
        chosen[answer.question_id] = set(answer.choice_indexes)
    return {q["id"]: chosen.get(q["id"]) == set(q["correct"]) for q in questions}
