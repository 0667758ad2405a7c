"""`visualization(spec:)` below GraphQL: specs checked, layout data equal to the SVG's
positions, themes, sizes, the chart since the last visit, analytics by role."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput, Forbidden, NotFound, Unauthenticated
from subgraphs.visualization import domain
from subgraphs.visualization.domain import (
    ProgressEntry,
    UserProgress,
    VisualizationFormat,
    VisualizationKind,
    VisualizationRequest,
    VisualizationTheme,
)
from subgraphs.visualization.inputs import VisualizationSpec
from subgraphs.visualization.seen import SeenProgress
from subgraphs.visualization.service import VisualizationService
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource
from subgraphs.visualization.visualizations import Visualizations

from .conftest import learner
from .layout_match import svg_boxes, svg_edges
from .support import NS, all_text, parse_svg

BOTH = frozenset({VisualizationFormat.SVG, VisualizationFormat.LAYOUT})
EDITOR = Viewer("editor-1", frozenset({"EDITOR"}))


@pytest.fixture
def visualizations(service: VisualizationService, redis: Redis) -> Visualizations:
    return Visualizations(service, SeenProgress(redis))


def spec(**fields: Any) -> VisualizationSpec:
    return VisualizationSpec(**fields)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": VisualizationKind.TREE}, "skillId", "TREE needs skillId"),
        ({"kind": VisualizationKind.TREE, "skill_id": "x", "depth": 9}, "depth", "1 and 6"),
        (
            {"kind": VisualizationKind.TREE, "skill_id": "x", "roadmap_slug": "r"},
            "roadmapSlug",
            "TREE does not take roadmapSlug",
        ),
        ({"kind": VisualizationKind.ROADMAP, "roadmap_slug": "r", "width": 50}, "width",
         "between 100 and 4000"),
        (
            {"kind": VisualizationKind.PROGRESS_CHART, "user_id": "u",
             "formats": [VisualizationFormat.LAYOUT]},
            "formats",
            "TREE and ROADMAP only",
        ),
        ({"kind": VisualizationKind.PROGRESS_CHART, "user_id": "u", "formats": []},
         "formats", "SVG, LAYOUT or both"),
        ({"kind": VisualizationKind.ANALYTICS}, "analytics", "ANALYTICS needs analytics"),
        (
            {"kind": VisualizationKind.ANALYTICS, "analytics": domain.AnalyticsChart.SKILL_FUNNEL},
            "skillId",
            "SKILL_FUNNEL needs skillId",
        ),
        (
            {"kind": VisualizationKind.ANALYTICS, "analytics": domain.AnalyticsChart.COHORTS,
             "period": domain.ChartPeriod.WEEK},
            "period",
            "ACTIVE_LEARNERS only",
        ),
        (
            {"kind": VisualizationKind.ANALYTICS, "analytics": domain.AnalyticsChart.COHORTS,
             "from_": date(2026, 5, 2), "to": date(2026, 5, 1)},
            "to",
            "not be before from",
        ),
        (
            {"kind": VisualizationKind.ANALYTICS, "analytics": domain.AnalyticsChart.COHORTS,
             "from_": date(2025, 1, 1), "to": date(2026, 5, 1)},
            "to",
            "at most 366 days",
        ),
        (
            {"kind": VisualizationKind.PROGRESS_CHART, "user_id": "u",
             "chart": domain.ChartKind.RADAR, "since_last_visit": True},
            "sinceLastVisit",
            "BAR chart only",
        ),
        ({"kind": VisualizationKind.ROADMAP, "roadmap_slug": "r", "since_last_visit": True},
         "sinceLastVisit", "sinceLastVisit needs userId"),
    ],
)  # fmt: skip
def test_a_bad_spec_is_bad_user_input_naming_the_field(
    fields: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(BadUserInput) as raised:
        spec(**fields).checked()
    assert raised.value.extensions["field"] == field
    assert words in raised.value.message


def test_a_spec_becomes_a_request_with_defaults() -> None:
    request = spec(kind=VisualizationKind.TREE, skill_id="python-basics").checked()
    assert request == VisualizationRequest(
        VisualizationKind.TREE, skill_id="python-basics", depth=3
    )


async def test_tree_layout_data_has_the_svg_s_positions(visualizations: Visualizations) -> None:
    request = VisualizationRequest(
        VisualizationKind.TREE, formats=BOTH, skill_id="nlp-transformers", depth=4
    )
    picture = await visualizations.draw(None, request)
    assert picture.svg is not None and picture.scene is not None
    drawn = svg_boxes(picture.svg)
    laid_out = {n.id: (n.x, n.y, n.width, n.height) for n in picture.scene.nodes}
    assert len(laid_out) >= 8
    assert laid_out == drawn  # exactly: both are the same numbers, rounded alike
    paths = svg_edges(picture.svg)
    assert sorted(e.path for e in picture.scene.edges) == sorted(paths.values())
    for edge in picture.scene.edges:  # from the prerequisite to the skill built on it
        assert f"{edge.target} {edge.source}" in paths
        assert edge.points[0][1] == laid_out[edge.target][1] + laid_out[edge.target][3]
    root = parse_svg(picture.svg)
    assert root.get("viewBox") == f"0 0 {round(picture.scene.width)} {round(picture.scene.height)}"
    assert all(n.state is None for n in picture.scene.nodes)  # no overlay, no states


async def test_roadmap_layout_data_has_the_svg_s_positions(visualizations: Visualizations) -> None:
    request = VisualizationRequest(
        VisualizationKind.ROADMAP, formats=BOTH, roadmap_slug=SAMPLE_ROADMAP
    )
    picture = await visualizations.draw(None, request)
    assert picture.svg is not None and picture.scene is not None
    laid_out = {n.id: (n.x, n.y, n.width, n.height) for n in picture.scene.nodes}
    assert laid_out == svg_boxes(picture.svg)
    [route] = [p for p in parse_svg(picture.svg).iter(f"{NS}path") if p.get("class") == "route"]
    legs = [e.path.split(" ", 3)[3] for e in picture.scene.edges]
    assert route.get("d", "").split(" ", 3)[3] == " ".join(legs)
    order = [n.id for n in picture.scene.nodes]
    assert [(e.source, e.target) for e in picture.scene.edges] == list(pairwise(order))


async def test_an_overlay_states_each_node_and_locks_what_waits(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = learner(source)
    request = VisualizationRequest(
        VisualizationKind.TREE, formats=BOTH, skill_id="fastapi", depth=3, user_id=user
    )
    picture = await visualizations.draw(Viewer(user), request)
    assert picture.scene is not None and picture.svg is not None
    states = {n.id: n.state for n in picture.scene.nodes}
    progress = source.users[user].by_skill()
    for key, state in states.items():
        entry = progress.get(key)
        assert state == (entry.status if entry else state)
        if state == "LOCKED":
            assert entry is None or entry.status == "NOT_STARTED"
    assert states["python-basics"] == "COMPLETED" and states["fastapi"] == "IN_PROGRESS"
    drawn_states = {
        g.get("data-id"): g.get("data-state")
        for g in parse_svg(picture.svg).iter(f"{NS}g")
        if g.get("class") == "node"
    }
    assert drawn_states == states
    assert svg_boxes(picture.svg) == {
        n.id: (n.x, n.y, n.width, n.height) for n in picture.scene.nodes
    }


async def test_locked_means_a_prerequisite_is_not_completed(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = "half-way"
    base = source.sample_progress(user)
    started = [e for e in base.entries if e.skill.id == "python-basics"]
    source.users[user] = UserProgress(user, [_with(started[0], 40.0, "IN_PROGRESS")])
    request = VisualizationRequest(
        VisualizationKind.TREE, formats=BOTH, skill_id="python-oop", depth=1, user_id=user
    )
    picture = await visualizations.draw(Viewer(user), request)
    assert picture.scene is not None
    states = {n.id: n.state for n in picture.scene.nodes}
    assert states == {"python-oop": "LOCKED", "python-basics": "IN_PROGRESS"}


def _with(entry: ProgressEntry, percent: float, status: str) -> ProgressEntry:
    return ProgressEntry(entry.skill, percent, status, entry.started_at, entry.updated_at)


async def test_overlays_are_the_user_s_or_an_admin_s(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = learner(source)
    request = VisualizationRequest(VisualizationKind.PROGRESS_CHART, user_id=user)
    with pytest.raises(Unauthenticated):
        await visualizations.draw(None, request)
    with pytest.raises(Forbidden):
        await visualizations.draw(Viewer("someone-else"), request)
    admin = await visualizations.draw(Viewer("admin", frozenset({"ADMIN"})), request)
    assert "Learning progress per skill" in all_text(parse_svg(admin.svg or ""))


async def test_unknown_subjects_are_not_found(visualizations: Visualizations) -> None:
    for request in (
        VisualizationRequest(VisualizationKind.TREE, skill_id="no-such-skill"),
        VisualizationRequest(
            VisualizationKind.ROADMAP, formats=BOTH, roadmap_slug="no-such-roadmap"
        ),
        VisualizationRequest(
            VisualizationKind.ANALYTICS,
            analytics=domain.AnalyticsChart.SKILL_FUNNEL,
            skill_id="no-such-skill",
        ),
    ):
        with pytest.raises(NotFound):
            await visualizations.draw(EDITOR, request)


async def test_a_drawing_is_fitted_into_the_size_asked_for(visualizations: Visualizations) -> None:
    natural = await visualizations.draw(
        None, VisualizationRequest(VisualizationKind.ROADMAP, roadmap_slug=SAMPLE_ROADMAP)
    )
    fitted = await visualizations.draw(
        None,
        VisualizationRequest(
            VisualizationKind.ROADMAP,
            roadmap_slug=SAMPLE_ROADMAP,
            size=domain.Size(width=400, height=4000),
        ),
    )
    root, small = parse_svg(natural.svg or ""), parse_svg(fitted.svg or "")
    assert (fitted.width, small.get("width")) == (400, "400")
    assert fitted.height == round(natural.height * 400 / natural.width)
    assert small.get("viewBox") == root.get("viewBox")  # the same drawing, shown smaller
    roomy = await visualizations.draw(
        None,
        VisualizationRequest(
            VisualizationKind.ROADMAP, roadmap_slug=SAMPLE_ROADMAP, size=domain.Size(4000, 4000)
        ),
    )
    assert (roomy.width, roomy.height) == (natural.width, natural.height)  # never scaled up


async def test_each_theme_draws_its_own_colours(visualizations: Visualizations) -> None:
    backgrounds = {}
    for theme in VisualizationTheme:
        picture = await visualizations.draw(
            None,
            VisualizationRequest(VisualizationKind.TREE, theme=theme, skill_id="fastapi"),
        )
        root = parse_svg(picture.svg or "")
        backgrounds[theme] = root.find(f"{NS}rect").get("fill")  # type: ignore[union-attr]
        style = root.find(f"{NS}style")
        assert style is not None and "prefers-reduced-motion" in (style.text or "")
    assert backgrounds == {
        VisualizationTheme.LIGHT: "#ffffff",
        VisualizationTheme.DARK: "#111827",
        VisualizationTheme.HIGH_CONTRAST: "#ffffff",
    }


def _bars(svg: str) -> dict[str, tuple[str, str]]:
    """The animated bars of a chart since the last visit: skill -> (from, to) percent."""
    bars = {}
    for group in parse_svg(svg).iter(f"{NS}g"):
        for rect in group.findall(f"{NS}rect"):
            if rect.get("class") == "since":
                bars[group.get("data-id", "")] = (
                    rect.get("data-from", ""),
                    rect.get("data-to", ""),
                )
    return bars


async def test_the_chart_since_the_last_visit_moves_from_what_was_shown(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = learner(source)
    request = VisualizationRequest(
        VisualizationKind.PROGRESS_CHART, user_id=user, since_last_visit=True
    )
    first = await visualizations.draw(Viewer(user), request)
    bars = _bars(first.svg or "")
    assert bars["postgresql"] == ("0", "70") and bars["python-basics"] == ("0", "100")
    progress = source.users[user]
    source.users[user] = UserProgress(
        user,
        [
            _with(e, 85.0, "IN_PROGRESS") if e.skill.id == "postgresql" else e
            for e in progress.entries
        ],
    )
    second = await visualizations.draw(Viewer(user), request)
    bars = _bars(second.svg or "")
    assert bars["postgresql"] == ("70", "85")
    assert bars["python-basics"] == ("100", "100")
    root = parse_svg(second.svg or "")
    assert "PostgreSQL: 70% to 85%" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]
    assert "85% (+15)" in all_text(root)  # the change without the animation, as text
    markers = [line for line in root.iter(f"{NS}line") if line.get("class") == "was"]
    assert len(markers) == 1  # where PostgreSQL's bar stood: the only one that moved
    style = root.find(f"{NS}style").text or ""  # type: ignore[union-attr]
    assert re.search(r"prefers-reduced-motion: reduce\)[^}]*\.since", style)
    third = await visualizations.draw(Viewer(user), request)
    assert _bars(third.svg or "")["postgresql"] == ("85", "85")


async def test_since_the_last_visit_is_the_viewer_s_own(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = learner(source)
    request = VisualizationRequest(
        VisualizationKind.PROGRESS_CHART, user_id=user, since_last_visit=True
    )
    with pytest.raises(BadUserInput, match="your own progress"):
        await visualizations.draw(Viewer("admin", frozenset({"ADMIN"})), request)


async def test_a_roadmap_since_the_last_visit_moves_its_nodes_bars(
    visualizations: Visualizations, source: SampleSource
) -> None:
    user = learner(source)
    request = VisualizationRequest(
        VisualizationKind.ROADMAP, roadmap_slug=SAMPLE_ROADMAP, user_id=user, since_last_visit=True
    )
    first = _bars((await visualizations.draw(Viewer(user), request)).svg or "")
    assert first["fastapi"] == ("0", "45")
    again = _bars((await visualizations.draw(Viewer(user), request)).svg or "")
    assert again["fastapi"] == ("45", "45")


@pytest.mark.parametrize("chart", list(domain.AnalyticsChart))
async def test_analytics_charts_are_for_editors_and_admins(
    visualizations: Visualizations, chart: domain.AnalyticsChart
) -> None:
    per_skill = chart in (
        domain.AnalyticsChart.SKILL_FUNNEL,
        domain.AnalyticsChart.MISSED_QUESTIONS,
    )
    request = VisualizationRequest(
        VisualizationKind.ANALYTICS,
        analytics=chart,
        skill_id="python-testing" if per_skill else None,
    )
    with pytest.raises(Unauthenticated):
        await visualizations.draw(None, request)
    with pytest.raises(Forbidden):
        await visualizations.draw(Viewer("learner"), request)
    for viewer in (EDITOR, Viewer("admin", frozenset({"ADMIN"}))):
        picture = await visualizations.draw(viewer, request)
        root = parse_svg(picture.svg or "")
        assert root.get("role") == "img" and root.find(f"{NS}desc") is not None
