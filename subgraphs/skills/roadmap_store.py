"""Persistence of roadmaps: ordered steps that point at skills by id."""

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
class StepRecord:
    skill_id: str
    milestone: str | None = None


@dataclass(frozen=True)
class RoadmapRecord:
    id: str
    slug: str
    title: str
    description: str
    steps: tuple[StepRecord, ...]

    @property
    def skill_ids(self) -> list[str]:
        return [step.skill_id for step in self.steps]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> RoadmapRecord:
        steps = tuple(
            StepRecord(str(s["skillId"]), s.get("milestone")) for s in doc.get("steps") or ()
        )
        return cls(str(doc["_id"]), doc["slug"], doc["title"], doc["description"], steps)


def _steps(steps: Sequence[StepRecord]) -> list[dict[str, Any]]:
    return [{"skillId": s.skill_id, "milestone": s.milestone} for s in steps]


class RoadmapStore:
    """The `roadmaps` collection."""

    def __init__(self, database: MongoDatabase) -> None:
        self.roadmaps = database["roadmaps"]

    async def ensure_indexes(self) -> None:
        await self.roadmaps.create_index("slug", unique=True)
        await self.roadmaps.create_index("steps.skillId")

    async def by_ids(self, ids: Sequence[str]) -> list[RoadmapRecord]:
        wanted = valid_ids(ids)
        if not wanted:
            return []
        return [RoadmapRecord.of(d) async for d in self.roadmaps.find({"_id": {"$in": wanted}})]

    async def by_slug(self, slug: str) -> RoadmapRecord | None:
        doc = await self.roadmaps.find_one({"slug": slug})
        return RoadmapRecord.of(doc) if doc else None

    async def all(self) -> list[RoadmapRecord]:
        cursor = self.roadmaps.find({}).sort("_id", ASCENDING)
        return [RoadmapRecord.of(d) async for d in cursor]

    async def using_skills(self, skill_ids: Sequence[str]) -> list[RoadmapRecord]:
        """The roadmaps with a step on any of `skill_ids`."""
        wanted = valid_ids(skill_ids)
        if not wanted:
            return []
        cursor = self.roadmaps.find({"steps.skillId": {"$in": wanted}}).sort("_id", ASCENDING)
        return [RoadmapRecord.of(d) async for d in cursor]

    async def insert(
        self,
        slug: str,
        title: str,
        description: str,
        steps: Sequence[StepRecord],
        announce: Callable[[RoadmapRecord], list[Document]],
    ) -> RoadmapRecord:
        """Inserts the roadmap with the pending events `announce` gives for it."""
        doc: Document = {
            "_id": new_id(),
            "slug": slug,
            "title": title,
            "description": description,
            "steps": _steps(steps),
        }
        doc[PENDING] = announce(RoadmapRecord.of(doc))
        try:
            await self.roadmaps.insert_one(doc)
        except (DuplicateKeyError, OperationFailure) as exc:
            if is_duplicate_key(exc):
                raise SlugTaken(slug) from exc
            raise
        return RoadmapRecord.of(doc)

    async def set_steps(
        self, roadmap_id: str, steps: Sequence[StepRecord], events: Document
    ) -> None:
        change = {"$set": {"steps": _steps(steps)}, **events}
        await self.roadmaps.update_one({"_id": roadmap_id}, change)
