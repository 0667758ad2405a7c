"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads, through pywebpush."""

from __future__ import annotations

import base64
import json
import logging

import aiohttp
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from ..domain import Delivery
from ..settings import NotificationSettings
from . import AddressGone, DeliveryError, PermanentFailure

log = logging.getLogger("skill_circle.notifications.push")
PUSH_TTL_SECONDS = 24 * 3600


def load_vapid(settings: NotificationSettings) -> Vapid | None:
    """The configured VAPID key; outside production a key kept in data_dir; else None."""
    key = settings.vapid_private_key.strip()
    if key:
        return Vapid.from_pem(key.encode()) if "-----BEGIN" in key else Vapid.from_string(key)
    if settings.environment == "production":
        return None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Generated (and saved) on first use; development and test only.
    return Vapid.from_file(str(settings.data_dir / "vapid_private.pem"))


def application_server_key(vapid: Vapid) -> str:
    """The public key browsers subscribe with (base64url, uncompressed P-256 point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushSender:
    def __init__(self, settings: NotificationSettings, vapid: Vapid | None) -> None:
        self.vapid = vapid
        self.subject = settings.vapid_subject
        self.timeout = aiohttp.ClientTimeout(total=settings.channel_timeout_seconds)
        self.public_key = settings.vapid_public_key or (
            application_server_key(vapid) if vapid else ""
        )

    @property
    def configured(self) -> bool:
        return self.vapid is not None

    async def send(self, delivery: Delivery) -> None:
        if self.vapid is None:
            raise PermanentFailure("web push is not configured (no VAPID key)")
        payload = {
            "id": delivery.notification_id,
            "kind": delivery.kind,
            "title": delivery.subject,
            "body": delivery.text,
            "link": delivery.link,
        }
        subscription = {"endpoint": delivery.address, "keys": dict(delivery.push_keys)}
        try:
            await webpush_async(
                subscription,
                data=json.dumps(payload),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},  # fresh: pywebpush adds aud and exp
                ttl=PUSH_TTL_SECONDS,
                timeout=self.timeout,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in (404, 410):
                raise AddressGone(f"push subscription gone ({status})") from exc
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                raise PermanentFailure(f"push service answered {status}") from exc
            raise DeliveryError(f"push service answered {status}") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
