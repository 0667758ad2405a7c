"""Draws a layered DAG of labelled boxes with curved edges (layout by `layered_layout`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from .layout import Box, Layout, Point, layered_layout
from .palette import EDGE, TRACK
from .svgdoc import SvgDocument, add, flag, tooltip
from .text import text_width, wrap

TITLE_SIZE, SUB_SIZE = 13, 11
PAD_X, MAX_TEXT_W, MIN_BOX_W = 12, 150, 96


@dataclass
class DagNode:
    title: str
    subtitle: str
    stroke: str
    fill: str
    hover: str
    emphasis: bool = False
    progress: float | None = None  # 0..100: drawn as a bar inside the box
    milestone: bool = False  # flagged at the top right corner
    hidden_below: int = 0  # prerequisites beyond the depth limit: a dashed stub says how many


def box_size(node: DagNode) -> tuple[float, float]:
    lines = wrap(node.title, TITLE_SIZE, MAX_TEXT_W, bold=True)
    inner = max(
        max(text_width(line, TITLE_SIZE, bold=True) for line in lines),
        text_width(node.subtitle, SUB_SIZE),
    )
    height = 20 + 16 * len(lines) + 14 + (10 if node.progress is not None else 0)
    return max(MIN_BOX_W, inner + 2 * PAD_X), height


def dag_layout(nodes: dict[str, DagNode], edges: set[tuple[str, str]]) -> Layout:
    """Box positions for `nodes`; `edges` are (upper, lower)."""
    return layered_layout({key: box_size(node) for key, node in nodes.items()}, edges)


def draw_dag(
    doc: SvgDocument, nodes: dict[str, DagNode], layout: Layout, origin: Point, arrow_at_upper: bool
) -> None:
    """The laid-out DAG; arrows point at the upper or at the lower end of each edge."""
    group = add(doc.root, "g", transform=f"translate({origin[0]:.0f} {origin[1]:.0f})")
    marker = doc.arrow_marker("arrow", EDGE)
    edge_group = add(group, "g", fill="none", stroke=EDGE, stroke_width=1.6)
    ports = _ports(layout)
    for key, route in sorted(layout.routes.items()):
        start = (ports[("out", key)], layout.boxes[key[0]].bottom)
        end = (ports[("in", key)], layout.boxes[key[1]].top)
        path = add(edge_group, "path", d=_curve([start, *route[1:-1], end]))
        path.set("marker-start" if arrow_at_upper else "marker-end", marker)
        tooltip(
            path,
            f"{nodes[key[1]].title} → {nodes[key[0]].title}"
            if arrow_at_upper
            else f"{nodes[key[0]].title} → {nodes[key[1]].title}",
        )
    for name in sorted(nodes, key=lambda k: (layout.boxes[k].cy, layout.boxes[k].cx)):
        _draw_node(group, nodes[name], layout.boxes[name])


def _ports(layout: Layout) -> dict[tuple[str, tuple[str, str]], float]:
    """Where each edge leaves the bottom of its upper box and enters the top of its lower box."""
    sides: dict[tuple[str, str], list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for key, route in layout.routes.items():
        sides[("out", key[0])].append((route[1][0], key))
        sides[("in", key[1])].append((route[-2][0], key))
    ports = {}
    for (side, node), attached in sides.items():
        box = layout.boxes[node]
        step = min(14.0, box.w * 0.6 / max(len(attached), 1))
        for index, (_, key) in enumerate(sorted(attached)):
            ports[(side, key)] = box.cx + (index - (len(attached) - 1) / 2) * step
    return ports


def _curve(points: list[Point]) -> str:
    """Smooth vertical S-curves through `points`."""
    (x, y), *rest = points
    parts = [f"M {x:.1f} {y:.1f}"]
    for nx, ny in rest:
        mid = (ny - y) / 2
        parts.append(f"C {x:.1f} {y + mid:.1f} {nx:.1f} {ny - mid:.1f} {nx:.1f} {ny:.1f}")
        x, y = nx, ny
    return " ".join(parts)


def _draw_node(parent: ET.Element, node: DagNode, box: Box) -> None:
    group = add(parent, "g", class_="node")
    tooltip(group, node.hover)
    left = box.cx - box.w / 2
    add(
        group,
        "rect",
        x=left,
        y=box.top,
        width=box.w,
        height=box.h,
        rx=8,
        fill=node.fill,
        stroke=node.stroke,
        stroke_width=2.6 if node.emphasis else 1.4,
    )
    if node.milestone:
        flag(group, left + box.w - 18, box.top - 9)
    if node.hidden_below:
        add(
            group,
            "line",
            x1=box.cx,
            y1=box.bottom,
            x2=box.cx,
            y2=box.bottom + 12,
            stroke=EDGE,
            stroke_width=1.6,
            stroke_dasharray="3 3",
        )
        add(
            group,
            "text",
            f"+{node.hidden_below} more",
            x=box.cx,
            y=box.bottom + 25,
            text_anchor="middle",
            font_size=10,
            fill="#6b7280",
        )
    lines = wrap(node.title, TITLE_SIZE, MAX_TEXT_W, bold=True)
    y = box.top + 22
    for line in lines:
        add(
            group,
            "text",
            line,
            x=box.cx,
            y=y,
            text_anchor="middle",
            font_size=TITLE_SIZE,
            font_weight=600,
        )
        y += 16
    add(
        group,
        "text",
        node.subtitle,
        x=box.cx,
        y=y + 1,
        text_anchor="middle",
        font_size=SUB_SIZE,
        fill=node.stroke,
    )
    if node.progress is not None:
        track_w = box.w - 2 * PAD_X
        bar_y = box.bottom - 12
        add(group, "rect", x=left + PAD_X, y=bar_y, width=track_w, height=5, rx=2.5, fill=TRACK)
        if node.progress > 0:
            add(
                group,
                "rect",
                x=left + PAD_X,
                y=bar_y,
                width=track_w * node.progress / 100,
                height=5,
                rx=2.5,
                fill=node.stroke,
                class_="grow",
            )
