"""Which skill ids exist: content links only to skills the skills subgraph knows.

The rules live in `common.known_skills`; this is content's projection of known
skill ids, a MongoDB collection (`known_skills`, `_id` = skill id).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..common.gateway_client import GatewayClient
from ..common.known_skills import SkillDirectory
from ..common.stores.mongo import MongoDatabase, mongo_now, upsert_one


class MongoKnownSkills:
    def __init__(self, database: MongoDatabase) -> None:
        self.collection = database["known_skills"]

    async def known(self, skill_ids: Sequence[str]) -> dict[str, bool]:
        found = await self.collection.find({"_id": {"$in": list(skill_ids)}}).to_list()
        return {str(d["_id"]): bool(d.get("deleted")) for d in found}

    async def mark(self, skill_id: str, *, deleted: bool) -> None:
        await upsert_one(
            self.collection,
            {"_id": skill_id},
            {"$set": {"deleted": deleted, "updated_at": mongo_now()}},
        )

    async def remember(self, skill_ids: set[str]) -> None:
        for skill_id in skill_ids:  # $setOnInsert: never resurrects one marked deleted meanwhile
            await upsert_one(
                self.collection,
                {"_id": skill_id},
                {"$setOnInsert": {"deleted": False, "updated_at": mongo_now()}},
            )


def directory(database: MongoDatabase, gateway: GatewayClient) -> SkillDirectory:
    """Content's skill directory: its MongoDB projection, the gateway for ids not heard of."""
    return SkillDirectory(MongoKnownSkills(database), gateway)
