"""`python -m subgraphs.skills [serve|export-schema|load-demo]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.events import EventBus
from ..common.settings import Settings
from ..common.stores.mongo import close_mongo
from ..common.stores.redis import redis_client
from .app import build, create_app
from .demo import load_demo_catalog
from .schema import build_schema


async def load_demo(settings: Settings, _: argparse.Namespace) -> None:
    """Loads the demo catalog into the configured store (idempotent, by slug)."""
    redis = redis_client(settings)
    deps = build(settings, EventBus(redis, producer=settings.service))
    try:
        await deps.ensure_indexes()
        loaded = await load_demo_catalog(deps)
        print(
            f"demo catalog: {loaded.categories} categories, {loaded.skills} skills, "
            f"{loaded.roadmaps} roadmaps created"
        )
    finally:
        await close_mongo(deps.database)
        await redis.aclose()


def main() -> None:
    run_cli(
        "skills",
        create_app,
        lambda: build_schema(Settings(service="skills")).as_str(),
        commands={"load-demo": (load_demo, lambda _: None)},
    )


if __name__ == "__main__":
    main()
