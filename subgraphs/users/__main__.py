"""`python -m subgraphs.users [serve|migrate|create-admin|export-schema]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.settings import Settings
from ..common.stores.sql import database_url, migrate
from .app import MIGRATIONS, build, create_app
from .schema import build_schema


async def run_migrations(settings: Settings, _: argparse.Namespace) -> None:
    await migrate(database_url(settings), MIGRATIONS)


async def create_admin(settings: Settings, args: argparse.Namespace) -> None:
    """Creates the admin account, or promotes an existing account to ADMIN."""
    platform, users = build(settings)
    try:
        await migrate(database_url(settings), MIGRATIONS)
        user = await users.service.ensure_admin(args.email, args.password)
        print(f"admin ready: {user.email} ({user.id})")
    finally:
        await users.engine.dispose()
        await platform.redis.aclose()


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)


def main() -> None:
    run_cli(
        "users",
        create_app,
        lambda: build_schema(Settings(service="users")).as_str(),
        commands={
            "migrate": (run_migrations, lambda _: None),
            "create-admin": (create_admin, _admin_arguments),
        },
    )


if __name__ == "__main__":
    main()
