"""GraphQL object types of the users subgraph (incl. the User entity)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info as StrawberryInfo

from ..common.clock import utcnow
from ..common.context import Context
from ..common.descriptions import USER, USER_ID, described_enum
from ..common.errors import Forbidden
from ..common.permissions import require_self_or_admin, require_viewer
from ..common.personal_data import EXPORT_DESCRIPTION
from .deletion_store import AccountDeletionRow, DeletionStepRow
from .deps import Deps
from .loaders import Loaders
from .personal_data import INVENTORY
from .service import Session
from .store import AdminActionRow, UserRow

Info = StrawberryInfo[Context[Deps, Loaders], None]


@described_enum(
    "What a user may do; ADMIN holds every role.",
    LEARNER="Learns: every account has it.",
    EDITOR="Edits the catalog, content and assessments.",
    ADMIN="Manages users and announcements; may do everything.",
)
class Role(Enum):
    LEARNER = "LEARNER"
    EDITOR = "EDITOR"
    ADMIN = "ADMIN"


@strawberry.type(description="A user's settings. Only the user themself and ADMIN see them.")
class Preferences:
    locale: str = strawberry.field(description="Language tag, e.g. en or pt-BR.")
    timezone: str = strawberry.field(description="IANA time zone, e.g. Europe/Paris.")
    theme: str = strawberry.field(description="One of light, dark, system.")
    email_notifications: bool = strawberry.field(description="Whether to send email.")
    sms_notifications: bool = strawberry.field(description="Whether to send SMS.")
    push_notifications: bool = strawberry.field(description="Whether to send web push.")

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


@strawberry.federation.type(keys=["id"], description=USER)
class User:
    id: strawberry.ID = strawberry.field(description=USER_ID)
    display_name: str = strawberry.field(description="Public name, 1 to 80 characters.")
    email_verified: bool = strawberry.field(description="Whether the email was confirmed.")
    created_at: datetime = strawberry.field(description="When the account was registered.")
    row: strawberry.Private[UserRow]
    # Set when the caller just proved to be this user (register, login, refresh).
    authenticated_as_self: strawberry.Private[bool] = False

    @strawberry.field(
        description="The user's roles, always including LEARNER. The user themself and ADMIN"
        " see them; anyone else an empty list (no error, so lists of users and the editors"
        " of courses and articles still resolve)."
    )
    async def roles(self, info: Info) -> list[Role]:
        if not await self._may_see_private(info):
            return []
        return [Role(r) for r in self.row.roles]

    @strawberry.field(
        description="Login email. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def email(self, info: Info) -> str:
        await self._check_private(info)
        return self.row.email

    @strawberry.field(
        description="Settings. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def preferences(self, info: Info) -> Preferences:
        await self._check_private(info)
        return Preferences.of(self.row)

    @strawberry.field(
        description="When an admin disabled the account (null: enabled); the user themself"
        " and ADMIN only."
    )
    async def disabled_at(self, info: Info) -> datetime | None:
        await self._check_private(info)
        return self.row.disabled_at

    async def _check_private(self, info: Info) -> None:
        if not self.authenticated_as_self:
            require_self_or_admin(await info.context.viewer(), self.id)

    async def _may_see_private(self, info: Info) -> bool:
        viewer = await info.context.viewer()
        is_self = viewer is not None and viewer.user_id == str(self.id)
        return self.authenticated_as_self or is_self or (viewer is not None and viewer.is_admin)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> User | None:
        """Another subgraph's reference; a deleted account (or the anonymized author of
        content) resolves to the "Deleted account" placeholder, so non-null fields such as
        `editor` stay valid."""
        row = await info.context.loaders.user.load(str(id))
        if row is not None:
            return cls.of(row)
        if await info.context.loaders.deleted.load(str(id)):
            return cls.of(deleted_account(str(id)))
        return None

    @classmethod
    def of(cls, row: UserRow, authenticated_as_self: bool = False) -> User:
        return cls(
            id=strawberry.ID(str(row.id)),
            display_name=row.display_name,
            email_verified=row.email_verified,
            created_at=row.created_at,
            row=row,
            authenticated_as_self=authenticated_as_self,
        )


DELETED_ACCOUNT_NAME = "Deleted account"


def deleted_account(user_id: str) -> UserRow:
    """What is shown of an account that no longer exists: a name, nothing else."""
    return UserRow(
        id=uuid.UUID(user_id),
        email="",
        password_hash="",
        display_name=DELETED_ACCOUNT_NAME,
        roles=[],
        email_verified=False,
        locale="en",
        timezone="UTC",
        theme="system",
        email_notifications=False,
        sms_notifications=False,
        push_notifications=False,
        created_at=datetime(1970, 1, 1, tzinfo=UTC),
        disabled_at=None,
    )


@strawberry.type(description="A signed-in session.")
class AuthPayload:
    access_token: str = strawberry.field(
        description="Short-lived JWT: send it as `Authorization: Bearer <token>`."
    )
    refresh_token: str = strawberry.field(
        description="Opaque, single-use: trade it for new tokens with refreshToken."
    )
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: User = strawberry.field(description="The signed-in user.")

    @classmethod
    def of(cls, session: Session) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            user=User.of(session.user, authenticated_as_self=True),
        )


@described_enum(
    "What an admin did to an account.",
    SET_ROLES="Replaced the account's roles.",
    DISABLE="Disabled the account: no login, its sessions ended.",
    ENABLE="Enabled the account again.",
)
class AdminActionKind(Enum):
    SET_ROLES = "SET_ROLES"
    DISABLE = "DISABLE"
    ENABLE = "ENABLE"


@strawberry.type(description="One entry of the admin audit trail.")
class AdminAction:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    action: AdminActionKind = strawberry.field(description="What was done.")
    at: datetime = strawberry.field(description="When.")
    details: JSON = strawberry.field(
        description="What changed (SET_ROLES: the roles before and after)."
    )
    actor_id: strawberry.Private[str]
    target_id: strawberry.Private[str]

    @strawberry.field(description="The admin who did it.")
    async def actor(self, info: Info) -> User | None:
        row = await info.context.loaders.user.load(self.actor_id)
        return User.of(row) if row else None

    @strawberry.field(description="The account it was done to.")
    async def target(self, info: Info) -> User | None:
        row = await info.context.loaders.user.load(self.target_id)
        return User.of(row) if row else None

    @classmethod
    def of(cls, row: AdminActionRow) -> AdminAction:
        return cls(
            id=strawberry.ID(str(row.id)),
            action=AdminActionKind(row.action),
            at=row.at,
            details=cast(JSON, row.details),
            actor_id=str(row.actor_id),
            target_id=str(row.target_id),
        )


# ---------------------------------------------------------------- account deletion
@described_enum(
    "Where a subgraph's part of an account deletion stands.",
    PENDING="Asked, not yet reported (a subgraph that stays silent is asked again).",
    DONE="The subgraph erased or anonymized what it held, and reported.",
)
class DeletionStepStatus(Enum):
    PENDING = "PENDING"
    DONE = "DONE"


@strawberry.type(description="One subgraph's part of an account deletion.")
class AccountDeletionStep:
    subgraph: str = strawberry.field(description="The subgraph, e.g. learning.")
    status: DeletionStepStatus = strawberry.field(description="Reported or not.")
    requests: int = strawberry.field(description="How many times it was asked (1: no retry).")
    last_requested_at: datetime = strawberry.field(description="When it was last asked.")
    reported_at: datetime | None = strawberry.field(description="When it reported; null: not yet.")
    erased: JSON | None = strawberry.field(
        description="What it reported: items erased or anonymized per kind of data."
    )

    @classmethod
    def of(cls, row: DeletionStepRow) -> AccountDeletionStep:
        return cls(
            subgraph=row.subgraph,
            status=DeletionStepStatus.DONE if row.reported_at else DeletionStepStatus.PENDING,
            requests=row.requests,
            last_requested_at=row.requested_at,
            reported_at=row.reported_at,
            erased=cast(JSON, row.erased),
        )


@strawberry.type(
    description="An account deleted by its owner, and how far every subgraph is with it."
    " ADMIN only (Query.accountDeletions)."
)
class AccountDeletion:
    id: strawberry.ID = strawberry.field(description="The deletion's id.")
    user_id: strawberry.ID = strawberry.field(
        description="The deleted account's id (it no longer leads to the account)."
    )
    requested_at: datetime = strawberry.field(description="When the owner deleted the account.")
    completed_at: datetime | None = strawberry.field(
        description="When the last subgraph reported; null while any step is pending."
    )
    steps: list[AccountDeletionStep] = strawberry.field(description="One per subgraph.")

    @strawberry.field(description="Whether every subgraph has reported.")
    def completed(self) -> bool:
        return self.completed_at is not None

    @classmethod
    def of(cls, row: AccountDeletionRow, steps: list[DeletionStepRow]) -> AccountDeletion:
        return cls(
            id=strawberry.ID(str(row.id)),
            user_id=strawberry.ID(str(row.user_id)),
            requested_at=row.requested_at,
            completed_at=row.completed_at,
            steps=[AccountDeletionStep.of(step) for step in steps],
        )


# ---------------------------------------------------------------- data export
EXPORTED_BY_OTHERS = "skills learning content visualization notifications"


def _external(subgraph: str) -> JSON:
    return cast(
        JSON,
        strawberry.federation.field(
            external=True, description=f"The {subgraph} subgraph's part (resolved there)."
        ),
    )


@strawberry.federation.type(keys=["userId"], description=EXPORT_DESCRIPTION)
class DataExport:
    user_id: strawberry.ID = strawberry.field(description="The user whose data this is.")
    skills: JSON = _external("skills")
    learning: JSON = _external("learning")
    content: JSON = _external("content")
    visualization: JSON = _external("visualization")
    notifications: JSON = _external("notifications")

    @strawberry.field(
        description="What the users subgraph holds about the user: "
        + ", ".join(INVENTORY.names)
        + ". The user themself only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def users(self, info: Info) -> JSON:
        return cast(JSON, await self._own_part(info))

    @strawberry.federation.field(
        requires=[EXPORTED_BY_OTHERS],
        description="The whole export as one JSON document: every subgraph's part under its"
        " name, assembled by the gateway from each subgraph's field. The user themself"
        " only: UNAUTHENTICATED, FORBIDDEN otherwise.",
    )
    async def document(self, info: Info) -> JSON:
        parts = {name: getattr(self, name) for name in EXPORTED_BY_OTHERS.split()}
        return cast(
            JSON,
            {
                "userId": str(self.user_id),
                "exportedAt": utcnow().isoformat(),
                "subgraphs": {"users": await self._own_part(info), **parts},
            },
        )

    async def _own_part(self, info: Info) -> dict[str, Any]:
        viewer = require_viewer(await info.context.viewer())
        if viewer.user_id != str(self.user_id):
            raise Forbidden("Only the user themself can export their data")
        return INVENTORY.part(await info.context.deps.personal_data.export(str(self.user_id)))

    @classmethod
    def of(cls, user_id: str) -> DataExport:
        """The export of `user_id`, its other parts to be resolved by their subgraphs."""
        return cls.resolve_reference(userId=user_id)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> DataExport:
        parts: dict[str, Any] = {
            name: representation.get(name) for name in EXPORTED_BY_OTHERS.split()
        }
        return cls(user_id=strawberry.ID(str(representation["userId"])), **parts)
