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
from .message_templates.admin import TemplateState
from .message_templates.rendering import Preview
from .message_templates.store import TemplateVersion

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


@described_enum(
    "One part of a message template.",
    SUBJECT="An email's subject line (plain text).",
    TEXT="An email's plain-text body, or the whole SMS or push text.",
    HTML="An email's HTML body (autoescaped).",
)
class TemplatePart(Enum):
    SUBJECT = "SUBJECT"
    TEXT = "TEXT"
    HTML = "HTML"


@strawberry.type(description="One saved state of a message template (ADMIN only).")
class NotificationTemplateVersion:
    version: int = strawberry.field(description="1 for the first edit, then counting up.")
    body: str | None = strawberry.field(
        description="The template saved; null when this version put the repository default back."
    )
    edited_by: strawberry.ID = strawberry.field(description="The id of the ADMIN who saved it.")
    edited_at: datetime = strawberry.field(description="When it was saved.")
    reverted_to: int | None = strawberry.field(
        description="For a revert, the version it restored (0: the repository default); "
        "null for an edit."
    )

    @classmethod
    def of(cls, version: TemplateVersion) -> NotificationTemplateVersion:
        return cls(
            version=version.version,
            body=version.body,
            edited_by=strawberry.ID(version.edited_by),
            edited_at=version.edited_at,
            reverted_to=version.reverted_to,
        )


@strawberry.type(
    description="A Jinja2 template of one part of one message on one channel in one locale "
    "(ADMIN only). The repository file is the default; an ADMIN's edit overrides it from "
    "the next message on. Rendered in a sandbox with the listed variables only."
)
class NotificationTemplate:
    channel: DeliveryChannel = strawberry.field(description="The channel the message goes on.")
    name: str = strawberry.field(
        description="The message: a kind in lower case (progress, certificate, ...), "
        "notification (any kind without its own), base (the email layout the others extend) "
        "or an account message (verify_email, reset_password, verify_number, ...)."
    )
    locale: str = strawberry.field(
        description="The language: en, or de. Users get their preferences' locale, else en."
    )
    part: TemplatePart = strawberry.field(description="Which part of the message.")
    body: str = strawberry.field(description="The template used now.")
    default_body: str = strawberry.field(
        description="The repository's template (a message without a file of its own shows "
        "its channel's notification template; a locale without one, the English one)."
    )
    overridden: bool = strawberry.field(
        description="Whether an ADMIN's edit is used instead of the repository's template."
    )
    version: int = strawberry.field(
        description="The newest version saved; 0 when it was never edited."
    )
    variables: list[str] = strawberry.field(description="The variables the template may use.")
    history: list[NotificationTemplateVersion] = strawberry.field(
        description="Every version saved, newest first."
    )

    @classmethod
    def of(cls, state: TemplateState) -> NotificationTemplate:
        key = state.key
        return cls(
            channel=DeliveryChannel(key.channel),
            name=key.name,
            locale=key.locale,
            part=TemplatePart(key.part),
            body=state.body,
            default_body=state.default_body,
            overridden=state.overridden,
            version=state.version,
            variables=list(state.variables),
            history=[NotificationTemplateVersion.of(v) for v in state.history],
        )


@strawberry.type(description="A message rendered with sample data, sent nowhere (ADMIN only).")
class NotificationPreview:
    subject: str | None = strawberry.field(description="An email's subject; null for SMS/push.")
    text: str = strawberry.field(description="An email's plain-text body, or the SMS/push text.")
    html: str | None = strawberry.field(description="An email's HTML body; null for SMS/push.")

    @classmethod
    def of(cls, preview: Preview) -> NotificationPreview:
        return cls(subject=preview.subject, text=preview.text, html=preview.html)
