"""What a client meets at each gateway's edge: coded errors, CORS, CSRF, probes, lockdown.

Every test runs once per gateway we ship (tests/e2e/conftest.py), with its
committed configuration, in front of the session's subgraphs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import LOGIN, REGISTER, register
from tests.support.client import Client
from tests.support.gateways import Gateway
from tests.support.stack import Stack

ALLOWED_ORIGIN = "http://localhost:3000"
REFUSED_ORIGIN = "https://evil.example.com"
INTROSPECTION = "{ __schema { queryType { name } } }"
# Gateways whose shipped config keeps introspection (and the IDE) on: the local one.
INTROSPECTION_ON = {"hive-gateway"}
# Gateways that cannot limit operations as shipped (the subgraphs still limit depth).
EDGE_LIMITS_UNAVAILABLE = {
    "apollo-router": "limits.max_depth needs a GraphOS licence (router/router.licensed.yaml)"
}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def shown(error: dict[str, Any]) -> tuple[Any, ...]:
    """What a client reads from an error: the message and the extensions it acts on."""
    extensions = error.get("extensions", {})
    return (error["message"], extensions.get("code"), extensions.get("field"))


async def test_coded_errors_reach_the_client_as_the_subgraph_sent_them(
    stack: Stack, gateway: Client
) -> None:
    account = await register(gateway, "Coded")
    direct = Client(stack.subgraph_url("users"))
    cases = [
        # invalid email: BAD_USER_INPUT with the field
        (REGISTER, {"input": {"email": "nope", "password": "correct horse battery",
                              "displayName": "X"}}),
        # the same email twice: CONFLICT
        (REGISTER, {"input": {"email": account["email"], "password": "correct horse battery",
                              "displayName": "X"}}),
        # a wrong password: UNAUTHENTICATED
        (LOGIN, {"email": f"nobody-{account['user']['id']}@example.com", "password": "wrong"}),
        # an anonymous write: UNAUTHENTICATED
        ('mutation { updatePreferences(input: {theme: "dark"}) { theme } }', {}),
    ]  # fmt: skip
    try:
        for query, variables in cases:
            through = (await gateway.execute(query, variables))["errors"]
            straight = (await direct.execute(query, variables))["errors"]
            assert [shown(e) for e in through] == [shown(e) for e in straight], (through, straight)
            assert all(e["extensions"]["code"] for e in through), through
    finally:
        await direct.close()


async def test_rate_limited_keeps_its_retry_after(gateway: Client) -> None:
    account = await register(gateway, "Limited")
    for _ in range(5):
        await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong guess"})
    body = await gateway.execute(LOGIN, {"email": account["email"], "password": "wrong guess"})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    assert 0 < error["extensions"]["retryAfter"] <= 300, error


async def test_cors_preflight_answers_allowed_origins_only(
    edge: Gateway, http: httpx.AsyncClient
) -> None:
    request = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
    }
    allowed = await http.options(edge.url, headers={"origin": ALLOWED_ORIGIN, **request})
    assert allowed.status_code in (200, 204), allowed.text
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()

    refused = await http.options(edge.url, headers={"origin": REFUSED_ORIGIN, **request})
    assert refused.headers.get("access-control-allow-origin") not in (REFUSED_ORIGIN, "*")

    answer = await http.post(
        edge.url, json={"query": "{ __typename }"}, headers={"origin": ALLOWED_ORIGIN}
    )
    assert answer.status_code == 200 and answer.json()["data"] == {"__typename": "Query"}
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


async def test_requests_a_browser_would_not_preflight_are_refused(
    edge: Gateway, http: httpx.AsyncClient
) -> None:
    """CSRF: a form post or a plain GET from another site must not run an operation."""
    query = '{"query": "mutation { logout(refreshToken: \\"x\\") }"}'
    form = await http.post(edge.url, content=query, headers={"content-type": "text/plain"})
    assert form.status_code in (400, 403, 415), (form.status_code, form.text)
    assert '"logout"' not in form.text, form.text
    plain_get = await http.get(edge.url, params={"query": "{ __typename }"})
    assert plain_get.status_code in (400, 403), (plain_get.status_code, plain_get.text)
    assert '"Query"' not in plain_get.text, plain_get.text
    # The same GET with a header a cross-site page cannot send without a preflight runs.
    flagged = await http.get(
        edge.url, params={"query": "{ __typename }"}, headers={"apollo-require-preflight": "1"}
    )
    assert flagged.status_code == 200 and '"Query"' in flagged.text, flagged.text


async def test_health_and_metrics_answer(
    edge: Gateway, gateway: Client, http: httpx.AsyncClient
) -> None:
    await gateway.data("{ __typename }")
    health = await http.get(edge.health_url)
    assert health.status_code == 200, health.text
    metrics = await http.get(edge.metrics_url)
    assert metrics.status_code == 200, metrics.text
    assert "# TYPE" in metrics.text, metrics.text[:500]


async def test_introspection_is_off_in_production_configs(edge: Gateway, gateway: Client) -> None:
    body = await gateway.execute(INTROSPECTION)
    if edge.kind in INTROSPECTION_ON:  # the local development gateway, with its IDE
        assert body["data"]["__schema"]["queryType"] == {"name": "Query"}
    else:
        assert body.get("errors") and not (body.get("data") or {}).get("__schema"), body


def skill_chain(depth: int) -> str:
    """An operation `depth` + 4 levels deep, through single objects (Category.parent), so
    its cost stays low: the depth limit, not the cost budget, is what refuses it."""
    inner = "id"
    for _ in range(depth):
        inner = f"parent {{ id {inner} }}"
    return f"{{ skills(first: 3) {{ edges {{ node {{ category {{ {inner} }} }} }} }} }}"


async def test_deep_operations_are_refused_at_the_edge(edge: Gateway, gateway: Client) -> None:
    """Depth limit at the gateway (15): refused before any subgraph is asked."""
    reason = EDGE_LIMITS_UNAVAILABLE.get(edge.kind)
    if reason:
        pytest.skip(f"operation limits in {edge.kind}: {reason}")
    assert "edges" in (await gateway.data(skill_chain(5)))["skills"]  # no error at depth 10
    body = await gateway.execute(skill_chain(20))
    assert not body.get("data"), body
    [error] = body["errors"]
    assert "depth" in error["message"].lower(), error
    assert not {"service", "serviceName"} & set(error.get("extensions", {})), error
