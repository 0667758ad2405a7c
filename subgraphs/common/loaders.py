"""DataLoaders: every by-reference and to-many read is one store round trip per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def one_each(
    fetch: Callable[[list[K]], Awaitable[Iterable[V]]], key_of: Callable[[V], K]
) -> DataLoader[K, V | None]:
    """A loader of one value per key (None when missing) from one `fetch` per batch."""

    async def load(keys: list[K]) -> list[V | None]:
        found = {key_of(value): value for value in await fetch(list(dict.fromkeys(keys)))}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def many_each(
    fetch: Callable[[list[K]], Awaitable[Iterable[tuple[K, V]]]],
) -> DataLoader[K, list[V]]:
    """A loader of a list per key from one `fetch` of (key, value) pairs per batch."""

    async def load(keys: list[K]) -> list[list[V]]:
        grouped: dict[K, list[V]] = defaultdict(list)
        for key, value in await fetch(list(dict.fromkeys(keys))):
            grouped[key].append(value)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def scalar_each(fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: V) -> DataLoader[K, V]:
    """A loader of one computed value per key (a count, a flag) from one `fetch`."""

    async def load(keys: list[K]) -> list[V]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)
