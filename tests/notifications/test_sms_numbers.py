"""SMS numbers are verified with a code before anything else is sent to them (real Redis,
the provider webhook stand-in of tests/support/providers.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput, RateLimited
from subgraphs.notifications.domain import Delivery, SmsNumber
from subgraphs.notifications.sms_numbers import sms_code_key
from tests.support.providers import Provider

from .test_channels import _when, code_of, eventually
from .test_inbox import achievement, handle, registered

NUMBER, OTHER = "+4915112345678", "+4915187654321"


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider().start()
    yield found
    found.stop()


async def sms_harness(make_harness: Any, provider: Provider, **overrides: Any) -> Any:
    h = await make_harness(sms_webhook_url=f"{provider.url}/sms", **overrides)
    h.start_worker()
    return h


async def settled(h: Any) -> None:
    """Every queued delivery sent, refused or dead-lettered."""
    assert await eventually(lambda: _when(h.deps.queue.pending(), lambda n: n == 0))


async def test_an_unverified_number_gets_its_code_and_nothing_else(
    make_harness: Any, provider: Provider
) -> None:
    h = await sms_harness(make_harness, provider, rate_limits={"sms-code:user": [0, 60]})
    me = Viewer("u-verify")
    await handle(h, registered("u-verify", emailNotifications=False, smsNotifications=True))
    assert await h.deps.service.register_sms_number(me, NUMBER)
    [text] = await provider.wait_for_sms(NUMBER)
    code = code_of(text)
    assert await h.deps.service.sms_number("u-verify") == SmsNumber(NUMBER, verified=False)
    # Stored hashed: the code appears nowhere in Redis.
    stored = await h.platform.redis.hgetall(sms_code_key("u-verify"))
    assert stored and all(code.encode() not in value for value in stored.values())
    assert 0 < await h.platform.redis.ttl(sms_code_key("u-verify")) <= 600

    # Unverified: a notification queues no SMS, and one queued anyway is refused at send.
    await handle(h, achievement("u-verify", 1))
    await h.deps.queue.enqueue(
        Delivery("forced:sms", "SMS", "u-verify", "ACHIEVEMENT", NUMBER, "s", "unverified!")
    )
    await settled(h)
    assert provider.sms_to(NUMBER) == [text]
    [refused] = await h.deps.service.dead_letters(10)
    assert refused.delivery_id == "forced:sms" and "not verified" in refused.error

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(BadUserInput, match="4 tries left") as error:
        await h.deps.service.verify_sms_number(me, wrong)
    assert error.value.extensions == {"field": "code"}
    with pytest.raises(BadUserInput, match="6 digits"):
        await h.deps.service.verify_sms_number(me, "12ab56")
    assert await h.deps.service.verify_sms_number(me, f" {code} ") == SmsNumber(NUMBER, True)
    with pytest.raises(BadUserInput, match="No SMS code is pending"):
        await h.deps.service.verify_sms_number(me, code)  # used up

    await handle(h, achievement("u-verify", 2))
    sent = await provider.wait_for_sms(NUMBER, count=2)
    assert sent[1].startswith("Skill Circle: Achievement unlocked: Badge 2")
    # The same verified number again: nothing to prove, nothing sent.
    assert await h.deps.service.register_sms_number(me, NUMBER)

    # A new number is unverified again: its code goes out, notifications go nowhere.
    assert await h.deps.service.register_sms_number(me, OTHER)
    await provider.wait_for_sms(OTHER)
    await handle(h, achievement("u-verify", 3))
    await settled(h)
    assert len(provider.sms_to(NUMBER)) == 2 and len(provider.sms_to(OTHER)) == 1
    assert await h.deps.service.sms_number("u-verify") == SmsNumber(OTHER, verified=False)


async def test_a_code_is_void_after_five_wrong_tries_or_when_it_expires(
    make_harness: Any, provider: Provider
) -> None:
    h = await sms_harness(make_harness, provider, sms_code_ttl_seconds=1)
    guesser, sleeper = Viewer("u-guess"), Viewer("u-sleep")
    await h.deps.service.register_sms_number(guesser, NUMBER)
    code = code_of((await provider.wait_for_sms(NUMBER))[0])
    wrong = "000000" if code != "000000" else "111111"
    # Concurrent guesses are counted one by one: five, then the code is gone.
    results = await asyncio.gather(
        *(h.deps.service.verify_sms_number(guesser, wrong) for _ in range(5)),
        return_exceptions=True,
    )
    messages = sorted(str(r) for r in results)
    assert all(isinstance(r, BadUserInput) for r in results), results
    assert "Wrong code, and no tries are left: register the number again" in messages
    assert sum("tries left" in m or "try left" in m for m in messages) == 4
    with pytest.raises(BadUserInput, match="No SMS code is pending"):
        await h.deps.service.verify_sms_number(guesser, code)  # the right one, too late
    assert (await h.deps.service.sms_number("u-guess")) == SmsNumber(NUMBER, verified=False)

    await h.deps.service.register_sms_number(sleeper, OTHER)
    late = code_of((await provider.wait_for_sms(OTHER))[0])
    await asyncio.sleep(1.5)  # past the code's 1 s lifetime (Redis expires the key)
    with pytest.raises(BadUserInput, match="expired"):
        await h.deps.service.verify_sms_number(sleeper, late)


async def test_new_codes_are_rate_limited_per_account_and_per_number(
    make_harness: Any, provider: Provider
) -> None:
    h = await sms_harness(make_harness, provider)
    me = Viewer("u-again")
    await h.deps.service.register_sms_number(me, NUMBER)
    with pytest.raises(RateLimited) as limited:
        await h.deps.service.register_sms_number(me, NUMBER)  # a re-send within the minute
    assert 0 < limited.value.extensions["retryAfter"] <= 60
    # Five accounts may ask for codes to one number in a day; the sixth is refused.
    for n in range(4):
        await h.deps.service.register_sms_number(Viewer(f"u-bomb-{n}"), OTHER)
    await h.deps.service.register_sms_number(me := Viewer("u-bomb-4"), OTHER)
    with pytest.raises(RateLimited):
        await h.deps.service.register_sms_number(Viewer("u-bomb-5"), OTHER)
    await settled(h)
    assert len(provider.sms_to(NUMBER)) == 1 and len(provider.sms_to(OTHER)) == 5
    assert all(json.loads(b)["to"] in (NUMBER, OTHER) for _, b in provider.requests_to("/sms"))


async def test_without_an_sms_provider_a_number_cannot_be_registered(make_harness: Any) -> None:
    h = await make_harness()
    with pytest.raises(Exception, match="SMS is not available") as refused:
        await h.deps.service.register_sms_number(Viewer("u-nosms"), NUMBER)
    assert getattr(refused.value, "code", None) == "CONFLICT"
    assert await h.deps.service.sms_number("u-nosms") is None
