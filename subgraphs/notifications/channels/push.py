"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads, through pywebpush."""

from __future__ import annotations

import base64
import json
import logging
import socket
from ipaddress import IPv6Address, ip_address
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from ...common.errors import BadUserInput
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


def check_endpoint(endpoint: str, settings: NotificationSettings) -> None:
    """BAD_USER_INPUT unless `endpoint` is a push service URL we may send to."""
    parts = urlsplit(endpoint)
    schemes = ("https",) if settings.environment == "production" else ("https", "http")
    host = (parts.hostname or "").lower()
    if parts.scheme not in schemes or not host or len(endpoint) > 2000:
        raise BadUserInput("endpoint", "endpoint must be the push service's https URL")
    known = settings.push_service_hosts
    if known and not any(host == k or host.endswith("." + k) for k in known):
        raise BadUserInput("endpoint", "endpoint must be at a known push service")
    literal = _literal(host)
    if literal is not None and not literal.is_global and not settings.push_to_private_addresses:
        raise BadUserInput("endpoint", "endpoint must be a public address")


def _literal(host: str) -> Any:
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class PublicResolver(AbstractResolver):
    """Resolves names to public addresses only: a push service's name that points at
    a private, loopback or link-local address (or is rebound to one) is unreachable."""

    def __init__(self) -> None:
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        public = [entry for entry in found if ip_address(entry["host"]).is_global]
        if not public:
            raise OSError(f"{host} resolves to no public address")
        return public

    async def close(self) -> None:
        await self._inner.close()


class _NoRedirects:
    """What pywebpush needs of an aiohttp session (`post`), never following redirects."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def post(self, url: str, **options: Any) -> aiohttp.ClientResponse:
        return await self.session.post(url, allow_redirects=False, **options)


class PushSender:
    def __init__(self, settings: NotificationSettings, vapid: Vapid | None) -> None:
        self.settings = settings
        self.vapid = vapid
        self.subject = settings.vapid_subject
        self.timeout = aiohttp.ClientTimeout(total=settings.channel_timeout_seconds)
        self.public_key = settings.vapid_public_key or (
            application_server_key(vapid) if vapid else ""
        )

    def _session(self) -> aiohttp.ClientSession:
        if self.settings.push_to_private_addresses:
            return aiohttp.ClientSession()
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=PublicResolver()))

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
        try:  # checked again at send time: the rules may have changed since registration
            check_endpoint(delivery.address, self.settings)
        except BadUserInput as refused:
            raise PermanentFailure(f"push endpoint refused: {refused.message}") from None
        try:
            async with self._session() as session:
                await webpush_async(
                    subscription,
                    data=json.dumps(payload),
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},  # fresh: pywebpush adds aud and exp
                    ttl=PUSH_TTL_SECONDS,
                    timeout=self.timeout,
                    aiohttp_session=_NoRedirects(session),
                )
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, OSError) and "no public address" in str(exc.os_error):
                raise PermanentFailure(str(exc.os_error)) from exc
            raise
        except WebPushException as exc:
            status = exc.status_code
            if status is not None and 300 <= status < 400:
                raise PermanentFailure(f"push service redirected ({status})") from exc
            if status in (404, 410):
                raise AddressGone(f"push subscription gone ({status})") from exc
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                raise PermanentFailure(f"push service answered {status}") from exc
            raise DeliveryError(f"push service answered {status}") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
