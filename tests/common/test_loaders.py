"""DataLoader helpers: one fetch per batch, answers aligned with the keys asked."""

from __future__ import annotations

import asyncio

from subgraphs.common.auth import token_from_connection_params
from subgraphs.common.loaders import many_each, one_each, scalar_each


async def test_one_each_batches_and_aligns() -> None:
    calls: list[list[str]] = []

    async def fetch(keys: list[str]) -> list[dict[str, str]]:
        calls.append(keys)
        return [{"id": k, "name": k.upper()} for k in keys if k != "missing"]

    loader = one_each(fetch, key_of=lambda row: row["id"])
    found = await asyncio.gather(*(loader.load(k) for k in ["b", "a", "missing", "b"]))
    assert [row["name"] if row else None for row in found] == ["B", "A", None, "B"]
    assert calls == [["b", "a", "missing"]]  # one round trip, each key once


async def test_many_each_groups_per_key() -> None:
    calls: list[list[int]] = []

    async def fetch(keys: list[int]) -> list[tuple[int, str]]:
        calls.append(keys)
        return [(k, f"{k}-{n}") for k in keys for n in range(k)]

    loader = many_each(fetch)
    assert await asyncio.gather(loader.load(2), loader.load(0), loader.load(1)) == [
        ["2-0", "2-1"],
        [],
        ["1-0"],
    ]
    assert len(calls) == 1


async def test_scalar_each_uses_the_default_for_missing_keys() -> None:
    async def counts(keys: list[str]) -> dict[str, int]:
        return {"popular": 42}

    loader = scalar_each(counts, default=0)
    assert await asyncio.gather(loader.load("popular"), loader.load("new")) == [42, 0]


def test_websocket_tokens_come_from_the_connection_payload() -> None:
    assert token_from_connection_params({"Authorization": "Bearer abc"}) == "abc"
    assert token_from_connection_params({"authorization": "bearer abc"}) == "abc"
    assert token_from_connection_params({"token": "Bearer abc"}) == "abc"  # Apollo Router
    assert token_from_connection_params({"headers": {"Authorization": "Bearer abc"}}) == "abc"
    assert token_from_connection_params({"Authorization": "Basic abc"}) is None
    assert token_from_connection_params(None) is None
