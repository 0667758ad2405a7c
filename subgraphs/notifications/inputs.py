"""GraphQL inputs of the notifications subgraph (the service checks their values)."""

from __future__ import annotations

import strawberry


@strawberry.input
class AnnouncementInput:
    title: str
    body: str
    link: str | None = None
