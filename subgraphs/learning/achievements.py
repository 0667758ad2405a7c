"""Achievements: what each one means, and the rules that unlock it."""

from __future__ import annotations

from dataclasses import dataclass


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
    }
    return [code for code in KINDS if rules[code]]
