"""GraphQL inputs of the notifications subgraph (the service checks their values)."""

from __future__ import annotations

import strawberry

from .message_templates.catalogue import TemplateKey


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


@strawberry.input(description="Which template: a part of a message on a channel in a locale.")
class NotificationTemplateKeyInput:
    # Strings checked by the service, not enums (see NotificationKindPreferenceInput.kind).
    channel: str = strawberry.field(description="EMAIL, SMS or PUSH.")
    name: str = strawberry.field(
        description="The message, as NotificationTemplate.name (certificate, base, ...)."
    )
    locale: str = strawberry.field(description="en or de.")
    part: str = strawberry.field(
        description="SUBJECT, TEXT or HTML for EMAIL (base: TEXT, HTML); TEXT for SMS, PUSH."
    )

    def key(self) -> TemplateKey:
        return TemplateKey(self.channel, self.name, self.locale, self.part)


@strawberry.input(description="An unsaved template to preview in place of the current one.")
class NotificationTemplateDraftInput:
    part: str = strawberry.field(description="The part it replaces: SUBJECT, TEXT or HTML.")
    body: str = strawberry.field(description="The Jinja2 template, checked as an edit is.")
