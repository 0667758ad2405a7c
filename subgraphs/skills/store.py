"""Persistence of skills in MongoDB (PyMongo async).

Prerequisite edges live on the dependent skill as `prerequisiteIds` (skill
ids, never slugs), so renaming a slug cannot leave a dangling edge and the
reverse edge (`dependents`) is one indexed `$in` query. Ids are ObjectId hex
strings stored as `_id`; anything not shaped like one is simply never found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..common.events.outbox import PENDING
from ..common.stores.mongo import Document, MongoDatabase, is_duplicate_key

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def new_id() -> str:
    return str(ObjectId())


def is_id(value: object) -> bool:
    return isinstance(value, str) and OBJECT_ID.match(value) is not None


def valid_ids(values: Iterable[object]) -> list[str]:
    """The values shaped like our ids, in order, without repeats."""
    return [str(v) for v in dict.fromkeys(values) if is_id(v)]


class SlugTaken(Exception):
    """A unique slug index refused the write."""


@dataclass(frozen=True)
class SkillRecord:
    id: str
    slug: str
    name: str
    description: str
    level: str
    tags: tuple[str, ...]
    category_id: str
    prerequisite_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> SkillRecord:
        return cls(
            id=str(doc["_id"]),
            slug=doc["slug"],
            name=doc["name"],
            description=doc["description"],
            level=doc["level"],
            tags=tuple(doc.get("tags") or ()),
            category_id=str(doc["categoryId"]),
            prerequisite_ids=tuple(doc.get("prerequisiteIds") or ()),
        )


@dataclass(frozen=True)
class GraphNode:
    """A skill as the prerequisite graph sees it: id, slug and outgoing edges."""

    id: str
    slug: str
    prerequisite_ids: tuple[str, ...]


@dataclass(frozen=True)
class SkillQuery:
    """Which skills a listing wants; `category_ids` None means any category."""

    category_ids: Sequence[str] | None = None
    level: str | None = None
    tag: str | None = None
    search: str | None = None
    ids_after: str | None = None

    def matches(self, skill: SkillRecord) -> bool:
        """Whether `skill` is listed (ids_after aside); search is case-insensitive."""
        if self.category_ids is not None and skill.category_id not in self.category_ids:
            return False
        if self.level and skill.level != self.level:
            return False
        if self.tag and self.tag not in skill.tags:
            return False
        if self.search:
            needle = self.search.casefold()
            return any(
                needle in text.casefold() for text in (skill.name, skill.description, *skill.tags)
            )
        return True


@dataclass
class SkillFields:
    """What a skill's editor sets (everything but its id and edges)."""

    slug: str
    name: str
    description: str
    level: str
    tags: list[str] = field(default_factory=list)
    category_id: str = ""

    def to_mongo(self) -> Document:
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "level": self.level,
            "tags": list(self.tags),
            "categoryId": self.category_id,
        }


_GRAPH_PROJECTION = {"slug": 1, "prerequisiteIds": 1}


class SkillStore:
    """The `skills` collection."""

    def __init__(self, database: MongoDatabase) -> None:
        self.skills = database["skills"]
        self.tombstones = database["skill_tombstones"]

    async def ensure_indexes(self) -> None:
        await self.skills.create_index("slug", unique=True)
        await self.skills.create_index("categoryId")
        await self.skills.create_index("prerequisiteIds")
        await self.skills.create_index("tags")

    # ---------------------------------------------------------------- skills
    async def skills_by_ids(self, ids: Sequence[str]) -> list[SkillRecord]:
        wanted = valid_ids(ids)
        if not wanted:
            return []
        return [SkillRecord.of(d) async for d in self.skills.find({"_id": {"$in": wanted}})]

    async def skill_by_id(self, skill_id: str) -> SkillRecord | None:
        """One skill by `_id` equality (an index lookup everywhere, FerretDB included)."""
        if not is_id(skill_id):
            return None
        doc = await self.skills.find_one({"_id": skill_id}, {PENDING: 0})
        return SkillRecord.of(doc) if doc else None

    async def all_skills(self) -> list[SkillRecord]:
        """The whole catalog (what the in-process read model loads)."""
        return [SkillRecord.of(d) async for d in self.skills.find({}, {PENDING: 0})]

    async def skills_by_slugs(self, slugs: Sequence[str]) -> list[SkillRecord]:
        cursor = self.skills.find({"slug": {"$in": list(dict.fromkeys(slugs))}})
        return [SkillRecord.of(d) async for d in cursor]

    async def skill_by_slug(self, slug: str) -> SkillRecord | None:
        doc = await self.skills.find_one({"slug": slug})
        return SkillRecord.of(doc) if doc else None

    async def count_skills(self) -> int:
        return await self.skills.count_documents({})

    async def insert_skill(
        self,
        fields: SkillFields,
        prerequisite_ids: Sequence[str] = (),
        announce: Callable[[SkillRecord], list[Document]] | None = None,
    ) -> SkillRecord:
        """Inserts the skill with the pending events `announce` gives for it (the outbox)."""
        doc = {"_id": new_id(), **fields.to_mongo(), "prerequisiteIds": list(prerequisite_ids)}
        if announce is not None:
            doc[PENDING] = announce(SkillRecord.of(doc))
        try:
            await self.skills.insert_one(doc)
        except (DuplicateKeyError, OperationFailure) as exc:
            if is_duplicate_key(exc):
                raise SlugTaken(fields.slug) from exc
            raise
        return SkillRecord.of(doc)

    # `events`: a `$push` of pending events (common/events/outbox.py) made with the change.
    async def update_skill(
        self, skill_id: str, fields: SkillFields, events: Document
    ) -> SkillRecord | None:
        change = {"$set": fields.to_mongo(), **events}
        return await self._change_skill(skill_id, change, fields.slug)

    async def add_prerequisite(
        self, skill_id: str, prerequisite_id: str, events: Document
    ) -> SkillRecord | None:
        change = {"$addToSet": {"prerequisiteIds": prerequisite_id}, **events}
        return await self._change_skill(skill_id, change)

    async def remove_prerequisite(
        self, skill_id: str, prerequisite_id: str, events: Document
    ) -> SkillRecord | None:
        change = {"$pull": {"prerequisiteIds": prerequisite_id}, **events}
        return await self._change_skill(skill_id, change)

    async def _change_skill(
        self, skill_id: str, change: Document, slug: str = ""
    ) -> SkillRecord | None:
        if not is_id(skill_id):
            return None
        try:
            doc = await self.skills.find_one_and_update(
                {"_id": skill_id}, change, return_document=ReturnDocument.AFTER
            )
        except (DuplicateKeyError, OperationFailure) as exc:
            if is_duplicate_key(exc):
                raise SlugTaken(slug) from exc
            raise
        return SkillRecord.of(doc) if doc else None

    async def delete_skill(self, skill_id: str, events: Document) -> bool:
        """Deletes the skill, then every edge that pointed at it.

        The deletion's events go first onto a tombstone (they cannot live on a deleted
        document); the relay completes a deletion a crash cut short before publishing.
        """
        if not is_id(skill_id):
            return False
        await self.tombstones.update_one({"_id": skill_id}, events, upsert=True)
        return await self.finish_deletion(skill_id)

    async def finish_deletion(self, skill_id: str) -> bool:
        """Idempotent: removes the skill and the edges to it; whether the skill was there."""
        result = await self.skills.delete_one({"_id": skill_id})
        await self.skills.update_many(
            {"prerequisiteIds": skill_id}, {"$pull": {"prerequisiteIds": skill_id}}
        )
        return result.deleted_count > 0

    # ----------------------------------------------------------------- graph
    async def graph_nodes(self, ids: Sequence[str]) -> list[GraphNode]:
        wanted = valid_ids(ids)
        if not wanted:
            return []
        cursor = self.skills.find({"_id": {"$in": wanted}}, _GRAPH_PROJECTION)
        return [_node(d) async for d in cursor]

    async def dependent_nodes(self, ids: Sequence[str]) -> list[GraphNode]:
        """The skills that list any of `ids` as a prerequisite."""
        wanted = valid_ids(ids)
        if not wanted:
            return []
        cursor = self.skills.find({"prerequisiteIds": {"$in": wanted}}, _GRAPH_PROJECTION)
        return [_node(d) async for d in cursor]


def _node(doc: Mapping[str, Any]) -> GraphNode:
    return GraphNode(str(doc["_id"]), doc["slug"], tuple(doc.get("prerequisiteIds") or ()))
