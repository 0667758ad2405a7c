"""DataLoaders of the users subgraph."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from ..common.loaders import one_each, scalar_each
from ..common.personal_data import DELETED_USER_ID
from .deletion_store import DeletionStore
from .deps import Deps
from .store import UserRow, UserStore, as_uuid


@dataclass
class Loaders:
    user: DataLoader[str, UserRow | None]
    deleted: DataLoader[str, bool]  # whether an id is of a deleted account (or the placeholder)


def make_loaders(store: UserStore, deletions: DeletionStore) -> Loaders:
    async def deleted(ids: list[str]) -> dict[str, bool]:
        keys = [key for key in (as_uuid(i) for i in ids) if key is not None]
        found = {str(key) for key in await deletions.deleted_users(keys)} if keys else set()
        return {i: i == DELETED_USER_ID or i in found for i in ids}

    return Loaders(
        user=one_each(store.by_ids, key_of=lambda row: str(row.id)),
        deleted=scalar_each(deleted, False),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.store, deps.deletions.store)
