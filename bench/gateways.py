"""`python -m bench gateways`: the dashboard and the catalog page through every gateway.

One stack (throwaway stores, every subgraph, the demo catalog, courses, learners
with progress: bench_setup), then, one after the other in front of the same
subgraphs: Hive Gateway as shipped, Hive Gateway with Hive's Rust query planner
(@graphql-hive/router-runtime), Hive Router and Apollo Router, each with its
committed configuration and in-flight deduplication off. Each gateway gets the
same treatment as `python -m bench` gives its one gateway (scenarios.warm: every
learner's request once, then wrk; scenarios.closed_loop: wrk with the CPU per
request of every process), so the gateway's CPU milliseconds per request, which
depend least on other load on the machine, sit beside req/s, p50 and p99.

    .venv/bin/python -m bench gateways [--quick] [--seconds 30] [--only hive-router,...]

Writes bench/results/gateways.json and docs/gateway-benchmark.md (a `--quick`
run writes bench/results/gateways-quick.json only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.gateways import GATEWAYS, HIVE_GATEWAY_RUST_PLANNER

from .bench_cpu import CpuMeter, machine
from .bench_setup import Bench, Settings, World, build_world, load_demo_catalog, own_stack
from .scenarios import catalog_load, closed_loop, dashboard_load, warm

ROOT = Path(__file__).resolve().parents[1]
MEASURED = ("hive-gateway", HIVE_GATEWAY_RUST_PLANNER, "hive-router", "apollo-router")
LABELS = {
    "hive-gateway": "Hive Gateway 2.15 (JS planner, as today)",
    HIVE_GATEWAY_RUST_PLANNER: "Hive Gateway 2.15 + Rust planner (router-runtime)",
    "hive-router": "Hive Router 0.2.0",
    "apollo-router": "Apollo Router 2.17.0",
}
HEADER = """# Gateway benchmark

Produced by `python -m bench gateways` (bench/gateways.py): one stack (throwaway
PostgreSQL, Redis, FerretDB, every subgraph, the demo catalog, 25 courses, 20
learners with progress), then each gateway in turn in front of the same
subgraphs, with its committed configuration and in-flight deduplication off;
per gateway and scenario the warm-up and the closed-loop measurement of
`python -m bench` ({tool}), rotating the learners' tokens on the dashboard.
Gateway CPU: CPU milliseconds of the gateway's process tree per request over
the measured window. Raw figures: bench/results/gateways.json.
Run: {when}, {cpus} cores; whole run {seconds} s.

Load generator, gateway, subgraphs and stores share the machine: read the
ratios and the CPU per request, which depend least on that.

"""


async def measure(bench: Bench, world: World, kind: str) -> dict[str, Any]:
    """`kind` in front of the stack's subgraphs: both scenarios, then stopped (unless shared)."""
    stack = bench.stack
    gateway = stack.gateway if kind == stack.gateway_kind else stack.start_gateway(kind)
    assert gateway is not None and gateway.process.process is not None
    try:
        roots = {**bench.process_roots(), "gateway": gateway.process.process.pid}
        world.meter = CpuMeter(roots)
        figures = {}
        loads = {"learner_dashboard": dashboard_load(world), "catalog_page_50": catalog_load(world)}
        for name, load in loads.items():
            load = replace(load, url=gateway.url)
            await warm(world, load)  # fails loudly when the gateway answers with errors
            figures[name] = await closed_loop(world, load)
            print(f"  {kind} {name}: {json.dumps(figures[name])}", flush=True)
        return figures
    finally:
        if gateway is not stack.gateway:
            gateway.stop()


async def compare(bench: Bench, settings: Settings, kinds: list[str]) -> dict[str, Any]:
    world = await build_world(bench, settings)
    results: dict[str, Any] = {}
    try:
        for kind in kinds:
            try:
                results[kind] = await measure(bench, world, kind)
            except Exception as exc:  # e.g. a router not built: say so, measure the others
                results[kind] = {"failed": f"{type(exc).__name__}: {exc}"[:400]}
                print(f"  {kind}: {results[kind]['failed']}", flush=True)
    finally:
        await world.gateway.close()
    return results


def ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}" if value and reference else "-"


def markdown(report: dict[str, Any]) -> str:
    base = report["gateways"].get("hive-gateway", {})
    lines = [
        "| gateway | scenario | req/s | req/s vs Hive Gateway | p50 ms | p99 ms "
        "| gateway CPU ms/req | Hive Gateway's CPU / this one's | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, scenarios in report["gateways"].items():
        if "failed" in scenarios:
            lines.append(f"| {LABELS[kind]} | - | - | - | - | - | - | - | {scenarios['failed']} |")
            continue
        for name, f in scenarios.items():
            ref = base.get(name, {})
            cpu = f["cpu_ms_per_request"].get("gateway")
            ref_cpu = ref.get("cpu_ms_per_request", {}).get("gateway")
            lines.append(
                f"| {LABELS[kind]} | {name} | {f['rps']} | {ratio(f['rps'], ref.get('rps'))} "
                f"| {f['p50_ms']:.0f} | {f['p99_ms']:.0f} | {cpu} | {ratio(ref_cpu, cpu)} "
                f"| {f['errors']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench gateways", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 s measurements")
    parser.add_argument("--seconds", type=float, help="each closed-loop measurement (30)")
    parser.add_argument("--only", default=",".join(MEASURED), help="comma-separated gateways")
    args = parser.parse_args(argv)
    kinds = [k for k in args.only.split(",") if k]
    if unknown := set(kinds) - set(MEASURED):
        raise SystemExit(f"unknown gateways {sorted(unknown)}; choose from {MEASURED}")
    assert set(GATEWAYS) <= set(MEASURED)
    settings = Settings.quick() if args.quick else Settings()
    if args.seconds:
        settings.seconds = args.seconds
    # The learners' tokens must outlive the whole run (world, then every gateway in turn).
    os.environ.setdefault("SKILL_CIRCLE_ACCESS_TOKEN_TTL_SECONDS", "14400")
    started = time.perf_counter()
    with own_stack("hive-gateway") as bench:
        load_demo_catalog(bench.stack)
        results = asyncio.run(compare(bench, settings, kinds))
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": vars(settings),
        "dedupe": "off on every gateway",
        "seconds": round(time.perf_counter() - started, 1),
        "gateways": results,
    }
    official = not (args.quick or args.seconds or args.only != ",".join(MEASURED))
    target = ROOT / "bench/results" / ("gateways.json" if official else "gateways-quick.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    if official:
        tool = f"wrk -t1 -c{settings.connections} -d{round(settings.seconds)}s"
        header = HEADER.format(tool=tool, when=report["when"], cpus=report["machine"].get("cores"),
                               seconds=report["seconds"])  # fmt: skip
        (ROOT / "docs/gateway-benchmark.md").write_text(header + table)
    print()
    print(table)
    print(f"figures: {target.relative_to(ROOT)}")
