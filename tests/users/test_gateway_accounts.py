"""Accounts through Hive Gateway: changing one's password, and roles shown only to the user
themself and admins (others get an empty list, never an error)."""

from __future__ import annotations

from tests.conftest import LOGIN, account_with_roles, register
from tests.support.client import Client

CHANGE = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) {
  accessToken refreshToken user { id } } }"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
ROLES = "query($u: ID!) { user(id: $u) { id displayName roles } }"


async def test_changing_the_password_ends_every_other_session(gateway: Client) -> None:
    account = await register(gateway, "Changer")
    me = gateway.as_user(account["accessToken"])
    other_device = (
        await gateway.data(LOGIN, {"email": account["email"], "password": account["password"]})
    )["login"]

    wrong = await me.execute(CHANGE, {"c": "not my password", "n": "a brand new secret"})
    assert (
        wrong["errors"][0]["extensions"]["code"],
        wrong["errors"][0]["extensions"]["field"],
    ) == (
        "BAD_USER_INPUT",
        "currentPassword",
    )
    short = await me.execute(CHANGE, {"c": account["password"], "n": "short"})
    assert short["errors"][0]["extensions"]["field"] == "newPassword"
    assert await gateway.error_codes(CHANGE, {"c": "x", "n": "a brand new secret"}) == [
        "UNAUTHENTICATED"
    ]

    changed = (await me.data(CHANGE, {"c": account["password"], "n": "a brand new secret"}))[
        "changePassword"
    ]
    assert changed["user"]["id"] == account["user"]["id"]
    for old in (account["refreshToken"], other_device["refreshToken"]):
        assert await gateway.error_codes(REFRESH, {"t": old}) == ["UNAUTHENTICATED"]
    assert (await gateway.data(REFRESH, {"t": changed["refreshToken"]}))["refreshToken"]
    old_login = await gateway.execute(
        LOGIN, {"email": account["email"], "password": account["password"]}
    )
    assert old_login["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    new_login = await gateway.data(
        LOGIN, {"email": account["email"], "password": "a brand new secret"}
    )
    assert new_login["login"]["user"]["id"] == account["user"]["id"]


async def test_roles_are_for_the_user_themself_and_admins(
    gateway: Client, admin_token: str
) -> None:
    editor = await account_with_roles(gateway, admin_token, ["EDITOR"], "Quiet Editor")
    learner = await register(gateway, "Nosy")
    editor_id = editor["user"]["id"]
    as_learner = await gateway.as_user(learner["accessToken"]).data(ROLES, {"u": editor_id})
    assert as_learner["user"] == {"id": editor_id, "displayName": "Quiet Editor", "roles": []}
    assert (await gateway.data(ROLES, {"u": editor_id}))["user"]["roles"] == []
    as_self = await gateway.as_user(editor["accessToken"]).data(ROLES, {"u": editor_id})
    assert as_self["user"]["roles"] == ["LEARNER", "EDITOR"]
    as_admin = await gateway.as_user(admin_token).data(ROLES, {"u": editor_id})
    assert as_admin["user"]["roles"] == ["LEARNER", "EDITOR"]
    mine = await gateway.as_user(learner["accessToken"]).data("{ me { roles } }")
    assert mine["me"]["roles"] == ["LEARNER"]
