"""Descriptions of the entities several subgraphs define (owner and stubs).

Composition merges a type or field defined in several subgraphs into one; each
definition carries the same description from here, so the docs explorer shows
one text and composition has nothing to choose between.
"""

from __future__ import annotations

from typing import Final

USER: Final = "A person with an account: a learner, and possibly an editor or admin."
USER_ID: Final = "Stable id of the user."
SKILL: Final = "A skill of the catalog, with its prerequisites, progress, content and diagrams."
SKILL_ID: Final = "Stable id of the skill."
ROADMAP: Final = "A curated, ordered sequence of skills to learn."
ROADMAP_ID: Final = "Stable id of the roadmap."
ROADMAP_SLUG: Final = "URL-friendly unique name, e.g. backend-developer."

# The root types exist in every subgraph; so do these codes on every operation.
_ANY_OPERATION: Final = (
    "Any operation may also fail with BAD_USER_INPUT (a malformed request, argument or "
    "variable) or INTERNAL_SERVER_ERROR (unexpected; quote extensions.requestId)."
)
QUERY: Final = "Read operations. " + _ANY_OPERATION
MUTATION: Final = "Write operations. " + _ANY_OPERATION
SUBSCRIPTION: Final = "Live events over websockets (graphql-transport-ws) or SSE. " + _ANY_OPERATION
