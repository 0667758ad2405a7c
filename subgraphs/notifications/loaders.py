"""DataLoaders of the notifications subgraph: one Redis round trip (pipeline) per batch."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from ..common.loaders import one_each, scalar_each
from .deps import Deps
from .domain import Notification
from .store import InboxStore, Page, PageRequest


@dataclass
class Loaders:
    notification: DataLoader[str, Notification | None]
    page: DataLoader[PageRequest, Page]
    unread_count: DataLoader[str, int]


def make_loaders(store: InboxStore) -> Loaders:
    async def pages(requests: list[PageRequest]) -> list[Page]:
        return await store.pages(requests)

    return Loaders(
        notification=one_each(store.by_ids, key_of=lambda n: n.id),
        page=DataLoader(load_fn=pages),
        unread_count=scalar_each(store.unread_counts, 0),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.store)
