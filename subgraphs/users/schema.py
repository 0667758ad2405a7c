"""Operations of the users subgraph (thin: checks, then the service)."""

from __future__ import annotations

import strawberry

from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import PreferencesInput, ProfileInput, RegisterInput
from .types import AuthPayload, Info, Preferences, Role, User


@strawberry.type
class Query:
    @strawberry.field(description="Null when the request carries no valid token.")
    async def me(self, info: Info) -> User | None:
        viewer = await info.context.viewer()
        if viewer is None:
            return None
        row = await info.context.loaders.user.load(viewer.user_id)
        return User.of(row) if row else None

    @strawberry.field
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        row = await info.context.loaders.user.load(str(id))
        return User.of(row) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        session = await info.context.deps.service.register(
            input.email, input.password, input.display_name, info.context.client_address()
        )
        return AuthPayload.of(session)

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        session = await info.context.deps.service.login(
            email, password, info.context.client_address()
        )
        return AuthPayload.of(session)

    @strawberry.mutation(description="Rotates: the old refresh token stops working.")
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthPayload:
        return AuthPayload.of(await info.context.deps.service.refresh_session(refresh_token))

    @strawberry.mutation
    async def logout(self, info: Info, refresh_token: str) -> bool:
        return await info.context.deps.service.logout(refresh_token)

    @strawberry.mutation
    async def update_profile(self, info: Info, input: ProfileInput) -> User:
        viewer = require_viewer(await info.context.viewer())
        return User.of(await info.context.deps.service.update_profile(viewer, input.display_name))

    @strawberry.mutation
    async def update_preferences(self, info: Info, input: PreferencesInput) -> Preferences:
        viewer = require_viewer(await info.context.viewer())
        changes = strawberry.asdict(input)
        return Preferences.of(await info.context.deps.service.update_preferences(viewer, changes))

    @strawberry.mutation(description="True even for unknown emails.")
    async def request_password_reset(self, info: Info, email: str) -> bool:
        return await info.context.deps.service.request_password_reset(
            email, info.context.client_address()
        )

    @strawberry.mutation
    async def reset_password(self, info: Info, token: str, new_password: str) -> bool:
        return await info.context.deps.service.reset_password(token, new_password)

    @strawberry.mutation
    async def verify_email(self, info: Info, token: str) -> bool:
        return await info.context.deps.service.verify_email(token)

    @strawberry.mutation(description="Sends a new verification link; false if already verified.")
    async def request_email_verification(self, info: Info) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.request_email_verification(viewer)

    @strawberry.mutation(description="ADMIN only. LEARNER is always kept.")
    async def set_user_roles(self, info: Info, user_id: strawberry.ID, roles: list[Role]) -> User:
        require_role(await info.context.viewer(), "ADMIN")
        row = await info.context.deps.service.set_roles(str(user_id), [r.value for r in roles])
        return User.of(row)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, mutation=Mutation, types=[User])
