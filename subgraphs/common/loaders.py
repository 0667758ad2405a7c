"""DataLoaders: every by-reference and to-many read is one store round trip per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TypeVar

from opentelemetry import trace
from strawberry.dataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

_tracer = trace.get_tracer("skill_circle.loaders")


def traced_batch(
    load: Callable[[list[K]], Awaitable[R]], name: str
) -> Callable[[list[K]], Awaitable[R]]:
    """`load` in a span per batch ("dataloader <name>", with the batch size).

    The span is a child of whatever the first `.load()` of the batch ran in
    (the operation), so store calls made by the batch nest under it. Without
    tracing configured the span is the API's no-op.
    """

    async def traced(keys: list[K]) -> R:
        with _tracer.start_as_current_span(
            f"dataloader {name}",
            attributes={"dataloader.name": name, "dataloader.batch_size": len(keys)},
        ):
            return await load(keys)

    return traced


def _name_of(fetch: Callable[..., object], name: str | None) -> str:
    """The span name of a loader: given, else the fetch's name ("UserStore.by_ids")."""
    qualname = getattr(fetch, "__qualname__", None) or type(fetch).__name__
    return name or qualname.rsplit("<locals>.", 1)[-1]


def one_each(
    fetch: Callable[[list[K]], Awaitable[Iterable[V]]],
    key_of: Callable[[V], K],
    *,
    name: str | None = None,
) -> DataLoader[K, V | None]:
    """A loader of one value per key (None when missing) from one `fetch` per batch."""

    async def load(keys: list[K]) -> list[V | None]:
        found = {key_of(value): value for value in await fetch(list(dict.fromkeys(keys)))}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=traced_batch(load, _name_of(fetch, name)))


def many_each(
    fetch: Callable[[list[K]], Awaitable[Iterable[tuple[K, V]]]],
    *,
    name: str | None = None,
) -> DataLoader[K, list[V]]:
    """A loader of a list per key from one `fetch` of (key, value) pairs per batch."""

    async def load(keys: list[K]) -> list[list[V]]:
        grouped: dict[K, list[V]] = defaultdict(list)
        for key, value in await fetch(list(dict.fromkeys(keys))):
            grouped[key].append(value)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=traced_batch(load, _name_of(fetch, name)))


def scalar_each(
    fetch: Callable[[list[K]], Awaitable[dict[K, V]]],
    default: V,
    *,
    name: str | None = None,
) -> DataLoader[K, V]:
    """A loader of one computed value per key (a count, a flag) from one `fetch`."""

    async def load(keys: list[K]) -> list[V]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=traced_batch(load, _name_of(fetch, name)))
