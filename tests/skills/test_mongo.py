"""common.mongo: the embedded stand-in answers like PyMongo async on FerretDB.

The same script of collection calls runs against both; the results must match.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import InsertOne, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from subgraphs.common.settings import load_settings
from subgraphs.common.stores.mongo import MongoDatabase, close_mongo, mongo_database, ping_mongo


@pytest.fixture(params=["ferretdb", "embedded"])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[MongoDatabase]:
    name = f"mongo_{uuid.uuid4().hex[:8]}"
    if request.param == "ferretdb":
        base: str = request.getfixturevalue("mongodb_url")
        settings = load_settings("skills", environment="test", mongodb_url=f"{base}/{name}")
    else:
        settings = load_settings(name, environment="development", mongodb_url="")
    database = mongo_database(settings)
    assert database.name == name
    yield database
    await database.drop_collection("things")
    await close_mongo(database)


async def script(database: MongoDatabase) -> list[Any]:
    await ping_mongo(database)
    things = database["things"]
    results: list[Any] = []
    await things.create_index("slug", unique=True)
    await things.insert_one({"_id": "a", "slug": "a", "tags": ["X", "y"], "n": 1})
    await things.insert_many([{"_id": "b", "slug": "b", "n": 2}, {"_id": "c", "slug": "c", "n": 3}])
    results.append(await things.find({}).sort("slug", -1).skip(1).limit(1).to_list(None))
    results.append(
        [d["_id"] async for d in things.find({"tags": {"$regex": "x", "$options": "i"}})]
    )
    results.append(await things.find_one({"_id": "b"}, {"n": 1}))
    results.append(await things.count_documents({"n": {"$gte": 2}}))
    results.append(sorted(await things.distinct("slug")))
    results.append(
        await things.find_one_and_update(
            {"_id": "a"}, {"$addToSet": {"tags": "z"}}, return_document=ReturnDocument.AFTER
        )
    )
    bulk = await things.bulk_write(
        [UpdateOne({"_id": "b"}, {"$inc": {"n": 10}}), InsertOne({"_id": "d", "slug": "d"})]
    )
    results.append((bulk.inserted_count, bulk.modified_count))
    cursor = await things.aggregate(
        [{"$match": {"n": {"$gt": 1}}}, {"$group": {"_id": None, "total": {"$sum": "$n"}}}]
    )
    results.append(await cursor.to_list(None))
    with pytest.raises(DuplicateKeyError):
        await things.insert_one({"_id": "e", "slug": "a"})
    results.append((await things.update_many({}, {"$set": {"seen": True}})).modified_count)
    results.append((await things.replace_one({"_id": "d"}, {"slug": "d2"})).modified_count)
    results.append((await things.delete_one({"_id": "d"})).deleted_count)
    results.append((await things.delete_many({"n": {"$lt": 5}})).deleted_count)
    results.append(await things.find({}, {"_id": 1}).sort("_id", 1).to_list(None))
    return results


async def test_the_stand_in_answers_like_the_real_driver(database: MongoDatabase) -> None:
    results = await script(database)
    assert results == [
        [{"_id": "b", "slug": "b", "n": 2}],
        ["a"],
        {"_id": "b", "n": 2},
        2,
        ["a", "b", "c"],
        {"_id": "a", "slug": "a", "tags": ["X", "y", "z"], "n": 1},
        (1, 1),
        [{"_id": None, "total": 15}],
        4,
        1,
        1,
        2,
        [{"_id": "b"}],
    ]
