"""A roadmap as an ordered path: numbered steps in a serpentine, milestones flagged."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise

from ..domain import RoadmapInfo, RoadmapStep
from .palette import LIGHT, Palette, level_label
from .scene import Point, Scene, SceneEdge, SceneNode, rounded
from .svgdoc import SvgDocument, add, flag, heading, legend, tooltip
from .text import text_width, wrap

MARGIN, TOP, COLUMN_W, ROW_H, RADIUS = 24, 84, 200, 176, 17
PER_ROW = 4
TURN = 76  # how far the path swings out past the first and last column

CSS = """
.route { stroke-dasharray: 1; stroke-dashoffset: 0; animation: sc-draw 1.6s ease-out both; }
@keyframes sc-draw { from { stroke-dashoffset: 1; } to { stroke-dashoffset: 0; } }
@media (prefers-reduced-motion: reduce) { .route { animation: none; } }
"""


@dataclass
class RoadmapPlan:
    """Where each step of the serpentine sits: drawn as SVG and handed out as layout data."""

    roadmap: RoadmapInfo
    width: float
    height: float
    columns: int
    rows: int
    centers: list[Point]
    segments: list[tuple[list[Point], str]]  # from each step to the next: points, path data


def plan_roadmap(roadmap: RoadmapInfo) -> RoadmapPlan:
    steps = roadmap.steps
    rows = max(math.ceil(len(steps) / PER_ROW), 1)
    columns = min(max(len(steps), 1), PER_ROW)
    width = max(2 * (MARGIN + TURN) + columns * COLUMN_W, text_width(roadmap.title, 18) + 60)
    height = TOP + rows * ROW_H + 24
    offset = (width - columns * COLUMN_W) / 2
    centers = [_center(i, offset) for i in range(len(steps))]
    segments = [_segment(a, b, width / 2) for a, b in pairwise(centers)]
    return RoadmapPlan(roadmap, width, height, columns, rows, centers, segments)


def roadmap_scene(plan: RoadmapPlan) -> Scene:
    """Each step as the box around its circle; each leg of the path as an edge."""
    steps = plan.roadmap.steps
    nodes = [
        SceneNode(
            id=step.skill.id,
            x=rounded(x) - RADIUS,  # the circle's centre as the SVG writes it, less its radius
            y=rounded(y) - RADIUS,
            width=2 * RADIUS,
            height=2 * RADIUS,
            label=step.skill.name,
        )
        for step, (x, y) in zip(steps, plan.centers, strict=True)
    ]
    edges = [
        SceneEdge(
            source=a.skill.id,
            target=b.skill.id,
            points=[(rounded(x), rounded(y)) for x, y in points],
            path=path,
        )
        for (a, b), (points, path) in zip(pairwise(steps), plan.segments, strict=True)
    ]
    return Scene(rounded(plan.width), rounded(plan.height), nodes, edges)


def render_roadmap(roadmap: RoadmapInfo, palette: Palette = LIGHT) -> str:
    return draw_roadmap(plan_roadmap(roadmap), palette)


def draw_roadmap(plan: RoadmapPlan, palette: Palette = LIGHT) -> str:
    roadmap, steps = plan.roadmap, plan.roadmap.steps
    width, height = plan.width, plan.height
    subtitle = wrap(roadmap.description, 12, COLUMN_W * PER_ROW, max_lines=1)[0]
    milestones = [s for s in steps if s.milestone]
    description = (
        f"Roadmap {roadmap.title}, {len(steps)} steps in order: "
        + ", ".join(f"{s.position}. {s.skill.name}" for s in steps)
        + "."
        + "".join(f" Milestone after {s.skill.name}: {s.milestone}." for s in milestones)
    )
    doc = SvgDocument(
        width,
        height,
        f"Roadmap: {roadmap.title}",
        description,
        f"roadmap:{roadmap.slug}",
        CSS,
        palette,
    )
    heading(doc, f"Roadmap: {roadmap.title}", subtitle)
    if plan.segments:
        add(
            doc.root,
            "path",
            d=_route(plan),
            fill="none",
            stroke=palette.route,
            stroke_width=6,
            stroke_linecap="round",
            stroke_linejoin="round",
            pathLength=1,
            class_="route",
        )
    for step, center in zip(steps, plan.centers, strict=True):
        _draw_step(doc, step, center)
    end = legend(
        doc.root,
        MARGIN,
        height - 16,
        [(c[0], level_label(level)) for level, c in palette.levels.items()],
    )
    flag(doc.root, end, height - 24, palette.milestone)
    add(doc.root, "text", "Milestone", x=end + 17, y=height - 16, class_="small")
    return doc.to_string()


def _center(index: int, offset: float) -> Point:
    row, column = divmod(index, PER_ROW)
    if row % 2:
        column = PER_ROW - 1 - column
    return offset + column * COLUMN_W + COLUMN_W / 2, TOP + 34 + row * ROW_H


def _segment(start: Point, end: Point, middle: float) -> tuple[list[Point], str]:
    """Straight along a row; at either end a swing out and down to the next row."""
    (x, y), (nx, ny) = start, end
    if ny == y:
        return [start, end], f"M {x:.1f} {y:.1f} L {nx:.1f} {ny:.1f}"
    # Both control points this far out make the curve peak at TURN (its middle point).
    outward = (TURN if x > middle else -TURN) / 0.75
    peak = (x + TURN if x > middle else x - TURN, (y + ny) / 2)
    curve = f"C {x + outward:.1f} {y:.1f} {nx + outward:.1f} {ny:.1f} {nx:.1f} {ny:.1f}"
    return [start, peak, end], f"M {x:.1f} {y:.1f} {curve}"


def _route(plan: RoadmapPlan) -> str:
    """The legs as one path: the first leg's move, then each leg's line or curve."""
    (x, y) = plan.centers[0]
    return " ".join([f"M {x:.1f} {y:.1f}", *(d.split(" ", 3)[3] for _, d in plan.segments)])


def _draw_step(doc: SvgDocument, step: RoadmapStep, center: Point) -> None:
    x, y = center
    palette = doc.palette
    stroke, fill = palette.level(step.skill.level)
    group = add(doc.root, "g", class_="step", data_id=step.skill.id)
    hover = f"Step {step.position}: {step.skill.name} ({level_label(step.skill.level)})"
    tooltip(group, hover + (f" · Milestone: {step.milestone}" if step.milestone else ""))
    add(group, "circle", cx=x, cy=y, r=RADIUS + 3, fill=palette.background)
    add(group, "circle", cx=x, cy=y, r=RADIUS, fill=fill, stroke=stroke, stroke_width=2.4)
    add(
        group,
        "text",
        str(step.position),
        x=x,
        y=y + 5,
        text_anchor="middle",
        font_size=14,
        font_weight=700,
        fill=stroke,
    )
    line_y = y + RADIUS + 22
    for line in wrap(step.skill.name, 13, COLUMN_W - 20, bold=True):
        add(group, "text", line, x=x, y=line_y, text_anchor="middle", font_size=13, font_weight=600)
        line_y += 16
    add(
        group,
        "text",
        level_label(step.skill.level),
        x=x,
        y=line_y,
        text_anchor="middle",
        font_size=11,
        fill=stroke,
    )
    if step.milestone:
        flag(group, x + RADIUS - 2, y - RADIUS - 2, palette.milestone)
        _milestone_note(group, step.milestone, x, line_y + 10, palette)


def _milestone_note(group: ET.Element, text: str, x: float, top: float, palette: Palette) -> None:
    lines = wrap(text, 11, COLUMN_W - 64, max_lines=3)
    w = max(text_width(line, 11) for line in lines) + 16
    h = 14 * len(lines) + 8
    add(
        group,
        "rect",
        x=x - w / 2,
        y=top,
        width=w,
        height=h,
        rx=6,
        fill=palette.note_fill,
        stroke=palette.milestone,
        stroke_width=1,
    )
    for index, line in enumerate(lines):
        add(
            group,
            "text",
            line,
            x=x,
            y=top + 15 + 14 * index,
            text_anchor="middle",
            font_size=11,
            fill=palette.note_text,
        )
