"""Layout data: what a tree or roadmap drawing shows, as numbers a frontend can draw.

Made by the same functions that place the SVG's shapes, in the SVG's own
coordinates (its viewBox units), rounded as the SVG writes them (0.1).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class SceneNode:
    id: str
    x: float  # top left corner
    y: float
    width: float
    height: float
    label: str
    state: str | None = None  # NOT_STARTED, IN_PROGRESS, COMPLETED, LOCKED; None without overlay
    percent: float | None = None


@dataclass(frozen=True)
class SceneEdge:
    source: str  # the prerequisite, or the earlier step
    target: str  # what builds on it, or the next step
    points: list[Point]  # the points the drawn path passes through, top to bottom
    path: str  # the SVG path data drawn


@dataclass
class Scene:
    width: float
    height: float
    nodes: list[SceneNode] = field(default_factory=list)
    edges: list[SceneEdge] = field(default_factory=list)


def rounded(value: float) -> float:
    """As the SVG writes a number (svgdoc: one decimal)."""
    return round(value, 1)


def scene_json(scene: Scene) -> str:
    """The scene as JSON (cached beside the SVGs)."""
    return json.dumps(asdict(scene), separators=(",", ":"))


def scene_from_json(text: str) -> Scene:
    raw = json.loads(text)
    return Scene(
        raw["width"],
        raw["height"],
        [SceneNode(**node) for node in raw["nodes"]],
        [
            SceneEdge(e["source"], e["target"], [(x, y) for x, y in e["points"]], e["path"])
            for e in raw["edges"]
        ],
    )
