"""Operations of the notifications subgraph (thin: checks, then the service)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from ..common.permissions import require_role, require_viewer
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import AnnouncementInput
from .notifier import channel_of
from .types import DeliveryFailure, Info, Notification, User


@strawberry.type
class Query:
    @strawberry.field(description="ADMIN only. Newest first.")
    async def delivery_dead_letters(
        self, info: Info, first: int | None = None
    ) -> list[DeliveryFailure]:
        require_role(await info.context.viewer(), "ADMIN")
        return [DeliveryFailure.of(f) for f in await info.context.deps.service.dead_letters(first)]

    @strawberry.field(description="The VAPID key browsers subscribe to web push with; null: off.")
    def web_push_public_key(self, info: Info) -> str | None:
        return info.context.deps.push.public_key or None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Own notifications only; anyone else's id is NOT_FOUND.")
    async def mark_notification_read(self, info: Info, id: strawberry.ID) -> Notification:
        viewer = require_viewer(await info.context.viewer())
        return Notification.of(await info.context.deps.service.mark_read(viewer, str(id)))

    @strawberry.mutation(description="How many were marked.")
    async def mark_all_notifications_read(self, info: Info) -> int:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.mark_all_read(viewer)

    @strawberry.mutation(
        description="ADMIN. How many users it reaches; delivered in the background."
    )
    async def send_announcement(self, info: Info, input: AnnouncementInput) -> int:
        viewer = require_role(await info.context.viewer(), "ADMIN")
        await info.context.limit(domain.ANNOUNCEMENTS, viewer.user_id)
        return await info.context.deps.service.send_announcement(
            viewer, input.title, input.body, input.link
        )

    @strawberry.mutation(description="The browser's PushSubscription (keys base64url).")
    async def register_push_subscription(
        self, info: Info, endpoint: str, p256dh: str, auth: str
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        await info.context.limit(domain.PUSH_REGISTRATIONS, viewer.user_id)
        return await info.context.deps.service.register_push_subscription(
            viewer, endpoint, p256dh, auth
        )

    @strawberry.mutation(description="False when no such subscription was registered.")
    async def unregister_push_subscription(self, info: Info, endpoint: str) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.unregister_push_subscription(viewer, endpoint)

    @strawberry.mutation(description="The number SMS notifications go to, in E.164 form.")
    async def register_sms_number(self, info: Info, phone_number: str) -> bool:
        viewer = require_viewer(await info.context.viewer())
        await info.context.limit(domain.SMS_REGISTRATIONS, viewer.user_id)
        return await info.context.deps.service.register_sms_number(viewer, phone_number)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The authenticated user's own notifications, live.")
    async def notification_received(self, info: Info) -> AsyncGenerator[Notification, None]:
        viewer = require_viewer(await info.context.viewer())
        async for message in info.context.listen(viewer, channel_of(viewer.user_id)):
            yield Notification.of(domain.Notification.from_message(message))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Notification],
    )
