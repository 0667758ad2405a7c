"""GraphQL inputs of the notifications subgraph (the service checks their values)."""

from __future__ import annotations

import strawberry


@strawberry.input(description="An announcement to every user.")
class AnnouncementInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    body: str = strawberry.field(description="Plain text, 1 to 5000 characters.")
    link: str | None = strawberry.field(
        default=None, description="Absolute https URL (http too outside production); optional."
    )
