"""Domain rules of the visualization subgraph: validation, privacy, caching, rendering."""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from ..common.auth import Viewer
from ..common.errors import AppError, BadUserInput, NotFound
from ..common.permissions import require_self_or_admin
from ..common.recent import Recent
from .cache import Rendered, SvgCache
from .domain import MAX_DEPTH, MIN_DEPTH, CertificateInfo, ChartKind, UserProgress
from .render import (
    render_progress_chart,
    render_roadmap,
    render_skill_tree,
    render_user_roadmap,
)
from .render.certificate import render_certificate_pdf, render_certificate_svg
from .source import DataSource


@dataclass
class RenderCounts:
    """How often each kind of image was rendered or served from the cache."""

    renders: Counter
    cache_hits: Counter

    @classmethod
    def on(cls, registry: CollectorRegistry | None = None) -> RenderCounts:
        registry = registry or CollectorRegistry()
        return cls(
            Counter("svg_renders_total", "SVG images rendered", ["kind"], registry=registry),
            Counter(
                "svg_cache_hits_total",
                "SVG images served from the cache",
                ["kind"],
                registry=registry,
            ),
        )


def check_depth(depth: int) -> int:
    if not MIN_DEPTH <= depth <= MAX_DEPTH:
        raise BadUserInput("depth", f"depth must be between {MIN_DEPTH} and {MAX_DEPTH}")
    return depth


MAX_CODE = 64


# Progress charts held in memory per process (a few KiB each).
CHARTS_HELD = 2_000


class VisualizationService:
    def __init__(
        self,
        source: DataSource,
        cache: SvgCache,
        counts: RenderCounts,
        public_url: str = "http://localhost:4000",
    ) -> None:
        self.source = source
        self.cache = cache
        self.counts = counts
        self.public_url = public_url.rstrip("/")  # the verification page's site
        # Progress charts drawn from the data the request carried, by that data's digest:
        # the drawing is a function of it, so a held one is never stale (no Redis trip).
        self._charts: Recent[str, str] = Recent(CHARTS_HELD)

    # ------------------------------------------------------------ certificates
    def verify_url(self, verification_code: str) -> str:
        """The public page that verifies a certificate (what its QR code encodes)."""
        return f"{self.public_url}/certificates/{verification_code}"

    async def certificate_svg(self, verification_code: str) -> str:
        info = await self._certificate(verification_code)
        self.counts.renders.labels("certificate-svg").inc()
        return await _render(render_certificate_svg, info)

    async def certificate_pdf(self, verification_code: str) -> bytes:
        info = await self._certificate(verification_code)
        self.counts.renders.labels("certificate-pdf").inc()
        return await asyncio.to_thread(render_certificate_pdf, info)

    async def _certificate(self, verification_code: str) -> CertificateInfo:
        code = verification_code.strip()
        if not code or len(code) > MAX_CODE or not code.replace("-", "").replace("_", "").isalnum():
            raise NotFound("certificate", "with this code")
        info = await self.source.certificate(code, self.verify_url(code))
        if info is None:
            raise NotFound("certificate", "with this code")
        return info

    async def skill_tree(self, skill_id: str, depth: int = 3) -> str:
        [result] = await self.skill_trees([(skill_id, depth)])
        if isinstance(result, AppError):
            raise result
        return result

    async def skill_trees(self, requests: list[tuple[str, int]]) -> list[str | AppError]:
        """Many trees: one cache lookup, then one fetch per depth for the misses."""
        results: dict[tuple[str, int], str | AppError] = {}
        for skill_id, depth in requests:
            try:
                check_depth(depth)
            except BadUserInput as error:
                results[(skill_id, depth)] = error
        wanted = {f"tree:{s}:{d}": (s, d) for s, d in requests if (s, d) not in results}
        hits = await self.cache.lookup(list(wanted))
        self.counts.cache_hits.labels("tree").inc(len(hits))
        for key, svg in hits.items():
            results[wanted[key]] = svg
        misses: dict[int, list[str]] = defaultdict(list)
        for key, (skill_id, depth) in wanted.items():
            if key not in hits:
                misses[depth].append(skill_id)
        epoch = await self.cache.epoch()
        renders: dict[str, Rendered] = {}
        for depth, skill_ids in misses.items():
            graphs = await self.source.skill_graphs(skill_ids, depth)
            for skill_id in skill_ids:
                graph = graphs.get(skill_id)
                if graph is None:
                    results[(skill_id, depth)] = NotFound("skill", skill_id)
                    continue
                svg = await _render(render_skill_tree, graph)
                results[(skill_id, depth)] = svg
                renders[f"tree:{skill_id}:{depth}"] = Rendered(
                    svg, frozenset(f"skill:{key}" for key in graph.skills)
                )
        self.counts.renders.labels("tree").inc(len(renders))
        await self.cache.store(renders, epoch)
        return [results[request] for request in requests]

    async def roadmap(self, slug: str) -> str:
        async def render() -> Rendered:
            roadmap = await self.source.roadmap(slug)
            if roadmap is None:
                raise NotFound("roadmap", slug)
            svg = await _render(render_roadmap, roadmap)
            return Rendered(
                svg,
                frozenset([f"roadmap:{roadmap.id}", *(f"skill:{s}" for s in roadmap.skill_ids)]),
            )

        return await self._cached("roadmap", f"roadmap:{slug}", render)

    async def progress_chart(
        self,
        viewer: Viewer | None,
        user_id: str,
        kind: ChartKind = ChartKind.BAR,
        progress: UserProgress | None = None,
    ) -> str:
        """The user's own progress chart: only they and ADMINs may see it.

        With `progress` given (the GraphQL field: the gateway fetched it from learning in
        the same request), the cache key is that content's digest, so the chart always
        shows it (read-your-writes). Without (the HTTP image), it is read from the source.
        """
        caller = require_self_or_admin(viewer, user_id)

        async def render() -> Rendered:
            shown = progress or await self.source.progress(user_id, caller.token)
            if shown is None:
                raise NotFound("user", user_id)
            svg = await _render(render_progress_chart, shown, kind)
            return Rendered(
                svg,
                frozenset([f"user:{user_id}", *(f"skill:{e.skill.id}" for e in shown.entries)]),
            )

        key = f"progress:{user_id}:{kind.value}"
        if progress is None:
            return await self._cached("progress", key, render)
        key += f":{_digest(progress)}"
        held = self._charts.get(key)
        if held is not None:
            self.counts.cache_hits.labels("progress").inc()
            return held
        svg = await self._cached("progress", key, render)
        self._charts.put(key, svg)
        return svg

    async def user_roadmap(self, viewer: Viewer | None, user_id: str, slug: str) -> str:
        """A roadmap coloured by the user's progress: only they and ADMINs may see it."""
        caller = require_self_or_admin(viewer, user_id)

        async def render() -> Rendered:
            roadmap, progress = await self.source.roadmap_progress(user_id, slug, caller.token)
            if roadmap is None:
                raise NotFound("roadmap", slug)
            if progress is None:
                raise NotFound("user", user_id)
            svg = await _render(render_user_roadmap, roadmap, progress)
            return Rendered(
                svg,
                frozenset(
                    [
                        f"user:{user_id}",
                        f"roadmap:{roadmap.id}",
                        *(f"skill:{s}" for s in roadmap.skill_ids),
                    ]
                ),
            )

        return await self._cached("user-roadmap", f"user-roadmap:{user_id}:{slug}", render)

    async def _cached(self, kind: str, key: str, render: Callable[[], Awaitable[Rendered]]) -> str:
        hit = (await self.cache.lookup([key])).get(key)
        if hit is not None:
            self.counts.cache_hits.labels(kind).inc()
            return hit
        epoch = await self.cache.epoch()
        rendered = await render()
        self.counts.renders.labels(kind).inc()
        await self.cache.store({key: rendered}, epoch)
        return rendered.svg


def _digest(progress: UserProgress) -> str:
    """A short fingerprint of everything a progress chart shows."""
    return hashlib.sha256(repr(progress).encode()).hexdigest()[:24]


async def _render(function: Callable[..., str], *args: object) -> str:
    """Layout is CPU work: off the event loop, so other requests keep flowing."""
    return await asyncio.to_thread(function, *args)
