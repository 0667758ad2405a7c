"""GraphQL object types of the notifications subgraph (incl. the User entity)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.descriptions import USER, USER_ID, described_enum
from ..common.pagination import PAGE, Connection, Cursor, PageSize, connection
from ..common.permissions import require_self_or_admin
from . import domain
from .deps import Deps
from .loaders import Loaders

Info = StrawberryInfo[Context[Deps, Loaders], None]


@described_enum(
    "What a notification is about.",
    WELCOME="The new account's greeting.",
    PROGRESS="Progress in a skill.",
    ACHIEVEMENT="An achievement unlocked.",
    CERTIFICATE="A certificate issued.",
    CONTENT="New content on a skill the user is learning.",
    ANNOUNCEMENT="From an ADMIN to all.",
    SECURITY="Account email: verification or password reset.",
)
class NotificationKind(Enum):
    WELCOME = "WELCOME"
    PROGRESS = "PROGRESS"
    ACHIEVEMENT = "ACHIEVEMENT"
    CERTIFICATE = "CERTIFICATE"
    CONTENT = "CONTENT"
    ANNOUNCEMENT = "ANNOUNCEMENT"
    SECURITY = "SECURITY"


@described_enum(
    "A way of delivering a notification outside the app.",
    EMAIL="Email.",
    SMS="Text message to the registered number.",
    PUSH="Web push to registered browsers.",
)
class DeliveryChannel(Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


@strawberry.federation.type(
    keys=["id"], description="An in-app notification; only its user and ADMIN see it."
)
class Notification:
    id: strawberry.ID = strawberry.field(description="Stable id of the notification.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="One-line summary.")
    body: str = strawberry.field(description="Plain text.")
    link: str | None = strawberry.field(description="Where to go for more; null if nowhere.")
    created_at: datetime = strawberry.field(description="When it was created.")
    read_at: datetime | None = strawberry.field(description="When it was read; null if unread.")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Notification | None:
        viewer = await info.context.viewer()
        found = await info.context.loaders.notification.load(str(id))
        if found is None or viewer is None:
            return None
        if found.user_id != viewer.user_id and not viewer.is_admin:
            return None
        return cls.of(found)

    @classmethod
    def of(cls, notification: domain.Notification) -> Notification:
        return cls(
            id=strawberry.ID(notification.id),
            kind=NotificationKind(notification.kind),
            title=notification.title,
            body=notification.body,
            link=notification.link,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


@strawberry.type(
    description="Which channels one kind of notification goes out on, on top of the "
    "per-channel preferences (a channel off there stays off for every kind). The in-app "
    "inbox gets every kind."
)
class NotificationKindPreference:
    kind: NotificationKind = strawberry.field(description="The kind of notification.")
    email: bool = strawberry.field(description="Whether this kind is emailed.")
    sms: bool = strawberry.field(description="Whether this kind is sent by SMS.")
    push: bool = strawberry.field(description="Whether this kind is sent by web push.")

    @classmethod
    def of(cls, preference: domain.KindPreference) -> NotificationKindPreference:
        return cls(
            kind=NotificationKind(preference.kind),
            email=preference.email,
            sms=preference.sms,
            push=preference.push,
        )


@strawberry.type(
    description="The number the user's SMS go to. Nothing but its verification code is sent "
    "to it until it is verified (verifySmsNumber)."
)
class SmsNumber:
    phone_number: str = strawberry.field(description="E.164 form, e.g. +4915112345678.")
    verified: bool = strawberry.field(
        description="Whether the user typed back the code sent to it; SMS notifications go "
        "only to a verified number."
    )

    @classmethod
    def of(cls, number: domain.SmsNumber) -> SmsNumber:
        return cls(phone_number=number.number, verified=number.verified)


@strawberry.federation.type(keys=["id"], description=USER)
class User:
    id: strawberry.ID = strawberry.field(description=USER_ID)

    @strawberry.field(
        directives=[PAGE],
        description="In-app notifications, newest first, a page at a time. The user themself "
        "and ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (first, after).",
    )
    async def notifications(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        unread_only: Annotated[
            bool | None, strawberry.argument(description="True: only unread ones.")
        ] = None,
    ) -> Connection[Notification]:
        require_self_or_admin(await info.context.viewer(), self.id)
        request = info.context.deps.service.page_request(str(self.id), first, after, unread_only)
        page = await info.context.loaders.page.load(request)
        return connection(
            [Notification.of(n) for n in page.notifications],
            [list(c) for c in page.cursors],
            page.total_count,
            page.has_next_page,
            after=after,
        )

    @strawberry.field(
        description="How many notifications are unread. The user themself and ADMIN only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def unread_notification_count(self, info: Info) -> int:
        require_self_or_admin(await info.context.viewer(), self.id)
        return int(await info.context.loaders.unread_count.load(str(self.id)))

    @strawberry.field(
        description="Per-kind notification preferences, one per kind sent outside the app "
        "(all on until turned off here or by an email's unsubscribe link). The user "
        "themself and ADMIN only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def notification_kind_preferences(self, info: Info) -> list[NotificationKindPreference]:
        require_self_or_admin(await info.context.viewer(), self.id)
        found = await info.context.deps.service.kind_preferences(str(self.id))
        return [NotificationKindPreference.of(p) for p in found]

    @strawberry.field(
        description="The number registered for SMS and whether it is verified; null when "
        "none. The user themself and ADMIN only: UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def sms_number(self, info: Info) -> SmsNumber | None:
        require_self_or_admin(await info.context.viewer(), self.id)
        found = await info.context.deps.service.sms_number(str(self.id))
        return SmsNumber.of(found) if found else None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.type(description="A channel delivery that ran out of attempts (ADMIN only).")
class DeliveryFailure:
    id: strawberry.ID = strawberry.field(description="Id of the failed delivery.")
    channel: DeliveryChannel = strawberry.field(description="The channel that failed.")
    kind: NotificationKind = strawberry.field(description="What was being delivered.")
    user: User = strawberry.field(description="The recipient.")
    notification_id: strawberry.ID | None = strawberry.field(
        description="The in-app notification it belonged to; null for account emails."
    )
    attempts: int = strawberry.field(description="How many times it was tried.")
    error: str = strawberry.field(description="The last error.")
    failed_at: datetime = strawberry.field(description="When it was given up.")

    @classmethod
    def of(cls, failure: domain.DeliveryFailure) -> DeliveryFailure:
        return cls(
            id=strawberry.ID(failure.delivery_id),
            channel=DeliveryChannel(failure.channel),
            kind=NotificationKind(failure.kind),
            user=User(id=strawberry.ID(failure.user_id)),
            notification_id=(
                strawberry.ID(failure.notification_id) if failure.notification_id else None
            ),
            attempts=failure.attempts,
            error=failure.error,
            failed_at=failure.failed_at,
        )
