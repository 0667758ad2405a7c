"""Every theme's colours measured (WCAG 2 contrast), and every drawing drawn in each."""

from __future__ import annotations

import pytest

from subgraphs.visualization.domain import ChartKind
from subgraphs.visualization.render import render_progress_chart, render_roadmap
from subgraphs.visualization.render.palette import THEMES, Palette, contrast
from subgraphs.visualization.render.tree import render_skill_tree, render_user_roadmap
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource

from .support import NS, parse_svg

PALETTES = list(THEMES.values())


def test_contrast_is_measured_as_wcag_defines_it() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_text_is_readable_in_every_theme(palette: Palette) -> None:
    """Text: 4.5:1 (AA), 7:1 (AAA) in HIGH_CONTRAST; on the background and inside boxes."""
    least = 7.0 if palette.name == "HIGH_CONTRAST" else 4.5
    assert contrast(palette.text, palette.background) >= least
    assert contrast(palette.muted, palette.background) >= least
    assert contrast(palette.note_text, palette.note_fill) >= least
    for stroke, fill in [*palette.levels.values(), *palette.statuses.values()]:
        assert contrast(palette.text, fill) >= least  # a node's title on its fill
        assert contrast(stroke, fill) >= least  # its subtitle, written in its stroke colour


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_marks_stand_out_from_the_background(palette: Palette) -> None:
    """Bars, strokes, edges and series: 3:1 against the background (WCAG 1.4.11)."""
    marks = [
        palette.edge,
        palette.accent,
        palette.accent_fill,
        palette.second,
        palette.third,
        palette.milestone,
        *(stroke for stroke, _ in palette.levels.values()),
        *(stroke for stroke, _ in palette.statuses.values()),
    ]
    assert [m for m in marks if contrast(m, palette.background) < 3.0] == []


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_every_drawing_takes_the_theme(palette: Palette) -> None:
    demo = SampleSource()
    progress = demo.sample_progress()
    roadmap = demo.roadmap_info(SAMPLE_ROADMAP)
    assert roadmap is not None
    drawings = [
        render_skill_tree(demo.graph("fastapi", 3), None, palette),
        render_skill_tree(demo.graph("fastapi", 3), progress, palette),
        render_roadmap(roadmap, palette),
        render_user_roadmap(roadmap, progress, palette),
        *(render_progress_chart(progress, kind, palette) for kind in ChartKind),
    ]
    for svg in drawings:
        root = parse_svg(svg)
        background = root.find(f"{NS}rect")
        assert background is not None and background.get("fill") == palette.background
        style = root.find(f"{NS}style")
        assert style is not None and f"fill: {palette.text}" in (style.text or "")
        others = {p.background for p in PALETTES} - {palette.background}
        assert not any(f'fill="{colour}"' in svg for colour in others if colour != "#ffffff")
