"""`python -m bench [--quick] [--gateway NAME] [--only a,b]`: the scenarios on a stack of its own.

Writes bench/results/latest.json and docs/benchmarks.md (a `--quick` or `--only`
run writes bench/results/quick.json and leaves the committed figures alone).

`python -m bench gateways [...]`: the gateway comparison instead (bench/gateways.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("SKILL_CIRCLE_LOG_LEVEL", "WARNING")

from . import scenarios
from .bench_cpu import machine
from .bench_native import OHA_VERSION, oha_binary, wrk_binary
from .bench_report import markdown, update_readme
from .bench_setup import (
    GATEWAYS,
    LEARNERS,
    SEED,
    Settings,
    World,
    build_world,
    load_demo_catalog,
    own_stack,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
DOC = ROOT / "docs/benchmarks.md"

STEPS: list[tuple[str, Callable[[World], Awaitable[dict[str, Any]]]]] = [
    ("learner_dashboard", scenarios.learner_dashboard),
    ("catalog_page_50", scenarios.catalog_page),
    ("catalog_page_50_direct", scenarios.catalog_page_direct),
    ("learner_dashboard_fixed_rate", scenarios.dashboard_fixed_rate),
    ("catalog_page_50_fixed_rate", scenarios.catalog_fixed_rate),
    ("progress_with_200_subscribers", scenarios.progress_with_subscribers),
    ("notification_fanout_1000", scenarios.notification_fanout),
    ("db_round_trips", scenarios.round_trips),
]


async def run_all(world: World, only: set[str] | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    try:
        for name, scenario in STEPS:
            if only and name not in only:
                continue
            began = time.perf_counter()
            try:
                results[name] = await scenario(world)
            except Exception as exc:  # one broken scenario must not hide the others
                results[name] = {"failed": f"{type(exc).__name__}: {exc}"[:600]}
            print(f"{name} ({time.perf_counter() - began:.1f}s): {json.dumps(results[name])}",
                  flush=True)  # fmt: skip
    finally:
        await world.gateway.close()
    return results


def tool_versions() -> dict[str, str]:
    wrk = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True)
    banner = (wrk.stdout + wrk.stderr).split()  # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..."
    return {"wrk": " ".join(banner[:2]) or "wrk", "oha": OHA_VERSION}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 s measurements, fewer sockets")
    parser.add_argument("--gateway", choices=GATEWAYS, default="hive-router")  # the shipped default
    parser.add_argument("--seconds", type=float, help="each closed-loop measurement (30)")
    parser.add_argument("--rate", type=float, help="fixed-rate scenarios, requests/s (50)")
    parser.add_argument("--only", help="comma-separated scenario names: " + ", ".join(
        name for name, _ in STEPS))  # fmt: skip
    return parser.parse_args()


def main() -> None:
    args = arguments()
    settings = Settings.quick() if args.quick else Settings()
    if args.seconds:
        settings.seconds = settings.rate_seconds = args.seconds
    if args.rate:
        settings.rate = args.rate
    only = set(args.only.split(",")) if args.only else None
    if only and (unknown := only - {name for name, _ in STEPS}):
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    wrk_binary()
    if not only or only & {"learner_dashboard_fixed_rate", "catalog_page_50_fixed_rate"}:
        print(f"oha: {oha_binary()}", flush=True)  # built with cargo the first time
    started = time.perf_counter()
    with own_stack(args.gateway) as bench:
        stack = bench.stack
        print(f"stack up in {time.perf_counter() - started:.1f}s: {', '.join(stack.names)}",
              flush=True)  # fmt: skip
        load_demo_catalog(stack)

        async def run() -> dict[str, Any]:
            world = await build_world(bench, settings)
            print(f"world ready at {time.perf_counter() - started:.1f}s", flush=True)
            return await run_all(world, only)

        results = asyncio.run(run())
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "python": sys.version.split()[0],
                    "platform": platform.platform()},
        "tools": tool_versions(),
        "gateway": args.gateway,
        "settings": vars(settings),
        "seed": SEED,
        "learners": LEARNERS,
        "subgraphs": stack.names,
        "seconds": round(time.perf_counter() - started, 1),
        "scenarios": results,
    }  # fmt: skip
    official = not (args.quick or only or args.seconds or args.rate)
    target = RESULTS / ("latest.json" if official else "quick.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    if official:
        DOC.write_text(table)
        update_readme(ROOT / "README.md", report)
    print()
    print(table)
    print(f"figures: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["gateways"]:
        from .gateways import main as compare_gateways

        compare_gateways(sys.argv[2:])
    else:
        main()
