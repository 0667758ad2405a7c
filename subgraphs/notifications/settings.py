"""Settings of the notifications subgraph: the shared ones plus its channels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from ..common.settings import Settings


class NotificationSettings(Settings):
    """Every field is `SKILL_CIRCLE_<NAME>`, like the shared settings."""

    service: str = "notifications"

    # Email. No SMTP host: messages go to `outbox_dir` (default data_dir/outbox) as .eml.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool | None = None  # None: STARTTLS when the server offers it
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_from: str = "Skill Circle <no-reply@skillcircle.local>"
    smtp_timeout_seconds: float = 10.0
    outbox_dir: Path | None = None
    # Where recipients reach this subgraph's one-click unsubscribe route (GET and POST
    # /unsubscribe, docs/notifications.md): the public URL the deployment routes to it.
    unsubscribe_url: str = "http://localhost:4006/unsubscribe"

    # SMS through the provider's HTTP webhook (no URL: the channel is off).
    sms_webhook_url: str = ""
    sms_webhook_token: str = ""
    # A number gets SMS only once verified with the code sent to it (sms_numbers.py).
    sms_code_ttl_seconds: int = 600
    sms_code_attempts: int = 5

    # Web push. No private key: a development key is made in data_dir (not in production).
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = "mailto:no-reply@skillcircle.local"
    # Push endpoints must be on one of these hosts (or their subdomains): the
    # browsers' push services. Empty: any host. Either way a push is sent only to
    # public addresses (never private, loopback or link-local: no SSRF into the
    # cluster) unless push_to_private_addresses (tests with a local push service).
    push_service_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "fcm.googleapis.com",  # Chrome, Edge (Chromium), Opera
            "push.services.mozilla.com",  # Firefox
            "push.apple.com",  # Safari
            "notify.windows.com",  # legacy Edge
        ]
    )
    push_to_private_addresses: bool = False
    max_push_subscriptions_per_user: int = 10

    # Inbox and delivery.
    inbox_retention: int = 500
    announcement_batch_size: int = 500
    delivery_max_attempts: int = 5
    delivery_retry_base_seconds: float = 2.0
    delivery_retry_max_seconds: float = 600.0
    delivery_lease_seconds: float = 60.0
    delivery_concurrency: int = 20
    # Emails in flight at once, within delivery_concurrency: a crash can resend each
    # one the SMTP server accepted but the worker had not recorded (channels/deliveries.py).
    email_concurrency: int = 1
    delivery_poll_seconds: float = 0.5
    channel_timeout_seconds: float = 10.0
    dead_letter_limit: int = 1000

    @field_validator("push_service_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _require_production_channels(self) -> NotificationSettings:
        if self.environment == "production" and not self.smtp_host:
            raise ValueError("refusing to start in production: SKILL_CIRCLE_SMTP_HOST is required")
        if self.inbox_retention < 1:
            raise ValueError("SKILL_CIRCLE_INBOX_RETENTION must be at least 1")
        return self

    @property
    def email_outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"
