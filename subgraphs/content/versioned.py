"""Versioned documents (courses, articles): a head per item plus its history.

The head holds the working copy (`current`), the published copy and the
version number; the history collection holds every version ever written.
FerretDB has no transactions, so each change is decided by one atomic,
version-guarded update of the head (exactly one concurrent writer wins), and
only the winner then records the version in the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..common.stores.mongo import MongoDatabase, is_duplicate_key
from .documents import Document, object_id, object_ids
from .domain import DRAFT, PUBLISHED


class SlugTaken(Exception):
    """Another item already uses this slug."""


class VersionedCollection:
    def __init__(self, database: MongoDatabase, name: str, history: str, owner: str) -> None:
        self.heads = database[name]
        self.history = database[history]
        self.owner = owner  # the history's field naming the head, e.g. "course_id"

    async def create_indexes(self) -> None:
        await self.heads.create_index("current.slug", unique=True)
        await self.heads.create_index("published.slug")
        await self.heads.create_index("published.skill_ids")
        await self.history.create_index([(self.owner, 1), ("version", 1)], unique=True)

    # ------------------------------------------------------------ reads
    async def by_ids(self, ids: list[str]) -> list[Document]:
        return await self.heads.find({"_id": {"$in": object_ids(ids)}}).to_list()

    async def by_slug(self, slug: str, published: bool) -> Document | None:
        return await self.heads.find_one({"published.slug" if published else "current.slug": slug})

    async def slug_used_elsewhere(self, slug: str, item_id: str | None) -> bool:
        """True when another item has `slug`, as its working or its published copy."""
        query: dict[str, Any] = {"$or": [{"current.slug": slug}, {"published.slug": slug}]}
        if item_id is not None:
            query["_id"] = {"$ne": object_id(item_id)}
        return await self.heads.find_one(query) is not None

    async def find(
        self, query: Mapping[str, Any], limit: int | None = None, after: ObjectId | None = None
    ) -> list[Document]:
        """Heads matching `query` in creation order, optionally after a cursor."""
        if after is not None:
            query = {**query, "_id": {"$gt": after}}
        cursor = self.heads.find(dict(query)).sort("_id", 1)
        if limit is not None:
            cursor = cursor.limit(limit)
        return await cursor.to_list()

    async def count(self, query: Mapping[str, Any]) -> int:
        return await self.heads.count_documents(dict(query))

    async def versions_of(self, ids: list[str]) -> list[Document]:
        return (
            await self.history.find({self.owner: {"$in": ids}})
            .sort([(self.owner, 1), ("version", 1)])
            .to_list()
        )

    async def version(self, item_id: str, version: int) -> Document | None:
        return await self.history.find_one({self.owner: item_id, "version": version})

    # ------------------------------------------------------------ writes
    async def create(self, content: Document, editor_id: str, now: datetime) -> Document:
        head = {
            "current": content,
            "published": None,
            "status": DRAFT,
            "version": 1,
            "published_version": None,
            "published_at": None,
            "created_at": now,
            "updated_at": now,
        }
        try:
            result = await self.heads.insert_one(head)
        except DuplicateKeyError as exc:
            raise SlugTaken(content["slug"]) from exc
        head["_id"] = result.inserted_id
        await self._record(str(result.inserted_id), 1, content, editor_id, now)
        return head

    async def append(
        self, item_id: str, from_version: int, content: Document, editor_id: str, now: datetime
    ) -> Document | None:
        """The head at the next version, with `content`; None if it moved on meanwhile."""
        version = from_version + 1
        try:
            head = await self.heads.find_one_and_update(
                {"_id": object_id(item_id), "version": from_version},
                {"$set": {"current": content, "version": version, "updated_at": now}},
                return_document=ReturnDocument.AFTER,
            )
        except OperationFailure as exc:
            if is_duplicate_key(exc):
                raise SlugTaken(content["slug"]) from exc
            raise
        if head is not None:
            await self._record(item_id, version, content, editor_id, now)
        return head

    async def publish(
        self, item_id: str, version: int, content: Document, now: datetime, events: Document
    ) -> Document | None:
        """Publishes `content`, the working copy at `version`, with `events` (a `$push` of
        pending events, see common/events/outbox.py); None if the head moved on."""
        return await self.heads.find_one_and_update(
            {"_id": object_id(item_id), "version": version},
            {
                "$set": {
                    "published": content,
                    "published_version": version,
                    "published_at": now,
                    "status": PUBLISHED,
                    "updated_at": now,
                },
                **events,
            },
            return_document=ReturnDocument.AFTER,
        )

    async def withdraw(
        self, item_id: str, status: str, now: datetime, events: Document
    ) -> Document | None:
        """Learners stop seeing the item: no published copy, `status` DRAFT or ARCHIVED;
        `events` as in `publish`."""
        return await self.heads.find_one_and_update(
            {"_id": object_id(item_id)},
            {
                "$set": {
                    "published": None,
                    "published_version": None,
                    "published_at": None,
                    "status": status,
                    "updated_at": now,
                },
                **events,
            },
            return_document=ReturnDocument.AFTER,
        )

    async def delete(self, item_id: str) -> bool:
        """Removes the item and its history; False when there was no such item."""
        deleted = await self.heads.delete_one({"_id": object_id(item_id)})
        await self.history.delete_many({self.owner: item_id})
        return bool(deleted.deleted_count)

    async def forget_skill(self, skill_id: str) -> None:
        """No copy, published or not, nor any past version links to `skill_id` any more."""
        for side in ("current", "published"):
            field = f"{side}.skill_ids"
            await self.heads.update_many({field: skill_id}, {"$pull": {field: skill_id}})
        await self.history.update_many(
            {"content.skill_ids": skill_id}, {"$pull": {"content.skill_ids": skill_id}}
        )

    async def _record(
        self, item_id: str, version: int, content: Document, editor_id: str, now: datetime
    ) -> None:
        entry = {
            self.owner: item_id,
            "version": version,
            "content": content,
            "edited_at": now,
            "editor_id": editor_id,
        }
        # Upsert: a leftover entry of a crashed writer must not block this version.
        await self.history.replace_one(
            {self.owner: item_id, "version": version}, entry, upsert=True
        )
