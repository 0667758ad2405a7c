"""Layered (Sugiyama) layout of a DAG with grandalf: layers, crossing reduction, coordinates."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

Point = tuple[float, float]
_GRANDALF = threading.Lock()  # see layered_layout


@dataclass
class Box:
    cx: float
    cy: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.cy - self.h / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.h / 2


@dataclass
class Layout:
    boxes: dict[str, Box] = field(default_factory=dict)
    # Each edge's route from its upper to its lower end, through the layers between.
    routes: dict[tuple[str, str], list[Point]] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0


class _Vertex(Vertex):  # type: ignore[misc]
    """A vertex hashed by its place in the graph, not by its address. grandalf puts
    vertices in Python sets on the way (Poset's intersection and difference): with
    addresses for hashes, the same graph came out laid out differently from call to call,
    and the layout data no longer matched a drawing made by another call or replica."""

    def __init__(self, data: str, place: int) -> None:
        super().__init__(data)
        self.place = place

    def __hash__(self) -> int:
        return self.place


class _Edge(Edge):  # type: ignore[misc]
    """An edge hashed by its ends' places (see _Vertex)."""

    def __hash__(self) -> int:
        upper, lower = self.v
        return int(upper.place * 1_000_003 + lower.place)


class _NodeView:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy: Point = (0.0, 0.0)


class _EdgeView:
    def __init__(self) -> None:
        self.points: list[Point] = []

    def setpath(self, points: list[Point]) -> None:
        self.points = [(float(x), float(y)) for x, y in points]


def layered_layout(
    sizes: Mapping[str, tuple[float, float]],
    edges: Iterable[tuple[str, str]],
    xspace: float = 28,
    yspace: float = 64,
    gap: float = 48,
) -> Layout:
    """Coordinates for boxes of `sizes`; every edge (upper, lower) points down a layer or more.

    Connected components are laid out side by side, largest first. One layout at a time
    per process: grandalf's cycle search keeps its counter on the Vertex class
    (`Vertex.ncur`, deleted when a search ends), so two threads laying out at once broke
    each other (AttributeError). The work holds the GIL anyway.
    """
    with _GRANDALF:
        return _layered_layout(sizes, edges, xspace, yspace, gap)


def _layered_layout(
    sizes: Mapping[str, tuple[float, float]],
    edges: Iterable[tuple[str, str]],
    xspace: float,
    yspace: float,
    gap: float,
) -> Layout:
    vertices = {key: _Vertex(key, place) for place, key in enumerate(sorted(sizes))}
    for key, vertex in vertices.items():
        vertex.view = _NodeView(*sizes[key])
    graph_edges = []
    for upper, lower in sorted(set(edges)):
        edge = _Edge(vertices[upper], vertices[lower])
        edge.view = _EdgeView()
        graph_edges.append(edge)
    graph = Graph(list(vertices.values()), graph_edges)
    layout, x_offset = Layout(), 0.0
    for component in sorted(graph.C, key=lambda c: (-c.order(), str(c.sV[0].data))):
        part = _component_layout(component, xspace, yspace)
        _place(layout, part, x_offset)
        x_offset += part.width + gap
    layout.width = max(x_offset - gap, 0.0)
    return layout


def _component_layout(component: object, xspace: float, yspace: float) -> Layout:
    sugiyama = SugiyamaLayout(component)
    sugiyama.xspace, sugiyama.yspace = xspace, yspace
    sugiyama.init_all()
    sugiyama.draw(N=5.5)  # a few sweeps of barycentric crossing reduction
    part = Layout()
    for vertex in component.sV:  # type: ignore[attr-defined]
        (x, y), view = vertex.view.xy, vertex.view
        part.boxes[vertex.data] = Box(x, y, view.w, view.h)
    for edge in component.sE:  # type: ignore[attr-defined]
        part.routes[(edge.v[0].data, edge.v[1].data)] = list(edge.view.points)
    bends = [p for points in part.routes.values() for p in points[1:-1]]
    left = min([b.cx - b.w / 2 for b in part.boxes.values()] + [x - 8 for x, _ in bends])
    top = min(b.top for b in part.boxes.values())
    for box in part.boxes.values():
        box.cx, box.cy = box.cx - left, box.cy - top
    for key, points in part.routes.items():
        part.routes[key] = [(x - left, y - top) for x, y in points]
    part.width = max(
        [b.cx + b.w / 2 for b in part.boxes.values()] + [x - left + 8 for x, _ in bends]
    )
    part.height = max(b.bottom for b in part.boxes.values())
    return part


def _place(layout: Layout, part: Layout, x_offset: float) -> None:
    for name, box in part.boxes.items():
        layout.boxes[name] = Box(box.cx + x_offset, box.cy, box.w, box.h)
    for edge, points in part.routes.items():
        layout.routes[edge] = [(x + x_offset, y) for x, y in points]
    layout.height = max(layout.height, part.height)
