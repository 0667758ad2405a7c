"""Per-kind notification preferences through each shipped gateway: the owner reads and
changes them; anonymous callers, other users and kinds that cannot be set are refused
with the same codes whichever gateway answers."""

from __future__ import annotations

from tests.conftest import register
from tests.support.client import Client
from tests.support.stack import Stack

from .test_journeys import skip_without_notifications

READ = "query($u: ID!) { user(id: $u) { notificationKindPreferences { kind email sms push } } }"
UPDATE = """mutation($p: [NotificationKindPreferenceInput!]!) {
  updateNotificationKindPreferences(preferences: $p) { kind email sms push } }"""


async def test_kind_preferences_and_their_refusals(stack: Stack, gateway: Client) -> None:
    skip_without_notifications(stack)
    owner, other = await register(gateway, "Kinds Owner"), await register(gateway, "Kinds Other")
    as_owner = gateway.as_user(owner["accessToken"])
    user = {"u": owner["user"]["id"]}
    stop = {"p": [{"kind": "ANNOUNCEMENT", "email": False}]}

    assert await gateway.error_codes(UPDATE, stop) == ["UNAUTHENTICATED"]
    assert await gateway.error_codes(READ, user) == ["UNAUTHENTICATED"]
    assert await gateway.as_user(other["accessToken"]).error_codes(READ, user) == ["FORBIDDEN"]
    for kind in ("SECURITY", "NO_SUCH_KIND"):
        body = await as_owner.execute(UPDATE, {"p": [{"kind": kind, "email": False}]})
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (kind, error)
        assert error["extensions"].get("field") == "kind", (kind, error)
        assert "stacktrace" not in str(body).lower()

    changed = (await as_owner.data(UPDATE, stop))["updateNotificationKindPreferences"]
    assert {p["kind"] for p in changed if not p["email"]} == {"ANNOUNCEMENT"}
    read = (await as_owner.data(READ, user))["user"]["notificationKindPreferences"]
    assert read == changed
