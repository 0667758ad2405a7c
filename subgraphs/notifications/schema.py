"""Operations of the notifications subgraph (thin: checks, then the service)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from ..common.descriptions import MUTATION, QUERY, SUBSCRIPTION
from ..common.permissions import require_role, require_viewer
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import (
    AnnouncementInput,
    NotificationKindPreferenceInput,
    NotificationTemplateDraftInput,
    NotificationTemplateKeyInput,
)
from .notifier import channel_of
from .personal_data import INVENTORY
from .types import (
    DeliveryFailure,
    Info,
    Notification,
    NotificationKindPreference,
    NotificationPreview,
    NotificationTemplate,
    SmsNumber,
    User,
)

PUSH_ENDPOINT = "The subscription's endpoint: the push service's https URL."
TemplateArgument = Annotated[
    NotificationTemplateKeyInput, strawberry.argument(description="Which template.")
]


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="Email, SMS and push deliveries that ran out of attempts, newest first. "
        "ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (first)."
    )
    async def delivery_dead_letters(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="How many: at most 100, default 20.")
        ] = None,
    ) -> list[DeliveryFailure]:
        require_role(await info.context.viewer(), "ADMIN")
        return [DeliveryFailure.of(f) for f in await info.context.deps.service.dead_letters(first)]

    @strawberry.field(
        description="The message templates (every channel, message, locale and part), with "
        "whether an ADMIN edited each, its versions and the variables it may use. ADMIN only. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (channel, locale)."
    )
    async def notification_templates(
        self,
        info: Info,
        channel: Annotated[
            str | None, strawberry.argument(description="Only this channel: EMAIL, SMS, PUSH.")
        ] = None,
        name: Annotated[
            str | None, strawberry.argument(description="Only this message, e.g. certificate.")
        ] = None,
        locale: Annotated[
            str | None, strawberry.argument(description="Only this locale: en or de.")
        ] = None,
    ) -> list[NotificationTemplate]:
        require_role(await info.context.viewer(), "ADMIN")
        found = await info.context.deps.templates.templates(channel, name, locale)
        return [NotificationTemplate.of(t) for t in found]

    @strawberry.field(
        description="A message rendered with sample data as it would be sent now (or with "
        "an unsaved draft of one part), sent nowhere. ADMIN only. Errors: UNAUTHENTICATED, "
        "FORBIDDEN, BAD_USER_INPUT (channel, name, locale, part, body: the draft's problem)."
    )
    async def notification_template_preview(
        self,
        info: Info,
        channel: Annotated[str, strawberry.argument(description="EMAIL, SMS or PUSH.")],
        name: Annotated[
            str, strawberry.argument(description="The message, as NotificationTemplate.name.")
        ],
        locale: Annotated[str, strawberry.argument(description="en or de.")],
        draft: Annotated[
            NotificationTemplateDraftInput | None,
            strawberry.argument(description="An unsaved template for one part; optional."),
        ] = None,
    ) -> NotificationPreview:
        require_role(await info.context.viewer(), "ADMIN")
        unsaved = (draft.part, draft.body) if draft else None
        preview = await info.context.deps.templates.preview(channel, name, locale, unsaved)
        return NotificationPreview.of(preview)

    @strawberry.field(
        description="The VAPID public key browsers subscribe to web push with; null when web "
        "push is off. Anyone."
    )
    def web_push_public_key(self, info: Info) -> str | None:
        return info.context.deps.push.public_key or None


@strawberry.type(description=MUTATION)
class Mutation:
    @strawberry.mutation(
        description="Marks one of the caller's notifications read. Signed-in users. Errors: "
        "UNAUTHENTICATED, NOT_FOUND (unknown, or someone else's)."
    )
    async def mark_notification_read(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The notification.")],
    ) -> Notification:
        viewer = require_viewer(await info.context.viewer())
        return Notification.of(await info.context.deps.service.mark_read(viewer, str(id)))

    @strawberry.mutation(
        description="Marks all the caller's notifications read; returns how many were unread. "
        "Signed-in users. Errors: UNAUTHENTICATED."
    )
    async def mark_all_notifications_read(self, info: Info) -> int:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.mark_all_read(viewer)

    @strawberry.mutation(
        description="Turns kinds of notification on or off per channel for the caller (for "
        "example keep certificates by email, stop announcements); returns every kind's "
        "preference. Signed-in users. Errors: UNAUTHENTICATED, BAD_USER_INPUT (kind: one "
        "that cannot be set, unknown or given twice)."
    )
    async def update_notification_kind_preferences(
        self,
        info: Info,
        preferences: Annotated[
            list[NotificationKindPreferenceInput],
            strawberry.argument(description="The kinds to change, each at most once."),
        ],
    ) -> list[NotificationKindPreference]:
        viewer = require_viewer(await info.context.viewer())
        changes = [(p.kind, p.switches()) for p in preferences]
        found = await info.context.deps.service.update_kind_preferences(viewer, changes)
        return [NotificationKindPreference.of(p) for p in found]

    @strawberry.mutation(
        description="Sends a notification to every user, delivered in the background; returns "
        "how many users it reaches. ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, "
        "BAD_USER_INPUT (title, body, link), RATE_LIMITED."
    )
    async def send_announcement(
        self,
        info: Info,
        input: Annotated[AnnouncementInput, strawberry.argument(description="The announcement.")],
    ) -> int:
        viewer = require_role(await info.context.viewer(), "ADMIN")
        await info.context.limit(domain.ANNOUNCEMENTS, viewer.user_id)
        return await info.context.deps.service.send_announcement(
            viewer, input.title, input.body, input.link
        )

    @strawberry.mutation(
        description="Saves an ADMIN's template as a new version; every replica sends the "
        "next message with it. Refused unless it parses, uses only the template's variables, "
        "renders in the sandbox with sample data (no Python internals), stays within 20000 "
        "characters and, in an email that preferences can stop, keeps the unsubscribe link. "
        "ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (channel, name, "
        "locale, part, body: the problem named)."
    )
    async def update_notification_template(
        self,
        info: Info,
        template: TemplateArgument,
        body: Annotated[str, strawberry.argument(description="The new Jinja2 template.")],
    ) -> NotificationTemplate:
        viewer = require_role(await info.context.viewer(), "ADMIN")
        return NotificationTemplate.of(
            await info.context.deps.templates.update(viewer, template.key(), body)
        )

    @strawberry.mutation(
        description="Makes an earlier version of a template current again, saved as a new "
        "version (version 0: the repository default). ADMIN only. Errors: UNAUTHENTICATED, "
        "FORBIDDEN, BAD_USER_INPUT (channel, name, locale, part, version; body: that version "
        "no longer passes the checks)."
    )
    async def revert_notification_template(
        self,
        info: Info,
        template: TemplateArgument,
        version: Annotated[
            int,
            strawberry.argument(description="The version to restore; 0: the repository default."),
        ],
    ) -> NotificationTemplate:
        viewer = require_role(await info.context.viewer(), "ADMIN")
        return NotificationTemplate.of(
            await info.context.deps.templates.revert(viewer, template.key(), version)
        )

    @strawberry.mutation(
        description="Registers a browser's PushSubscription for the caller's web push. "
        "Signed-in users. Errors: UNAUTHENTICATED, BAD_USER_INPUT (endpoint, p256dh, auth), "
        "RATE_LIMITED."
    )
    async def register_push_subscription(
        self,
        info: Info,
        endpoint: Annotated[str, strawberry.argument(description=PUSH_ENDPOINT)],
        p256dh: Annotated[
            str, strawberry.argument(description="keys.p256dh: 65 bytes, base64url.")
        ],
        auth: Annotated[str, strawberry.argument(description="keys.auth: 16 bytes, base64url.")],
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        await info.context.limit(domain.PUSH_REGISTRATIONS, viewer.user_id)
        return await info.context.deps.service.register_push_subscription(
            viewer, endpoint, p256dh, auth
        )

    @strawberry.mutation(
        description="Removes one of the caller's push subscriptions; false if it was not "
        "registered. Signed-in users. Errors: UNAUTHENTICATED."
    )
    async def unregister_push_subscription(
        self, info: Info, endpoint: Annotated[str, strawberry.argument(description=PUSH_ENDPOINT)]
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        return await info.context.deps.service.unregister_push_subscription(viewer, endpoint)

    @strawberry.mutation(
        description="Sets the number the caller's SMS notifications go to and sends it one "
        "SMS with a 6-digit code (valid 10 minutes, 5 tries); no other SMS goes to the number "
        "until verifySmsNumber. Again with the same unverified number: a new code (the old "
        "one is void), at most one a minute. Signed-in users. Errors: UNAUTHENTICATED, "
        "BAD_USER_INPUT (phoneNumber), RATE_LIMITED (retryAfter), CONFLICT (SMS is off)."
    )
    async def register_sms_number(
        self,
        info: Info,
        phone_number: Annotated[
            str, strawberry.argument(description="E.164 form, e.g. +4915112345678.")
        ],
    ) -> bool:
        viewer = require_viewer(await info.context.viewer())
        await info.context.limit(domain.SMS_REGISTRATIONS, viewer.user_id)
        return await info.context.deps.service.register_sms_number(viewer, phone_number)

    @strawberry.mutation(
        description="Verifies the caller's SMS number with the code sent to it; from then on "
        "SMS notifications go to it. Signed-in users. Errors: UNAUTHENTICATED, "
        "BAD_USER_INPUT (code: malformed, wrong, expired, or out of tries)."
    )
    async def verify_sms_number(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description="The 6 digits of the SMS registerSmsNumber sent.")
        ],
    ) -> SmsNumber:
        viewer = require_viewer(await info.context.viewer())
        return SmsNumber.of(await info.context.deps.service.verify_sms_number(viewer, code))


@strawberry.type(description=SUBSCRIPTION)
class Subscription:
    @strawberry.subscription(
        description="The caller's own notifications as they arrive. Signed-in users. "
        "Errors: UNAUTHENTICATED."
    )
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
        types=[User, Notification, data_export_type(INVENTORY)],
    )
