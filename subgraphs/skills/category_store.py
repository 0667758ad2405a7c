"""Persistence of the category tree (PyMongo async)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..common.events.outbox import PENDING
from ..common.stores.mongo import Document, MongoDatabase, is_duplicate_key
from .store import SlugTaken, new_id


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

    async def by_id(self, category_id: str) -> CategoryRecord | None:
        doc = await self.categories.find_one({"_id": category_id})
        return CategoryRecord.of(doc) if doc else None

    async def by_slug(self, slug: str) -> CategoryRecord | None:
        doc = await self.categories.find_one({"slug": slug})
        return CategoryRecord.of(doc) if doc else None

    async def all(self) -> list[CategoryRecord]:
        """Every category (a catalog has tens of them, not thousands)."""
        cursor = self.categories.find({}, {PENDING: 0}).sort("_id", ASCENDING)
        return [CategoryRecord.of(d) async for d in cursor]

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
