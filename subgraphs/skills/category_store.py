"""Persistence of the category tree (PyMongo async)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..common.events.outbox import PENDING
from ..common.stores.mongo import Document, MongoDatabase, is_duplicate_key
from .store import SlugTaken, new_id, valid_ids


@dataclass(frozen=True)
class CategoryRecord:
    id: str
    slug: str
    name: str
    parent_id: str | None

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> CategoryRecord:
        parent = doc.get("parentId")
        return cls(str(doc["_id"]), doc["slug"], doc["name"], str(parent) if parent else None)


class CategoryStore:
    """The `categories` collection: each category names its parent."""

    def __init__(self, database: MongoDatabase) -> None:
        self.categories = database["categories"]

    async def ensure_indexes(self) -> None:
        await self.categories.create_index("slug", unique=True)
        await self.categories.create_index("parentId")

    async def by_ids(self, ids: Sequence[str]) -> list[CategoryRecord]:
        wanted = valid_ids(ids)
        if not wanted:
            return []
        cursor = self.categories.find({"_id": {"$in": wanted}})
        return [CategoryRecord.of(d) async for d in cursor]

    async def by_slug(self, slug: str) -> CategoryRecord | None:
        doc = await self.categories.find_one({"slug": slug})
        return CategoryRecord.of(doc) if doc else None

    async def all(self) -> list[CategoryRecord]:
        """Every category (a catalog has tens of them, not thousands)."""
        cursor = self.categories.find({}).sort("_id", ASCENDING)
        return [CategoryRecord.of(d) async for d in cursor]

    async def subtrees(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """For each category id: itself and every category below it, from one query."""
        children: dict[str | None, list[str]] = {}
        for category in await self.all():
            children.setdefault(category.parent_id, []).append(category.id)
        subtrees = {}
        for root in valid_ids(ids):
            subtree, frontier = [root], [root]
            while frontier:
                frontier = [c for parent in frontier for c in children.get(parent, [])]
                subtree += [c for c in frontier if c not in subtree]
            subtrees[root] = subtree
        return subtrees

    async def top_level(self) -> list[CategoryRecord]:
        cursor = self.categories.find({"parentId": None}).sort("_id", ASCENDING)
        return [CategoryRecord.of(d) async for d in cursor]

    async def subcategories_of(self, ids: Sequence[str]) -> list[tuple[str, CategoryRecord]]:
        wanted = valid_ids(ids)
        if not wanted:
            return []
        cursor = self.categories.find({"parentId": {"$in": wanted}}).sort("_id", ASCENDING)
        return [(str(d["parentId"]), CategoryRecord.of(d)) async for d in cursor]

    async def insert(
        self,
        slug: str,
        name: str,
        parent_id: str | None,
        announce: Callable[[CategoryRecord], list[Document]],
    ) -> CategoryRecord:
        """Inserts the category with the pending events `announce` gives for it."""
        doc: Document = {"_id": new_id(), "slug": slug, "name": name, "parentId": parent_id}
        doc[PENDING] = announce(CategoryRecord.of(doc))
        try:
            await self.categories.insert_one(doc)
        except (DuplicateKeyError, OperationFailure) as exc:
            if is_duplicate_key(exc):
                raise SlugTaken(slug) from exc
            raise
        return CategoryRecord.of(doc)
