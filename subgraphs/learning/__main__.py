"""`python -m subgraphs.learning [serve|migrate|rebuild-projections|export-schema]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.sql import database_url, migrate
from .app import MIGRATIONS, create_app
from .deps import build
from .schema import build_schema


async def run_migrations(settings: Settings, _: argparse.Namespace) -> None:
    await migrate(database_url(settings), MIGRATIONS)


async def rebuild_projections(settings: Settings, _: argparse.Namespace) -> None:
    """Rebuilds every read model (progress, stats, paths, ...) from the learning event log."""
    platform = Platform(settings)
    deps = build(settings, platform)
    try:
        await migrate(database_url(settings), MIGRATIONS)
        replayed = await deps.service.rebuild_projections()
        print(f"read models rebuilt from {replayed} events")
    finally:
        await deps.engine.dispose()
        await deps.gateway.close()
        await platform.stop()


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
