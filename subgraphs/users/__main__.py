"""`python -m subgraphs.users [serve|migrate|create-admin|export-schema]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.platform import Platform
from ..common.stores.sql import database_url, migrate
from .app import MIGRATIONS, create_app
from .deps import build
from .schema import build_schema
from .service import UnverifiedAccount
from .settings import UserSettings


async def run_migrations(settings: UserSettings, _: argparse.Namespace) -> None:
    await migrate(database_url(settings), MIGRATIONS)


async def create_admin(settings: UserSettings, args: argparse.Namespace) -> None:
    """Creates the admin account, or promotes an existing account to ADMIN."""
    platform = Platform(settings)
    deps = build(settings, platform)
    try:
        await platform.start()  # promoting ends the account's sessions: live channels
        await migrate(database_url(settings), MIGRATIONS)
        try:
            user = await deps.service.ensure_admin(args.email, args.password, force=args.force)
        except UnverifiedAccount as refused:
            raise SystemExit(f"create-admin: {refused.message}") from None
        print(f"admin ready: {user.email} ({user.id})")
    finally:
        await deps.engine.dispose()
        await platform.stop()


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--force",
        action="store_true",
        help="also promote an existing account whose email was never verified",
    )


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
