"""Draws a layered DAG of labelled boxes with curved edges (layout by `layered_layout`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from .layout import Box, Layout, Point, layered_layout
from .scene import Scene, SceneEdge, SceneNode, rounded
from .svgdoc import SvgDocument, add, flag, growing, tooltip
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
    state: str | None = None  # the progress overlay's status (layout data and data-state)
    previous: float | None = None  # the percent last shown: the bar grows from there


@dataclass
class PlacedDag:
    """A laid-out DAG in the document's own coordinates: what is drawn and what is
    handed to frontends as layout data (the very same numbers)."""

    nodes: dict[str, DagNode]
    layout: Layout  # boxes and routes, already moved to where they are drawn
    paths: dict[tuple[str, str], list[Point]]  # each edge's drawn points (ports and bends)
    arrow_at_upper: bool


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


def place_dag(
    nodes: dict[str, DagNode], layout: Layout, origin: Point, arrow_at_upper: bool
) -> PlacedDag:
    """`layout` moved by `origin`, with the points each edge is drawn through."""
    dx, dy = origin
    moved = Layout(
        boxes={k: Box(b.cx + dx, b.cy + dy, b.w, b.h) for k, b in layout.boxes.items()},
        routes={k: [(x + dx, y + dy) for x, y in r] for k, r in layout.routes.items()},
        width=layout.width,
        height=layout.height,
    )
    ports = _ports(moved)
    paths = {
        key: [
            (ports[("out", key)], moved.boxes[key[0]].bottom),
            *route[1:-1],
            (ports[("in", key)], moved.boxes[key[1]].top),
        ]
        for key, route in moved.routes.items()
    }
    return PlacedDag(nodes, moved, paths, arrow_at_upper)


def dag_scene(dag: PlacedDag, width: float, height: float) -> Scene:
    """The layout data of a placed DAG: boxes by their top left corner, edges as drawn
    (from the prerequisite to the skill built on it, whichever way the arrow points)."""
    nodes = [
        SceneNode(
            id=key,
            x=rounded(box.cx - box.w / 2),
            y=rounded(box.top),
            width=rounded(box.w),
            height=rounded(box.h),
            label=dag.nodes[key].title,
            state=dag.nodes[key].state,
            percent=dag.nodes[key].progress,
        )
        for key, box in sorted(dag.layout.boxes.items(), key=lambda item: _reading_order(item[1]))
    ]
    edges = [
        SceneEdge(
            source=key[1] if dag.arrow_at_upper else key[0],
            target=key[0] if dag.arrow_at_upper else key[1],
            points=[(rounded(x), rounded(y)) for x, y in points],
            path=_curve(points),
        )
        for key, points in sorted(dag.paths.items())
    ]
    return Scene(rounded(width), rounded(height), nodes, edges)


def _reading_order(box: Box) -> tuple[float, float]:
    return (box.cy, box.cx)


def draw_dag(doc: SvgDocument, dag: PlacedDag) -> None:
    """The placed DAG; arrows point at the upper or at the lower end of each edge."""
    nodes, layout = dag.nodes, dag.layout
    edge_color = doc.palette.edge
    group = add(doc.root, "g", class_="dag")
    marker = doc.arrow_marker("arrow", edge_color)
    edge_group = add(group, "g", fill="none", stroke=edge_color, stroke_width=1.6)
    for key, points in sorted(dag.paths.items()):
        path = add(edge_group, "path", d=_curve(points))
        path.set("marker-start" if dag.arrow_at_upper else "marker-end", marker)
        path.set("data-edge", f"{key[0]} {key[1]}")
        tooltip(
            path,
            f"{nodes[key[1]].title} → {nodes[key[0]].title}"
            if dag.arrow_at_upper
            else f"{nodes[key[0]].title} → {nodes[key[1]].title}",
        )
    for name in sorted(nodes, key=lambda k: _reading_order(layout.boxes[k])):
        _draw_node(doc, group, name, nodes[name], layout.boxes[name])


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


def _draw_node(doc: SvgDocument, parent: ET.Element, key: str, node: DagNode, box: Box) -> None:
    palette = doc.palette
    group = add(parent, "g", class_="node", data_id=key, data_state=node.state)
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
        flag(group, left + box.w - 18, box.top - 9, palette.milestone)
    if node.hidden_below:
        add(
            group,
            "line",
            x1=box.cx,
            y1=box.bottom,
            x2=box.cx,
            y2=box.bottom + 12,
            stroke=palette.edge,
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
            fill=palette.muted,
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
            fill=palette.text,
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
        track = palette.track
        add(group, "rect", x=left + PAD_X, y=bar_y, width=track_w, height=5, rx=2.5, fill=track)
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
                **growing(node.progress, node.previous),
            )
