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


@strawberry.input(
    description="Per-channel switches of one kind of notification; an omitted or null "
    "switch is left as it is. The in-app inbox gets every kind whatever these say."
)
class NotificationKindPreferenceInput:
    # A string checked by the service, not the enum: an unknown enum value is refused by
    # each gateway in its own way (Hive Router: VALIDATION_INVALID_TYPE_VARIABLE).
    kind: str = strawberry.field(
        description="A NotificationKind: PROGRESS, ACHIEVEMENT, CERTIFICATE, CONTENT or "
        "ANNOUNCEMENT. Any other (WELCOME is in-app only, SECURITY emails cannot be stopped, "
        "or unknown) is BAD_USER_INPUT (field kind)."
    )
    email: bool | None = strawberry.field(default=None, description="Email on or off.")
    sms: bool | None = strawberry.field(default=None, description="SMS on or off.")
    push: bool | None = strawberry.field(default=None, description="Web push on or off.")

    def switches(self) -> dict[str, bool | None]:
        return {"EMAIL": self.email, "SMS": self.sms, "PUSH": self.push}
