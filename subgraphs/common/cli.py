"""`python -m subgraphs.<name> [serve|migrate|export-schema|...]` for every subgraph."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from .settings import Settings

Command = Callable[[Any, argparse.Namespace], Coroutine[Any, Any, None]]


def run_cli(
    service: str,
    create_app: Callable[[Any], FastAPI],
    sdl: Callable[[], str],
    *,
    commands: dict[str, tuple[Command, Callable[[argparse.ArgumentParser], None]]] | None = None,
    settings_type: type[Settings] = Settings,
    argv: Sequence[str] | None = None,
) -> None:
    """Parses the command line; commands receive the subgraph's own settings."""
    parser = argparse.ArgumentParser(prog=f"python -m subgraphs.{service}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the subgraph (default)")
    export = sub.add_parser("export-schema", help="print or write this subgraph's SDL")
    export.add_argument("--out", type=Path)
    for name, (_, add_arguments) in (commands or {}).items():
        add_arguments(sub.add_parser(name))
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        text = sdl().rstrip("\n") + "\n"
        if args.out:
            args.out.write_text(text)
        else:
            print(text, end="")
        return
    settings = settings_type(service=service)
    if args.command in (None, "serve"):
        # Several workers are replicas sharing one port: each builds its own app
        # (its own stores, consumer and live channels) from the environment.
        app: Any = (
            f"subgraphs.{service}.app:create_app" if settings.workers > 1 else create_app(settings)
        )
        uvicorn.run(
            app,
            factory=settings.workers > 1,
            workers=settings.workers,
            host=settings.host,
            port=settings.listen_port,
            log_config=None,
            ws="auto",
            lifespan="on",
            # Longer than any gateway keeps an idle connection to a subgraph: with uvicorn's
            # default (5 s) a gateway sometimes reused a connection just as uvicorn closed it,
            # and the request failed with "socket hang up" (seen as INTERNAL_SERVER_ERROR).
            timeout_keep_alive=settings.keep_alive_seconds,
        )
        return
    command, _ = (commands or {})[args.command]
    asyncio.run(command(settings, args))
