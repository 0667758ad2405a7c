"""The use case behind `visualization(spec:)`: a checked request to a drawing, as SVG
and/or layout data, in a theme, fitted to a size.

Trees, roadmaps and progress charts go through the service's own cached paths (the
ones `treeSvg`, `Roadmap.svg`, `skillTreeSvg` and the images use); layout data is
cached beside them, made from the same placement as the SVG. Charts "since the last
visit" and analytics charts are drawn each time (what they show is not versioned).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from ..common.auth import Viewer
from ..common.errors import BadUserInput, NotFound
from ..common.permissions import require_role, require_self_or_admin
from .domain import (
    AnalyticsChart,
    SkillGraph,
    UserProgress,
    VisualizationFormat,
    VisualizationKind,
    VisualizationRequest,
)
from .render import render_progress_chart
from .render.analytics import (
    render_active_learners,
    render_cohorts,
    render_missed_questions,
    render_skill_funnel,
)
from .render.palette import THEMES, Palette
from .render.roadmap import plan_roadmap, roadmap_scene
from .render.scene import Scene, scene_from_json, scene_json
from .render.tree import (
    diagram_scene,
    render_skill_tree,
    render_user_roadmap,
    skill_tree_diagram,
    user_roadmap_diagram,
)
from .seen import SeenProgress
from .service import Loaded, VisualizationService, themed
from .source import DataSource

Model = TypeVar("Model")
SVG, LAYOUT = VisualizationFormat.SVG, VisualizationFormat.LAYOUT
ROOT_SIZE = re.compile(r'<svg([^>]*?) width="(\d+)" height="(\d+)"')


@dataclass(frozen=True)
class Picture:
    request: VisualizationRequest
    width: int  # as shown: the drawing's own size fitted into the requested one
    height: int
    svg: str | None = None
    scene: Scene | None = None


class Visualizations:
    def __init__(self, service: VisualizationService, seen: SeenProgress) -> None:
        self.service = service
        self.seen = seen

    @property
    def source(self) -> DataSource:
        return self.service.source

    async def draw(self, viewer: Viewer | None, request: VisualizationRequest) -> Picture:
        if request.user_id is not None:
            require_self_or_admin(viewer, request.user_id)
        palette = THEMES[request.theme.value]
        svg, scene = await self._drawing(viewer, request, palette)
        if svg is not None:
            natural = _svg_size(svg)
        else:
            assert scene is not None  # a request asks for SVG, LAYOUT or both
            natural = (scene.width, scene.height)
        width, height = request.size.fit(*natural)
        if svg is not None:
            svg = _sized(svg, width, height)
        return Picture(request, width, height, svg, scene)

    async def _drawing(
        self, viewer: Viewer | None, request: VisualizationRequest, palette: Palette
    ) -> tuple[str | None, Scene | None]:
        kind = request.kind
        if kind is VisualizationKind.ANALYTICS:
            return await self._analytics(viewer, request, palette), None
        if request.since_last_visit:
            return await self._since_last_visit(viewer, request, palette), None
        if kind is VisualizationKind.PROGRESS_CHART:
            svg = await self.service.progress_chart(
                viewer, str(request.user_id), request.chart, None, palette
            )
            return svg, None
        if kind is VisualizationKind.TREE:
            return await self._tree(viewer, request, palette)
        return await self._roadmap(viewer, request, palette)

    async def _tree(
        self, viewer: Viewer | None, request: VisualizationRequest, palette: Palette
    ) -> tuple[str | None, Scene | None]:
        skill_id, depth, user_id = str(request.skill_id), request.depth, request.user_id
        if user_id is None:
            plain = _once(lambda: self.service.tree_model(skill_id, depth))
            return await self._formats(
                request,
                lambda: self.service.skill_tree(skill_id, depth, palette),
                lambda: self.service.drawing(
                    "tree-layout",
                    f"tree-layout:{skill_id}:{depth}",
                    plain,
                    lambda graph: scene_json(diagram_scene(skill_tree_diagram(graph))),
                ),
            )

        async def overlaid() -> Loaded[tuple[SkillGraph, UserProgress]]:
            (graph, shows), (progress, also) = await asyncio.gather(
                self.service.tree_model(skill_id, depth),
                self.service.progress_model(viewer, user_id),
            )
            return (graph, progress), shows | also

        load = _once(overlaid)
        key = f"user-tree:{user_id}:{skill_id}:{depth}"
        return await self._formats(
            request,
            lambda: self.service.drawing(
                "user-tree",
                themed(key, palette),
                load,
                lambda m: render_skill_tree(*m, palette),
            ),
            lambda: self.service.drawing(
                "user-tree-layout",
                f"{key}:layout",
                load,
                lambda m: scene_json(diagram_scene(skill_tree_diagram(*m))),
            ),
        )

    async def _roadmap(
        self, viewer: Viewer | None, request: VisualizationRequest, palette: Palette
    ) -> tuple[str | None, Scene | None]:
        slug, user_id = str(request.roadmap_slug), request.user_id
        if user_id is None:
            plain = _once(lambda: self.service.roadmap_model(slug))
            return await self._formats(
                request,
                lambda: self.service.roadmap(slug, palette),
                lambda: self.service.drawing(
                    "roadmap-layout",
                    f"roadmap-layout:{slug}",
                    plain,
                    lambda roadmap: scene_json(roadmap_scene(plan_roadmap(roadmap))),
                ),
            )
        load = _once(lambda: self.service.roadmap_progress_model(viewer, user_id, slug))
        return await self._formats(
            request,
            lambda: self.service.user_roadmap(viewer, user_id, slug, palette),
            lambda: self.service.drawing(
                "user-roadmap-layout",
                f"user-roadmap-layout:{user_id}:{slug}",
                load,
                lambda m: scene_json(diagram_scene(user_roadmap_diagram(*m))),
            ),
        )

    @staticmethod
    async def _formats(
        request: VisualizationRequest,
        svg: Callable[[], Awaitable[str]],
        layout: Callable[[], Awaitable[str]],
    ) -> tuple[str | None, Scene | None]:
        """The SVG and the layout data the request asks for (one model read serves both)."""
        drawn = await svg() if SVG in request.formats else None
        laid_out = scene_from_json(await layout()) if LAYOUT in request.formats else None
        return drawn, laid_out

    async def _since_last_visit(
        self, viewer: Viewer | None, request: VisualizationRequest, palette: Palette
    ) -> str:
        """The user's own progress, bars moving from what they were last shown; then what
        this drawing shows is remembered as seen."""
        user_id = str(request.user_id)
        if viewer is None or viewer.user_id != user_id:
            raise BadUserInput("sinceLastVisit", "sinceLastVisit is for your own progress")
        seen = await self.seen.of(user_id)
        if request.kind is VisualizationKind.PROGRESS_CHART:
            progress, _ = await self.service.progress_model(viewer, user_id)
            svg = await asyncio.to_thread(
                render_progress_chart, progress, request.chart, palette, seen
            )
            shown = {e.skill.id: e.percent for e in progress.entries}
        else:
            (roadmap, progress), _ = await self.service.roadmap_progress_model(
                viewer, user_id, str(request.roadmap_slug)
            )
            svg = await asyncio.to_thread(render_user_roadmap, roadmap, progress, palette, seen)
            entries = progress.by_skill()
            shown = {
                key: entries[key].percent if key in entries else 0.0 for key in roadmap.skill_ids
            }
        await self.seen.record(user_id, shown)
        return svg

    async def _analytics(
        self, viewer: Viewer | None, request: VisualizationRequest, palette: Palette
    ) -> str:
        caller = require_role(viewer, "EDITOR")
        dates, chart = request.dates, request.analytics
        if chart is AnalyticsChart.ACTIVE_LEARNERS:
            periods = await self.source.active_learners(request.period, dates, caller.token)
            return await asyncio.to_thread(render_active_learners, periods, request.period, palette)
        if chart is AnalyticsChart.COHORTS:
            cohorts = await self.source.cohorts(dates, caller.token)
            return await asyncio.to_thread(render_cohorts, cohorts, palette)
        skill_id = str(request.skill_id)
        stats = await self.source.skill_stats(skill_id, dates, caller.token)
        if stats is None:
            raise NotFound("skill", skill_id)
        draw = (
            render_skill_funnel if chart is AnalyticsChart.SKILL_FUNNEL else render_missed_questions
        )
        return await asyncio.to_thread(draw, stats, palette)


def _once(load: Callable[[], Awaitable[Model]]) -> Callable[[], Awaitable[Model]]:
    """`load`, called at most once however often the result is awaited."""
    task: asyncio.Future[Model] | None = None

    async def call() -> Model:
        nonlocal task
        if task is None:
            task = asyncio.ensure_future(load())
        return await task

    return call


def _svg_size(svg: str) -> tuple[float, float]:
    found = ROOT_SIZE.search(svg)
    if found is None:  # every renderer writes both (svgdoc.SvgDocument)
        raise ValueError("an SVG without width and height")
    return float(found.group(2)), float(found.group(3))


def _sized(svg: str, width: int, height: int) -> str:
    """The document shown at width by height (its viewBox, so its drawing, unchanged)."""
    return ROOT_SIZE.sub(rf'<svg\1 width="{width}" height="{height}"', svg, count=1)
