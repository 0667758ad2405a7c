"""Abuse paths through the gateway: client addresses behind trusted proxies, and
limits answered with RATE_LIMITED and retryAfter (shared in Redis)."""

from __future__ import annotations

import base64
import sys
import uuid
from typing import Any

from tests.conftest import LOGIN, REGISTER, account_with_roles, register
from tests.support.client import Client
from tests.support.gateways import Gateway
from tests.support.servers import free_port
from tests.support.stack import Process, Stack

PER_ADDRESS_FAILURES = 20  # SKILL_CIRCLE_LOGIN_ATTEMPTS_PER_ADDRESS default


def stranger() -> dict[str, str]:
    """Login variables for an account that does not exist (no per-account count)."""
    return {"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "wrong guess"}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def retry_after(body: dict[str, Any]) -> int:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    return int(error["extensions"]["retryAfter"])


async def test_two_clients_behind_the_gateway_have_separate_login_budgets(stack: Stack) -> None:
    guesser, bystander = Client(stack.url), Client(stack.url)
    for _ in range(PER_ADDRESS_FAILURES):
        assert codes(await guesser.execute(LOGIN, stranger())) == ["UNAUTHENTICATED"]
    assert 0 < retry_after(await guesser.execute(LOGIN, stranger())) <= 300
    # Another client behind the same gateway (and the same harness proxy) is unaffected.
    assert codes(await bystander.execute(LOGIN, stranger())) == ["UNAUTHENTICATED"]
    await guesser.close()
    await bystander.close()


async def test_a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored(stack: Stack) -> None:
    # 127.0.0.2 is not a trusted proxy: it is the client, whatever it claims to be.
    direct = Client(stack.url, source="127.0.0.2")
    for _ in range(PER_ADDRESS_FAILURES):
        spoofed = {"x-forwarded-for": Client(stack.url).address}
        body = await direct.execute(LOGIN, stranger(), headers=spoofed)
        assert codes(body) == ["UNAUTHENTICATED"]
    spoofed = {"x-forwarded-for": Client(stack.url).address}
    assert retry_after(await direct.execute(LOGIN, stranger(), headers=spoofed)) > 0
    await direct.close()


async def test_successful_logins_do_not_use_up_the_address_budget(
    stack: Stack, gateway: Client
) -> None:
    account = await register(gateway, "Regular")
    office = Client(stack.url)  # one shared address, many ordinary sign-ins
    login = {"email": account["email"], "password": account["password"]}
    for _ in range(PER_ADDRESS_FAILURES + 5):
        assert (await office.data(LOGIN, login))["login"]["user"]["id"] == account["user"]["id"]
    await office.close()


async def test_registrations_are_limited_per_address(stack: Stack) -> None:
    bot = Client(stack.url)

    def new_account() -> dict[str, Any]:
        email = f"bot-{uuid.uuid4().hex}@example.com"
        return {"input": {"email": email, "password": "correct horse battery", "displayName": "B"}}

    for _ in range(10):
        assert not codes(await bot.execute(REGISTER, new_account()))
    assert retry_after(await bot.execute(REGISTER, new_account())) > 3000
    assert not codes(await Client(stack.url).execute(REGISTER, new_account()))
    await bot.close()


async def test_password_reset_emails_are_limited_per_email_and_per_address(
    stack: Stack, gateway: Client, admin_email: str = "admin@skillcircle.local"
) -> None:
    request = "mutation($e: String!) { requestPasswordReset(email: $e) }"
    victim = f"victim-{uuid.uuid4().hex}@example.com"
    for _ in range(3):  # from different clients: the per-email budget
        assert (await Client(stack.url).data(request, {"e": victim}))["requestPasswordReset"]
    assert retry_after(await Client(stack.url).execute(request, {"e": victim})) > 0
    sweeper = Client(stack.url)
    for _ in range(10):  # different emails from one client: the per-address budget
        email = f"someone-{uuid.uuid4().hex}@example.com"
        assert (await sweeper.data(request, {"e": email}))["requestPasswordReset"] is True
    assert retry_after(await sweeper.execute(request, {"e": admin_email})) > 0
    await sweeper.close()


async def test_verification_emails_are_limited_per_account(gateway: Client) -> None:
    account = await register(gateway, "Impatient")
    learner = gateway.as_user(account["accessToken"])
    request = "mutation { requestEmailVerification }"
    for _ in range(3):
        assert (await learner.data(request))["requestEmailVerification"] is True
    assert retry_after(await learner.execute(request)) > 0


def push_subscription() -> dict[str, str]:
    """A browser PushSubscription for a made-up device at a known push service."""
    point = b"\x04" + uuid.uuid4().bytes * 4  # 65 bytes, the shape of a P-256 point
    return {
        "e": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "k": base64.urlsafe_b64encode(point).decode().rstrip("="),
        "a": base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
    }


async def test_push_and_sms_registrations_are_limited_per_account(gateway: Client) -> None:
    learner = gateway.as_user((await register(gateway, "Collector"))["accessToken"])
    push = (
        "mutation($e: String!, $k: String!, $a: String!) "
        "{ registerPushSubscription(endpoint: $e, p256dh: $k, auth: $a) }"
    )
    for _ in range(10):
        assert (await learner.data(push, push_subscription()))["registerPushSubscription"]
    assert retry_after(await learner.execute(push, push_subscription())) > 0
    sms = "mutation($n: String!) { registerSmsNumber(phoneNumber: $n) }"
    for n in range(5):
        await learner.execute(sms, {"n": f"+4915112345{n:03d}"})
    assert retry_after(await learner.execute(sms, {"n": "+4915112345999"})) > 0


async def test_announcement_attempts_are_limited_per_admin(
    gateway: Client, admin_token: str
) -> None:
    # A fresh admin, and a link the service refuses after counting the attempt:
    # the budget is shown without fanning ten announcements out to every user.
    admin = await account_with_roles(gateway, admin_token, ["ADMIN"], "Announcer")
    announcer = gateway.as_user(admin["accessToken"])
    announce = "mutation($i: AnnouncementInput!) { sendAnnouncement(input: $i) }"
    refused = {"i": {"title": "t", "body": "b", "link": "javascript:alert(1)"}}
    for _ in range(10):
        assert codes(await announcer.execute(announce, refused)) == ["BAD_USER_INPUT"]
    assert retry_after(await announcer.execute(announce, refused)) > 0


async def test_searches_are_limited_per_address(stack: Stack) -> None:
    scraper = Client(stack.url)
    search = "query($q: String!) { searchContent(query: $q, first: 5) { __typename } }"
    for n in range(60):
        assert not codes(await scraper.execute(search, {"q": f"graph {n}"}))
    assert 0 < retry_after(await scraper.execute(search, {"q": "one more"})) <= 60
    assert not codes(await Client(stack.url).execute(search, {"q": "graph"}))
    await scraper.close()


async def test_drawings_are_limited_per_address_field_by_field(
    stack: Stack, gateway: Client
) -> None:
    learner = gateway.as_user((await register(gateway, "Artist"))["accessToken"])
    charts = " ".join(f"c{n}: progressChartSvg(kind: BAR)" for n in range(30))
    query = f"{{ me {{ {charts} }} }}"
    for _ in range(10):  # 10 x 30 drawings: the budget of 300 per minute
        assert not codes(await learner.execute(query))
    body = await learner.execute(query)
    # The drawings are non-null: the first refused one nulls `me` (one error reported).
    assert set(codes(body)) == {"RATE_LIMITED"} and body["data"]["me"] is None


async def test_push_endpoints_outside_the_known_push_services_are_refused(
    gateway: Client,
) -> None:
    learner = gateway.as_user((await register(gateway, "Prober"))["accessToken"])
    push = (
        "mutation($e: String!, $k: String!, $a: String!) "
        "{ registerPushSubscription(endpoint: $e, p256dh: $k, auth: $a) }"
    )
    for endpoint in (
        "https://169.254.169.254/latest/meta-data/iam/",  # cloud metadata
        "https://users:4001/graphql",  # an in-cluster service
        "https://attacker.example/push",
    ):
        body = await learner.execute(push, {**push_subscription(), "e": endpoint})
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == "endpoint"


# The issue's measured attack: 13 MB after 3.4 s of server work, anonymously.
EXPENSIVE = (
    "{ "
    + " ".join(
        f"a{n}: skills(first: 100) {{ edges {{ node {{ treeSvg courses {{ title }} "
        "learnerCount prerequisites { name } } } }"
        for n in range(30)
    )
    + " }"
)


# Refused by Hive Router's demand control (@cost / @listSize in the supergraph) before
# any subgraph is asked. Hive Gateway's estimates these far too low to be used (see
# router/gateway.config.ts) and Apollo Router's needs a GraphOS licence: behind them
# the subgraphs refuse with COST_LIMIT.
GATEWAY_REFUSES = {"hive-router"}


async def test_an_expensive_operation_is_refused_before_it_runs(
    edge: Gateway, gateway: Client
) -> None:
    by_gateway = edge.kind in GATEWAY_REFUSES
    body = await gateway.execute(EXPENSIVE)
    assert not body.get("data"), body
    if by_gateway:  # the gateway's own error: no subgraph said anything
        assert codes(body) == ["COST_ESTIMATED_TOO_EXPENSIVE"], body
        assert "service" not in body["errors"][0]["extensions"]
    else:
        assert codes(body) == ["COST_LIMIT"], body
        extensions = body["errors"][0]["extensions"]
        assert extensions["cost"] > extensions["budget"] == 25_000
    # A signed-in caller has a larger budget in the subgraphs, but not that large.
    learner = gateway.as_user((await register(gateway, "Heavy"))["accessToken"])
    refused = codes(await learner.execute(EXPENSIVE))
    assert refused == (["COST_ESTIMATED_TOO_EXPENSIVE"] if by_gateway else ["COST_LIMIT"])
    # An ordinary page, drawings included, is within budget.
    page = "{ skills(first: 100) { edges { node { id name treeSvg } } } }"
    assert not codes(await gateway.execute(page))


# Lists within lists: 30 pages of 100 skills, each with prerequisites of prerequisites.
LIST_EXPLOSION = (
    "{ "
    + " ".join(
        f"a{n}: skills(first: 100) {{ edges {{ node {{ prerequisites {{ prerequisites "
        "{ name } } } } }"
        for n in range(30)
    )
    + " }"
)


async def test_a_list_explosion_is_refused_before_it_runs(edge: Gateway, gateway: Client) -> None:
    body = await gateway.execute(LIST_EXPLOSION)
    assert not body.get("data"), body
    by_gateway = edge.kind in GATEWAY_REFUSES
    assert codes(body) == ["COST_ESTIMATED_TOO_EXPENSIVE" if by_gateway else "COST_LIMIT"], body


async def test_direct_subgraph_calls_are_costed_too(stack: Stack) -> None:
    """Representations as a gateway would send them, straight to the subgraph."""
    direct = Client(stack.subgraph_url("visualization"))
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Skill { treeSvg } } }"
    many = [{"__typename": "Skill", "id": str(n)} for n in range(600)]  # 600 x 50 > 25,000
    body = await direct.execute(query, {"r": many})
    assert codes(body) == ["COST_LIMIT"] and body["errors"][0]["extensions"]["cost"] >= 30_000
    few = many[:20]
    assert "COST_LIMIT" not in codes(await direct.execute(query, {"r": few}))
    await direct.close()


async def test_a_response_over_the_size_cap_is_refused(stack: Stack) -> None:
    """A users process with a 2,000-byte cap, beside the stack's, on the same stores."""
    port = free_port()
    env = {**stack.subgraph_env("users", port), "SKILL_CIRCLE_MAX_RESPONSE_BYTES": "2000"}
    process = Process(
        "users-capped",
        [sys.executable, "-m", "subgraphs.users"],
        env,
        f"http://127.0.0.1:{port}/health",
        stack.dir,
    ).start()
    try:
        direct = Client(f"http://127.0.0.1:{port}/graphql")
        large = await direct.execute("{ __schema { types { name fields { name } } } }")
        assert codes(large) == ["RESPONSE_TOO_LARGE"] and large["data"] is None
        assert (await direct.data("{ __typename }")) == {"__typename": "Query"}
        await direct.close()
    finally:
        process.stop()
