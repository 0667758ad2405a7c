"""One-click unsubscribe links (RFC 8058): signed, no login, one kind of email each.

The token seals `{"user": id, "kind": KIND}` with common/sealed.py (Fernet: encrypted
and HMAC-signed) under a key derived from `SKILL_CIRCLE_MAIL_LINK_KEY` for this purpose
only: nobody can make one for another user or kind, or read whose it is. It does not
expire: an unsubscribe link in an old email must still work, and using it twice only
stops the same emails twice.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from ..common.errors import BadUserInput
from ..common.sealed import InvalidToken, seal, unseal
from .domain import CHANNEL_KINDS

PURPOSE = "notifications.unsubscribe:"
MAX_TOKEN = 1000


class UnsubscribeLinks:
    def __init__(self, key: str, url: str) -> None:
        self.key = PURPOSE + key  # sealed.py hashes it: a key of its own, apart from mail links
        self.url = url

    def link(self, user_id: str, kind: str) -> str:
        token = seal(self.key, json.dumps({"user": user_id, "kind": kind}))
        return f"{self.url}?{urlencode({'token': token})}"

    def open(self, token: str) -> tuple[str, str]:
        """(user id, kind) of a token; BAD_USER_INPUT (token) when forged or tampered with."""
        try:
            if len(token) > MAX_TOKEN:
                raise InvalidToken
            found = json.loads(unseal(self.key, token))
            user_id, kind = str(found["user"]), str(found["kind"])
        except (InvalidToken, ValueError, KeyError, TypeError) as exc:
            raise BadUserInput("token", "This unsubscribe link is invalid") from exc
        if kind not in CHANNEL_KINDS:
            raise BadUserInput("token", "This unsubscribe link is invalid")
        return user_id, kind
