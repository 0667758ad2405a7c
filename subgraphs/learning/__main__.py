"""`python -m subgraphs.learning [serve|migrate|rebuild-projections|export-schema]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.settings import Settings
from ..common.stores.sql import database_url, migrate
from .app import MIGRATIONS, build, create_app
from .schema import build_schema


async def run_migrations(settings: Settings, _: argparse.Namespace) -> None:
    await migrate(database_url(settings), MIGRATIONS)


async def rebuild_projections(settings: Settings, _: argparse.Namespace) -> None:
    """Rebuilds every read model (progress, stats, paths, ...) from the learning event log."""
    platform, learning = build(settings)
    try:
        await migrate(database_url(settings), MIGRATIONS)
        replayed = await learning.service.rebuild_projections()
        print(f"read models rebuilt from {replayed} events")
    finally:
        await learning.engine.dispose()
        await platform.redis.aclose()


def main() -> None:
    run_cli(
        "learning",
        create_app,
        lambda: build_schema(Settings(service="learning")).as_str(),
        commands={
            "migrate": (run_migrations, lambda _: None),
            "rebuild-projections": (rebuild_projections, lambda _: None),
        },
    )


if __name__ == "__main__":
    main()
