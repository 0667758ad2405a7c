"""GraphQL inputs of the users subgraph (the service checks their values)."""

from __future__ import annotations

import strawberry


@strawberry.input
class RegisterInput:
    email: str
    password: str
    display_name: str


@strawberry.input
class ProfileInput:
    display_name: str | None = None


@strawberry.input
class PreferencesInput:
    locale: str | None = None
    timezone: str | None = None
    theme: str | None = None
    email_notifications: bool | None = None
    sms_notifications: bool | None = None
    push_notifications: bool | None = None
