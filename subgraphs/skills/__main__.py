"""`python -m subgraphs.skills [serve|export-schema|load-demo]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import close_mongo
from .app import create_app
from .demo import load_demo_catalog
from .deps import build
from .schema import build_schema


async def load_demo(settings: Settings, _: argparse.Namespace) -> None:
    """Loads the demo catalog into the configured store (idempotent, by slug)."""
    platform = Platform(settings)
    deps = build(settings, platform)
    try:
        await deps.ensure_indexes()
        loaded = await load_demo_catalog(deps)
        print(
            f"demo catalog: {loaded.categories} categories, {loaded.skills} skills, "
            f"{loaded.roadmaps} roadmaps created"
        )
    finally:
        await close_mongo(deps.database)
        await platform.stop()


def main() -> None:
    run_cli(
        "skills",
        create_app,
        lambda: build_schema(Settings(service="skills")).as_str(),
        commands={"load-demo": (load_demo, lambda _: None)},
    )


if __name__ == "__main__":
    main()
