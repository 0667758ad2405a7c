"""Turns notifications into inbox entries, live messages and channel deliveries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from ..common.events import LiveChannels
from .directory import UserDirectory
from .domain import CHANNEL_KINDS, Delivery, Notification, Recipient, derived_id
from .message_templates.rendering import MessageRenderer
from .store import Dispatch, InboxStore
from .unsubscribe import UnsubscribeLinks

log = logging.getLogger("skill_circle.notifications.notifier")

LIVE_CONCURRENCY = 64


class Notifier:
    def __init__(
        self,
        store: InboxStore,
        directory: UserDirectory,
        live: LiveChannels,
        renderer: MessageRenderer,
        unsubscribe: UnsubscribeLinks,
        on_queued: Callable[[], None],
        *,
        sms_enabled: bool,
        push_enabled: bool,
        batch_size: int,
    ) -> None:
        self.store = store
        self.directory = directory
        self.live = live
        self.renderer = renderer
        self.unsubscribe = unsubscribe
        self.on_queued = on_queued  # wakes the delivery worker
        self.sms_enabled = sms_enabled
        self.push_enabled = push_enabled
        self.batch_size = batch_size

    async def notify(self, notifications: Sequence[Notification]) -> int:
        """Writes each notification once (with its deliveries), then tells open subscriptions."""
        written = 0
        for start in range(0, len(notifications), self.batch_size):
            batch = notifications[start : start + self.batch_size]
            recipients = await self.directory.recipients(sorted({n.user_id for n in batch}))
            await self.renderer.refresh()
            dispatches = [
                Dispatch(n.id, n, self.deliveries(n, recipients[n.user_id])) for n in batch
            ]
            fresh = await self.store.write(dispatches)
            if any(d.deliveries for d in fresh):
                self.on_queued()
            await self._publish([d.notification for d in fresh if d.notification])
            written += len(fresh)
        return written

    async def send_security_email(
        self, dispatch_id: str, address: str, user_id: str, template: str, **context: object
    ) -> None:
        """An account email (verification, reset): sent whatever the user's preferences."""
        await self.renderer.refresh()
        body = self.renderer.email(template, email=address, **context)
        email = _security(dispatch_id, "EMAIL", user_id, address, body.subject, body.text)
        email.html, email.link = body.html, str(context.get("link") or "") or None
        await self._send_alone(dispatch_id, email)

    async def send_security_sms(
        self, dispatch_id: str, number: str, user_id: str, template: str, **context: object
    ) -> None:
        """An account SMS (a number's verification code), the only kind an unverified
        number gets."""
        await self.renderer.refresh()
        text = self.renderer.sms(template, **context)
        await self._send_alone(
            dispatch_id, _security(dispatch_id, "SMS", user_id, number, "Skill Circle", text)
        )

    async def _send_alone(self, dispatch_id: str, delivery: Delivery) -> None:
        """Queues one delivery of its own (once per dispatch id) and wakes the worker."""
        if await self.store.write([Dispatch(dispatch_id, deliveries=[delivery])]):
            self.on_queued()

    def deliveries(self, notification: Notification, recipient: Recipient) -> list[Delivery]:
        """The channel deliveries the recipient's preferences (per channel, then per kind)
        and addresses allow."""
        if notification.kind not in CHANNEL_KINDS:
            return []
        n, template, wants = notification, notification.kind.lower(), recipient.wants
        context = {
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "display_name": recipient.display_name,
            "locale": recipient.locale,
            **n.params,
        }
        found = []
        if recipient.email and recipient.email_notifications and wants(n.kind, "EMAIL"):
            unsubscribe = self.unsubscribe.link(n.user_id, n.kind)
            body = self.renderer.email(template, unsubscribe_link=unsubscribe, **context)
            email = _delivery(n, "EMAIL", "email", recipient.email, body.subject, body.text)
            email.html, email.unsubscribe = body.html, unsubscribe
            found.append(email)
        sms_on = recipient.sms_notifications and wants(n.kind, "SMS")
        if self.sms_enabled and sms_on and recipient.phone_number and recipient.phone_verified:
            text = self.renderer.sms(template, **context)
            found.append(_delivery(n, "SMS", "sms", recipient.phone_number, n.title, text))
        push_on = recipient.push_notifications and wants(n.kind, "PUSH")
        if self.push_enabled and push_on and recipient.push_subscriptions:
            text = self.renderer.push(template, **context)
            title = self.renderer.subject(template, **context)
            for subscription in recipient.push_subscriptions:
                suffix = f"push:{derived_id(subscription.endpoint)}"
                push = _delivery(n, "PUSH", suffix, subscription.endpoint, title, text)
                push.push_keys = {"p256dh": subscription.p256dh, "auth": subscription.auth}
                found.append(push)
        return found

    async def _publish(self, notifications: Sequence[Notification]) -> None:
        """Live messages are best effort: the inbox already holds every notification."""
        slots = asyncio.Semaphore(LIVE_CONCURRENCY)

        async def publish(notification: Notification) -> None:
            async with slots:
                try:
                    await self.live.publish(
                        channel_of(notification.user_id), notification.to_message()
                    )
                except Exception:
                    log.exception("live message for notification %s failed", notification.id)

        await asyncio.gather(*(publish(n) for n in notifications))


def _delivery(
    n: Notification,
    channel: str,
    suffix: str,
    address: str,
    subject: str,
    text: str,
) -> Delivery:
    """A delivery of notification `n`, its id derived from the notification's."""
    return Delivery(
        id=f"{n.id}:{suffix}",
        channel=channel,
        user_id=n.user_id,
        kind=n.kind,
        address=address,
        subject=subject,
        text=text,
        link=n.link,
        notification_id=n.id,
    )


def _security(
    dispatch_id: str, channel: str, user_id: str, address: str, subject: str, text: str
) -> Delivery:
    """An account message (kind SECURITY): sent whatever the user's preferences."""
    return Delivery(
        id=f"{dispatch_id}:{channel.lower()}",
        channel=channel,
        user_id=user_id,
        kind="SECURITY",
        address=address,
        subject=subject,
        text=text,
    )


# Live delivery to open subscriptions, on the shared LiveChannels.


def channel_of(user_id: str) -> str:
    """Where a user's new notifications are published; every replica listens there."""
    return f"notifications:{user_id}"
