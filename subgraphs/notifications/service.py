"""Inbox rules: pages, read marks, announcements, channel addresses, per-kind preferences,
one-click unsubscribes, dead letters."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from urllib.parse import urlsplit

from ..common.auth import Viewer
from ..common.clock import utcnow
from ..common.errors import BadUserInput, Conflict, NotFound
from ..common.events import EventBus
from ..common.events.contracts import AnnouncementSent
from ..common.pagination import decode_cursor, page_size
from ..common.ratelimit import RateLimits
from .channels.push import check_endpoint
from .directory import UserDirectory
from .domain import (
    CHANNEL_KINDS,
    SMS_CODES_PER_NUMBER,
    SMS_CODES_PER_USER,
    DeliveryFailure,
    KindChannel,
    KindPreference,
    Notification,
    PushSubscription,
    SmsNumber,
    derived_id,
)
from .notifier import Notifier
from .queue import DeliveryQueue
from .settings import NotificationSettings
from .sms_numbers import CODE_DIGITS, SmsCodes
from .store import InboxStore, PageRequest
from .unsubscribe import UnsubscribeLinks

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_TITLE, MAX_BODY, MAX_LINK = 200, 5000, 2000


class NotificationService:
    def __init__(
        self,
        settings: NotificationSettings,
        store: InboxStore,
        directory: UserDirectory,
        queue: DeliveryQueue,
        events: EventBus,
        unsubscribe: UnsubscribeLinks,
        notifier: Notifier,
        sms_codes: SmsCodes,
        limits: RateLimits,
    ) -> None:
        self.unsubscribe_links = unsubscribe
        self.notifier = notifier
        self.sms_codes = sms_codes
        self.limits = limits
        self.settings = settings
        self.store = store
        self.directory = directory
        self.queue = queue
        self.events = events

    # ------------------------------------------------------------ the inbox
    def page_request(
        self, user_id: str, first: int | None, after: str | None, unread_only: bool | None
    ) -> PageRequest:
        """A validated page request (BAD_USER_INPUT for a bad `first` or cursor)."""
        position = decode_cursor(after)
        if position is not None and not _is_position(position):
            raise BadUserInput("after", "Invalid cursor")
        return PageRequest(
            user_id=user_id,
            first=page_size(first),
            after=(int(position[0]), str(position[1])) if position is not None else None,
            unread_only=bool(unread_only),
        )

    async def mark_read(self, viewer: Viewer, notification_id: str) -> Notification:
        """Marks one of the viewer's own notifications; anyone else's is NOT_FOUND."""
        found = await self.store.by_ids([notification_id])
        if not found or found[0].user_id != viewer.user_id:
            raise NotFound("Notification", notification_id)
        notification = found[0]
        if notification.read_at is not None:
            return notification
        await self.store.mark_read(notification, utcnow())
        return (await self.store.by_ids([notification_id]))[0]

    async def mark_all_read(self, viewer: Viewer) -> int:
        return await self.store.mark_all_read(viewer.user_id, utcnow())

    # ------------------------------------------------------------ announcements
    async def send_announcement(
        self, viewer: Viewer, title: str, body: str, link: str | None
    ) -> int:
        """Queues the fan-out to every known user; returns how many users it will reach."""
        title, body = _text("title", title, MAX_TITLE), _text("body", body, MAX_BODY)
        link = _link(link, self.settings.environment == "production")
        audience = await self.directory.user_count()
        # Through the event stream: the fan-out survives a crash and runs off this request.
        await self.events.publish(
            AnnouncementSent(
                title=title, body=body, link=link, audience=audience, sent_by=viewer.user_id
            )
        )
        return audience

    # ------------------------------------------------------------ channel addresses
    async def register_push_subscription(
        self, viewer: Viewer, endpoint: str, p256dh: str, auth: str
    ) -> bool:
        endpoint = endpoint.strip()
        check_endpoint(endpoint, self.settings)
        _key("p256dh", p256dh, 65)
        _key("auth", auth, 16)
        subscription = PushSubscription(endpoint=endpoint, p256dh=p256dh.strip(), auth=auth.strip())
        cap = self.settings.max_push_subscriptions_per_user
        if await self.directory.push_subscription_count(viewer.user_id, but=endpoint) >= cap:
            raise Conflict(f"At most {cap} push subscriptions per account; unregister one first")
        await self.directory.add_push_subscription(viewer.user_id, subscription)
        return True

    async def unregister_push_subscription(self, viewer: Viewer, endpoint: str) -> bool:
        return await self.directory.remove_push_subscription(viewer.user_id, endpoint.strip())

    async def register_sms_number(self, viewer: Viewer, phone_number: str) -> bool:
        number = re.sub(r"[\s().-]", "", phone_number)
        if not E164.match(number):
            raise BadUserInput(
                "phoneNumber", "phoneNumber must be in E.164 form, e.g. +4915112345678"
            )
        if not self.notifier.sms_enabled:
            raise Conflict("SMS is not available on this platform")
        current = await self.directory.sms_number(viewer.user_id)
        if current == SmsNumber(number, verified=True):
            return True  # proved already: nothing to send
        await self.limits.hit(SMS_CODES_PER_USER, viewer.user_id)
        await self.limits.hit(SMS_CODES_PER_NUMBER, derived_id("sms-number", number))
        await self.directory.set_phone_number(viewer.user_id, number)
        code = await self.sms_codes.issue(viewer.user_id, number)
        [recipient] = (await self.directory.recipients([viewer.user_id])).values()
        await self.notifier.send_security_sms(
            str(uuid.uuid4()),
            number,
            viewer.user_id,
            "verify_number",
            code=code,
            minutes=self.settings.sms_code_ttl_seconds // 60,
            locale=recipient.locale,
        )
        return True

    async def verify_sms_number(self, viewer: Viewer, code: str) -> SmsNumber:
        """Marks the viewer's number verified with the code sent to it (BAD_USER_INPUT,
        field code: malformed, wrong, expired, used up, or for a number since replaced)."""
        code = code.strip()
        if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
            raise BadUserInput("code", f"code is the {CODE_DIGITS} digits sent by SMS")
        number = await self.sms_codes.redeem(viewer.user_id, code)
        if not await self.directory.mark_phone_verified(viewer.user_id, number):
            raise BadUserInput("code", "The number changed since this code was sent")
        return SmsNumber(number, verified=True)

    async def sms_number(self, user_id: str) -> SmsNumber | None:
        return await self.directory.sms_number(user_id)

    # ------------------------------------------------------------ per-kind preferences
    async def kind_preferences(self, user_id: str) -> list[KindPreference]:
        """One entry per kind that goes out on channels, in a fixed order."""
        stopped = await self.directory.stopped(user_id)
        return [KindPreference.of(kind, stopped) for kind in CHANNEL_KINDS]

    async def update_kind_preferences(
        self, viewer: Viewer, changes: list[tuple[str, dict[str, bool | None]]]
    ) -> list[KindPreference]:
        """`changes`: (kind, {channel: on, off or None for unchanged}) each."""
        kinds = [kind for kind, _ in changes]
        for kind in kinds:
            if kind not in CHANNEL_KINDS:
                allowed = ", ".join(CHANNEL_KINDS)
                raise BadUserInput("kind", f"{kind[:40]} cannot be set: kinds are {allowed}")
        if len(set(kinds)) != len(kinds):
            raise BadUserInput("kind", "Each kind at most once")
        on: list[KindChannel] = []
        off: list[KindChannel] = []
        for kind, switches in changes:
            for channel, value in switches.items():
                if value is not None:
                    (on if value else off).append((kind, channel))
        await self.directory.set_kind_preferences(viewer.user_id, on, off)
        return await self.kind_preferences(viewer.user_id)

    # ------------------------------------------------------------ one-click unsubscribe
    def unsubscribe_kind(self, token: str) -> str:
        """The kind of email a link stops (BAD_USER_INPUT when forged), stopping nothing."""
        return self.unsubscribe_links.open(token)[1]

    async def unsubscribe(self, token: str) -> str:
        """Stops the link's kind of email for the link's user; returns that kind."""
        user_id, kind = self.unsubscribe_links.open(token)
        await self.directory.set_kind_preferences(user_id, on=[], off=[(kind, "EMAIL")])
        return kind

    # ------------------------------------------------------------ operations
    async def dead_letters(self, first: int | None) -> list[DeliveryFailure]:
        return await self.queue.dead_letters(page_size(first))


def _is_position(position: object) -> bool:
    return (
        isinstance(position, list)
        and len(position) == 2
        and isinstance(position[0], int)
        and isinstance(position[1], str)
    )


def _text(field: str, value: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise BadUserInput(field, f"{field} must not be empty")
    if len(cleaned) > limit:
        raise BadUserInput(field, f"{field} must be at most {limit} characters")
    return cleaned


def _link(link: str | None, production: bool) -> str | None:
    if link is None or not link.strip():
        return None
    link = link.strip()
    parts = urlsplit(link)
    schemes = ("https",) if production else ("https", "http")
    if parts.scheme not in schemes or not parts.netloc or len(link) > MAX_LINK:
        raise BadUserInput("link", "link must be an absolute " + " or ".join(schemes) + " URL")
    return link


def _key(field: str, value: str, length: int) -> None:
    text = value.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadUserInput(field, f"{field} must be base64url") from exc
    if len(raw) != length:
        raise BadUserInput(field, f"{field} must be {length} bytes")
