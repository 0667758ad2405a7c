#!/usr/bin/env python
"""Cold render vs cached render of the visualization subgraph's SVGs.

    .venv/bin/python bench/visualization_cache.py [--redis-url redis://127.0.0.1:6379/0]

Runs the service in-process on the demo catalog (no gateway: the data source is
the catalog in memory, so "cold" is cache lookup + layout + SVG + store, without
the network fetch a real render adds). Without --redis-url it uses the embedded
in-process Redis stand-in. Prints per-kind mean times and the cold/cached ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakeredis import FakeServer
from fakeredis.aioredis import FakeRedis
from redis.asyncio import Redis

from subgraphs.common.auth import Viewer
from subgraphs.visualization.cache import SvgCache
from subgraphs.visualization.domain import ChartKind
from subgraphs.visualization.service import RenderCounts, VisualizationService
from subgraphs.visualization.source.samples import SampleSource


async def timed(calls: list[Callable[[], Awaitable[str]]]) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description="cold vs cached SVG renders")
    parser.add_argument("--redis-url", default="", help="a real Redis (default: in-process)")
    parser.add_argument("--users", type=int, default=20, help="learners with charts")
    parser.add_argument("--rounds", type=int, default=3, help="cold+cached passes per kind")
    args = parser.parse_args()
    redis = Redis.from_url(args.redis_url) if args.redis_url else FakeRedis(server=FakeServer())
    source = SampleSource(progress={})
    service = VisualizationService(source, SvgCache(redis), RenderCounts.on())
    users = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(args.users)]
    for user in users:
        source.users[user] = source.sample_progress(user)
    kinds: dict[str, list[Callable[[], Awaitable[str]]]] = {
        "tree (depth 3)": [lambda k=k: service.skill_tree(k, 3) for k in source.skills],
        **{
            f"progress {kind.value}": [
                lambda u=u, kind=kind: service.progress_chart(Viewer(u), u, kind) for u in users
            ]
            for kind in ChartKind
        },
        "user roadmap": [
            lambda u=u: service.user_roadmap(Viewer(u), u, "backend-python-developer")
            for u in users
        ],
    }
    print(f"{'image':<20}{'n':>5}{'cold ms':>10}{'cached ms':>11}{'ratio':>8}   (medians)")
    cold_all, warm_all = [], []
    for name, calls in kinds.items():
        cold, warm = [], []
        for _ in range(args.rounds):
            # New versions of everything: the next pass must render again.
            await service.cache.bump(
                [f"skill:{k}" for k in source.skills] + [f"user:{u}" for u in users]
            )
            cold += await timed(calls)
            warm += await timed(calls)
        cold_all += cold
        warm_all += warm
        c, w = statistics.median(cold) * 1000, statistics.median(warm) * 1000
        print(f"{name:<20}{len(calls):>5}{c:>10.2f}{w:>11.3f}{c / w:>7.1f}x")
    c, w = statistics.median(cold_all) * 1000, statistics.median(warm_all) * 1000
    print(f"{'all':<20}{len(cold_all):>5}{c:>10.2f}{w:>11.3f}{c / w:>7.1f}x")
    renders = sum(
        s.value
        for m in service.counts.renders.collect()
        for s in m.samples
        if s.name.endswith("_total")
    )
    print(f"renders: {renders:.0f} for {2 * len(cold_all)} requests (the rest were cache hits)")
    print("deep trees: ", end="")
    deep = [lambda k=k: service.skill_tree(k, 6) for k in ("nlp-transformers", "mlops", "dbt")]
    await service.cache.bump([f"skill:{k}" for k in source.skills])
    cold, warm = await timed(deep), await timed(deep)
    print(
        f"cold {statistics.median(cold) * 1000:.1f} ms, cached "
        f"{statistics.median(warm) * 1000:.2f} ms (depth 6, 10-16 skills)"
    )
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
