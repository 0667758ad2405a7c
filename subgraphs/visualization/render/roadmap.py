"""A roadmap as an ordered path: numbered steps in a serpentine, milestones flagged."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..domain import RoadmapInfo, RoadmapStep
from .palette import LEVEL_COLORS, level_color, level_label
from .svgdoc import MILESTONE, SvgDocument, add, flag, heading, legend, tooltip
from .text import text_width, wrap

MARGIN, TOP, COLUMN_W, ROW_H, RADIUS = 24, 84, 200, 176, 17
PER_ROW = 4
TURN = 76  # how far the path swings out past the first and last column

CSS = """
.route { stroke-dasharray: 1; stroke-dashoffset: 0; animation: sc-draw 1.6s ease-out both; }
@keyframes sc-draw { from { stroke-dashoffset: 1; } to { stroke-dashoffset: 0; } }
@media (prefers-reduced-motion: reduce) { .route { animation: none; } }
"""


def render_roadmap(roadmap: RoadmapInfo) -> str:
    steps = roadmap.steps
    rows = max(math.ceil(len(steps) / PER_ROW), 1)
    columns = min(max(len(steps), 1), PER_ROW)
    subtitle = wrap(roadmap.description, 12, COLUMN_W * PER_ROW, max_lines=1)[0]
    width = max(2 * (MARGIN + TURN) + columns * COLUMN_W, text_width(roadmap.title, 18) + 60)
    height = TOP + rows * ROW_H + 24
    milestones = [s for s in steps if s.milestone]
    description = (
        f"Roadmap {roadmap.title}, {len(steps)} steps in order: "
        + ", ".join(f"{s.position}. {s.skill.name}" for s in steps)
        + "."
        + "".join(f" Milestone after {s.skill.name}: {s.milestone}." for s in milestones)
    )
    doc = SvgDocument(
        width, height, f"Roadmap: {roadmap.title}", description, f"roadmap:{roadmap.slug}", CSS
    )
    heading(doc, f"Roadmap: {roadmap.title}", subtitle)
    offset = (width - columns * COLUMN_W) / 2
    centers = [_center(i, offset) for i in range(len(steps))]
    if len(centers) > 1:
        add(
            doc.root,
            "path",
            d=_route(centers, width / 2),
            fill="none",
            stroke="#cfd8dc",
            stroke_width=6,
            stroke_linecap="round",
            stroke_linejoin="round",
            pathLength=1,
            class_="route",
        )
    for step, center in zip(steps, centers, strict=True):
        _draw_step(doc, step, center)
    end = legend(
        doc.root,
        MARGIN,
        height - 16,
        [(c[0], level_label(level)) for level, c in LEVEL_COLORS.items()],
    )
    flag(doc.root, end, height - 24)
    add(doc.root, "text", "Milestone", x=end + 17, y=height - 16, class_="small")
    return doc.to_string()


def _center(index: int, offset: float) -> tuple[float, float]:
    row, column = divmod(index, PER_ROW)
    if row % 2:
        column = PER_ROW - 1 - column
    return offset + column * COLUMN_W + COLUMN_W / 2, TOP + 34 + row * ROW_H


def _route(centers: list[tuple[float, float]], middle: float) -> str:
    """Straight along each row, a swing out and down to the next row at either end."""
    (x, y), *rest = centers
    parts = [f"M {x:.1f} {y:.1f}"]
    for nx, ny in rest:
        if ny == y:
            parts.append(f"L {nx:.1f} {ny:.1f}")
        else:
            # Both control points this far out make the curve peak at TURN.
            outward = (TURN if x > middle else -TURN) / 0.75
            parts.append(
                f"C {x + outward:.1f} {y:.1f} {nx + outward:.1f} {ny:.1f} {nx:.1f} {ny:.1f}"
            )
        x, y = nx, ny
    return " ".join(parts)


def _draw_step(doc: SvgDocument, step: RoadmapStep, center: tuple[float, float]) -> None:
    x, y = center
    stroke, fill = level_color(step.skill.level)
    group = add(doc.root, "g", class_="step")
    hover = f"Step {step.position}: {step.skill.name} ({level_label(step.skill.level)})"
    tooltip(group, hover + (f" · Milestone: {step.milestone}" if step.milestone else ""))
    add(group, "circle", cx=x, cy=y, r=RADIUS + 3, fill="#ffffff")
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
        flag(group, x + RADIUS - 2, y - RADIUS - 2)
        _milestone_note(group, step.milestone, x, line_y + 10)


def _milestone_note(group: ET.Element, text: str, x: float, top: float) -> None:
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
        fill="#fff8e1",
        stroke=MILESTONE,
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
            fill="#7c2d12",
        )
