"""GraphQL shapes one subgraph owns and others repeat in their own SDL (federation needs
the same enum in every subgraph that shows it)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="How advanced a skill is (the levels of the skills subgraph).")
class SkillLevel(Enum):
    BEGINNER = "BEGINNER"
    INTERMEDIATE = "INTERMEDIATE"
    ADVANCED = "ADVANCED"
    EXPERT = "EXPERT"
