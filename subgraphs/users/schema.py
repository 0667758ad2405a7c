"""GraphQL types and operations of the users subgraph (thin: checks, then the service)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from ..common.context import Context
from ..common.permissions import require_role, require_self_or_admin, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .service import Session, UserService
from .store import UserRow


@strawberry.enum
class Role(Enum):
    LEARNER = "LEARNER"
    EDITOR = "EDITOR"
    ADMIN = "ADMIN"


@strawberry.type
class Preferences:
    locale: str
    timezone: str
    theme: str
    email_notifications: bool
    sms_notifications: bool
    push_notifications: bool

    @classmethod
    def of(cls, row: UserRow) -> Preferences:
        return cls(
            locale=row.locale,
            timezone=row.timezone,
            theme=row.theme,
            email_notifications=row.email_notifications,
            sms_notifications=row.sms_notifications,
            push_notifications=row.push_notifications,
        )


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    display_name: str
    roles: list[Role]
    email_verified: bool
    created_at: datetime
    row: strawberry.Private[UserRow]
    # Set when the caller just proved to be this user (register, login, refresh).
    authenticated_as_self: strawberry.Private[bool] = False

    @strawberry.field(description="Visible to the user themself and ADMIN only.")
    async def email(self, info: Info[Context, None]) -> str:
        await self._check_private(info)
        return self.row.email

    @strawberry.field(description="The user themself and ADMIN only.")
    async def preferences(self, info: Info[Context, None]) -> Preferences:
        await self._check_private(info)
        return Preferences.of(self.row)

    async def _check_private(self, info: Info[Context, None]) -> None:
        if not self.authenticated_as_self:
            require_self_or_admin(await info.context.viewer(), self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, None], id: strawberry.ID) -> User | None:
        row = await info.context.loaders.user.load(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: UserRow, authenticated_as_self: bool = False) -> User:
        return cls(
            id=strawberry.ID(str(row.id)),
            display_name=row.display_name,
            roles=[Role(r) for r in row.roles],
            email_verified=row.email_verified,
            created_at=row.created_at,
            row=row,
            authenticated_as_self=authenticated_as_self,
        )


@strawberry.type
class AuthPayload:
    access_token: str
    refresh_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: User

    @classmethod
    def of(cls, session: Session) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            user=User.of(session.user, authenticated_as_self=True),
        )


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


def _service(info: Info[Context, None]) -> UserService:
    return info.context.deps.service


def client_address(info: Info[Context, None]) -> str:
    """The caller's address: the last hop the gateway or proxy appended, else the peer."""
    request: Any = info.context.request
    forwarded = request.headers.get("x-forwarded-for", "") if request is not None else ""
    if forwarded:
        return forwarded.split(",")[-1].strip()
    client = getattr(request, "client", None)
    return client.host if client else "unknown"


@strawberry.type
class Query:
    @strawberry.field(description="Null when the request carries no valid token.")
    async def me(self, info: Info[Context, None]) -> User | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        row = await info.context.loaders.user.load(viewer.user_id)
        return User.of(row) if row else None

    @strawberry.field
    async def user(self, info: Info[Context, None], id: strawberry.ID) -> User | None:
        row = await info.context.loaders.user.load(str(id))
        return User.of(row) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info[Context, None], input: RegisterInput) -> AuthPayload:
        session = await _service(info).register(input.email, input.password, input.display_name)
        return AuthPayload.of(session)

    @strawberry.mutation
    async def login(self, info: Info[Context, None], email: str, password: str) -> AuthPayload:
        session = await _service(info).login(email, password, client_address(info))
        return AuthPayload.of(session)

    @strawberry.mutation(description="Rotates: the old refresh token stops working.")
    async def refresh_token(self, info: Info[Context, None], refresh_token: str) -> AuthPayload:
        return AuthPayload.of(await _service(info).refresh_session(refresh_token))

    @strawberry.mutation
    async def logout(self, info: Info[Context, None], refresh_token: str) -> bool:
        return await _service(info).logout(refresh_token)

    @strawberry.mutation
    async def update_profile(self, info: Info[Context, None], input: ProfileInput) -> User:
        viewer = require_viewer(await info.context.viewer())
        return User.of(await _service(info).update_profile(viewer, input.display_name))

    @strawberry.mutation
    async def update_preferences(
        self, info: Info[Context, None], input: PreferencesInput
    ) -> Preferences:
        viewer = require_viewer(await info.context.viewer())
        changes = strawberry.asdict(input)
        return Preferences.of(await _service(info).update_preferences(viewer, changes))

    @strawberry.mutation(description="True even for unknown emails.")
    async def request_password_reset(self, info: Info[Context, None], email: str) -> bool:
        return await _service(info).request_password_reset(email)

    @strawberry.mutation
    async def reset_password(
        self, info: Info[Context, None], token: str, new_password: str
    ) -> bool:
        return await _service(info).reset_password(token, new_password)

    @strawberry.mutation
    async def verify_email(self, info: Info[Context, None], token: str) -> bool:
        return await _service(info).verify_email(token)

    @strawberry.mutation(description="Sends a new verification link; false if already verified.")
    async def request_email_verification(self, info: Info[Context, None]) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await _service(info).request_email_verification(viewer)

    @strawberry.mutation(description="ADMIN only. LEARNER is always kept.")
    async def set_user_roles(
        self, info: Info[Context, None], user_id: strawberry.ID, roles: list[Role]
    ) -> User:
        require_role(await info.context.viewer(), "ADMIN")
        row = await _service(info).set_roles(str(user_id), [r.value for r in roles])
        return User.of(row)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, mutation=Mutation, types=[User])
