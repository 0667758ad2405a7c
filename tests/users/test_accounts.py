"""The users subgraph through the real gateway: every mutation and its failure codes."""

from __future__ import annotations

import re

from tests.conftest import LOGIN, SET_ROLES, register
from tests.support.client import Client

ME = "{ me { id email displayName roles emailVerified createdAt preferences { locale timezone theme emailNotifications smsNotifications pushNotifications } } }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresIn user { id } } }"
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
PREFS = "mutation($i: PreferencesInput!) { updatePreferences(input: $i) { locale timezone theme emailNotifications smsNotifications pushNotifications } }"
PROFILE = "mutation($i: ProfileInput!) { updateProfile(input: $i) { id displayName } }"
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }"


async def test_new_user_walks_the_whole_session_lifecycle(gateway: Client) -> None:
    account = await register(gateway, "Ada Lovelace")
    assert account["expiresIn"] == 900
    assert account["user"]["roles"] == ["LEARNER"]
    me = (await gateway.as_user(account["accessToken"]).data(ME))["me"]
    assert me["email"] == account["email"]
    assert me["displayName"] == "Ada Lovelace"
    assert me["emailVerified"] is False
    assert re.match(r"\d{4}-\d\d-\d\dT.*(\+00:00|Z)$", me["createdAt"]), me["createdAt"]
    assert me["preferences"]["theme"] == "system"

    login = (
        await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    )["login"]
    learner = gateway.as_user(login["accessToken"])
    prefs = (
        await learner.data(
            PREFS, {"i": {"theme": "dark", "timezone": "Europe/Paris", "smsNotifications": True}}
        )
    )["updatePreferences"]
    assert (
        prefs["theme"] == "dark"
        and prefs["timezone"] == "Europe/Paris"
        and prefs["smsNotifications"] is True
    )
    assert prefs["locale"] == "en"  # untouched fields keep their values
    assert (await learner.data(PROFILE, {"i": {"displayName": "  Ada   King "}}))["updateProfile"][
        "displayName"
    ] == "Ada King"

    rotated = (await gateway.data(REFRESH, {"t": login["refreshToken"]}))["refreshToken"]
    assert rotated["refreshToken"] != login["refreshToken"]
    assert (await gateway.as_user(rotated["accessToken"]).data(ME))["me"]["id"] == me["id"]

    # Reusing the rotated-away token fails and revokes the whole family...
    assert await gateway.error_codes(REFRESH, {"t": login["refreshToken"]}) == ["UNAUTHENTICATED"]
    # ...so even the newest token of that family no longer works.
    assert await gateway.error_codes(REFRESH, {"t": rotated["refreshToken"]}) == ["UNAUTHENTICATED"]


async def test_logout_revokes_the_refresh_token(gateway: Client) -> None:
    account = await register(gateway)
    assert (await gateway.data(LOGOUT, {"t": account["refreshToken"]}))["logout"] is True
    assert await gateway.error_codes(REFRESH, {"t": account["refreshToken"]}) == ["UNAUTHENTICATED"]
    assert (await gateway.data(LOGOUT, {"t": "not-a-token"}))["logout"] is False


async def test_registration_failures_are_coded(gateway: Client) -> None:
    account = await register(gateway)
    cases = [
        ({"email": "not-an-email", "password": "long enough pw", "displayName": "X"}, "email"),
        ({"email": "short@example.com", "password": "short", "displayName": "X"}, "password"),
        (
            {"email": "blank@example.com", "password": "long enough pw", "displayName": "   "},
            "displayName",
        ),
    ]
    for given, field in cases:
        body = await gateway.execute(REGISTER, {"i": given})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == field
    duplicate = {
        "email": account["email"].upper(),
        "password": "long enough pw",
        "displayName": "Dup",
    }
    assert await gateway.error_codes(REGISTER, {"i": duplicate}) == ["CONFLICT"]


async def test_wrong_password_and_unknown_account_look_the_same(gateway: Client) -> None:
    account = await register(gateway)
    wrong = await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong password"})
    unknown = await gateway.execute(
        LOGIN, {"email": "nobody@example.com", "password": "wrong password"}
    )
    assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]
    assert wrong["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_private_fields_are_for_the_user_and_admins(
    gateway: Client, admin_token: str
) -> None:
    alice, bob = await register(gateway, "Alice"), await register(gateway, "Bob")
    query = "query($id: ID!) { user(id: $id) { id displayName email } }"
    as_bob = await gateway.as_user(bob["accessToken"]).execute(query, {"id": alice["user"]["id"]})
    assert as_bob["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gateway.execute(query, {"id": alice["user"]["id"]})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    public = await gateway.data(
        "query($id: ID!) { user(id: $id) { displayName roles } }", {"id": alice["user"]["id"]}
    )
    # roles are private too (issue 17), but as an empty list: no error nulls a page of users
    assert public["user"] == {"displayName": "Alice", "roles": []}
    as_admin = await gateway.as_user(admin_token).data(query, {"id": alice["user"]["id"]})
    assert as_admin["user"]["email"] == alice["email"]
    assert (await gateway.data('{ user(id: "no-such-user") { id } }'))["user"] is None


async def test_anonymous_me_is_null_and_writes_need_a_token(gateway: Client) -> None:
    assert (await gateway.data(ME))["me"] is None
    assert await gateway.error_codes(PROFILE, {"i": {"displayName": "X"}}) == ["UNAUTHENTICATED"]
    assert await gateway.error_codes(PREFS, {"i": {"theme": "dark"}}) == ["UNAUTHENTICATED"]


async def test_preferences_are_validated(gateway: Client) -> None:
    learner = gateway.as_user((await register(gateway))["accessToken"])
    for field, value in (("timezone", "Mars/Olympus"), ("theme", "neon"), ("locale", "english!")):
        body = await learner.execute(PREFS, {"i": {field: value}})
        extensions = body["errors"][0]["extensions"]
        assert (extensions["code"], extensions["field"]) == ("BAD_USER_INPUT", field)


async def test_only_admins_set_roles_and_learner_is_always_kept(
    gateway: Client, admin_token: str
) -> None:
    learner = await register(gateway)
    target = await register(gateway)
    as_learner = gateway.as_user(learner["accessToken"])
    assert await as_learner.error_codes(SET_ROLES, {"u": target["user"]["id"], "r": ["ADMIN"]}) == [
        "FORBIDDEN"
    ]
    assert await gateway.error_codes(SET_ROLES, {"u": target["user"]["id"], "r": ["ADMIN"]}) == [
        "UNAUTHENTICATED"
    ]
    admin = gateway.as_user(admin_token)
    promoted = await admin.data(SET_ROLES, {"u": target["user"]["id"], "r": ["EDITOR"]})
    assert promoted["setUserRoles"]["roles"] == ["LEARNER", "EDITOR"]
    assert await admin.error_codes(
        SET_ROLES, {"u": "00000000-0000-0000-0000-000000000000", "r": ["EDITOR"]}
    ) == ["NOT_FOUND"]
    relogin = await gateway.data(LOGIN, {"email": target["email"], "password": target["password"]})
    assert relogin["login"]["user"]["roles"] == ["LEARNER", "EDITOR"]
