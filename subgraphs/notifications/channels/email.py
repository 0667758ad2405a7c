"""Email over SMTP (aiosmtplib); without an SMTP host, .eml files in a local outbox."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib

from ..domain import Delivery
from ..settings import NotificationSettings
from . import DeliveryError, PermanentFailure

log = logging.getLogger("skill_circle.notifications.email")

# Headers up to SMTP's 998-character line limit: a List-Unsubscribe URL has no space to
# fold at, and at 78 the email package made it an RFC 2047 encoded word no client reads.
WIRE = SMTP.clone(max_line_length=998)


def message_id(delivery_id: str) -> str:
    """The Message-ID of a delivery's email, derived from its id (itself derived from the
    event's): a retried or redelivered send carries the same one, the receivers'
    idempotency key. A valid dot-atom: with a ':' in it, the email package cut the
    header short ("<uuid", no domain)."""
    return f"<{delivery_id.replace(':', '.')}@skillcircle.notifications>"


class EmailSender:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings

    async def send(self, delivery: Delivery) -> None:
        message = self.message(delivery).as_bytes(policy=WIRE)
        if not self.settings.smtp_host:
            path = await asyncio.to_thread(self._write_to_outbox, delivery.id, message)
            log.info(
                "email to %s written to %s (no SMTP host configured); link: %s",
                delivery.address,
                path,
                delivery.link or "-",
            )
            return
        s = self.settings
        try:
            await aiosmtplib.send(
                message,
                sender=parseaddr(s.smtp_from)[1],
                recipients=[delivery.address],
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                use_tls=s.smtp_tls,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def message(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = delivery.address
        message["Subject"] = delivery.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id(delivery.id)
        if delivery.unsubscribe:  # RFC 2369 + RFC 8058: one click, by POST, no login
            message["List-Unsubscribe"] = f"<{delivery.unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(delivery.text)
        if delivery.html:
            message.add_alternative(delivery.html, subtype="html")
        return message

    def _write_to_outbox(self, name: str, message: bytes) -> Path:
        outbox = self.settings.email_outbox
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{name}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(message)
        partial.replace(path)
        return path
