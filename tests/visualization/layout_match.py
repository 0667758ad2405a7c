"""Reads node positions back out of an SVG, to hold them against the layout data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from .support import NS, parse_svg


def svg_boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box as drawn (x, y, width, height), by its data-id: a tree node's first
    <rect>, a roadmap step's circle (the box around it)."""
    boxes = {}
    for group in parse_svg(svg).iter(f"{NS}g"):
        key = group.get("data-id")
        if key is None or group.get("class") not in ("node", "step"):
            continue
        boxes[key] = _box(group)
    return boxes


def _box(group: ET.Element) -> tuple[float, float, float, float]:
    rect = group.find(f"{NS}rect")
    if group.get("class") == "node" and rect is not None:
        return (
            float(rect.get("x", "")),
            float(rect.get("y", "")),
            float(rect.get("width", "")),
            float(rect.get("height", "")),
        )
    # A step: the circle drawn with its border (the second; the first is its halo).
    circle = group.findall(f"{NS}circle")[1]
    cx, cy, r = (float(circle.get(a, "")) for a in ("cx", "cy", "r"))
    return (cx - r, cy - r, 2 * r, 2 * r)


def layout_boxes(layout: dict[str, Any]) -> dict[str, tuple[float, float, float, float]]:
    """The same from layout data as the API answers it (camelCase JSON)."""
    return {n["id"]: (n["x"], n["y"], n["width"], n["height"]) for n in layout["nodes"]}


def svg_edges(svg: str) -> dict[str, str]:
    """Each drawn edge's path data, by its data-edge ("upper lower")."""
    return {
        path.get("data-edge", ""): path.get("d", "")
        for path in parse_svg(svg).iter(f"{NS}path")
        if path.get("data-edge")
    }
