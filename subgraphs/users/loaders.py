"""DataLoaders of the users subgraph."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from ..common.loaders import one_each
from .deps import Deps
from .store import UserRow, UserStore


@dataclass
class Loaders:
    user: DataLoader[str, UserRow | None]


def make_loaders(store: UserStore) -> Loaders:
    return Loaders(user=one_each(store.by_ids, key_of=lambda row: str(row.id)))


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.store)
