"""`python -m subgraphs.visualization [serve|export-schema]`."""

from __future__ import annotations

from ..common.cli import run_cli
from ..common.settings import Settings
from .app import create_app
from .schema import build_schema


def main() -> None:
    run_cli(
        "visualization",
        create_app,
        lambda: build_schema(Settings(service="visualization")).as_str(),
    )


if __name__ == "__main__":
    main()
