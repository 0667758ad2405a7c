"""The one way a Mongo subgraph (skills, content) gets its database.

`mongo_database(settings)` is PyMongo's native async API (`AsyncMongoClient`)
on `SKILL_CIRCLE_MONGODB_URL`, using the database named in the URL path (the
service name when the URL has none). Without a URL, outside production, it is
an in-process stand-in built on mongomock behind the same async interface, so
`python -m subgraphs.<name>` runs with no server at all.

Both are typed as `AsyncDatabase`: store code is written (and type-checked)
against PyMongo. The stand-in implements only the subset listed on
`EmbeddedCollection`; store code must stay inside it. The tests run the real
PyMongo async code against FerretDB (tests/conftest.py `mongodb_url`), so the
stand-in is a development convenience, never what is verified.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import mongomock
from pymongo import (
    AsyncMongoClient,
    DeleteMany,
    DeleteOne,
    InsertOne,
    ReplaceOne,
    UpdateMany,
    UpdateOne,
)
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..clock import utcnow
from ..settings import Settings

Document = dict[str, Any]
MongoDatabase = AsyncDatabase[Document]

# One in-process MongoDB stand-in per process, for the embedded default only.
_EMBEDDED_MONGO: mongomock.MongoClient[Document] | None = None


def mongo_database(settings: Settings, **client_options: Any) -> MongoDatabase:
    """The subgraph's database: real PyMongo async, or the embedded stand-in.

    `client_options` go to `AsyncMongoClient` (e.g. `event_listeners=[...]`
    in a test that counts the commands a page costs).
    """
    if settings.mongodb_url:
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            settings.mongodb_url, tz_aware=True, **client_options
        )
        return client.get_default_database(default=settings.service)
    if settings.environment == "production":
        raise RuntimeError("SKILL_CIRCLE_MONGODB_URL is required in production")
    global _EMBEDDED_MONGO
    if _EMBEDDED_MONGO is None:
        _EMBEDDED_MONGO = mongomock.MongoClient(tz_aware=True)
    return cast(MongoDatabase, EmbeddedDatabase(_EMBEDDED_MONGO[settings.service]))


async def ping_mongo(database: MongoDatabase) -> None:
    """Readiness: raises when the server does not answer."""
    await database.command("ping")


async def close_mongo(database: MongoDatabase) -> None:
    """Closes the client behind `database` (a no-op for the stand-in)."""
    await database.client.close()


# ------------------------------------------------------------------ stand-in


class EmbeddedDatabase:
    """A mongomock database behind PyMongo's async database interface."""

    def __init__(self, database: mongomock.Database[Document]) -> None:
        self._database = database
        self.name: str = database.name
        self.client = _EmbeddedClient()

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return EmbeddedCollection(self._database[name])

    def __getattr__(self, name: str) -> EmbeddedCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_collection(self, name: str) -> EmbeddedCollection:
        return self[name]

    async def command(self, command: str, **_: Any) -> Document:
        if command != "ping":
            raise NotImplementedError(f"embedded MongoDB does not run {command!r}")
        return {"ok": 1.0}

    async def list_collection_names(self) -> list[str]:
        return list(self._database.list_collection_names())

    async def drop_collection(self, name: str) -> None:
        self._database.drop_collection(name)


class _EmbeddedClient:
    async def close(self) -> None:
        return None


class EmbeddedCursor:
    """`find()`'s result: chain .sort/.skip/.limit, then `to_list` or `async for`."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, key: Any, direction: int | None = None) -> EmbeddedCursor:
        self._cursor = (
            self._cursor.sort(key) if direction is None else self._cursor.sort(key, direction)
        )
        return self

    def skip(self, count: int) -> EmbeddedCursor:
        self._cursor = self._cursor.skip(count)
        return self

    def limit(self, count: int) -> EmbeddedCursor:
        self._cursor = self._cursor.limit(count)
        return self

    async def to_list(self, length: int | None = None) -> list[Document]:
        documents: Iterator[Document] = iter(self._cursor)
        if length is None:
            return list(documents)
        return [document for _, document in zip(range(length), documents, strict=False)]

    async def __aiter__(self) -> AsyncIterator[Document]:
        for document in self._cursor:
            yield document


@dataclass(frozen=True)
class EmbeddedBulkResult:
    inserted_count: int = 0
    matched_count: int = 0
    modified_count: int = 0
    deleted_count: int = 0
    upserted_count: int = 0


class EmbeddedCollection:
    """The async collection methods the Mongo subgraphs use, over mongomock."""

    def __init__(self, collection: mongomock.Collection[Document]) -> None:
        self._collection = collection
        self.name: str = collection.name

    def find(
        self, filter: Mapping[str, Any] | None = None, *args: Any, **kw: Any
    ) -> EmbeddedCursor:
        return EmbeddedCursor(self._collection.find(filter, *args, **kw))

    async def find_one(self, filter: Any = None, *args: Any, **kw: Any) -> Document | None:
        return self._collection.find_one(filter, *args, **kw)

    async def insert_one(self, document: Document, **kw: Any) -> Any:
        return self._collection.insert_one(document, **kw)

    async def insert_many(self, documents: Sequence[Document], **kw: Any) -> Any:
        return self._collection.insert_many(list(documents), **kw)

    async def update_one(self, filter: Mapping[str, Any], update: Any, **kw: Any) -> Any:
        return self._collection.update_one(filter, update, **kw)

    async def update_many(self, filter: Mapping[str, Any], update: Any, **kw: Any) -> Any:
        return self._collection.update_many(filter, update, **kw)

    async def replace_one(self, filter: Mapping[str, Any], document: Document, **kw: Any) -> Any:
        return self._collection.replace_one(filter, document, **kw)

    async def delete_one(self, filter: Mapping[str, Any], **kw: Any) -> Any:
        return self._collection.delete_one(filter, **kw)

    async def delete_many(self, filter: Mapping[str, Any], **kw: Any) -> Any:
        return self._collection.delete_many(filter, **kw)

    async def count_documents(self, filter: Mapping[str, Any], **kw: Any) -> int:
        return int(self._collection.count_documents(filter, **kw))

    async def distinct(self, key: str, filter: Mapping[str, Any] | None = None) -> list[Any]:
        return list(self._collection.distinct(key, filter))

    async def create_index(self, keys: Any, **kw: Any) -> str:
        return str(self._collection.create_index(keys, **kw))

    async def find_one_and_update(
        self, filter: Mapping[str, Any], update: Any, **kw: Any
    ) -> Document | None:
        return self._collection.find_one_and_update(filter, update, **kw)

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]], **kw: Any) -> EmbeddedCursor:
        # PyMongo's async aggregate is a coroutine returning a cursor.
        return EmbeddedCursor(self._collection.aggregate(list(pipeline), **kw))

    async def bulk_write(self, requests: Sequence[Any], ordered: bool = True) -> EmbeddedBulkResult:
        """Runs the operations one by one (mongomock cannot take PyMongo 4.20's)."""
        counts = dict.fromkeys(("inserted", "matched", "modified", "deleted", "upserted"), 0)
        for request in requests:
            _apply(self._collection, request, counts)
        return EmbeddedBulkResult(**{f"{name}_count": n for name, n in counts.items()})


def _apply(
    collection: mongomock.Collection[Document], request: Any, counts: dict[str, int]
) -> None:
    if isinstance(request, InsertOne):
        collection.insert_one(request._doc)
        counts["inserted"] += 1
        return
    if isinstance(request, DeleteOne | DeleteMany):
        delete = collection.delete_one if isinstance(request, DeleteOne) else collection.delete_many
        counts["deleted"] += delete(request._filter).deleted_count
        return
    if isinstance(request, ReplaceOne):
        result = collection.replace_one(request._filter, request._doc, upsert=bool(request._upsert))
    elif isinstance(request, UpdateOne | UpdateMany):
        update = collection.update_one if isinstance(request, UpdateOne) else collection.update_many
        result = update(request._filter, request._doc, upsert=bool(request._upsert))
    else:
        raise NotImplementedError(f"embedded MongoDB does not run {type(request).__name__}")
    counts["matched"] += result.matched_count
    counts["modified"] += result.modified_count
    counts["upserted"] += 1 if result.upserted_id is not None else 0


__all__ = [
    "Document",
    "EmbeddedDatabase",
    "MongoDatabase",
    "close_mongo",
    "mongo_database",
    "ping_mongo",
]


def mongo_now() -> datetime:
    """`clock.utcnow()` at MongoDB's precision (milliseconds), so that it reads back equal."""
    moment = utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def is_duplicate_key(exc: Exception) -> bool:
    """A unique index refused the write.

    MongoDB raises DuplicateKeyError; FerretDB 1.x reports unique violations of
    updates as a generic OperationFailure.
    """
    if isinstance(exc, DuplicateKeyError):
        return True
    return isinstance(exc, OperationFailure) and "UNIQUE constraint failed" in str(exc)


async def upsert_one(
    collection: Any, selector: Mapping[str, Any], update: Mapping[str, Any]
) -> None:
    """`update_one(..., upsert=True)`, retried once on a duplicate key: two upserts of one
    new `_id` at the same moment (an event's handler and a request) can both try the
    insert, and MongoDB then refuses the second; retried, it finds the document."""
    try:
        await collection.update_one(selector, update, upsert=True)
    except (DuplicateKeyError, OperationFailure) as exc:
        if not is_duplicate_key(exc):
            raise
        await collection.update_one(selector, update, upsert=True)
