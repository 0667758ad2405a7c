"""`python -m bench gateways`: the same two scenarios through every gateway, back to back.

One stack (throwaway stores, every subgraph, the demo catalog, learners with
progress), then, one after the other in front of the same subgraphs: Hive
Gateway as shipped, Hive Gateway with Hive's Rust query planner
(@graphql-hive/router-runtime), Hive Router and Apollo Router, each with its
committed configuration and in-flight deduplication off. For each gateway and
scenario: a warm-up, then `wrk -t1 -c16` for the measured seconds with a Lua
script rotating the learners' tokens. Reported: req/s, p50, p99 (wrk's own
latency histogram), failures (non-200 or a GraphQL `errors` member), and the
gateway's CPU milliseconds per request (utime + stime of its whole process
group from /proc over the measured run, divided by the requests), which is
less sensitive to other load on the machine than throughput.

    .venv/bin/python -m bench gateways [--seconds 30] [--warmup 5] [--only hive-router,...]

Results: bench/results/gateways.json, and docs/gateway-benchmark.md (also printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.support.gateways import GATEWAYS, HIVE_GATEWAY_RUST_PLANNER, Gateway
from tests.support.stack import Stack

from .bench_setup import World, build_world, load_demo_catalog, own_stack
from .scenarios import CATALOG_PAGE, CONCURRENCY, DASHBOARD

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results/gateways.json"
DOC = ROOT / "docs/gateway-benchmark.md"
DOC_HEADER = """# Gateway benchmark

Produced by `python -m bench gateways` (bench/gateways.py): one stack (throwaway
PostgreSQL, Redis, FerretDB, every subgraph, the demo catalog, 25 courses, 20
learners with progress), then each gateway in turn in front of the same
subgraphs, with its committed configuration and in-flight deduplication off.
Per gateway and scenario: {tool}, rotating the learners' tokens (dashboard);
gateway CPU = utime + stime of the gateway's process group over the measured
run, per request. Raw figures: bench/results/gateways.json.
Run: {when}, {cpus} CPUs ({cpu_model}), load average at start {load}; whole run {seconds} s.

The machine runs the load generator, the gateway, six subgraphs and the stores
on the same cores (and, for this run, whatever else was running on it): read
the ratios and the CPU per request, which depend least on that.

"""
MEASURED = ("hive-gateway", HIVE_GATEWAY_RUST_PLANNER, "hive-router", "apollo-router")
LABELS = {
    "hive-gateway": "Hive Gateway 2.15 (JS planner, as today)",
    HIVE_GATEWAY_RUST_PLANNER: "Hive Gateway 2.15 + Rust planner (router-runtime)",
    "hive-router": "Hive Router 0.2.0",
    "apollo-router": "Apollo Router 2.17.0",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# wrk: rotate the learners' tokens, count failed responses, print figures as JSON.
WRK_SCRIPT = """
local tokens = {%(tokens)s}
local body = %(body)s
local n = 0
wrk.method = "POST"

request = function()
  n = n + 1
  -- wrk.format replaces wrk.headers with this table: the content type goes here too.
  local headers = {["Content-Type"] = "application/json"}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1] end
  return wrk.format(nil, nil, headers, body)
end

failed = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do failures = failures + thread:get("failed") end
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "seconds": %%.3f, "failures": %%d, "socket_errors": %%d, '
    .. '"p50_ms": %%.2f, "p99_ms": %%.2f}\\n',
    summary.requests, summary.duration / 1e6, failures,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def group_cpu_ms(pgid: int) -> float:
    """CPU time (user + system) of every live process in process group `pgid`, in ms."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[0] is the state: pgrp is the 5th stat field
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / CLOCK_TICKS


def wrk(url: str, script: Path, seconds: int) -> dict[str, Any]:
    binary = shutil.which("wrk")
    if not binary:
        raise SystemExit("wrk not found: apt-get install wrk")
    done = subprocess.run(
        [binary, "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    found = re.search(r"^WRK_JSON (.*)$", done.stdout, re.M)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    return dict(json.loads(found.group(1)))


@dataclass
class Scenario:
    script: Path
    body: str
    token: str | None

    def check(self, url: str) -> None:
        """One request first: a broken scenario must fail loudly, not count as throughput."""
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        response = httpx.post(url, content=self.body, headers=headers, timeout=60)
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")


def scenario_scripts(world: World, directory: Path) -> dict[str, Scenario]:
    unread = "unreadNotificationCount" if "notifications" in world.stack.names else ""
    bodies = {
        "learner_dashboard": (json.dumps({"query": DASHBOARD % unread}), world.learners),
        "catalog_page_50": (
            json.dumps({"query": CATALOG_PAGE, "variables": {"first": 50}}),
            [],
        ),
    }
    scripts = {}
    for name, (body, learners) in bodies.items():
        tokens = ", ".join(lua_string(learner.token) for learner in learners)
        path = directory / f"{name}.lua"
        path.write_text(WRK_SCRIPT % {"tokens": tokens, "body": lua_string(body)})
        scripts[name] = Scenario(path, body, learners[0].token if learners else None)
    return scripts


def measure(
    gateway: Gateway, scripts: dict[str, Scenario], seconds: int, warmup: int
) -> dict[str, Any]:
    assert gateway.process.process is not None
    pgid = gateway.process.process.pid  # started with start_new_session: its own group
    figures: dict[str, Any] = {}
    for name, scenario in scripts.items():
        scenario.check(gateway.url)
        wrk(gateway.url, scenario.script, warmup)  # plans cached, connections pooled, caches warm
        cpu_before = group_cpu_ms(pgid)
        result = wrk(gateway.url, scenario.script, seconds)
        cpu_ms = group_cpu_ms(pgid) - cpu_before
        requests = result["requests"]
        figures[name] = {
            **result,
            "rps": round(requests / result["seconds"], 1) if result["seconds"] else 0.0,
            "gateway_cpu_ms_per_request": round(cpu_ms / requests, 2) if requests else None,
        }
        print(f"  {gateway.kind} {name}: {json.dumps(figures[name])}", flush=True)
    return figures


def run_one(
    stack: Stack, kind: str, scripts: dict[str, Scenario], seconds: int, warmup: int
) -> dict[str, Any]:
    """One gateway in front of the stack's subgraphs, measured, then stopped (unless shared)."""
    gateway = None
    try:
        gateway = stack.gateway if kind == stack.gateway_kind else stack.start_gateway(kind)
        assert gateway is not None
        return measure(gateway, scripts, seconds, warmup)
    except Exception as exc:  # e.g. a router not built: say so and measure the others
        reason = f"{type(exc).__name__}: {exc}"[:200]
        print(f"  {kind}: {reason}", flush=True)
        return {name: {"failed_to_run": reason} for name in scripts}
    finally:
        if gateway is not None and gateway is not stack.gateway:
            gateway.stop()


def ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}" if value and reference else "-"


def markdown(report: dict[str, Any]) -> str:
    base = report["gateways"].get("hive-gateway", {})
    lines = [
        "| gateway | scenario | req/s | req/s vs Hive Gateway | p50 ms | p99 ms "
        "| gateway CPU ms/req | Hive Gateway's CPU / this one's | failed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, scenarios in report["gateways"].items():
        for name, f in scenarios.items():
            if "failed_to_run" in f:
                reason = f["failed_to_run"]
                lines.append(f"| {LABELS[kind]} | {name} | - | - | - | - | - | - | {reason} |")
                continue
            ref = base.get(name, {})
            speed = ratio(f["rps"], ref.get("rps"))
            cheaper = ratio(ref.get("gateway_cpu_ms_per_request"), f["gateway_cpu_ms_per_request"])
            lines.append(
                f"| {LABELS[kind]} | {name} | {f['rps']} | {speed} | {f['p50_ms']:.0f} "
                f"| {f['p99_ms']:.0f} | {f['gateway_cpu_ms_per_request']} | {cheaper} | "
                f"{f['failures'] + f['socket_errors']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench gateways")
    parser.add_argument("--seconds", type=int, default=30, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per run")
    parser.add_argument("--only", default=",".join(MEASURED), help="comma-separated gateways")
    args = parser.parse_args(argv)
    kinds = [k for k in args.only.split(",") if k]
    unknown = set(kinds) - set(MEASURED)
    if unknown:
        raise SystemExit(f"unknown gateways {sorted(unknown)}; choose from {MEASURED}")
    assert set(GATEWAYS) <= set(MEASURED)

    # The learners' tokens must outlive the whole run (world, then every gateway in turn).
    os.environ.setdefault("SKILL_CIRCLE_ACCESS_TOKEN_TTL_SECONDS", "14400")
    started = time.perf_counter()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "tool": f"wrk -t1 -c{CONCURRENCY} -d{args.seconds}s (+{args.warmup}s warm-up each)",
        "dedupe": "off on every gateway",
        "gateways": {},
    }
    with own_stack() as stack, tempfile.TemporaryDirectory(prefix="bench-gw-") as scratch:
        load_demo_catalog(stack)
        world = asyncio.run(prepared_world(stack))
        scripts = scenario_scripts(world, Path(scratch))
        print(f"world ready after {time.perf_counter() - started:.0f}s", flush=True)
        for kind in kinds:
            report["gateways"][kind] = run_one(stack, kind, scripts, args.seconds, args.warmup)
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    machine_info = report["machine"]
    table = markdown(report)
    DOC.write_text(
        DOC_HEADER.format(
            tool=report["tool"], when=report["when"], cpus=machine_info["cpus"],
            cpu_model=machine_info["cpu_model"], load=machine_info["load_average_at_start"],
            seconds=report["seconds"],
        ) + table + "\n"
    )  # fmt: skip
    print()
    print(table)


async def prepared_world(stack: Stack) -> World:
    world = await build_world(stack)
    await world.gateway.close()
    return world


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in load]}  # fmt: skip
