"""Domain rules of the visualization subgraph: validation, privacy, caching, rendering."""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter

from ..common.auth import Viewer
from ..common.errors import AppError, BadUserInput, NotFound
from ..common.permissions import require_self_or_admin
from ..common.recent import Recent
from .cache import Rendered, SvgCache
from .domain import (
    MAX_DEPTH,
    MIN_DEPTH,
    CertificateInfo,
    ChartKind,
    RoadmapInfo,
    SkillGraph,
    UserProgress,
)
from .render import (
    render_progress_chart,
    render_roadmap,
    render_skill_tree,
    render_user_roadmap,
)
from .render.certificate import render_certificate_pdf, render_certificate_svg
from .render.palette import LIGHT, Palette
from .source import DataSource

Model = TypeVar("Model")
# What a drawing is made from, and the entities it shows (its cache dependencies).
Loaded = tuple[Model, frozenset[str]]


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

    async def skill_tree(self, skill_id: str, depth: int = 3, palette: Palette = LIGHT) -> str:
        [result] = await self.skill_trees([(skill_id, depth)], palette)
        if isinstance(result, AppError):
            raise result
        return result

    async def skill_trees(
        self, requests: list[tuple[str, int]], palette: Palette = LIGHT
    ) -> list[str | AppError]:
        """Many trees: one cache lookup, then one fetch per depth for the misses."""
        results: dict[tuple[str, int], str | AppError] = {}
        for skill_id, depth in requests:
            try:
                check_depth(depth)
            except BadUserInput as error:
                results[(skill_id, depth)] = error
        wanted = {
            themed(f"tree:{s}:{d}", palette): (s, d) for s, d in requests if (s, d) not in results
        }
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
                svg = await _render(render_skill_tree, graph, None, palette)
                results[(skill_id, depth)] = svg
                renders[themed(f"tree:{skill_id}:{depth}", palette)] = Rendered(
                    svg, frozenset(f"skill:{key}" for key in graph.skills)
                )
        self.counts.renders.labels("tree").inc(len(renders))
        await self.cache.store(renders, epoch)
        return [results[request] for request in requests]

    async def tree_model(self, skill_id: str, depth: int) -> Loaded[SkillGraph]:
        check_depth(depth)
        graph = (await self.source.skill_graphs([skill_id], depth)).get(skill_id)
        if graph is None:
            raise NotFound("skill", skill_id)
        return graph, frozenset(f"skill:{key}" for key in graph.skills)

    async def roadmap(self, slug: str, palette: Palette = LIGHT) -> str:
        return await self.drawing(
            "roadmap",
            themed(f"roadmap:{slug}", palette),
            lambda: self.roadmap_model(slug),
            lambda roadmap: render_roadmap(roadmap, palette),
        )

    async def roadmap_model(self, slug: str) -> Loaded[RoadmapInfo]:
        roadmap = await self.source.roadmap(slug)
        if roadmap is None:
            raise NotFound("roadmap", slug)
        return roadmap, frozenset(
            [f"roadmap:{roadmap.id}", *(f"skill:{s}" for s in roadmap.skill_ids)]
        )

    async def progress_chart(
        self,
        viewer: Viewer | None,
        user_id: str,
        kind: ChartKind = ChartKind.BAR,
        progress: UserProgress | None = None,
        palette: Palette = LIGHT,
    ) -> str:
        """The user's own progress chart: only they and ADMINs may see it.

        With `progress` given (the GraphQL field: the gateway fetched it from learning in
        the same request), the cache key is that content's digest, so the chart always
        shows it (read-your-writes). Without (the HTTP image), it is read from the source.
        """
        require_self_or_admin(viewer, user_id)

        async def render() -> Rendered:
            if progress is None:
                shown, depends_on = await self.progress_model(viewer, user_id)
            else:
                shown, depends_on = progress, _progress_entities(progress)
            svg = await _render(render_progress_chart, shown, kind, palette)
            return Rendered(svg, depends_on)

        key = themed(f"progress:{user_id}:{kind.value}", palette)
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

    async def user_roadmap(
        self, viewer: Viewer | None, user_id: str, slug: str, palette: Palette = LIGHT
    ) -> str:
        """A roadmap coloured by the user's progress: only they and ADMINs may see it."""
        require_self_or_admin(viewer, user_id)
        return await self.drawing(
            "user-roadmap",
            themed(f"user-roadmap:{user_id}:{slug}", palette),
            lambda: self.roadmap_progress_model(viewer, user_id, slug),
            lambda model: render_user_roadmap(*model, palette),
        )

    async def roadmap_progress_model(
        self, viewer: Viewer | None, user_id: str, slug: str
    ) -> Loaded[tuple[RoadmapInfo, UserProgress]]:
        """A roadmap and the user's progress (only they and ADMINs may see it)."""
        caller = require_self_or_admin(viewer, user_id)
        roadmap, progress = await self.source.roadmap_progress(user_id, slug, caller.token)
        if roadmap is None:
            raise NotFound("roadmap", slug)
        if progress is None:
            raise NotFound("user", user_id)
        shown = [f"user:{user_id}", f"roadmap:{roadmap.id}"]
        return (roadmap, progress), frozenset([*shown, *(f"skill:{s}" for s in roadmap.skill_ids)])

    async def progress_model(self, viewer: Viewer | None, user_id: str) -> Loaded[UserProgress]:
        """The user's progress, read with the caller's token (only they and ADMINs)."""
        caller = require_self_or_admin(viewer, user_id)
        progress = await self.source.progress(user_id, caller.token)
        if progress is None:
            raise NotFound("user", user_id)
        return progress, _progress_entities(progress)

    async def drawing(
        self,
        kind: str,
        key: str,
        load: Callable[[], Awaitable[Loaded[Model]]],
        draw: Callable[[Model], str],
    ) -> str:
        """What `draw` makes of the model `load` reads, from the cache while what it
        showed is unchanged (`kind` names it in the metrics)."""

        async def render() -> Rendered:
            model, depends_on = await load()
            return Rendered(await _render(draw, model), depends_on)

        return await self._cached(kind, key, render)

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


def _progress_entities(progress: UserProgress) -> frozenset[str]:
    return frozenset(
        [f"user:{progress.user_id}", *(f"skill:{e.skill.id}" for e in progress.entries)]
    )


def themed(key: str, palette: Palette) -> str:
    """A cache key per theme (the light theme's keys are those from before themes)."""
    return key if palette is LIGHT else f"{key}:{palette.name}"


def _digest(progress: UserProgress) -> str:
    """A short fingerprint of everything a progress chart shows."""
    return hashlib.sha256(repr(progress).encode()).hexdigest()[:24]


async def _render(function: Callable[..., str], *args: object) -> str:
    """Layout is CPU work: off the event loop, so other requests keep flowing."""
    return await asyncio.to_thread(function, *args)
