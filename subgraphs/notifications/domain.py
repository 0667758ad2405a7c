"""The values the notifications subgraph works with (no GraphQL, no Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..common.ratelimit import Limit

# Abuse budgets: registering addresses to deliver to, and announcing to everyone.
PUSH_REGISTRATIONS = Limit("push-registration:user", 10, 3600)
SMS_REGISTRATIONS = Limit("sms-registration:user", 5, 86400)
# Verification codes: one a minute per account, and a cap per number whoever asks for
# them (many accounts must not make one number a target).
SMS_CODES_PER_USER = Limit("sms-code:user", 1, 60)
SMS_CODES_PER_NUMBER = Limit("sms-code:number", 5, 86400)
ANNOUNCEMENTS = Limit("announcement:user", 10, 3600)

KINDS = ("WELCOME", "PROGRESS", "ACHIEVEMENT", "CERTIFICATE", "CONTENT", "ANNOUNCEMENT", "SECURITY")
CHANNELS = ("EMAIL", "SMS", "PUSH")
# The kinds that also go out by email, SMS and push, each of which a user can stop per
# channel (the welcome is in-app only; account emails always go: SECURITY is not here).
CHANNEL_KINDS = ("PROGRESS", "ACHIEVEMENT", "CERTIFICATE", "CONTENT", "ANNOUNCEMENT")
KindChannel = tuple[str, str]

# Ids derived from event ids: a redelivered event yields the same ids.
_NAMESPACE = uuid.UUID("6f1d7c52-1b8e-4a53-9b0e-5c4a2f7d9e10")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


@dataclass(frozen=True)
class Notification:
    """One entry of a user's in-app inbox."""

    id: str
    user_id: str
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None = None
    # The parts of the title and body (a skill's name, a code) that email, SMS and push
    # templates word in the user's locale; not stored, not in the inbox.
    params: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def to_message(self) -> dict[str, Any]:
        """The JSON form published on the live channel."""
        return {
            "id": self.id,
            "userId": self.user_id,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "link": self.link,
            "createdAt": self.created_at.isoformat(),
            "readAt": self.read_at.isoformat() if self.read_at else None,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Notification:
        return cls(
            id=message["id"],
            user_id=message["userId"],
            kind=message["kind"],
            title=message["title"],
            body=message["body"],
            link=message.get("link"),
            created_at=datetime.fromisoformat(message["createdAt"]),
            read_at=datetime.fromisoformat(message["readAt"]) if message.get("readAt") else None,
        )


@dataclass(frozen=True)
class Recipient:
    """What the local user directory knows of an account (from users' events)."""

    user_id: str
    email: str = ""
    display_name: str = ""
    locale: str = "en"
    email_notifications: bool = True
    sms_notifications: bool = False
    push_notifications: bool = True
    phone_number: str = ""
    phone_verified: bool = False  # proved with a code: no other SMS goes to it before
    push_subscriptions: tuple[PushSubscription, ...] = ()
    stopped: frozenset[KindChannel] = frozenset()  # per-kind preferences: (kind, channel) off

    def wants(self, kind: str, channel: str) -> bool:
        """Whether `kind` may reach the user on `channel`, by the per-kind preferences
        (the per-channel switches are checked with the addresses)."""
        return (kind, channel) not in self.stopped


@dataclass(frozen=True)
class SmsNumber:
    """The number a user's SMS go to, and whether its owner proved it with a code."""

    number: str
    verified: bool


@dataclass(frozen=True)
class KindPreference:
    """Per-channel switches of one notification kind (the in-app inbox always gets it)."""

    kind: str
    email: bool = True
    sms: bool = True
    push: bool = True

    def switches(self) -> dict[str, bool]:
        return {"EMAIL": self.email, "SMS": self.sms, "PUSH": self.push}

    @classmethod
    def of(cls, kind: str, stopped: frozenset[KindChannel]) -> KindPreference:
        return cls(
            kind,
            email=(kind, "EMAIL") not in stopped,
            sms=(kind, "SMS") not in stopped,
            push=(kind, "PUSH") not in stopped,
        )


@dataclass(frozen=True)
class PushSubscription:
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Delivery:
    """One message on one channel to one address, retried until it goes or dies."""

    id: str
    channel: str
    user_id: str
    kind: str
    address: str  # email address, phone number or push endpoint
    subject: str
    text: str
    html: str = ""
    link: str | None = None
    notification_id: str | None = None
    push_keys: dict[str, str] = field(default_factory=dict)
    unsubscribe: str | None = None  # emails: the signed one-click unsubscribe URL (RFC 8058)
    attempts: int = 0
    last_error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Delivery:
        return cls(**data)


@dataclass(frozen=True)
class DeliveryFailure:
    """A delivery that ran out of attempts: kept for an admin to inspect."""

    delivery_id: str
    channel: str
    user_id: str
    kind: str
    notification_id: str | None
    attempts: int
    error: str
    failed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failed_at": self.failed_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeliveryFailure:
        return cls(**{**data, "failed_at": datetime.fromisoformat(data["failed_at"])})
