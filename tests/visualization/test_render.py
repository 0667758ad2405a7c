"""The renderers on demo-catalog data: valid, accessible, escaped, and laid out sensibly."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.visualization.domain import ChartKind, ProgressEntry, SkillInfo, UserProgress
from subgraphs.visualization.render import (
    render_progress_chart,
    render_roadmap,
    render_skill_tree,
    render_user_roadmap,
)
from subgraphs.visualization.render.dag import DagNode, dag_layout
from subgraphs.visualization.render.layout import layered_layout
from subgraphs.visualization.render.radar import spokes
from subgraphs.visualization.render.timeline import tick_marks
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource

from .support import NS, all_text, evil_name, parse_svg, texts


@pytest.fixture(scope="module")
def demo() -> SampleSource:
    return SampleSource()


def every_kind(demo: SampleSource) -> dict[str, str]:
    progress = demo.sample_progress()
    roadmap = demo.roadmap_info(SAMPLE_ROADMAP)
    assert roadmap is not None
    return {
        "tree": render_skill_tree(demo.graph("pytorch", 3)),
        "roadmap": render_roadmap(roadmap),
        "user-roadmap": render_user_roadmap(roadmap, progress),
        **{kind.value: render_progress_chart(progress, kind) for kind in ChartKind},
    }


def node_names(root: ET.Element) -> list[str]:
    """The skills drawn as boxes, from their tooltips: "Name (Level)"."""
    groups = [g for g in root.iter(f"{NS}g") if g.get("class") == "node"]
    return [(g.findtext(f"{NS}title") or "").rsplit(" (", 1)[0] for g in groups]


def test_every_kind_is_a_standalone_accessible_svg(demo: SampleSource) -> None:
    for name, svg in every_kind(demo).items():
        root = parse_svg(svg)
        assert float(root.get("width", 0)) > 0 and float(root.get("height", 0)) > 0, name
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby", "").split()
        assert root.find(f"{NS}title").get("id") == title_id  # type: ignore[union-attr]
        desc = root.find(f"{NS}desc")
        assert desc is not None and desc.get("id") == desc_id and len(desc.text or "") > 20
        style = root.find(f"{NS}style").text or ""  # type: ignore[union-attr]
        assert "@media (prefers-reduced-motion: reduce)" in style, name
        assert "animation: none" in style.split("prefers-reduced-motion")[1]
        assert root.find(f".//{NS}script") is None


def test_every_kind_escapes_names(demo: SampleSource) -> None:
    renamed = {
        key: dataclasses.replace(skill, name=evil_name()) for key, skill in demo.skills.items()
    }
    evil = SampleSource(progress={})
    evil.skills = renamed
    evil.users = {"sample-learner": evil.sample_progress()}
    for name, svg in every_kind(evil).items():
        root = parse_svg(svg)
        assert root.find(f".//{NS}script") is None, name
        assert "<script>alert(1)</script>" in all_text(root), name
        assert "\x01" not in svg


def test_tree_shows_prerequisites_to_the_requested_depth(demo: SampleSource) -> None:
    shallow = parse_svg(render_skill_tree(demo.graph("pytorch", 1)))
    deep = parse_svg(render_skill_tree(demo.graph("pytorch", 3)))
    direct = {demo.skills[p].name for p in demo.prerequisites["pytorch"]}
    assert direct <= set(node_names(shallow))
    assert "Probability" not in node_names(shallow) and "Probability" in node_names(deep)
    edges = [p for p in deep.iter(f"{NS}path") if p.get("marker-start")]
    assert len(edges) == len(demo.graph("pytorch", 3).edges)


def test_tree_layout_has_no_overlapping_boxes_and_layers_follow_prerequisites(
    demo: SampleSource,
) -> None:
    graph = demo.graph("nlp-transformers", 6)
    nodes = {k: DagNode(s.name, s.level, "#000", "#fff", s.name) for k, s in graph.skills.items()}
    layout = dag_layout(nodes, graph.edges)
    boxes = list(layout.boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart_x = abs(a.cx - b.cx) >= (a.w + b.w) / 2
            apart_y = abs(a.cy - b.cy) >= (a.h + b.h) / 2
            assert apart_x or apart_y
    for dependent, prerequisite in graph.edges:  # the skill sits above its prerequisites
        assert layout.boxes[dependent].cy < layout.boxes[prerequisite].cy


def test_roadmap_lists_steps_in_order_with_milestones(demo: SampleSource) -> None:
    roadmap = demo.roadmap_info(SAMPLE_ROADMAP)
    assert roadmap is not None
    words = all_text(parse_svg(render_roadmap(roadmap)))
    positions = [words.index(step.skill.name) for step in roadmap.steps]
    assert positions == sorted(positions)
    for step in roadmap.steps:
        if step.milestone:
            assert step.milestone.split()[0] in words


def test_user_roadmap_colours_by_status(demo: SampleSource) -> None:
    roadmap = demo.roadmap_info(SAMPLE_ROADMAP)
    assert roadmap is not None
    root = parse_svg(render_user_roadmap(roadmap, demo.sample_progress()))
    hovers = [t.text or "" for t in root.iter(f"{NS}title")]
    assert any(h.startswith("Python Basics: Completed, 100%") for h in hovers)
    assert any(h.startswith("PostgreSQL: In progress, 70%") for h in hovers)
    assert any(h.startswith("Django: Not started, 0%") for h in hovers)
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "grow"]
    assert bars, "progress bars are animated"


def test_bar_chart_draws_one_bar_per_started_skill(demo: SampleSource) -> None:
    progress = demo.sample_progress()
    root = parse_svg(render_progress_chart(progress, ChartKind.BAR))
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "grow"]
    assert len(bars) == sum(1 for e in progress.entries if e.percent > 0)
    widths = sorted(float(b.get("width", 0)) for b in bars)
    assert widths[-1] == pytest.approx(420) and widths[0] < 60


def test_radar_groups_by_category_past_twelve_skills(demo: SampleSource) -> None:
    progress = demo.sample_progress()
    unit, values = spokes(UserProgress("u", progress.entries[:5]))
    assert unit == "skill" and len(values) == 5
    unit, values = spokes(progress)
    assert unit == "category"
    assert dict(values)["SQL"] == pytest.approx(90)  # SQL Basics 100, Joins 100, PostgreSQL 70


def test_charts_of_no_progress_say_so() -> None:
    for kind in ChartKind:
        root = parse_svg(render_progress_chart(UserProgress("u", []), kind))
        assert "No progress recorded yet" in all_text(root)


def test_timeline_ticks_fit_the_span() -> None:
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    hourly = [label for _, label in tick_marks(start, start + timedelta(hours=5))]
    assert hourly == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    weekly = tick_marks(start, start + timedelta(days=60))
    assert 4 <= len(weekly) <= 10 and all(m.weekday() == 0 for m, _ in weekly)
    quarterly = tick_marks(start, start + timedelta(days=800))
    assert quarterly[0][1] == "Apr 2026" and len(quarterly) <= 10
    assert {moment.month for moment, _ in quarterly} <= {1, 4, 7, 10}


def test_timeline_of_moments_within_a_second_still_draws() -> None:
    now = datetime.now(UTC)
    skill = SkillInfo("s", "s", "Skill", "BEGINNER")
    entry = ProgressEntry(skill, 50.0, "IN_PROGRESS", now, now)
    root = parse_svg(render_progress_chart(UserProgress("u", [entry]), ChartKind.TIMELINE))
    assert "50%" in texts(root)


def test_tree_at_the_depth_limit_counts_what_is_not_shown(demo: SampleSource) -> None:
    graph = demo.graph("pytorch", 2)
    assert graph.hidden == {"calculus": 1, "machine-learning-fundamentals": 3}
    words = all_text(parse_svg(render_skill_tree(graph)))
    assert "+1 more" in words and "+3 more" in words
    full = demo.graph("nlp-transformers", 4)  # the limit reaches skills shown anyway
    assert not full.hidden and ("linear-algebra", "algebra") in full.edges


def test_layouts_are_the_same_every_time_and_in_parallel_threads() -> None:
    """The renders run in worker threads (asyncio.to_thread): grandalf kept a counter on
    its Vertex class, which two layouts at once deleted under each other. And it hashed
    vertices by address, so one graph came out differently from call to call: layout
    data and a drawing made by two calls (or two replicas) disagreed."""
    sizes = {f"n{i}": (40.0 + i % 5 * 10, 20.0) for i in range(30)}
    edges = [(f"n{i}", f"n{j}") for i in range(30) for j in range(i + 1, min(i + 4, 30))]

    def lay_out() -> str:
        found = layered_layout(sizes, edges)
        return repr((sorted(found.boxes.items()), sorted(found.routes.items())))

    with ThreadPoolExecutor(max_workers=8) as pool:
        layouts = set(pool.map(lambda _: lay_out(), range(40)))
    assert len(layouts) == 1
