"""Descriptions of the entities several subgraphs define (owner and stubs).

Composition merges a type or field defined in several subgraphs into one; each
definition carries the same description from here, so the docs explorer shows
one text and composition has nothing to choose between.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Final, TypeVar

import strawberry

USER: Final = "A person with an account: a learner, and possibly an editor or admin."
USER_ID: Final = "Stable id of the user."
SKILL: Final = "A skill of the catalog, with its prerequisites, progress, content and diagrams."
SKILL_ID: Final = "Stable id of the skill."
# Skill fields the learning subgraph also answers (shareable), and Category, which
# learning and visualization repeat as stubs.
SKILL_NAME: Final = "Display name."
SKILL_LEVEL: Final = "How advanced the skill is."
SKILL_CATEGORY: Final = "The category the skill belongs to."
CATEGORY: Final = "A group of skills; categories nest."
CATEGORY_ID: Final = "Stable id of the category."
CATEGORY_NAME: Final = "Display name."
# Course, owned by content; learning adds the caller's progress in it.
COURSE: Final = (
    "A structured course of modules and lessons. Learners see the published "
    "version; EDITOR sees the working copy."
)
COURSE_ID: Final = "Stable id of the course."
# SkillProgress, owned by learning, repeated by visualization for its @requires.
PROGRESS: Final = "One learner's progress in one skill."
PROGRESS_ID: Final = "Stable id of this enrolment."
PROGRESS_PERCENT: Final = "From 0 to 100; never decreases."
PROGRESS_STATUS: Final = "Where the learner stands."
PROGRESS_STARTED_AT: Final = "When the learner enrolled."
PROGRESS_UPDATED_AT: Final = "When progress last changed."
PROGRESS_COMPLETED_AT: Final = "When the skill was completed; null until then."
PROGRESS_SKILL: Final = "The skill being learned."
USER_PROGRESS: Final = (
    "Progress in every enrolled skill. The user themself and ADMIN only: "
    "UNAUTHENTICATED, FORBIDDEN otherwise."
)
ROADMAP: Final = "A curated, ordered sequence of skills to learn."
ROADMAP_ID: Final = "Stable id of the roadmap."
ROADMAP_SLUG: Final = "URL-friendly unique name, e.g. backend-developer."

# The root types exist in every subgraph; so do these codes on every operation.
_ANY_OPERATION: Final = (
    "Any operation may also fail with BAD_USER_INPUT (a malformed request, argument or "
    "variable), COST_LIMIT (too many items or drawings asked for; extensions.cost, budget; "
    "the gateway may refuse first with COST_ESTIMATED_TOO_EXPENSIVE), RESPONSE_TOO_LARGE or "
    "INTERNAL_SERVER_ERROR (unexpected; quote extensions.requestId)."
)
QUERY: Final = "Read operations. " + _ANY_OPERATION
MUTATION: Final = "Write operations. " + _ANY_OPERATION
SUBSCRIPTION: Final = "Live events over websockets (graphql-transport-ws) or SSE. " + _ANY_OPERATION


EnumT = TypeVar("EnumT", bound=type[Enum])


def described_enum(description: str, **values: str) -> Callable[[EnumT], EnumT]:
    """`strawberry.enum` with a description for the type and for every value.

    The members keep their plain values, so `.value` stays typed for mypy (a member
    written as `strawberry.enum_value(...)` is not). Every member needs a description.
    """

    def describe(cls: EnumT) -> EnumT:
        members = [member.name for member in cls]
        if sorted(members) != sorted(values):
            raise TypeError(f"{cls.__name__}: describe exactly the values {members}")
        described = strawberry.enum(cls, description=description)
        definition = described.__strawberry_definition__  # type: ignore[attr-defined]
        definition.values = [
            dataclasses.replace(value, description=values[value.name])
            for value in definition.values
        ]
        return described

    return describe
