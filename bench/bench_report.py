"""bench/results/*.json as markdown: docs/benchmarks.md and the README's table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

TARGET_P99_MS = 150  # issue 12: at the fixed arrival rate, dashboard and catalog page

HEADER = """# Benchmarks

Produced by `make bench` (`.venv/bin/python -m bench`), which starts its own stack
(throwaway PostgreSQL, Redis, FerretDB; every subgraph in router/supergraph.yaml as a
process; the gateway `{gateway}` with in-flight request deduplication off), loads the
demo catalog, 25 published courses and {learners} learners with progress, and warms
every learner's caches (each learner's dashboard and chart once, then {warmup} s of load)
before each measurement. Seed {seed}. Raw figures: bench/results/latest.json.

Latest run: {when} on {cores} cores ({cpu_model}), Python {python}; whole run {seconds} s.
Load generators: {wrk} (closed loop, {connections} connections, {duration} s per
scenario, rotating the learners' tokens) and oha {oha} (open loop at a fixed arrival
rate, latencies corrected for coordinated omission, {rate_seconds} s). Load generator,
gateway, subgraphs and stores share these cores: CPU milliseconds per request (from
/proc: each process tree's utime+stime, PostgreSQL's exited backends included) is the
figure that does not depend on what else the machine is doing; req/s does.

"""

NOTES = """
## How to read it

- Closed loop (wrk): {connections} connections each send the next request as soon as
  the previous answer arrives; req/s is the throughput, p50/p99 the latency under that load.
- Fixed rate (oha, open loop): requests are due at a constant rate whatever the answers do;
  a request that waits for a connection counts from when it was due. Target: p99 <= {target} ms.
- Direct baseline: the subgraph calls the gateway sends for one catalog page, captured by
  recording proxies in front of the subgraphs, each replayed with wrk against its subgraph.
  The direct page costs the sum of its calls' CPU; its latency is the sum, over the
  plan's sequential stages, of the slowest call in each stage.
- recordProgress with subscribers: p50/p99 are delivery latencies (mutation sent ->
  `progressUpdated` frame on the subscriber's socket); req/s is mutations per second.
- Fan-out: one `sendAnnouncement`; p50/p99 are delivery latencies over the sockets;
  CPU is per delivered message.
- Round trips: every protocol round trip on the wire, PostgreSQL Syncs and simple queries
  (BEGIN/COMMIT included), MongoDB commands (driver housekeeping excluded).
"""

LABELS = {
    "learner_dashboard": "learner dashboard (me, progress, paths, unread count, chart)",
    "catalog_page_50": "catalog page of 50 skills (prerequisites, learnerCount, courses)",
    "catalog_page_50_direct": "same page, the gateway's subgraph calls sent directly",
    "learner_dashboard_fixed_rate": "learner dashboard at a fixed rate",
    "catalog_page_50_fixed_rate": "catalog page at a fixed rate",
    "progress_with_200_subscribers": "recordProgress with {subscribers} progressUpdated sockets",
    "notification_fanout_1000": "announcement fan-out to {fanout} websockets",
}


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _ratio(a: float | None, b: float | None) -> str:
    return f"x{a / b:.2f}" if a and b else "n/a"


def _top(cpu: dict[str, float], count: int = 4) -> str:
    return ", ".join(f"{name} {ms:g}" for name, ms in list(cpu.items())[:count])


def _row(name: str, figures: dict[str, Any], settings: dict[str, Any]) -> str:
    label = LABELS.get(name, name).format(**settings)
    if "failed" in figures or "skipped" in figures:
        return f"| {label} | - | - | - | - | - | {figures.get('failed') or figures['skipped']} |"
    if name.endswith("_fixed_rate"):
        rps = f"{_f(figures['rate'])} (fixed)"
        verdict = "met" if figures["p99_ms"] <= TARGET_P99_MS else "NOT met"
        note = f"p99 target {TARGET_P99_MS} ms {verdict}; errors {figures['errors']}"
        p50, p99 = figures["p50_ms"], figures["p99_ms"]
    elif name == "catalog_page_50_direct":
        rps, p50, p99 = "-", figures["p50_ms_critical_path"], figures["p99_ms_critical_path"]
        note = f"{len(figures['calls'])} calls in {figures['stages']} stages"
    elif "deliveries" in figures:
        rps, p50, p99 = (
            figures["mutations_per_s"],
            figures["delivery_p50_ms"],
            figures["delivery_p99_ms"],
        )
        note = f"delivered {figures['deliveries']}/{figures['deliveries_expected']}"
    elif "received" in figures:
        rps, p50, p99 = "-", figures["delivery_p50_ms"], figures["delivery_p99_ms"]
        note = f"received {figures['received']}/{figures['sockets']}"
    else:
        rps, p50, p99 = figures["rps"], figures["p50_ms"], figures["p99_ms"]
        note = f"errors {figures['errors']}"
    cpu = figures.get("cpu_ms_per_request", {})
    total = figures.get("cpu_ms_per_request_total")
    return f"| {label} | {_f(rps)} | {_f(p50)} | {_f(p99)} | {_f(total)} | {_top(cpu)} | {note} |"


def table(report: dict[str, Any]) -> list[str]:
    """The summary table (README and docs) plus the gateway-vs-direct ratios."""
    s, settings = report["scenarios"], report["settings"]
    lines = [
        "| scenario | req/s | p50 ms | p99 ms | CPU ms/request | biggest CPU shares (ms) | note |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(name, s[name], settings) for name in LABELS if name in s]
    trips = s.get("db_round_trips", {})
    if "page_5" in trips:
        verdict = "flat" if trips["equal"] else "NOT flat"
        lines.append(
            f"| database round trips, 5- vs 50-skill page | | | | | | "
            f"{trips['page_5']['total']:g} vs {trips['page_50']['total']:g}: {verdict} |"
        )
    page, direct = s.get("catalog_page_50", {}), s.get("catalog_page_50_direct", {})
    if "rps" in page and "calls" in direct:
        gateway_cpu = page["cpu_ms_per_request"].get("gateway")
        lines += [
            "",
            f"Gateway vs direct, catalog page: CPU per page "
            f"{page['cpu_ms_per_request_total']:g} vs {direct['cpu_ms_per_request_total']:g} ms "
            f"({_ratio(page['cpu_ms_per_request_total'], direct['cpu_ms_per_request_total'])}; "
            f"the gateway itself {_f(gateway_cpu)} ms); p50 {page['p50_ms']:g} vs "
            f"{direct['p50_ms_critical_path']:g} ms "
            f"({_ratio(page['p50_ms'], direct['p50_ms_critical_path'])}).",
        ]
    return lines


def cpu_table(report: dict[str, Any]) -> list[str]:
    """CPU ms per request of every process, per scenario."""
    measured = {n: f for n, f in report["scenarios"].items() if f.get("cpu_ms_per_request")}
    processes: list[str] = []
    for figures in measured.values():
        processes += [p for p in figures["cpu_ms_per_request"] if p not in processes]
    lines = [
        "| scenario | total | " + " | ".join(processes) + " |",
        "|---|---|" + "---|" * len(processes),
    ]
    for name, figures in measured.items():
        cpu = figures["cpu_ms_per_request"]
        cells = " | ".join(_f(cpu.get(p)) for p in processes)
        lines.append(f"| {name} | {_f(figures['cpu_ms_per_request_total'])} | {cells} |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    settings, machine = report["settings"], report["machine"]
    lines = [
        HEADER.format(
            gateway=report["gateway"],
            learners=report["learners"],
            seed=report["seed"],
            warmup=_f(settings["warmup_seconds"]),
            when=report["when"],
            cores=machine["cores"],
            cpu_model=machine["cpu_model"],
            python=machine["python"],
            seconds=report["seconds"],
            wrk=report["tools"]["wrk"],
            oha=report["tools"]["oha"],
            connections=settings["connections"],
            duration=_f(settings["seconds"]),
            rate_seconds=_f(settings["rate_seconds"]),
        ),
        *table(report),
        "",
        "## CPU milliseconds per request, per process",
        "",
        *cpu_table(report),
    ]
    direct = report["scenarios"].get("catalog_page_50_direct", {})
    if "calls" in direct:
        lines += [
            "", "## The direct baseline, call by call", "",
            "| stage | subgraph | body bytes | req/s | p50 ms | p99 ms | CPU ms/call |",
            "|---|---|---|---|---|---|---|",
        ]  # fmt: skip
        for c in direct["calls"]:
            lines.append(
                f"| {c['stage']} | {c['subgraph']} | {c['body_bytes']} | {c['rps']:g} | "
                f"{c['p50_ms']:g} | {c['p99_ms']:g} | {c['cpu_ms_per_request_total']:g} |"
            )
    trips = report["scenarios"].get("db_round_trips", {})
    if "page_5" in trips:
        lines += [
            "", "## Database round trips per catalog page", "",
            "| page | skills | learning | content | total |", "|---|---|---|---|---|",
        ]  # fmt: skip
        for key in ("page_5", "page_50"):
            t = trips[key]
            lines.append(
                f"| {key.split('_')[1]} skills | {t['skills']:g} | {t['learning']:g} | "
                f"{t['content']:g} | {t['total']:g} |"
            )
    lines.append(NOTES.format(connections=settings["connections"], target=TARGET_P99_MS))
    return "\n".join(lines) + "\n"


README_MARKS = ("<!-- bench:start -->", "<!-- bench:end -->")


def update_readme(readme: Path, report: dict[str, Any]) -> None:
    """Replace the table between the README's bench markers with this run's."""
    text = readme.read_text()
    start, end = README_MARKS
    machine = report["machine"]
    block = "\n".join([
        start,
        f"`{report['gateway']}`, {report['when'][:10]}, {machine['cores']} cores "
        f"({machine['cpu_model']}); CPU is per request, all processes:",
        "",
        *table(report),
        end,
    ])  # fmt: skip
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise RuntimeError(f"{readme}: no {start} ... {end} block to replace")
    readme.write_text(pattern.sub(lambda _: block, text))
