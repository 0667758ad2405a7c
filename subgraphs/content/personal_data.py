"""What the content subgraph holds about a user: their name on the versions they edited.

Courses and articles belong to the platform, not to their editors: a deleted
editor's versions stay, and their `editor` becomes the deleted-account
placeholder (common/personal_data.py DELETED_USER_ID). The report travels like
every content event: in a document of its own (`account_erasures`, one per
deletion), pushed by the same update that records it, published by the relay.
"""

from __future__ import annotations

from typing import Any

from ..common.events.contracts import AccountDataErased
from ..common.events.outbox import MongoOutbox, pending_events
from ..common.personal_data import ANONYMIZE, DELETED_USER_ID, Holding, Inventory
from ..common.stores.mongo import MongoDatabase
from .store import ContentStore

INVENTORY = Inventory(
    "content",
    (
        Holding(
            "edited_versions",
            "The course versions and article revisions the user wrote as an editor.",
            ANONYMIZE,
            "Published content serves every learner; the version history keeps the edit"
            " and forgets the person (its editor becomes the deleted-account placeholder).",
        ),
    ),
)
ERASURES = "account_erasures"


class ContentPersonalData:
    inventory = INVENTORY

    def __init__(self, store: ContentStore, database: MongoDatabase, producer: str) -> None:
        self.histories = {"course": store.courses, "article": store.articles}
        self.erasures = database[ERASURES]
        self.producer = producer
        self.outbox: MongoOutbox | None = None  # set once built: woken after a report

    async def export(self, user_id: str) -> dict[str, Any]:
        edited: list[dict[str, Any]] = []
        for kind, collection in self.histories.items():
            async for doc in collection.history.find({"editor_id": user_id}):
                edited.append(
                    {
                        "kind": kind,
                        "id": doc[collection.owner],
                        "version": doc["version"],
                        "title": doc["content"].get("title"),
                        "editedAt": doc["edited_at"].isoformat(),
                    }
                )
        return {"edited_versions": edited}

    async def erase(self, user_id: str, deletion_id: str) -> None:
        anonymized = 0
        for collection in self.histories.values():
            result = await collection.history.update_many(
                {"editor_id": user_id}, {"$set": {"editor_id": DELETED_USER_ID}}
            )
            anonymized += result.modified_count
        report = AccountDataErased(
            deletion_id=deletion_id,
            user_id=user_id,
            subgraph="content",
            erased={"edited_versions": anonymized},
        )
        await self.erasures.update_one(
            {"_id": deletion_id}, pending_events(self.producer, [report]), upsert=True
        )
        if self.outbox is not None:
            self.outbox.wake()
