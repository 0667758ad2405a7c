"""GraphQL inputs of the users subgraph (the service checks their values)."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A new account.")
class RegisterInput:
    email: str = strawberry.field(description="A valid email address, unique.")
    password: str = strawberry.field(description="8 to 256 characters.")
    display_name: str = strawberry.field(description="Public name, 1 to 80 characters.")


@strawberry.input(description="Profile changes; omitted fields stay as they are.")
class ProfileInput:
    display_name: str | None = strawberry.field(
        default=None, description="Public name, 1 to 80 characters."
    )


@strawberry.input(description="Preference changes; omitted or null fields stay as they are.")
class PreferencesInput:
    locale: str | None = strawberry.field(
        default=None, description="Language tag, e.g. en or pt-BR."
    )
    timezone: str | None = strawberry.field(
        default=None, description="IANA time zone, e.g. Europe/Paris."
    )
    theme: str | None = strawberry.field(default=None, description="One of light, dark, system.")
    email_notifications: bool | None = strawberry.field(
        default=None, description="Whether to send email."
    )
    sms_notifications: bool | None = strawberry.field(
        default=None, description="Whether to send SMS."
    )
    push_notifications: bool | None = strawberry.field(
        default=None, description="Whether to send web push."
    )
