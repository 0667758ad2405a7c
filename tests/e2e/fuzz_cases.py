"""Operations to throw at the gateway: schema-valid ones from hypothesis-graphql, and invalid ones.

Every generator is deterministic (hypothesis derandomized, `random.Random(seed)`),
so a failure reproduces with the same schema.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import graphql
import hypothesis_graphql as hg
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import nodes

ANON, USER = "anonymous", "user"


@dataclass
class Case:
    """One request: a GraphQL operation (or a raw HTTP body) and who sends it."""

    kind: str  # "query", "mutation", or "invalid:<what>"
    query: str | None = None
    variables: dict[str, Any] | None = None
    token: str = ANON  # ANON, USER, or a literal Authorization header value
    raw: bytes | None = None  # sent as is instead of {"query", "variables"}
    content_type: str = "application/json"
    method: str = "POST"
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON body keys

    @property
    def group(self) -> str:
        return self.kind.split(":")[0]

    def describe(self) -> str:
        if self.raw is not None:
            text = self.raw[:600].decode("utf-8", "replace")
            return f"{self.method} {self.content_type} raw body: {text!r}"
        parts = [self.query if self.query is not None else "<no query>"]
        if self.variables:
            parts.append(f"variables: {json.dumps(self.variables)[:600]}")
        if self.extra:
            parts.append(f"body keys: {json.dumps(self.extra)[:300]}")
        return "\n".join(parts)


# ---------------------------------------------------------------- hypothesis-graphql

CUSTOM_SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
}


def _draw(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """`count` examples of `strategy`, reproducibly (fewer when the space is smaller)."""
    found: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(strategy)
    def collect(operation: str) -> None:
        found.append(operation)

    collect()
    return list(dict.fromkeys(found))


def _per_root_field(
    make: Callable[..., st.SearchStrategy[str]],
    root: graphql.GraphQLObjectType | None,
    schema: graphql.GraphQLSchema,
    count: int,
    **options: Any,
) -> list[str]:
    """About `count` operations, spread evenly over the root fields (small, pinpointing documents)."""
    if root is None or count <= 0:
        return []
    names = sorted(root.fields)
    each = max(1, -(-count // len(names)))
    operations: list[str] = []
    for name in names:
        try:
            operations += _draw(
                make(schema, fields=[name], custom_scalars=CUSTOM_SCALARS, **options), each
            )
        except InvalidArgument:  # negative mode: nothing in this field to violate
            continue
    return operations[:count]


def generated(
    introspection: dict[str, Any], running: list[str], counts: dict[str, int]
) -> list[Case]:
    """The hypothesis-graphql cases (slow: run it in a worker process, see test_fuzz)."""
    from .fuzz_schema import fuzz_schema

    schema = fuzz_schema(introspection, running)
    return (
        valid_queries(schema, counts["queries"])
        + valid_mutations(schema, counts["mutations"])
        + schema_violations(schema, counts["violations"])
    )


# Root fields that hash a password (argon2: ~0.7 s of CPU each): only a few cases each.
COSTLY_ROOT_FIELDS = {"login": 5, "register": 5, "resetPassword": 5}


def within_budget(cases: list[Case]) -> list[Case]:
    """`cases` without those that call a costly root field more often than its budget allows."""
    left = dict(COSTLY_ROOT_FIELDS)
    kept: list[Case] = []
    for case in cases:
        called = [name for name in left if case.query and re.search(rf"\b{name}\s*\(", case.query)]
        if any(left[name] <= 0 for name in called):
            continue
        for name in called:
            left[name] -= 1
        kept.append(case)
    return kept


def valid_queries(schema: graphql.GraphQLSchema, count: int) -> list[Case]:
    ops = _per_root_field(hg.queries, schema.query_type, schema, count)
    return [Case("query", op, token=USER if i % 2 else ANON) for i, op in enumerate(ops)]


def valid_mutations(schema: graphql.GraphQLSchema, count: int) -> list[Case]:
    ops = _per_root_field(hg.mutations, schema.mutation_type, schema, count)
    return [Case("mutation", op, token=USER if i % 2 else ANON) for i, op in enumerate(ops)]


def schema_violations(schema: graphql.GraphQLSchema, count: int) -> list[Case]:
    """hypothesis-graphql's negative mode: one schema violation per operation."""
    ops = _per_root_field(hg.queries, schema.query_type, schema, count // 2, mode=hg.Mode.NEGATIVE)
    ops += _per_root_field(
        hg.mutations, schema.mutation_type, schema, count - len(ops), mode=hg.Mode.NEGATIVE
    )
    return [
        Case("invalid:schema-violation", op, token=USER if i % 2 else ANON)
        for i, op in enumerate(ops)
    ]


# ---------------------------------------------------------------- hand-made invalid input

NAMES = [
    "query",
    "mutation",
    "subscription",
    "fragment",
    "on",
    "me",
    "skills",
    "edges",
    "node",
    "id",
    "first",
    "after",
    "__typename",
    "__schema",
    "true",
    "null",
    "$x",
    "Int",
    "String!",
]
PUNCTUATION = [*"{}()[]:!$@.=,|&\"'#\\\n\t ", "...", '"""']


def random_strings(rng: random.Random, count: int) -> list[Case]:
    cases = [
        Case("invalid:random-string", q)
        for q in [
            "",
            " ",
            "\n\t",
            "{",
            "}",
            "{}",
            "query",
            "mutation {",
            "{ me ",
            "\x00",
            "\ufeff{ __typename }",
            "{ __typename } trailing",
            "# only a comment",
            '{ a(b: """unterminated) }',
            "{ ...Missing }",
            "query Q { __typename } query Q { __typename }",
        ]
    ]
    while len(cases) < count:
        style = rng.random()
        if style < 0.45:  # token soup: looks like GraphQL, is not
            text = "".join(
                rng.choice(NAMES) + " " if rng.random() < 0.5 else rng.choice(PUNCTUATION)
                for _ in range(rng.randint(1, 60))
            )
        elif style < 0.8:  # printable noise
            text = "".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(1, 300)))
        else:  # any code point, control characters and lone surrogates included
            text = "".join(chr(rng.randint(0, 0xFFFF)) for _ in range(rng.randint(1, 120)))
        cases.append(Case("invalid:random-string", text, token=rng.choice([ANON, USER])))
    return cases[:count]


def truncations(rng: random.Random, operations: list[str], count: int) -> list[Case]:
    cases: list[Case] = []
    pool = [op for op in operations if len(op) > 8]
    while pool and len(cases) < count:
        op = rng.choice(pool)
        cut = rng.randint(1, len(op) - 2)
        text = op[:cut]
        try:
            graphql.parse(text)
        except graphql.GraphQLError:
            cases.append(Case("invalid:truncated", text, token=rng.choice([ANON, USER])))
    return cases


def _named(type_: Any) -> Any:
    return graphql.get_named_type(type_)


def selection_for(type_: Any) -> str:
    return "" if graphql.is_leaf_type(_named(type_)) else " { __typename }"


def valid_value(type_: Any, depth: int = 0) -> Any:
    """A simple value of `type_` that passes GraphQL coercion."""
    if graphql.is_non_null_type(type_):
        return valid_value(type_.of_type, depth)
    if graphql.is_list_type(type_):
        return [valid_value(type_.of_type, depth + 1)]
    if graphql.is_enum_type(type_):
        return next(iter(type_.values))
    if graphql.is_input_object_type(type_):
        return {
            name: valid_value(f.type, depth + 1)
            for name, f in type_.fields.items()
            if graphql.is_required_input_field(f) or depth == 0
        }
    return {
        "Int": 1,
        "Float": 1.5,
        "Boolean": True,
        "ID": "1",
        "DateTime": "2024-01-01T00:00:00+00:00",
    }.get(type_.name, "x")


def wrong_values(type_: Any) -> list[Any]:
    """JSON values that a variable of `type_` must refuse."""
    nullable = not graphql.is_non_null_type(type_)
    inner = type_.of_type if not nullable else type_
    wrong: list[Any] = [] if nullable else [None]
    if graphql.is_list_type(inner):
        element = inner.of_type
        wrong += [[w] for w in wrong_values(element)[:3]]
        if graphql.is_non_null_type(element):
            wrong.append([None])
        return wrong
    if graphql.is_enum_type(inner):
        return [*wrong, "NOT_A_VALUE", 1, next(iter(inner.values)).lower(), {"v": 1}]
    if graphql.is_input_object_type(inner):
        good = valid_value(inner)
        wrong += ["not an object", [good], {**good, "noSuchField": 1}]
        for name, f in inner.fields.items():
            for bad in wrong_values(f.type)[:2]:
                wrong.append({**good, name: bad})
            if graphql.is_required_input_field(f):
                wrong.append({k: v for k, v in good.items() if k != name})
        return wrong
    by_scalar: dict[str, list[Any]] = {
        "Int": ["12", 1.5, 2**31, -(2**31) - 1, 10**30, True, {"n": 1}],
        "Float": ["1.5", True, {"n": 1}, "NaN", "Infinity"],
        "String": [123, 1.5, True, {"s": "x"}],
        "ID": [1.5, True, {"$gt": ""}, ["1", "2"]],
        "Boolean": ["true", 1, 0, {"b": True}],
        "DateTime": ["yesterday", "2024-13-45T99:99:99Z", 123, ""],
    }
    return wrong + by_scalar.get(inner.name, [123, {"x": 1}])


def _root_fields(schema: graphql.GraphQLSchema) -> Iterator[tuple[str, str, Any]]:
    for keyword, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is not None:
            for name, f in sorted(root.fields.items()):
                yield keyword, name, f


def _operation(keyword: str, name: str, f: Any, given: set[str] | None = None) -> str:
    """`keyword($a: T, ...) { name(a: $a, ...) sel }` over the field's args (or `given` of them)."""
    args = [a for a in f.args if given is None or a in given]
    declared = ", ".join(f"${a}: {f.args[a].type}" for a in args)
    passed = ", ".join(f"{a}: ${a}" for a in args)
    head = f"{keyword}({declared})" if declared else keyword
    call = f"{name}({passed})" if passed else name
    return f"{head} {{ {call}{selection_for(f.type)} }}"


def wrong_variable_types(
    rng: random.Random, schema: graphql.GraphQLSchema, count: int
) -> list[Case]:
    """Right operation, variables of the wrong JSON type (plus missing required variables)."""
    cases: list[Case] = []
    for keyword, name, f in _root_fields(schema):
        if not f.args:
            continue
        operation = _operation(keyword, name, f)
        good = {a: valid_value(arg.type) for a, arg in f.args.items()}
        if any(graphql.is_non_null_type(arg.type) for arg in f.args.values()):
            cases.append(Case("invalid:wrong-variable-type", operation, {}))
        for a, arg in f.args.items():
            for bad in wrong_values(arg.type):
                cases.append(Case("invalid:wrong-variable-type", operation, {**good, a: bad}))
    rng.shuffle(cases)
    for i, case in enumerate(cases):
        case.token = USER if i % 2 else ANON
    return cases[:count]


HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "../../../../etc/passwd",
    "' OR '1'='1' --",
    '{"$gt": ""}',
    "$where",
    "<script>alert(1)</script>",
    "%00%ff",
    "\u202eevil",
    "😀" * 40,
    "Ω" * 2000,
    "a" * 70_000,
    "admin@skillcircle.local",
    "ÄÖÜ@exämple.com",
    "a@b",
    "@",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://127.0.0.1:9/",
    "\r\nSet-Cookie: x=1",
]
HOSTILE_NUMBERS: dict[str, list[Any]] = {
    "Int": [0, -1, 2**31 - 1, -(2**31), 101, 100000],
    "Float": [0.0, -0.0, -1.0, 1e308, -1e308, 5e-324, 100.000001, 101.0, 1e15],
}


def _hostile_for(type_: Any) -> list[Any]:
    named = _named(type_)
    if graphql.is_enum_type(named) or named.name == "Boolean":
        return []
    if graphql.is_input_object_type(named):
        return []  # handled field by field
    if named.name in HOSTILE_NUMBERS:
        return HOSTILE_NUMBERS[named.name]
    if named.name == "DateTime":
        return ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00", "2024-01-01T00:00:00"]
    return HOSTILE_STRINGS


def _wrap(type_: Any, value: Any) -> Any:
    inner = type_.of_type if graphql.is_non_null_type(type_) else type_
    return [value] if graphql.is_list_type(inner) else value


# Tried in every string slot: the bytes that databases and encoders refuse.
ALWAYS_HOSTILE = ("a\x00b", "x\udfffy")


@dataclass
class _Slot:
    """Where a hostile value goes: an argument, or a field of an input-object argument."""

    operation: str
    good: dict[str, Any]  # valid values of every argument
    argument: str
    argument_type: Any
    field: str | None = None
    field_type: Any = None

    @property
    def type(self) -> Any:
        return self.field_type if self.field else self.argument_type

    def variables(self, value: Any) -> dict[str, Any]:
        if self.field is None:
            return {**self.good, self.argument: _wrap(self.argument_type, value)}
        base = valid_value(_named(self.argument_type))
        obj = {**base, self.field: _wrap(self.field_type, value)}
        return {**self.good, self.argument: _wrap(self.argument_type, obj)}


def hostile_values(rng: random.Random, schema: graphql.GraphQLSchema, count: int) -> list[Case]:
    """Well-typed but absurd values in every argument and input field: domain validation's job.

    About `count` cases: every slot (argument or input field) gets ALWAYS_HOSTILE plus a
    rotating window of the other values, so each value lands in many slots.
    """
    slots: list[_Slot] = []
    for keyword, name, f in _root_fields(schema):
        operation = _operation(keyword, name, f)
        good = {a: valid_value(arg.type) for a, arg in f.args.items()}
        for a, arg in f.args.items():
            slots.append(_Slot(operation, good, a, arg.type))
            named = _named(arg.type)
            if graphql.is_input_object_type(named):
                for field_name, input_field in named.fields.items():
                    slots.append(_Slot(operation, good, a, arg.type, field_name, input_field.type))
    slots = [slot for slot in slots if _hostile_for(slot.type)]
    window = max(1, count // max(1, len(slots)) - len(ALWAYS_HOSTILE))
    cases: list[Case] = []
    for i, slot in enumerate(slots):
        values = _hostile_for(slot.type)
        chosen = [v for v in values if v in ALWAYS_HOSTILE]
        others = [v for v in values if v not in ALWAYS_HOSTILE]
        chosen += [others[(i * window + j) % len(others)] for j in range(min(window, len(others)))]
        cases += [Case("invalid:hostile-value", slot.operation, slot.variables(v)) for v in chosen]
    rng.shuffle(cases)
    for i, case in enumerate(cases):
        case.token = USER if i % 2 else ANON
    return cases


def _paged_fields(schema: graphql.GraphQLSchema) -> list[tuple[str, str]]:
    """(document prefix, field call template) for every field taking `first`/`after`/`depth`."""
    found: list[tuple[str, str]] = []
    query = schema.query_type
    if query is None:
        return found
    for name, f in sorted(query.fields.items()):
        if {"first", "after"} & set(f.args):
            found.append(("", name))
    me = query.fields.get("me")
    if me is not None:
        for name, f in sorted(_named(me.type).fields.items()):
            if {"first", "after"} & set(f.args):
                found.append(("me", name))
    return found


def _call(prefix: str, name: str, args: str, f: Any) -> str:
    inner = f"{name}({args}){selection_for(f.type)}"
    return f"{{ {prefix} {{ {inner} }} }}" if prefix else f"{{ {inner} }}"


def _field(schema: graphql.GraphQLSchema, prefix: str, name: str) -> Any:
    assert schema.query_type is not None
    owner = _named(schema.query_type.fields[prefix].type) if prefix else schema.query_type
    return owner.fields[name]


def _required_args(f: Any) -> str:
    return "".join(
        f", {a}: {graphql.print_ast(graphql.ast_from_value(valid_value(arg.type), arg.type))}"  # type: ignore[arg-type]
        for a, arg in f.args.items()
        if graphql.is_non_null_type(arg.type)
    )


def paging_abuse(schema: graphql.GraphQLSchema) -> list[Case]:
    """Huge, negative and mistyped `first`; malformed `after` cursors."""
    firsts = [-1, -100, -(2**31), 0, 101, 1000, 2**31 - 1]
    var_firsts: list[Any] = [2**31, -(2**31) - 1, 10**20, 1.5, "10", None, [1]]
    cursors = [
        "",
        " ",
        "!!!",
        "%%%",
        "null",
        "-1",
        "0",
        "a" * 5000,
        "\x00",
        "\ud800",
        base64.b64encode(b"garbage").decode(),
        base64.b64encode(b"-1").decode(),
        base64.b64encode(b'{"id": {"$gt": ""}}').decode(),
        base64.b64encode(b"\xff\xfe\x00").decode(),
        base64.urlsafe_b64encode(b"cursor:99999999999999999999").decode(),
        "====",
        "YQ",
        "😀",
    ]
    cases: list[Case] = []
    for prefix, name in _paged_fields(schema):
        f = _field(schema, prefix, name)
        required = _required_args(f)
        for token in (ANON, USER):
            if "first" in f.args:
                for n in firsts:
                    cases.append(
                        Case(
                            "invalid:first",
                            _call(prefix, name, f"first: {n}{required}", f),
                            token=token,
                        )
                    )
                op = f"query($n: Int) {_call(prefix, name, f'first: $n{required}', f)}"
                for value in var_firsts:
                    cases.append(Case("invalid:first", op, {"n": value}, token=token))
            if "after" in f.args:
                op = f"query($c: String) {_call(prefix, name, f'first: 3, after: $c{required}', f)}"
                for cursor in cursors:
                    cases.append(Case("invalid:cursor", op, {"c": cursor}, token=token))
    return cases


def _skill_chain(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"prerequisites {{ id {inner} }}"
    return f"{{ skills(first: 3) {{ edges {{ node {{ {inner} }} }} }} }}"


def nesting_and_floods(schema: graphql.GraphQLSchema) -> list[Case]:
    """Deep selections, deep values, alias floods, fragment tricks, directive floods."""
    query = schema.query_type
    fields = set(query.fields) if query else set()
    cases: list[Case] = []

    def add(
        what: str, text: str, variables: dict[str, Any] | None = None, token: str = ANON
    ) -> None:
        cases.append(Case(f"invalid:{what}", text, variables, token=token))

    skill = schema.type_map.get("Skill")
    if (
        "skills" in fields
        and isinstance(skill, graphql.GraphQLObjectType)
        and "prerequisites" in skill.fields
    ):
        for depth in (8, 11, 12, 13, 20, 60):
            add("deep-selection", _skill_chain(depth))
    if "me" in fields:
        add(
            "alias-flood",
            "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(300)) + " }",
            token=USER,
        )
        add("duplicate-field-conflict", '{ me { id } me: user(id: "1") { id } }', token=USER)
    introspection_depth = (
        "{ __schema { types { " + "fields { type { " * 12 + "name" + " } }" * 12 + " } } }"
    )
    add("deep-selection", introspection_depth)
    add(
        "deep-selection",
        "{ __schema { types { " + "ofType { " * 31 + "name" + " }" * 31 + " } } }",
    )
    add("brace-bomb", "{" * 5000)
    add("brace-bomb", "{ __typename " + "{" * 1000 + "}" * 1000 + " }")
    add("deep-value", "{ __typename(x: " + "[" * 2000 + "]" * 2000 + ") }")
    add("deep-value", "{ __typename(x: " + "{a: " * 500 + "1" + "}" * 500 + ") }")
    add(
        "deep-variable",
        "query($v: String) { __typename }",
        {"v": json.loads("[" * 500 + "]" * 500)},
    )
    for n in (100, 500, 1000, 3000, 10000):
        add("alias-flood", "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }")
    if "skills" in fields:
        add(
            "alias-flood",
            "{ "
            + " ".join(f"a{i}: skills(first: 100) {{ totalCount }}" for i in range(150))
            + " }",
        )
        add(
            "alias-flood",
            "{ "
            + " ".join(
                f"a{i}: skills(first: 100) {{ edges {{ node {{ id name }} }} }}" for i in range(60)
            )
            + " }",
        )
    if "categories" in fields:
        add(
            "alias-flood",
            "{ " + " ".join(f"a{i}: categories {{ slug }}" for i in range(300)) + " }",
        )
    add("directive-flood", "{ __typename" + " @skip(if: false)" * 600 + " }")
    add("directive-flood", "{ __typename" + " @include(if: true)" * 100 + " @nope }")
    add("fragment-cycle", "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    add("fragment-unused", "{ __typename } fragment A on Query { __typename }")
    add("fragment-wrong-type", "{ ...A } fragment A on NoSuchType { __typename }")
    bomb = ["fragment F0 on Query { __typename }"]
    for i in range(1, 40):
        bomb.append(f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}")
    add("fragment-bomb", "{ ...F39 } " + " ".join(bomb))
    many = " ".join(f"fragment G{i} on Query {{ a{i}: __typename }}" for i in range(400))
    add("fragment-flood", "{ " + " ".join(f"...G{i}" for i in range(400)) + " } " + many)
    add(
        "variables-flood",
        "query(" + " ".join(f"$v{i}: Int" for i in range(500)) + ") { __typename }",
        {f"v{i}": i for i in range(500)},
    )
    add("skip-wrong-type", '{ __typename @skip(if: "yes") }')
    add("unknown-argument", "{ __typename(nope: 1) }")
    add("subscription-over-post", "subscription { __typename }")
    add("variable-undefined", "query { __typename @skip(if: $nope) }")
    add("variable-unused", "query($a: Int) { __typename }", {"a": 1})
    add("operation-name", "query A { __typename } query B { __typename }")
    return cases


def bad_requests(schema: graphql.GraphQLSchema) -> list[Case]:
    """Broken HTTP bodies, content types, methods and Authorization headers."""
    ok = "{ __typename }"
    raws: list[tuple[bytes, str]] = [
        (b"", "application/json"),
        (b"{", "application/json"),
        (b"not json", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b"123", "application/json"),
        (b'"{ __typename }"', "application/json"),
        (b'{"query": 1}', "application/json"),
        (b'{"query": null}', "application/json"),
        (b'{"query": ["{ __typename }"]}', "application/json"),
        (b'{"query": "{ __typename }", "variables": "x"}', "application/json"),
        (b'{"query": "{ __typename }", "variables": [1]}', "application/json"),
        (b'{"query": "{ __typename }", "operationName": 5}', "application/json"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "application/json"),
        (b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', "application/json"),
        (b'{"query": "{ __typename }"}', "text/plain"),
        (b"query={ __typename }", "application/x-www-form-urlencoded"),
        (b'{"query": "{ __typename }"}', "application/graphql"),
        (b"\xff\xfe\x00\x01", "application/json"),
        (b'{"query": "{ __typename }", "query": "{ me { id } }"}', "application/json"),
        (b'{"query": "' + b"a" * 3_000_000 + b'"}', "application/json"),
        (b'{"query": "{ __typename }"' + b" " * 100 + b"}", "application/json; charset=latin1"),
    ]
    cases = [Case("invalid:bad-body", raw=raw, content_type=ct) for raw, ct in raws]
    cases += [
        Case("invalid:bad-body", ok, extra={"operationName": "Nope"}),
        Case(
            "invalid:bad-body",
            ok,
            extra={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}},
        ),
        Case(
            "invalid:bad-body",
            None,
            extra={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
        ),
        Case("invalid:bad-method", 'mutation { logout(refreshToken: "x") }', method="GET"),
        Case("invalid:bad-method", ok, method="PUT"),
        Case("invalid:bad-method", ok, method="DELETE"),
        Case("invalid:bad-method", ok, method="PATCH"),
    ]
    headers = [
        "Bearer",
        "Bearer x",
        "Bearer a.b.c",
        "Basic YWRtaW46YWRtaW4=",
        "bearer \x7f",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZXMiOlsiQURNSU4iXX0.",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "Bearer " + "a" * 8000,
        "Token x",
        "Bearer %USER%tampered",
        "Bearer %USER% extra",
    ]
    for header in headers:
        for op in (
            "{ me { id email } }",
            'mutation { updateProfile(input: {displayName: "x"}) { id } }',
            "mutation { markAllNotificationsRead }",
        ):
            if not graphql.validate(schema, graphql.parse(op)):
                cases.append(Case("invalid:bad-token", op, token=f"header:{header}"))
    return cases
