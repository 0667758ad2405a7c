"""Verifying SMS numbers: a 6-digit code is sent to a newly registered number and kept
here hashed (HMAC, bound to the user and the number), with an expiry and an attempt
limit. Until its owner types the code back, no other SMS goes to the number: the
notifier queues none and the SMS sender refuses any that was queued before.

`notif:smscode:{user}` is a hash {number, digest, attempts} that expires with the code;
a new code replaces the old one, the last wrong attempt deletes it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from redis.asyncio import Redis
from redis.exceptions import WatchError

from ..common.errors import BadUserInput
from .store import text_of

CODE_DIGITS = 6


def sms_code_key(user_id: str) -> str:
    return f"notif:smscode:{user_id}"


class SmsCodes:
    def __init__(self, redis: Redis, secret_key: str, ttl_seconds: int, attempts: int) -> None:
        self.redis = redis
        # A key of its own, derived from the deployment's secret for this purpose only.
        self.key = hmac.new(secret_key.encode(), b"sms-number-codes", hashlib.sha256).digest()
        self.ttl_seconds = ttl_seconds
        self.attempts = attempts

    def _digest(self, user_id: str, number: str, code: str) -> str:
        message = f"{user_id}|{number}|{code}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    async def issue(self, user_id: str, number: str) -> str:
        """A fresh code for `number` (any earlier code of the user is void); the code itself
        is returned to be sent, never stored."""
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        key = sms_code_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(
                key,
                mapping={
                    "number": number,
                    "digest": self._digest(user_id, number, code),
                    "attempts": 0,
                },
            )
            pipe.expire(key, self.ttl_seconds)
            await pipe.execute()
        return code

    async def redeem(self, user_id: str, code: str) -> str:
        """The number `code` proves (the code is used up); BAD_USER_INPUT (field code) when
        no code is pending or it expired, or the code is wrong: each wrong try counts, and
        the last one allowed voids the code."""
        key = sms_code_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)  # concurrent guesses are counted one by one
                    row = {text_of(k): text_of(v) for k, v in (await pipe.hgetall(key)).items()}
                    if "digest" not in row:
                        raise BadUserInput(
                            "code",
                            "No SMS code is pending, or it expired: register the number "
                            "again for a new code",
                        )
                    expected = self._digest(user_id, row["number"], code)
                    right = hmac.compare_digest(expected, row["digest"])
                    tries = int(row["attempts"]) + 1
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    if right or tries >= self.attempts:
                        pipe.delete(key)
                    else:
                        pipe.hincrby(key, "attempts", 1)
                    await pipe.execute()
                    break
                except WatchError:
                    continue
        if right:
            return row["number"]
        if tries >= self.attempts:
            raise BadUserInput(
                "code", "Wrong code, and no tries are left: register the number again"
            )
        left = self.attempts - tries
        raise BadUserInput("code", f"Wrong code: {left} {'try' if left == 1 else 'tries'} left")
