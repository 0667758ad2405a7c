"""The tests' SMTP server (aiosmtpd) and what they read of the emails it received; the
stack's notifications process restarted to send to it."""

from __future__ import annotations

import asyncio
import email
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from .process import Process
from .stack import Stack


@dataclass
class Mailbox:
    """Everything the SMTP server received, parsed."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 15) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} email(s) to {address} expected; got {len(self.to(address))}")

    async def with_subjects(
        self, address: str, subjects: list[str], timeout: float = 30
    ) -> dict[str, Message]:
        """The emails to `address` with these subjects, once all arrived, by subject (other
        emails may come between them: an announcement of another test, say)."""
        deadline = time.monotonic() + timeout
        while True:
            found = {subject_of(m): m for m in self.to(address)}
            if all(subject in found for subject in subjects):
                return {subject: found[subject] for subject in subjects}
            if time.monotonic() > deadline:
                raise AssertionError(f"{subjects} to {address} expected; got {list(found)}")
            await asyncio.sleep(0.05)


def bodies(message: Message) -> dict[str, str]:
    """The decoded text/plain and text/html parts of an email."""
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def subject_of(message: Message) -> str:
    """The Subject header decoded (a non-ASCII one travels as RFC 2047 encoded words)."""
    return str(make_header(decode_header(str(message["Subject"]))))


def message_id_of(message: Message) -> str:
    """The Message-ID header unfolded (a long one arrives folded over two lines)."""
    return "".join(str(message["Message-ID"]).split())


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@contextmanager
def restarted_with(process: Process, env: Mapping[str, str]) -> Iterator[Process]:
    """The process restarted with `env` added, and restarted as it was afterwards."""
    saved = dict(process.env)
    process.env.update(env)
    process.stop()
    process.start()
    try:
        yield process
    finally:
        process.env = saved
        process.stop()
        process.start()


def unsubscribe_url(stack: Stack) -> str:
    """Where the stack's notifications process serves the unsubscribe route."""
    return f"http://127.0.0.1:{stack.ports['notifications']}/unsubscribe"
