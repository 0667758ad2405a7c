"""What every subgraph gets from the app factory, checked on the running users subgraph."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx
import pytest
import strawberry
from graphql import build_schema, graphql_sync, parse

from subgraphs.common.errors import BadUserInput
from subgraphs.common.input_errors import variable_field
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import federated_schema, validation_caches
from subgraphs.common.settings import Settings
from tests.support.client import Client
from tests.support.stack import REPO, Stack


@pytest.fixture
async def users(stack: Stack) -> Client:
    return Client(stack.subgraph_url("users"))


async def test_health_ready_and_metrics(stack: Stack, users: Client) -> None:
    base = stack.subgraph_url("users").removesuffix("/graphql")
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/health")).json()["status"] == "ok"
        ready = (await http.get(f"{base}/ready")).json()
        assert ready == {"status": "ready", "checks": {"redis": "ok", "database": "ok"}}
        await users.execute("query MetricsProbe { me { id } }")
        await users.execute('mutation MetricsFail { setUserRoles(userId: "x", roles: []) { id } }')
        metrics = (await http.get(f"{base}/metrics")).text
    assert 'graphql_operations_total{operation="MetricsProbe",type="query"}' in metrics
    assert 'graphql_errors_total{code="UNAUTHENTICATED",operation="MetricsFail"}' in metrics
    assert (
        'graphql_operation_duration_seconds_bucket{le="0.005",operation="MetricsProbe"}' in metrics
    )


async def test_request_id_is_echoed_or_made(stack: Stack) -> None:
    async with httpx.AsyncClient() as http:
        given = await http.post(
            stack.subgraph_url("users"),
            json={"query": "{ me { id } }"},
            headers={"x-request-id": "trace-me-123"},
        )
        made = await http.post(stack.subgraph_url("users"), json={"query": "{ me { id } }"})
    assert given.headers["x-request-id"] == "trace-me-123"
    assert len(made.headers["x-request-id"]) == 32


@strawberry.type
class Node:
    name: str = "node"

    @strawberry.field
    def child(self) -> Node:
        return Node()


@strawberry.type
class ToyQuery:
    @strawberry.field
    def root(self) -> Node:
        return Node()


async def test_deep_queries_are_refused() -> None:
    schema = federated_schema(Settings(service="toy"), query=ToyQuery)
    shallow = "{ root { child { child { name } } } }"
    assert (await schema.execute(shallow)).errors is None
    selection = "name"
    for _ in range(14):
        selection = f"child {{ {selection} }}"
    for _ in range(2):  # the second answer comes from the validation cache: still refused
        result = await schema.execute(f"{{ root {{ {selection} }} }}")
        assert result.errors
        (error,) = result.errors
        assert "exceeds maximum operation depth" in error.message
        assert error.extensions == {"code": "BAD_USER_INPUT"}


async def test_a_repeated_operation_is_parsed_and_validated_once() -> None:
    schema = federated_schema(Settings(service="toy"), query=ToyQuery)
    query = "query Repeated { root { child { name } } }"
    parse, validate = validation_caches()
    parsed, validated = parse.cache_info(), validate.cache_info()
    for _ in range(3):
        assert (await schema.execute(query)).data == {"root": {"child": {"name": "node"}}}
    assert parse.cache_info().misses == parsed.misses + 1
    assert parse.cache_info().hits == parsed.hits + 2
    assert validate.cache_info().misses == validated.misses + 1
    assert validate.cache_info().hits == validated.hits + 2


async def test_token_floods_are_refused() -> None:
    schema = federated_schema(Settings(service="toy"), query=ToyQuery)
    flood = "{ root { " + " ".join(["name"] * 2500) + " } }"
    result = await schema.execute(flood)
    assert result.errors and result.errors[0].extensions == {"code": "BAD_USER_INPUT"}


async def test_alias_floods_are_refused(users: Client) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(40)) + " }"
    body = await users.execute(query)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_oversized_bodies_get_413_with_a_graphql_error(stack: Stack) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            stack.subgraph_url("users"),
            json={"query": "{ me { id } }", "variables": {"pad": "x" * 300_000}},
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_internal_errors_never_leak(stack: Stack) -> None:
    # A token whose header is valid JSON but whose payload is not: the verifier copes,
    # and no input reaches the client as a stack trace.
    async with httpx.AsyncClient() as http:
        response = await http.post(
            stack.url,
            json={"query": "{ me { id } }"},
            headers={"authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.%%%.x"},
        )
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}
    assert "Traceback" not in response.text


def test_first_is_capped_and_cursors_are_opaque() -> None:
    assert page_size(None) == 20
    assert page_size(500) == 100
    assert page_size(0) == 0
    with pytest.raises(BadUserInput) as error:
        page_size(-1)
    assert error.value.extensions == {"field": "first"}
    assert decode_cursor(encode_cursor(["slug", 42])) == ["slug", 42]
    with pytest.raises(BadUserInput):
        decode_cursor("!!not-a-cursor!!")


def test_committed_schema_files_are_current() -> None:
    result = subprocess.run(
        ["scripts/schema.sh", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_unstorable_text_is_bad_user_input(stack: Stack) -> None:
    login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
    async with httpx.AsyncClient() as http:
        for bad in ("a\x00b", "x\udfffy"):  # valid JSON escapes, unstorable text
            request = {"query": login, "variables": {"e": "someone@example.com", "p": bad}}
            response = await http.post(
                stack.url, content=json.dumps(request), headers={"content-type": "application/json"}
            )
            (error,) = response.json()["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["extensions"]["field"] == "p"
    gateway_client = Client(stack.url)
    literal = '{ user(id: "nul\\u0000") { id } }'
    body = await gateway_client.execute(literal)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_variables_of_the_wrong_type_name_the_argument(users: Client) -> None:
    body = await users.execute("query($id: ID!) { user(id: $id) { id } }", {"id": {"$gt": ""}})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "id"


@pytest.mark.parametrize(
    ("operation", "variables", "field"),
    [
        ("query($a: [A!]!) { x(answers: $a) }", {"a": [{"q": "1", "c": [1, "z"]}]},
         "answers[0].c[1]"),
        ("query($a: [A!]!) { x(answers: $a) }", {"a": [{"c": [1]}]}, "answers[0]"),
        ("query($a: [A!]!) { x(answers: $a) }", {"a": "not a list of objects"}, "answers"),
        ("query($i: I!) { y(input: $i) }", {"i": {"title": "t", "qs": [{"q": "1", "c": ["z"]}]}},
         "qs[0].c[0]"),
        ("query($i: I!) { y(input: $i) }", {"i": {"title": 5, "qs": []}}, "title"),
    ],
)  # fmt: skip
def test_a_refused_variable_is_named_as_resolvers_name_their_inputs(
    operation: str, variables: dict[str, Any], field: str
) -> None:
    schema = build_schema("""
        input A { q: ID!, c: [Int!]! }
        input I { title: String!, qs: [A!]! }
        type Query { x(answers: [A!]!): Int, y(input: I!): Int }""")
    document = parse(operation)
    [error] = graphql_sync(schema, operation, variable_values=variables).errors or []
    assert variable_field(error, document) == field
