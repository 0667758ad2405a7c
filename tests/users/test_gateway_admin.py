"""Admin tools through Hive Gateway: finding accounts, disabling and enabling them, and the
audit trail; and every one of them refused to anyone but an admin."""

from __future__ import annotations

import uuid

from tests.conftest import LOGIN, REGISTER, SET_ROLES, account_with_roles, register
from tests.support.client import Client

USERS = """query($search: String, $role: Role, $first: Int, $after: String) {
  users(search: $search, role: $role, first: $first, after: $after) {
    totalCount edges { node { id email displayName roles disabledAt } }
    pageInfo { hasNextPage endCursor } } }"""
DISABLE = "mutation($u: ID!) { disableUser(userId: $u) { id disabledAt } }"
ENABLE = "mutation($u: ID!) { enableUser(userId: $u) { id disabledAt } }"
AUDIT = """query($u: ID, $first: Int) { adminAuditTrail(userId: $u, first: $first) {
  totalCount edges { node { action details actor { id } target { id } at } } } }"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


def ids(listing: dict) -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["id"] for edge in listing["edges"]]


async def test_admins_find_accounts_by_text_and_role_a_page_at_a_time(
    gateway: Client, admin_token: str
) -> None:
    admin = gateway.as_user(admin_token)
    tag = uuid.uuid4().hex[:8]
    made = []
    for n in range(3):
        body = await gateway.data(
            REGISTER,
            {
                "input": {
                    "email": f"find-{tag}-{n}@example.com",
                    "password": "correct horse battery",
                    "displayName": f"Findable {n}",
                }
            },
        )
        made.append(body["register"]["user"]["id"])
    await admin.data(SET_ROLES, {"u": made[1], "r": ["EDITOR"]})

    found = (await admin.data(USERS, {"search": f"FIND-{tag}"}))["users"]
    assert (ids(found), found["totalCount"]) == (made, 3)
    assert found["edges"][0]["node"]["email"] == f"find-{tag}-0@example.com"
    first = (await admin.data(USERS, {"search": tag, "first": 2}))["users"]
    assert ids(first) == made[:2] and first["pageInfo"]["hasNextPage"]
    after = first["pageInfo"]["endCursor"]
    rest = (await admin.data(USERS, {"search": tag, "first": 2, "after": after}))["users"]
    assert ids(rest) == made[2:] and not rest["pageInfo"]["hasNextPage"]
    editors = (await admin.data(USERS, {"search": tag, "role": "EDITOR"}))["users"]
    assert ids(editors) == [made[1]]
    odd = (await admin.data(USERS, {"search": "%_"}))["users"]  # LIKE wildcards are text
    assert odd["totalCount"] == 0
    bad = await admin.execute(USERS, {"after": "bm90LWEtY3Vyc29y"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_disabled_account_cannot_log_in_and_its_sessions_end(
    gateway: Client, admin_token: str
) -> None:
    admin = gateway.as_user(admin_token)
    account = await register(gateway, "Disabled Soon")
    user_id = account["user"]["id"]
    credentials = {"email": account["email"], "password": account["password"]}

    disabled = (await admin.data(DISABLE, {"u": user_id}))["disableUser"]
    assert disabled["id"] == user_id and disabled["disabledAt"] is not None
    again = (await admin.data(DISABLE, {"u": user_id}))["disableUser"]
    assert again["disabledAt"] == disabled["disabledAt"]  # idempotent
    login = await gateway.execute(LOGIN, credentials)
    assert login["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "disabled" in login["errors"][0]["message"]
    refreshed = await gateway.execute(REFRESH, {"t": account["refreshToken"]})
    assert refreshed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    assert (await admin.data(ENABLE, {"u": user_id}))["enableUser"]["disabledAt"] is None
    assert (await gateway.data(LOGIN, credentials))["login"]["user"]["id"] == user_id

    trail = (await admin.data(AUDIT, {"u": user_id}))["adminAuditTrail"]
    actions = [edge["node"] for edge in trail["edges"]]
    assert [a["action"] for a in actions] == ["ENABLE", "DISABLE"]  # newest first, once each
    admin_id = (await admin.data("{ me { id } }"))["me"]["id"]
    assert {a["actor"]["id"] for a in actions} == {admin_id}
    assert {a["target"]["id"] for a in actions} == {user_id}
    own = await admin.execute(DISABLE, {"u": admin_id})
    assert own["errors"][0]["extensions"]["code"] == "CONFLICT"
    missing = await admin.execute(DISABLE, {"u": str(uuid.uuid4())})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_role_changes_are_audited(gateway: Client, admin_token: str) -> None:
    admin = gateway.as_user(admin_token)
    account = await register(gateway, "Promoted")
    user_id = account["user"]["id"]
    await admin.data(SET_ROLES, {"u": user_id, "r": ["EDITOR"]})
    trail = (await admin.data(AUDIT, {"u": user_id}))["adminAuditTrail"]
    assert trail["totalCount"] == 1
    entry = trail["edges"][0]["node"]
    assert entry["action"] == "SET_ROLES"
    assert entry["details"] == {"from": ["LEARNER"], "to": ["LEARNER", "EDITOR"]}


async def test_only_admins_use_admin_tools(gateway: Client, admin_token: str) -> None:
    learner = await register(gateway, "Curious")
    editor = await account_with_roles(gateway, admin_token, ["EDITOR"], "Ambitious")
    target = learner["user"]["id"]
    for token in (learner["accessToken"], editor["accessToken"]):
        caller = gateway.as_user(token)
        for query, variables in (
            (USERS, {}),
            (AUDIT, {}),
            (DISABLE, {"u": target}),
            (ENABLE, {"u": target}),
            (SET_ROLES, {"u": target, "r": ["ADMIN"]}),
        ):
            assert await caller.error_codes(query, variables) == ["FORBIDDEN"], query
    assert await gateway.error_codes(USERS, {}) == ["UNAUTHENTICATED"]
    assert await gateway.error_codes(DISABLE, {"u": target}) == ["UNAUTHENTICATED"]
