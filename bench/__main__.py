"""`python -m bench`: every scenario, once, on a stack of its own; prints the table."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("SKILL_CIRCLE_LOG_LEVEL", "WARNING")

from . import scenarios
from .bench_report import markdown
from .bench_setup import SEED, build_world, load_demo_catalog, own_stack

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results/latest.json"
DOC = ROOT / "docs/benchmarks.md"


async def run_all(stack: Any) -> dict[str, Any]:
    started = time.perf_counter()
    world = await build_world(stack)
    print(f"world ready in {time.perf_counter() - started:.1f}s", flush=True)
    results: dict[str, Any] = {}
    steps = [
        ("learner_dashboard", scenarios.learner_dashboard),
        ("catalog_page_50", scenarios.catalog_page),
        ("catalog_page_50_direct", scenarios.catalog_page_direct),
        ("progress_with_200_subscribers", scenarios.progress_with_subscribers),
        ("notification_fanout_1000", scenarios.notification_fanout),
        ("db_round_trips", scenarios.round_trips),
    ]
    try:
        for name, scenario in steps:
            began = time.perf_counter()
            try:
                results[name] = await scenario(world)
            except Exception as exc:  # one broken scenario must not hide the others
                results[name] = {"failed": f"{type(exc).__name__}: {exc}"[:300]}
            print(f"{name}: {json.dumps(results[name])} ({time.perf_counter() - began:.1f}s)",
                  flush=True)  # fmt: skip
        began = time.perf_counter()
        try:
            results["replicas"] = await scenarios.replica_scaling(world, stack)
        except Exception as exc:
            results["replicas"] = {"failed": f"{type(exc).__name__}: {exc}"[:300]}
        print(f"replicas: {json.dumps(results['replicas'])} ({time.perf_counter() - began:.1f}s)",
              flush=True)  # fmt: skip
    finally:
        await world.gateway.close()
    return results


def main() -> None:
    started = time.perf_counter()
    with own_stack() as stack:
        print(f"stack up in {time.perf_counter() - started:.1f}s: {', '.join(stack.names)}",
              flush=True)  # fmt: skip
        load_demo_catalog(stack)
        results = asyncio.run(run_all(stack))
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "platform": platform.platform()},
        "seed": SEED,
        "concurrency": scenarios.CONCURRENCY,
        "subgraphs": stack.names,
        "seconds": round(time.perf_counter() - started, 1),
        "scenarios": results,
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    DOC.write_text(table)
    print()
    print(table)


if __name__ == "__main__":
    main()
