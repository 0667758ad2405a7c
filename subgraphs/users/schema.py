"""Operations of the users subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..common.descriptions import MUTATION, QUERY
from ..common.pagination import PAGE, Connection, Cursor, PageSize, connection
from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import PreferencesInput, ProfileInput, RegisterInput
from .types import (
    AccountDeletion,
    AdminAction,
    AuthPayload,
    DataExport,
    Info,
    Preferences,
    Role,
    User,
)


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

    @strawberry.field(
        directives=[PAGE],
        description="Accounts in sign-up order, optionally filtered. ADMIN only. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (search too long, after).",
    )
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
        first: PageSize = None,
        after: Cursor = None,
    ) -> Connection[User]:
        require_role(await info.context.viewer(), "ADMIN")
        page = await info.context.deps.admin.find_users(
            search, role.value if role else None, first, after
        )
        users = [User.of(row) for row in page.items]
        return connection(users, page.cursors, page.total_count, page.has_next_page, after=after)

    @strawberry.field(
        directives=[PAGE],
        description="What admins did to accounts (roles, disabling, enabling), newest first."
        " ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (userId, after).",
    )
    async def admin_audit_trail(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only actions on this account."),
        ] = None,
        first: PageSize = None,
        after: Cursor = None,
    ) -> Connection[AdminAction]:
        require_role(await info.context.viewer(), "ADMIN")
        target = str(user_id) if user_id is not None else None
        page = await info.context.deps.admin.audit_trail(target, first, after)
        actions = [AdminAction.of(row) for row in page.items]
        return connection(actions, page.cursors, page.total_count, page.has_next_page, after=after)

    @strawberry.field(
        description="Everything every subgraph holds about the signed-in user, one part per"
        " subgraph, secrets (password and token hashes, push keys) left out; `document` is"
        " the whole as one JSON object. Signed-in users, for themselves only."
        " Errors: UNAUTHENTICATED."
    )
    async def export_my_data(self, info: Info) -> DataExport:
        viewer = require_viewer(await info.context.viewer())
        return DataExport.of(viewer.user_id)

    @strawberry.field(
        description="Account deletions, newest first, with each subgraph's part. ADMIN only."
        " Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (userId, first over 100)."
    )
    async def account_deletions(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the deletion of this (deleted) account."),
        ] = None,
        pending: Annotated[
            bool,
            strawberry.argument(description="Only deletions some subgraph has not finished."),
        ] = False,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many (default and max 100).")
        ] = None,
    ) -> list[AccountDeletion]:
        require_role(await info.context.viewer(), "ADMIN")
        target = str(user_id) if user_id is not None else None
        found = await info.context.deps.deletions.find(target, pending, first)
        return [AccountDeletion.of(row, steps) for row, steps in found]


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
        description="Asks to move the caller's account to a new email address: a confirmation"
        " link goes to the new address, and the account keeps its current address (for login"
        " and email) until confirmEmailChange; the old address is then told. Signed-in users."
        " Errors: UNAUTHENTICATED, BAD_USER_INPUT (currentPassword wrong, newEmail invalid or"
        " the current one), CONFLICT (newEmail taken), RATE_LIMITED."
    )
    async def change_email(
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The password the account has now.")
        ],
        new_email: Annotated[str, strawberry.argument(description="The address to move to.")],
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.change_email(
            viewer, current_password, new_email, info.context.client_address()
        )

    @strawberry.mutation(
        description="Moves the account to the new address with the token mailed to it by"
        " changeEmail; the address counts as verified and the previous one is told. Anyone."
        " Errors: BAD_USER_INPUT (token invalid, used or expired), CONFLICT (the address was"
        " taken by another account meanwhile)."
    )
    async def confirm_email_change(
        self,
        info: Info,
        token: Annotated[
            str, strawberry.argument(description="The token from the confirmation link.")
        ],
    ) -> bool:
        await info.context.deps.service.confirm_email_change(token)
        return True

    @strawberry.mutation(
        description="Emails the caller a new verification link; false if already verified. "
        "Signed-in users. Errors: UNAUTHENTICATED, RATE_LIMITED."
    )
    async def request_email_verification(self, info: Info) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.request_email_verification(viewer)

    @strawberry.mutation(
        description="Replaces the current password; ends every session of the account (other"
        " devices, live subscriptions) and returns a new one. Signed-in users. Errors:"
        " UNAUTHENTICATED, BAD_USER_INPUT (currentPassword wrong, newPassword too weak),"
        " RATE_LIMITED (too many wrong passwords, as for login)."
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
            viewer, current_password, new_password, info.context.client_address()
        )
        return AuthPayload.of(session)

    @strawberry.mutation(
        description="Deletes the caller's own account: it cannot log in again, its sessions"
        " and live subscriptions end at once, and every subgraph erases or anonymizes what it"
        " holds of it (docs/privacy.md; admins follow it with accountDeletions). Signed-in"
        " users. Errors: UNAUTHENTICATED, BAD_USER_INPUT (password wrong: nothing deleted),"
        " RATE_LIMITED (too many wrong passwords, as for login)."
    )
    async def delete_account(
        self,
        info: Info,
        password: Annotated[
            str, strawberry.argument(description="The account's password, as a confirmation.")
        ],
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        deletions = info.context.deps.deletions
        await deletions.delete_account(viewer, password, info.context.client_address())
        return True

    @strawberry.mutation(
        description="Replaces a user's roles; LEARNER is always kept; their sessions end when the"
        " roles change. Recorded in the audit trail. ADMIN only. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (user)."
    )
    async def set_user_roles(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user to change.")],
        roles: Annotated[list[Role], strawberry.argument(description="The roles to hold.")],
    ) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        admin_service = info.context.deps.admin
        row = await admin_service.set_roles(admin, str(user_id), [r.value for r in roles])
        return User.of(row)

    @strawberry.mutation(
        description="Disables an account: it can no longer log in or refresh, and its sessions"
        " and live subscriptions end. Idempotent; recorded in the audit trail. ADMIN only."
        " Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (user), CONFLICT (one's own account)."
    )
    async def disable_user(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user to disable.")],
    ) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        return User.of(await info.context.deps.admin.disable(admin, str(user_id)))

    @strawberry.mutation(
        description="Enables a disabled account: it can log in again. Idempotent; recorded in"
        " the audit trail. ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (user)."
    )
    async def enable_user(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user to enable.")],
    ) -> User:
        admin = require_role(await info.context.viewer(), "ADMIN")
        return User.of(await info.context.deps.admin.enable(admin, str(user_id)))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, mutation=Mutation, types=[User, DataExport])
