"""What the notifications subgraph holds about a user, exported and erased along one inventory.

Its store is Redis itself, as is the stream: the erasure runs first, then
`account.data_erased` is published (the XADD is the commit). A crash in between
leaves the request unacknowledged; it is redelivered, erases nothing new and
reports then.
"""

from __future__ import annotations

from typing import Any

from ..common.events import EventBus
from ..common.events.contracts import AccountDataErased
from ..common.personal_data import ERASE, Holding, Inventory
from .directory import UserDirectory
from .queue import DeliveryQueue
from .store import InboxStore

INVENTORY = Inventory(
    "notifications",
    (
        Holding(
            "inbox", "In-app notifications, read or not.", ERASE, "Addressed to the user only."
        ),
        Holding(
            "profile",
            "Email, display name and channel preferences (copied from users' events), and the "
            "per-kind preferences set here (off:KIND:CHANNEL fields).",
            ERASE,
            "A copy for delivery; with the account gone there is nobody to deliver to.",
        ),
        Holding("sms_number", "The phone number SMS go to.", ERASE, "Contact data."),
        Holding(
            "push_subscriptions",
            "Web push endpoints (their keys are secrets: erased, never exported).",
            ERASE,
            "Contact data; the keys would let anyone push to the user's browser.",
        ),
        Holding(
            "followed_skills",
            "Skills the user has progress on (who hears of new content for a skill).",
            ERASE,
            "Derived from learning's events; nothing to announce to a deleted account.",
        ),
        Holding(
            "deliveries",
            "Emails, SMS and pushes still queued for the user, and failed ones.",
            ERASE,
            "Nothing must reach a deleted account; failures name its address.",
        ),
    ),
)


class NotificationsPersonalData:
    inventory = INVENTORY

    def __init__(
        self, store: InboxStore, directory: UserDirectory, queue: DeliveryQueue, bus: EventBus
    ) -> None:
        self.store = store
        self.directory = directory
        self.queue = queue
        self.bus = bus

    async def export(self, user_id: str) -> dict[str, Any]:
        queued, failed = await self.queue.of_user(user_id)
        return {
            "inbox": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "title": n.title,
                    "body": n.body,
                    "link": n.link,
                    "createdAt": n.created_at.isoformat(),
                    "readAt": n.read_at.isoformat() if n.read_at else None,
                }
                for n in await self.store.inbox_of(user_id)
            ],
            **await self.directory.personal_data(user_id),
            "deliveries": [
                {"channel": d.channel, "kind": d.kind, "address": d.address, "subject": d.subject}
                for d in queued
            ]
            + [{"channel": f.channel, "kind": f.kind, "error": f.error} for f in failed],
        }

    async def erase(self, user_id: str, deletion_id: str) -> None:
        erased = {
            "inbox": await self.store.erase_inbox(user_id),
            **await self.directory.erase_user(user_id),
            "deliveries": await self.queue.erase_user(user_id),
        }
        await self.bus.publish(
            AccountDataErased(
                deletion_id=deletion_id, user_id=user_id, subgraph="notifications", erased=erased
            )
        )
