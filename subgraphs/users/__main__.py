"""`python -m subgraphs.users [serve|migrate|create-admin|export-schema]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.platform import Platform
from ..common.stores.sql import database_url, migrate
from .app import MIGRATIONS, create_app
from .deps import build
from .schema import build_schema
from .settings import UserSettings


async def run_migrations(settings: UserSettings, _: argparse.Namespace) -> None:
    await migrate(database_url(settings), MIGRATIONS)


async def create_admin(settings: UserSettings, args: argparse.Namespace) -> None:
    """Creates the admin account, or promotes an existing account to ADMIN."""
    platform = Platform(settings)
    deps = build(settings, platform)
    try:
        await migrate(database_url(settings), MIGRATIONS)
        user = await deps.service.ensure_admin(args.email, args.password)
        print(f"admin ready: {user.email} ({user.id})")
    finally:
        await deps.engine.dispose()
        await platform.stop()


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)


def main() -> None:
    run_cli(
        "users",
        create_app,
        lambda: build_schema(UserSettings()).as_str(),
        commands={
            "migrate": (run_migrations, lambda _: None),
            "create-admin": (create_admin, _admin_arguments),
        },
        settings_type=UserSettings,
    )


if __name__ == "__main__":
    main()
