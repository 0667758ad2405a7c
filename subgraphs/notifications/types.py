"""GraphQL object types of the notifications subgraph (incl. the User entity)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.pagination import Connection, connection
from ..common.permissions import require_self_or_admin
from . import domain
from .deps import Deps
from .loaders import Loaders

Info = StrawberryInfo[Context[Deps, Loaders], None]


@strawberry.enum
class NotificationKind(Enum):
    WELCOME = "WELCOME"
    PROGRESS = "PROGRESS"
    ACHIEVEMENT = "ACHIEVEMENT"
    CERTIFICATE = "CERTIFICATE"
    CONTENT = "CONTENT"
    ANNOUNCEMENT = "ANNOUNCEMENT"
    SECURITY = "SECURITY"


@strawberry.enum
class DeliveryChannel(Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


@strawberry.federation.type(keys=["id"])
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None

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


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(description="Newest first. The user themself and ADMIN only.")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool | None = None,
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

    @strawberry.field(description="The user themself and ADMIN only.")
    async def unread_notification_count(self, info: Info) -> int:
        require_self_or_admin(await info.context.viewer(), self.id)
        return int(await info.context.loaders.unread_count.load(str(self.id)))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.type(description="A channel delivery that ran out of attempts.")
class DeliveryFailure:
    id: strawberry.ID
    channel: DeliveryChannel
    kind: NotificationKind
    user: User
    notification_id: strawberry.ID | None
    attempts: int
    error: str
    failed_at: datetime

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
