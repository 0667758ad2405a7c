"""The event contracts: every handled event has a producer, every produced one a consumer.

Producers and consumers are read from the subgraphs' source: a producer
instantiates a contract (`SkillCreated(...)`), a consumer registers a handler
for it (`Handlers().on(SkillCreated, ...)`).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from subgraphs.common.events import Event, contracts
from subgraphs.common.events.contracts import CONTRACTS, Contract, SkillCreated

SUBGRAPHS = Path(contracts.__file__).parents[2]
# The platform's contracts (tests register contracts of their own, e.g. test.work).
PLATFORM = {n: c for n, c in CONTRACTS.items() if c.__module__ == contracts.__name__}
NAMES = {contract.__name__: contract for contract in PLATFORM.values()}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def usage() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """contract name -> subgraphs producing it, and -> subgraphs handling it."""
    produced: dict[str, set[str]] = defaultdict(set)
    handled: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SUBGRAPHS.glob("*/**/*.py")):
        subgraph = path.relative_to(SUBGRAPHS).parts[0]
        if subgraph == "common":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            if called in NAMES:
                produced[NAMES[called].NAME].add(subgraph)
            elif called == "on" and node.args and _name(node.args[0]) in NAMES:
                handled[NAMES[str(_name(node.args[0]))].NAME].add(subgraph)
    return produced, handled


def test_every_handled_event_has_a_producer() -> None:
    produced, handled = usage()
    orphans = {name: sorted(by) for name, by in handled.items() if name not in produced}
    assert orphans == {}, f"handled but never emitted: {orphans}"


def test_every_produced_event_has_a_consumer_or_says_why_not() -> None:
    produced, handled = usage()
    unheard = sorted(
        name for name in produced if name not in handled and CONTRACTS[name].UNCONSUMED is None
    )
    assert unheard == [], f"emitted but nobody handles them (set UNCONSUMED if meant): {unheard}"
    stale = sorted(name for name in handled if CONTRACTS[name].UNCONSUMED is not None)
    assert stale == [], f"declared unconsumed but handled: {stale}"


def test_every_contract_is_produced_somewhere() -> None:
    produced, _ = usage()
    assert sorted(set(PLATFORM) - set(produced)) == []


def test_a_payload_travels_in_camel_case_and_is_validated_on_read() -> None:
    event = Event.of(SkillCreated(skill_id="s1", slug="sql", name="SQL"), producer="skills")
    wire = Event.from_json(event.to_json())
    assert (wire.type, wire.version) == ("skill.created", 1)
    assert wire.payload == {
        "skillId": "s1",
        "slug": "sql",
        "name": "SQL",
        # Optional fields added later (issue 12) travel as null when not given.
        "level": None,
        "categoryId": None,
        "categoryName": None,
    }
    assert SkillCreated.model_validate(wire.payload).skill_id == "s1"
    with pytest.raises(ValidationError):
        SkillCreated.model_validate({"skillId": "s1", "slug": "sql"})


def test_two_contracts_cannot_share_a_name() -> None:
    with pytest.raises(ValueError, match=r"two contracts named skill\.created"):

        class Impostor(Contract):
            NAME = "skill.created"
