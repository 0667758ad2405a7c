"""Channel deliveries against real servers in this process: SMTP (aiosmtpd), a web push
service and an SMS provider webhook (aiohttp), with retries and dead letters on real Redis."""

from __future__ import annotations

import asyncio
import base64
import email
import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput
from subgraphs.common.sealed import seal
from subgraphs.common.settings import DEV_MAIL_LINK_KEY
from subgraphs.notifications.domain import Delivery, derived_id
from tests.support.mail import SmtpServer, bodies, message_id_of
from tests.support.providers import Provider
from tests.support.servers import free_port

from .test_inbox import achievement, event, handle, registered


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider().start()
    yield found
    found.stop()


async def test_email_goes_over_smtp_as_text_and_escaped_html(
    make_harness: Any, smtp: SmtpServer
) -> None:
    h = await make_harness(smtp_host=smtp.host, smtp_port=smtp.port)
    h.start_worker()
    await handle(h, registered("u-mail", "mail-1@example.com"))
    unlocked = event(
        "achievement.unlocked",
        {
            "userId": "u-mail",
            "achievementId": "a",
            "code": "X",
            "title": "<script>alert(1)</script>",
            "description": "Tom & Jerry",
        },
    )
    await handle(h, unlocked)

    messages = await smtp.mailbox.wait_for("mail-1@example.com", count=2)
    verify = next(m for m in messages if m["Subject"] == "Verify your email address")
    link = "https://skillcircle.test/verify-email?token=t0k3n"
    assert link in bodies(verify)["text/plain"]
    assert f'href="{link}"' in bodies(verify)["text/html"]
    badge = next(m for m in messages if m["Subject"].startswith("Achievement unlocked"))
    text, html = bodies(badge)["text/plain"], bodies(badge)["text/html"]
    assert "<script>alert(1)</script>" in text and "Tom & Jerry" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "Tom &amp; Jerry" in html
    assert badge["From"].startswith("Skill Circle")
    # Derived from the event, whole (a ':' in it used to cut the header to "<uuid").
    notification_id = derived_id(unlocked.id, "ACHIEVEMENT", "u-mail")
    assert message_id_of(badge) == f"<{notification_id}.email@skillcircle.notifications>"


async def test_preferences_decide_the_channels_but_security_email_always_goes(
    make_harness: Any, smtp: SmtpServer
) -> None:
    h = await make_harness(smtp_host=smtp.host, smtp_port=smtp.port)
    h.start_worker()
    address = "quiet@example.com"
    await handle(h, registered("u-quiet", address, emailNotifications=False))
    await smtp.mailbox.wait_for(address, count=1)  # the verification email
    await handle(h, achievement("u-quiet", 1))
    await handle(
        h,
        event(
            "user.password_reset_requested",
            {
                **registered("u-quiet", address, emailNotifications=False).payload,
                "sealedLink": seal(
                    DEV_MAIL_LINK_KEY, "https://skillcircle.test/reset-password?token=r3s3t"
                ),
            },
        ),
    )
    messages = await smtp.mailbox.wait_for(address, count=2)
    await asyncio.sleep(0.3)
    subjects = sorted(m["Subject"] for m in smtp.mailbox.to(address))
    assert subjects == ["Reset your password", "Verify your email address"]
    reset = next(m for m in messages if m["Subject"] == "Reset your password")
    assert "reset-password?token=r3s3t" in bodies(reset)["text/plain"]
    # The achievement is in the inbox all the same.
    assert (await h.deps.store.unread_counts(["u-quiet"]))["u-quiet"] == 2


async def test_a_failing_channel_is_retried_then_dead_lettered_without_blocking_the_inbox(
    make_harness: Any,
) -> None:
    h = await make_harness(smtp_host="127.0.0.1", smtp_port=free_port(), delivery_max_attempts=3)
    h.start_worker()
    await handle(h, registered("u-down", "down@example.com"))
    await handle(h, achievement("u-down", 1))
    # In the inbox at once, whatever the channels do.
    assert (await h.deps.store.unread_counts(["u-down"]))["u-down"] == 2

    failures = await eventually(lambda: h.deps.service.dead_letters(10))
    assert {(f.kind, f.channel, f.attempts) for f in failures} >= {("SECURITY", "EMAIL", 3)}
    failures = await eventually(
        lambda: _when(h.deps.service.dead_letters(10), lambda found: len(found) == 2)
    )
    assert sorted(f.kind for f in failures) == ["ACHIEVEMENT", "SECURITY"]
    assert all(f.user_id == "u-down" and "Connect" in f.error for f in failures)
    assert await h.deps.queue.pending() == 0
    assert [h.deps.worker.backoff(n) for n in (1, 2, 3)] == [0.05, 0.1, 0.2]


async def test_emails_go_one_at_a_time_while_other_channels_go_in_parallel(
    make_harness: Any,
) -> None:
    """At most one email between the server's acceptance and the send being recorded:
    a crash then resends at most one. Other channels keep their concurrency."""
    h = await make_harness()
    in_flight: dict[str, int] = {"EMAIL": 0, "SMS": 0}
    most: dict[str, int] = {"EMAIL": 0, "SMS": 0}
    sent: list[str] = []

    async def send(delivery: Delivery) -> None:
        in_flight[delivery.channel] += 1
        most[delivery.channel] = max(most[delivery.channel], in_flight[delivery.channel])
        await asyncio.sleep(0.02)
        sent.append(delivery.id)
        in_flight[delivery.channel] -= 1

    h.deps.worker.senders = {"EMAIL": send, "SMS": send}
    for n in range(20):
        for channel in ("EMAIL", "SMS"):
            await h.deps.queue.enqueue(
                Delivery(f"d{n}:{channel}", channel, "u-lane", "ACHIEVEMENT", "a", "s", "t")
            )
    h.start_worker()
    assert await eventually(lambda: _when(h.deps.queue.pending(), lambda left: left == 0))
    assert len(sent) == 40
    assert most == {"EMAIL": 1, "SMS": most["SMS"]} and most["SMS"] > 1


async def _when(found: Awaitable[Any], condition: Callable[[Any], bool]) -> Any:
    """`found`'s value when it meets the condition (True for a falsy value that does), else None."""
    value = await found
    if not condition(value):
        return None
    return value or True


def push_keys() -> tuple[ec.EllipticCurvePrivateKey, str, bytes, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    return private, b64url(public), auth, b64url(auth)


async def test_web_push_is_encrypted_for_the_subscription_and_gone_ones_are_forgotten(
    make_harness: Any, provider: Provider
) -> None:
    h = await make_harness()
    h.start_worker()
    await handle(h, registered("u-push", "push@example.com", emailNotifications=False))
    private, p256dh, auth, auth_text = push_keys()
    endpoint = f"{provider.url}/push/device-1"
    me = Viewer("u-push")
    assert await h.deps.service.register_push_subscription(me, endpoint, p256dh, auth_text)
    await handle(
        h,
        event(
            "certificate.issued",
            {
                "userId": "u-push",
                "skillId": "s1",
                "certificateId": "c1",
                "verificationCode": "VC-1",
            },
        ),
    )

    received = await eventually(lambda: _now(provider.requests_to("/push/")))
    headers, body = received[0]
    assert headers["Content-Encoding"] == "aes128gcm"
    assert headers["Authorization"].startswith("vapid t=")
    assert h.deps.push.public_key in headers["Authorization"]
    payload = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth))
    assert payload["kind"] == "CERTIFICATE" and payload["link"].endswith("/certificates/VC-1")

    provider.push_status = 410  # the browser unsubscribed
    await handle(h, achievement("u-push", 1))
    await eventually(lambda: _now(len(provider.requests_to("/push/")) == 2))
    recipient = await eventually(
        lambda: _when(
            h.deps.directory.recipients(["u-push"]), lambda r: not r["u-push"].push_subscriptions
        )
    )
    assert recipient is not None
    assert await h.deps.service.dead_letters(10) == []

    with pytest.raises(BadUserInput):
        await h.deps.service.register_push_subscription(me, endpoint, "bad key", auth_text)


async def test_sms_goes_to_the_provider_webhook_with_the_bearer_token(
    make_harness: Any, provider: Provider
) -> None:
    h = await make_harness(sms_webhook_url=f"{provider.url}/sms", sms_webhook_token="s3cret")
    h.start_worker()
    await handle(
        h, registered("u-sms", "sms@example.com", emailNotifications=False, smsNotifications=True)
    )
    with pytest.raises(BadUserInput):
        await h.deps.service.register_sms_number(Viewer("u-sms"), "12345")
    await h.deps.service.register_sms_number(Viewer("u-sms"), "+49 151 1234 5678")
    [code_sms] = await provider.wait_for_sms("+4915112345678")
    await h.deps.service.verify_sms_number(Viewer("u-sms"), code_of(code_sms))
    await handle(h, achievement("u-sms", 7))

    received = await provider.wait_for_sms("+4915112345678", count=2)
    headers, body = provider.requests_to("/sms")[1]
    assert headers["Authorization"] == "Bearer s3cret"
    message = json.loads(body)
    assert message["to"] == "+4915112345678" and message["body"] == received[1]
    assert message["body"].startswith("Skill Circle: Achievement unlocked: Badge 7")
    assert headers["Idempotency-Key"] == message["reference"]


def code_of(text: str) -> str:
    """The verification code in an SMS."""
    match = re.search(r"your code is ([0-9]{6})\.", text)
    assert match, text
    return match.group(1)


async def test_no_push_subscription_means_no_push_delivery_and_no_smtp_means_outbox(
    make_harness: Any, tmp_path: Any
) -> None:
    h = await make_harness()  # no SMTP host: the development outbox
    await handle(h, registered("u-none", "none@example.com"))
    await handle(
        h,
        event(
            "user.preferences_updated",
            dict(registered("u-none", "none@example.com", emailNotifications=False).payload),
            at=datetime.now(UTC),
        ),
    )
    await handle(h, achievement("u-none", 1))
    assert await h.deps.queue.pending() == 1  # only the verification email: no push, no email
    h.start_worker()
    outbox = tmp_path / "outbox"
    written = await eventually(lambda: _now(sorted(outbox.glob("*.eml"))))
    assert len(written) == 1
    saved = email.message_from_bytes(written[0].read_bytes())
    assert "verify-email?token=t0k3n" in bodies(saved)["text/plain"]
    assert await eventually(lambda: _when(h.deps.queue.pending(), lambda n: n == 0), timeout=5)
    assert await h.deps.service.dead_letters(10) == []


async def _now(value: Any) -> Any:
    return value
