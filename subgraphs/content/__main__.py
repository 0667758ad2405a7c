"""`python -m subgraphs.content [serve|export-schema|load-demo]`."""

from __future__ import annotations

import argparse

from ..common.cli import run_cli
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import close_mongo
from .app import create_app
from .demo import fetch_links, load_demo_content
from .deps import build
from .schema import build_schema


async def load_demo(settings: Settings, args: argparse.Namespace) -> None:
    """Loads the demo content into the configured store (idempotent)."""
    platform = Platform(settings)
    deps = build(settings, platform)
    try:
        await deps.store.create_indexes()
        links = await fetch_links(settings, args.gateway_url, attempts=args.attempts)
        loaded = await load_demo_content(deps, links)
        print(
            f"demo content: {loaded.institutions} institutions, {loaded.courses} courses, "
            f"{loaded.articles} articles, {loaded.resources} resources created "
            f"(skills linked: {loaded.skills_linked})"
        )
    finally:
        await close_mongo(deps.database)
        await platform.stop()


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gateway-url", help="where to look up skill ids (default: settings)")
    parser.add_argument("--attempts", type=int, default=3)


def main() -> None:
    run_cli(
        "content",
        create_app,
        lambda: build_schema(Settings(service="content")).as_str(),
        commands={"load-demo": (load_demo, _demo_arguments)},
    )


if __name__ == "__main__":
    main()
