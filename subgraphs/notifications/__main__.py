"""`python -m subgraphs.notifications [serve|export-schema]`."""

from __future__ import annotations

from ..common.cli import run_cli
from .app import create_app
from .schema import build_schema
from .settings import NotificationSettings


def main() -> None:
    run_cli(
        "notifications",
        create_app,
        lambda: build_schema(NotificationSettings()).as_str(),
        settings_type=NotificationSettings,
    )


if __name__ == "__main__":
    main()
