"""An SMS number through the gateway: the one code SMS, wrong and right codes, the
verified flag on the user, and re-sends limited with RATE_LIMITED and retryAfter."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.conftest import register
from tests.support.client import Client
from tests.support.providers import Provider

REGISTER_SMS = "mutation($n: String!) { registerSmsNumber(phoneNumber: $n) }"
VERIFY_SMS = "mutation($c: String!) { verifySmsNumber(code: $c) { phoneNumber verified } }"
MY_NUMBER = "{ me { smsNumber { phoneNumber verified } } }"
THEIR_NUMBER = "query($u: ID!) { user(id: $u) { smsNumber { verified } } }"


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert "Traceback" not in error["message"] and "stacktrace" not in error.get("extensions", {})
    return dict(error)


async def test_a_number_is_verified_with_the_code_sent_to_it(
    gateway: Client, sms_provider: Provider
) -> None:
    account = await register(gateway, "Texting Learner")
    me = gateway.as_user(account["accessToken"])
    number = "+49152" + str(uuid.uuid4().int)[:8]
    assert (await me.data(MY_NUMBER))["me"]["smsNumber"] is None
    assert (await me.data(REGISTER_SMS, {"n": number}))["registerSmsNumber"] is True
    [text] = await sms_provider.wait_for_sms(number)
    match = re.search(r"your code is ([0-9]{6})\.", text)
    assert match, text
    code = match.group(1)
    unverified = {"phoneNumber": number, "verified": False}
    assert (await me.data(MY_NUMBER))["me"]["smsNumber"] == unverified

    wrong = "000000" if code != "000000" else "111111"
    error = error_of(await me.execute(VERIFY_SMS, {"c": wrong}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "code" and "4 tries left" in error["message"]
    error = error_of(await me.execute(VERIFY_SMS, {"c": "not a code"}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"

    # A re-send within the minute: refused, with when to try again.
    error = error_of(await me.execute(REGISTER_SMS, {"n": number}))
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 60
    assert sms_provider.sms_to(number) == [text]  # still the one SMS

    # Another account sees neither the number nor whether it is verified.
    other = gateway.as_user((await register(gateway, "Nosy Learner"))["accessToken"])
    refused = error_of(await other.execute(THEIR_NUMBER, {"u": account["user"]["id"]}))
    assert refused["extensions"]["code"] == "FORBIDDEN"
    anonymous = error_of(await gateway.execute(VERIFY_SMS, {"c": code}))
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"

    verified = {"phoneNumber": number, "verified": True}
    assert (await me.data(VERIFY_SMS, {"c": code}))["verifySmsNumber"] == verified
    assert (await me.data(MY_NUMBER))["me"]["smsNumber"] == verified
    error = error_of(await me.execute(VERIFY_SMS, {"c": code}))  # used up
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "No SMS code" in error["message"]
