"""bench/results/latest.json as the markdown of docs/benchmarks.md."""

from __future__ import annotations

from typing import Any

HEADER = """# Benchmarks

Produced by `make bench` (`.venv/bin/python -m bench`), which starts its own stack
(throwaway PostgreSQL, Redis, FerretDB; every subgraph in router/supergraph.yaml as a
process; Hive Gateway with request deduplication off) and loads the demo catalog,
25 published courses and {learners} learners with progress. Fixed request counts,
concurrency {concurrency}, seed {seed}. Raw figures: bench/results/latest.json.
Latest run: {when}, {cpus} CPUs, Python {python}; whole run {seconds} s.

Load generator, gateway and subgraphs share the same machine, so absolute
figures are pessimistic; the ratios are the point.

"""


FINDINGS = """
## How to read it

- Scenario 3: p50/p99 are delivery latencies (mutation sent -> `progressUpdated` frame on
  the subscriber's socket); req/s is recordProgress mutations per second.
- Scenario 4: one `sendAnnouncement`; p50/p99 are delivery latencies over the sockets.
- Scenarios 3 and 4 use one socket per user (the race that once made several sockets of
  one user miss messages is fixed in `LiveChannels.listen` and tested).
- Replicas: two uvicorn workers per subgraph (`SKILL_CIRCLE_WORKERS=2`) against one each,
  on the same 2-core machine that also runs the gateway, the stores and the load generator.
- Scenario 6 counts every protocol round trip: PostgreSQL Syncs and simple queries
  (BEGIN/COMMIT included), MongoDB commands (driver housekeeping excluded).
"""


def _row(name: str, figures: dict[str, Any], notes: str = "") -> str:
    if "skipped" in figures or "failed" in figures:
        return f"| {name} | - | - | - | - | {figures.get('skipped') or figures.get('failed')} |"
    return (
        f"| {name} | {figures['requests']} | {figures['rps']} | {figures['p50_ms']} | "
        f"{figures['p99_ms']} | {notes or ('errors: ' + str(figures['errors']))} |"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def markdown(report: dict[str, Any]) -> str:
    s = report["scenarios"]
    lines = [
        HEADER.format(
            learners=20,
            concurrency=report["concurrency"],
            seed=report["seed"],
            when=report["when"],
            cpus=report["machine"]["cpus"],
            python=report["machine"]["python"],
            seconds=report["seconds"],
        ),
        "| Scenario | Requests | req/s | p50 ms | p99 ms | Notes |",
        "|---|---|---|---|---|---|",
    ]
    dash, page, direct = s["learner_dashboard"], s["catalog_page_50"], s["catalog_page_50_direct"]
    lines.append(_row("1. Learner dashboard (me, progress, paths, chart)", dash))
    lines.append(_row("2. Catalog page: 50 skills + prereqs, learnerCount, courses", page))
    overhead = ""
    if "rps" in page and "rps" in direct:
        overhead = (
            f"gateway overhead: throughput x{_ratio(direct['rps'], page['rps'])}, "
            f"p50 x{_ratio(page['p50_ms'], direct['p50_ms'])}"
        )
    lines.append(_row("5. Same page straight to skills, learning, content", direct, overhead))
    progress = s["progress_with_200_subscribers"]
    if "mutations" in progress:
        lines.append(
            f"| 3. recordProgress, {progress['subscriptions']} progressUpdated sockets | "
            f"{progress['mutations']} | {progress['mutations_per_s']} | "
            f"{progress['delivery_p50_ms']} | {progress['delivery_p99_ms']} | "
            f"p50/p99 = delivery latency; delivered {progress['deliveries']}/"
            f"{progress['deliveries_expected']} |"
        )
    else:
        lines.append(_row("3. recordProgress with 200 subscriptions", progress))
    fanout = s["notification_fanout_1000"]
    if "sockets" in fanout:
        lines.append(
            f"| 4. Announcement fan-out to {fanout['sockets']} sockets | 1 | - | "
            f"{fanout['delivery_p50_ms']} | {fanout['delivery_p99_ms']} | "
            f"received {fanout['received']}/{fanout['sockets']}; sendAnnouncement "
            f"{fanout['send_ms']} ms; users reached {fanout['users_reached']} |"
        )
    else:
        lines.append(_row("4. Announcement fan-out to 1,000 sockets", fanout))
    replicas = s.get("replicas", {})
    if "throughput_ratio" in replicas:
        lines.append(_row("7a. Dashboard, 1 replica per subgraph", replicas["one_replica"]))
        lines.append(
            _row(
                "7b. Dashboard, 2 replicas per subgraph",
                replicas["two_replicas"],
                f"throughput ratio 2 vs 1 replicas: x{replicas['throughput_ratio']}",
            )
        )
    elif replicas:
        lines.append(_row("7. Dashboard, 1 vs 2 replicas", replicas))
    trips = s["db_round_trips"]
    lines.append("")
    lines.append("## 6. Database round trips per catalog page")
    lines.append("")
    if "page_5" in trips:
        lines.append("Counted on the wire (a counting TCP proxy in front of PostgreSQL/FerretDB,")
        lines.append("replicas of the three subgraphs, the page sent as the gateway plans it).")
        lines.append("")
        lines.append("| Page | skills | learning | content | total |")
        lines.append("|---|---|---|---|---|")
        for key in ("page_5", "page_50"):
            t = trips[key]
            lines.append(
                f"| {key.split('_')[1]} skills | {t['skills']} | {t['learning']} | "
                f"{t['content']} | {t['total']} |"
            )
        lines.append("")
        verdict = "equal" if trips["equal"] else "NOT equal"
        lines.append(f"5-skill and 50-skill pages: {verdict}.")
    else:
        lines.append(str(trips.get("failed") or trips.get("skipped")))
    lines.append(FINDINGS)
    return "\n".join(lines) + "\n"
