"""SVG renderers: pure functions from the model to a standalone SVG document (a str)."""

from __future__ import annotations

from collections.abc import Callable

from ..domain import ChartKind, UserProgress
from .bar import render_bar_chart
from .palette import LIGHT, Palette
from .radar import render_radar_chart
from .roadmap import render_roadmap
from .timeline import render_timeline_chart
from .tree import render_skill_tree, render_user_roadmap

CHARTS: dict[ChartKind, Callable[[UserProgress, Palette], str]] = {
    ChartKind.BAR: render_bar_chart,
    ChartKind.RADAR: render_radar_chart,
    ChartKind.TIMELINE: render_timeline_chart,
}


def render_progress_chart(
    progress: UserProgress,
    kind: ChartKind,
    palette: Palette = LIGHT,
    seen: dict[str, float] | None = None,
) -> str:
    """`seen`: the percents the viewer was last shown (BAR only: bars move from there)."""
    if seen is not None and kind is ChartKind.BAR:
        return render_bar_chart(progress, palette, seen)
    return CHARTS[kind](progress, palette)


__all__ = [
    "render_progress_chart",
    "render_roadmap",
    "render_skill_tree",
    "render_user_roadmap",
]
