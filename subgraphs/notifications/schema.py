"""GraphQL types and operations of the notifications subgraph (thin: checks, then the service)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from ..common.context import Context
from ..common.pagination import Connection, connection
from ..common.permissions import require_role, require_self_or_admin, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import models
from .live import notifications_of
from .service import NotificationService


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
    async def resolve_reference(
        cls, info: Info[Context, None], id: strawberry.ID
    ) -> Notification | None:
        viewer = await info.context.viewer()
        found = await info.context.loaders.notification.load(str(id))
        if found is None or viewer is None:
            return None
        if found.user_id != viewer.user_id and not viewer.is_admin:
            return None
        return cls.of(found)

    @classmethod
    def of(cls, notification: models.Notification) -> Notification:
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
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        unread_only: bool | None = None,
    ) -> Connection[Notification]:
        require_self_or_admin(await info.context.viewer(), self.id)
        request = _service(info).page_request(str(self.id), first, after, unread_only)
        page = await info.context.loaders.page.load(request)
        return connection(
            [Notification.of(n) for n in page.notifications],
            [list(c) for c in page.cursors],
            page.total_count,
            page.has_next_page,
        )

    @strawberry.field(description="The user themself and ADMIN only.")
    async def unread_notification_count(self, info: Info[Context, None]) -> int:
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
    def of(cls, failure: models.DeliveryFailure) -> DeliveryFailure:
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


@strawberry.input
class AnnouncementInput:
    title: str
    body: str
    link: str | None = None


def _service(info: Info[Context, None]) -> NotificationService:
    return info.context.deps.service


@strawberry.type
class Query:
    @strawberry.field(description="ADMIN only. Newest first.")
    async def delivery_dead_letters(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[DeliveryFailure]:
        require_role(await info.context.viewer(), "ADMIN")
        return [DeliveryFailure.of(f) for f in await _service(info).dead_letters(first)]

    @strawberry.field(description="The VAPID key browsers subscribe to web push with; null: off.")
    def web_push_public_key(self, info: Info[Context, None]) -> str | None:
        return info.context.deps.push.public_key or None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Own notifications only; anyone else's id is NOT_FOUND.")
    async def mark_notification_read(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> Notification:
        viewer = require_viewer(await info.context.viewer())
        return Notification.of(await _service(info).mark_read(viewer, str(id)))

    @strawberry.mutation(description="How many were marked.")
    async def mark_all_notifications_read(self, info: Info[Context, None]) -> int:
        viewer = require_viewer(await info.context.viewer())
        return await _service(info).mark_all_read(viewer)

    @strawberry.mutation(
        description="ADMIN. How many users it reaches; delivered in the background."
    )
    async def send_announcement(self, info: Info[Context, None], input: AnnouncementInput) -> int:
        viewer = require_role(await info.context.viewer(), "ADMIN")
        return await _service(info).send_announcement(viewer, input.title, input.body, input.link)

    @strawberry.mutation(description="The browser's PushSubscription (keys base64url).")
    async def register_push_subscription(
        self, info: Info[Context, None], endpoint: str, p256dh: str, auth: str
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await _service(info).register_push_subscription(viewer, endpoint, p256dh, auth)

    @strawberry.mutation(description="False when no such subscription was registered.")
    async def unregister_push_subscription(self, info: Info[Context, None], endpoint: str) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await _service(info).unregister_push_subscription(viewer, endpoint)

    @strawberry.mutation(description="The number SMS notifications go to, in E.164 form.")
    async def register_sms_number(self, info: Info[Context, None], phone_number: str) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await _service(info).register_sms_number(viewer, phone_number)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The authenticated user's own notifications, live.")
    async def notification_received(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[Notification, None]:
        viewer = require_viewer(await info.context.viewer())
        async for message in notifications_of(info.context.platform.live, viewer.user_id):
            yield Notification.of(models.Notification.from_message(message))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Notification],
    )
