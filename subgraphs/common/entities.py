"""GraphQL shapes one subgraph owns and others repeat in their own SDL (federation needs
the same enum in every subgraph that shows it): skills' SkillLevel, learning's
ProgressStatus."""

from __future__ import annotations

from enum import Enum

from .descriptions import described_enum


@described_enum(
    "How advanced a skill is.",
    BEGINNER="No experience needed.",
    INTERMEDIATE="Builds on the basics.",
    ADVANCED="For experienced practitioners.",
    EXPERT="Specialist depth.",
)
class SkillLevel(Enum):
    BEGINNER = "BEGINNER"
    INTERMEDIATE = "INTERMEDIATE"
    ADVANCED = "ADVANCED"
    EXPERT = "EXPERT"


@described_enum(
    "Where a learner stands in a skill.",
    NOT_STARTED="Enrolled, at 0%.",
    IN_PROGRESS="Above 0%, not completed.",
    COMPLETED="Reached 100% or passed an assessment.",
)
class ProgressStatus(Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
