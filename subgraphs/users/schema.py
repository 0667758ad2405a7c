"""Operations of the users subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..common.descriptions import MUTATION, QUERY
from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import PreferencesInput, ProfileInput, RegisterInput
from .types import AuthPayload, Info, Preferences, Role, User


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="The signed-in user; null when the request carries no valid token. Anyone."
    )
    async def me(self, info: Info) -> User | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        row = await info.context.loaders.user.load(viewer.user_id)
        return User.of(row) if row else None

    @strawberry.field(
        description="A user by id; null if unknown. Anyone (email and preferences are private)."
    )
    async def user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="User id.")]
    ) -> User | None:
        row = await info.context.loaders.user.load(str(id))
        return User.of(row) if row else None


@strawberry.type(description=MUTATION)
class Mutation:
    @strawberry.mutation(
        description="Creates a LEARNER account and signs it in; emails a verification link. "
        "Anyone. Errors: BAD_USER_INPUT (email, password, displayName), CONFLICT (email taken), "
        "RATE_LIMITED (too many sign-ups from one address)."
    )
    async def register(
        self,
        info: Info,
        input: Annotated[RegisterInput, strawberry.argument(description="The new account.")],
    ) -> AuthPayload:
        session = await info.context.deps.service.register(
            input.email, input.password, input.display_name, info.context.client_address()
        )
        return AuthPayload.of(session)

    @strawberry.mutation(
        description="Signs in with email and password. Anyone. Errors: UNAUTHENTICATED (wrong "
        "email or password), RATE_LIMITED (too many attempts per account or address)."
    )
    async def login(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The account's email.")],
        password: Annotated[str, strawberry.argument(description="The account's password.")],
    ) -> AuthPayload:
        session = await info.context.deps.service.login(
            email, password, info.context.client_address()
        )
        return AuthPayload.of(session)

    @strawberry.mutation(
        description="New tokens for a refresh token, which rotates: the old one stops working; "
        "reusing it revokes the whole family. Anyone. Errors: UNAUTHENTICATED (invalid, "
        "expired or reused token)."
    )
    async def refresh_token(
        self,
        info: Info,
        refresh_token: Annotated[
            str, strawberry.argument(description="The newest refresh token of the session.")
        ],
    ) -> AuthPayload:
        return AuthPayload.of(await info.context.deps.service.refresh_session(refresh_token))

    @strawberry.mutation(
        description="Revokes a refresh token; false if it was unknown or already revoked. Anyone."
    )
    async def logout(
        self,
        info: Info,
        refresh_token: Annotated[
            str, strawberry.argument(description="The refresh token to revoke.")
        ],
    ) -> bool:
        return await info.context.deps.service.logout(refresh_token)

    @strawberry.mutation(
        description="Changes the caller's own profile. Signed-in users. "
        "Errors: UNAUTHENTICATED, BAD_USER_INPUT (displayName)."
    )
    async def update_profile(
        self,
        info: Info,
        input: Annotated[ProfileInput, strawberry.argument(description="Fields to change.")],
    ) -> User:
        viewer = require_viewer(await info.context.viewer())
        return User.of(await info.context.deps.service.update_profile(viewer, input.display_name))

    @strawberry.mutation(
        description="Changes the caller's own preferences. Signed-in users. "
        "Errors: UNAUTHENTICATED, BAD_USER_INPUT (locale, timezone, theme)."
    )
    async def update_preferences(
        self,
        info: Info,
        input: Annotated[
            PreferencesInput, strawberry.argument(description="Preferences to change.")
        ],
    ) -> Preferences:
        viewer = require_viewer(await info.context.viewer())
        changes = strawberry.asdict(input)
        return Preferences.of(await info.context.deps.service.update_preferences(viewer, changes))

    @strawberry.mutation(
        description="Emails a password reset link (valid 1 hour). Always true, even for "
        "unknown emails. Anyone. Errors: RATE_LIMITED (per address and per email)."
    )
    async def request_password_reset(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The account's email.")],
    ) -> bool:
        return await info.context.deps.service.request_password_reset(
            email, info.context.client_address()
        )

    @strawberry.mutation(
        description="Sets a new password with an emailed reset token and signs out every "
        "session. Anyone. Errors: BAD_USER_INPUT (token invalid or expired, newPassword)."
    )
    async def reset_password(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description="The token from the reset link.")],
        new_password: Annotated[str, strawberry.argument(description="8 to 256 characters.")],
    ) -> bool:
        return await info.context.deps.service.reset_password(token, new_password)

    @strawberry.mutation(
        description="Marks the email verified with an emailed token. Anyone. "
        "Errors: BAD_USER_INPUT (token invalid or expired)."
    )
    async def verify_email(
        self,
        info: Info,
        token: Annotated[
            str, strawberry.argument(description="The token from the verification link.")
        ],
    ) -> bool:
        return await info.context.deps.service.verify_email(token)

    @strawberry.mutation(
        description="Emails the caller a new verification link; false if already verified. "
        "Signed-in users. Errors: UNAUTHENTICATED, RATE_LIMITED."
    )
    async def request_email_verification(self, info: Info) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.request_email_verification(viewer)

    @strawberry.mutation(
        description="Replaces a user's roles; LEARNER is always kept. ADMIN only. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (user)."
    )
    async def set_user_roles(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user to change.")],
        roles: Annotated[list[Role], strawberry.argument(description="The roles to hold.")],
    ) -> User:
        require_role(await info.context.viewer(), "ADMIN")
        row = await info.context.deps.service.set_roles(str(user_id), [r.value for r in roles])
        return User.of(row)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, mutation=Mutation, types=[User])
