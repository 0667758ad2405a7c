"""One-time links sealed for the one service that mails them.

Password-reset and email-verification links are secrets: whoever reads one can
take over or verify the account. They travel inside users' events (through its
outbox, so that a Redis outage delays the email instead of losing it) but only
sealed: Fernet (AES-128-CBC + HMAC-SHA256) under `SKILL_CIRCLE_MAIL_LINK_KEY`,
a key only users (which seals) and notifications (which sends the email) hold.
The stream, every consumer group, the dead letters and users' outbox table see
ciphertext only.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["InvalidToken", "seal", "unseal"]


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def seal(key: str, secret: str) -> str:
    return _fernet(key).encrypt(secret.encode()).decode()


def unseal(key: str, sealed: str) -> str:
    """The secret; InvalidToken when sealed under another key or tampered with."""
    return _fernet(key).decrypt(sealed.encode()).decode()
