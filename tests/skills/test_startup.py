"""Start-up: indexes, demo data only in development, the embedded store, production refusal."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from subgraphs.common.settings import Settings, load_settings
from subgraphs.common.stores.mongo import mongo_database
from subgraphs.skills.app import create_app
from tests.support.servers import RedisServer

COUNT = {"query": "{ skills(first: 1) { totalCount } roadmaps { slug } }"}


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://skills") as client:
            yield client


async def test_development_on_embedded_stores_starts_with_the_demo_catalog() -> None:
    # No servers at all: in-process MongoDB and Redis stand-ins.
    settings = load_settings("skills", environment="development", mongodb_url="", redis_url="")
    async with running(settings) as client:
        ready = await client.get("/ready")
        assert ready.json()["checks"]["mongodb"] == "ok"
        body = (await client.post("/graphql", json=COUNT)).json()
        assert body["data"]["skills"]["totalCount"] == 143
        assert len(body["data"]["roadmaps"]) == 10
    async with running(settings) as client:  # a restart loads nothing twice
        body = (await client.post("/graphql", json=COUNT)).json()
        assert body["data"]["skills"]["totalCount"] == 143


async def test_test_environment_starts_empty_with_unique_slug_indexes(
    mongodb_url: str, redis_server: RedisServer
) -> None:
    url = f"{mongodb_url}/skills_start_{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        "skills", environment="test", mongodb_url=url, redis_url=redis_server.url
    )
    async with running(settings) as client:
        body = (await client.post("/graphql", json=COUNT)).json()
        assert body["data"] == {"skills": {"totalCount": 0}, "roadmaps": []}
    database = mongo_database(settings)
    try:
        for collection in ("skills", "categories", "roadmaps"):
            indexes = await database[collection].index_information()
            unique = [i["key"] for i in indexes.values() if i.get("unique")]
            assert [("slug", 1)] in unique, (collection, indexes)
    finally:
        await database.client.drop_database(database.name)
        await database.client.close()


def test_production_needs_a_mongodb_url() -> None:
    settings = load_settings(
        "skills",
        environment="production",
        secret_key="s" * 40,
        admin_password="not-the-dev-password",
    )
    with pytest.raises(RuntimeError, match="MONGODB_URL"):
        mongo_database(settings)
