"""Operations of the users subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from ..common.pagination import After, Connection, First, connection
from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import PreferencesInput, ProfileInput, RegisterInput
from .types import AdminAction, AuthPayload, Info, Preferences, Role, User


def client_address(info: Info) -> str:
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

    @strawberry.field(description="ADMIN only. Accounts in sign-up order, optionally filtered.")
    async def users(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Text the email or display name contains (any case)."),
        ] = None,
        role: Annotated[
            Role | None, strawberry.argument(description="Only accounts holding this role.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        require_role(await info.context.viewer(), "ADMIN")
        page = await info.context.deps.admin.find_users(
            search, role.value if role else None, first, after
        )
        users = [User.of(row) for row in page.items]
        return connection(users, page.cursors, page.total_count, page.has_next_page)

    @strawberry.field(description="ADMIN only. What admins did to accounts, newest first.")
    async def admin_audit_trail(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only actions on this account."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AdminAction]:
        require_role(await info.context.viewer(), "ADMIN")
        target = str(user_id) if user_id is not None else None
        page = await info.context.deps.admin.audit_trail(target, first, after)
        actions = [AdminAction.of(row) for row in page.items]
        return connection(actions, page.cursors, page.total_count, page.has_next_page)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        session = await info.context.deps.service.register(
            input.email, input.password, input.display_name
        )
        return AuthPayload.of(session)

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        session = await info.context.deps.service.login(email, password, client_address(info))
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
        return await info.context.deps.service.request_password_reset(email)

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

    @strawberry.mutation(
        description="Signed-in users. Ends every session of the account (other devices, live"
        " subscriptions) and returns a new one; BAD_USER_INPUT (field currentPassword) when"
        " the current password is wrong. Rate limited like login."
    )
    async def change_password(
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The password the account has now.")
        ],
        new_password: Annotated[str, strawberry.argument(description="8 to 256 characters.")],
    ) -> AuthPayload:
        viewer = require_viewer(await info.context.viewer())
        session = await info.context.deps.service.change_password(
            viewer, current_password, new_password, client_address(info)
        )
        return AuthPayload.of(session)

    @strawberry.mutation(description="ADMIN only. LEARNER is always kept. Audited.")
    async def set_user_roles(self, info: Info, user_id: strawberry.ID, roles: list[Role]) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        admin_service = info.context.deps.admin
        row = await admin_service.set_roles(admin, str(user_id), [r.value for r in roles])
        return User.of(row)

    @strawberry.mutation(
        description="ADMIN only. The account can no longer log in or refresh, and its"
        " sessions end. Not one's own account (CONFLICT). Idempotent; audited."
    )
    async def disable_user(self, info: Info, user_id: strawberry.ID) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        return User.of(await info.context.deps.admin.disable(admin, str(user_id)))

    @strawberry.mutation(
        description="ADMIN only. The account can log in again. Idempotent; audited."
    )
    async def enable_user(self, info: Info, user_id: strawberry.ID) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        return User.of(await info.context.deps.admin.enable(admin, str(user_id)))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, mutation=Mutation, types=[User])
