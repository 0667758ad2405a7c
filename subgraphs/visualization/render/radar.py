"""Progress as a radar: one spoke per skill, or per category when there are many skills."""

from __future__ import annotations

import math
from collections import defaultdict

from ..domain import UserProgress
from .bar import subtitle, summary
from .palette import LIGHT, Palette
from .svgdoc import SvgDocument, add, empty_note, heading, tooltip
from .text import wrap

MAX_SPOKES = 12
RADIUS, LABEL_W, TOP = 170, 130, 80

CSS = """
.shape { transform-origin: var(--cx) var(--cy); animation: sc-spread 1s ease-out both; }
@keyframes sc-spread { from { transform: scale(0); } to { transform: scale(1); } }
@media (prefers-reduced-motion: reduce) { .shape { animation: none; } }
"""


def spokes(progress: UserProgress) -> tuple[str, list[tuple[str, float]]]:
    """What each spoke stands for and its value: skills, or category averages."""
    if len(progress.entries) <= MAX_SPOKES:
        return "skill", sorted(
            ((e.skill.name, e.percent) for e in progress.entries), key=lambda item: item[0].lower()
        )
    groups: dict[str, list[float]] = defaultdict(list)
    for entry in progress.entries:
        groups[entry.skill.category or "Other"].append(entry.percent)
    biggest = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:MAX_SPOKES]
    return "category", sorted(
        ((name, sum(v) / len(v)) for name, v in biggest), key=lambda item: item[0].lower()
    )


def render_radar_chart(progress: UserProgress, palette: Palette = LIGHT) -> str:
    unit, values = spokes(progress)
    width = 2 * (RADIUS + LABEL_W + 24)
    height = TOP + 2 * RADIUS + 110
    cx, cy = width / 2, TOP + RADIUS + 36
    per = "per skill" if unit == "skill" else "average per category"
    title = f"Learning progress ({per})"
    doc = SvgDocument(
        width,
        height,
        title,
        summary(progress),
        f"progress:{progress.user_id}:RADAR",
        CSS.replace("var(--cx)", f"{cx:.0f}px").replace("var(--cy)", f"{cy:.0f}px"),
        palette,
    )
    heading(doc, title, subtitle(progress))
    count = max(len(values), 1)
    angles = [-math.pi / 2 + 2 * math.pi * i / count for i in range(count)]
    _grid(doc, cx, cy, angles)
    if not values:
        empty_note(doc, "No progress recorded yet", cx, cy + 4)
        return doc.to_string()
    points = [
        _polar(cx, cy, RADIUS * value / 100, a)
        for (_, value), a in zip(values, angles, strict=True)
    ]
    add(
        doc.root,
        "polygon",
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        fill=palette.accent_fill,
        fill_opacity=0.22,
        stroke=palette.accent,
        stroke_width=2,
        stroke_linejoin="round",
        class_="shape",
    )
    for (name, value), angle, (px, py) in zip(values, angles, points, strict=True):
        dot = add(doc.root, "circle", cx=px, cy=py, r=4, fill=palette.accent, class_="shape")
        tooltip(dot, f"{name}: {value:.0f}%")
        _label(doc, cx, cy, angle, name, value)
    return doc.to_string()


def _polar(cx: float, cy: float, r: float, angle: float) -> tuple[float, float]:
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def _grid(doc: SvgDocument, cx: float, cy: float, angles: list[float]) -> None:
    grid = add(doc.root, "g", fill="none", stroke=doc.palette.grid, stroke_width=1)
    for percent in (25, 50, 75, 100):
        ring = [_polar(cx, cy, RADIUS * percent / 100, a) for a in angles]
        if len(ring) >= 3:
            add(grid, "polygon", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in ring))
        else:
            add(grid, "circle", cx=cx, cy=cy, r=RADIUS * percent / 100)
        add(
            doc.root,
            "text",
            f"{percent}%",
            x=cx + 4,
            y=cy - RADIUS * percent / 100 + 12,
            class_="small",
            font_size=10,
        )
    for angle in angles:
        x, y = _polar(cx, cy, RADIUS, angle)
        add(grid, "line", x1=cx, y1=cy, x2=x, y2=y)


def _label(doc: SvgDocument, cx: float, cy: float, angle: float, name: str, value: float) -> None:
    """Name and value outside the spoke's end, stacked away from the chart."""
    x, y = _polar(cx, cy, RADIUS + 14, angle)
    cos, sin = math.cos(angle), math.sin(angle)
    anchor = "middle" if abs(cos) < 0.3 else "start" if cos > 0 else "end"
    lines = wrap(name, 12, LABEL_W, max_lines=2)
    block = 15 * (len(lines) + 1)
    if sin < -0.3:
        top = y - block + 8
    elif sin > 0.3:
        top = y + 10
    else:
        top = y - block / 2 + 11
    for index, line in enumerate(lines):
        add(doc.root, "text", line, x=x, y=top + 15 * index, text_anchor=anchor, class_="label")
    add(
        doc.root,
        "text",
        f"{value:.0f}%",
        x=x,
        y=top + 15 * len(lines),
        text_anchor=anchor,
        class_="small strong",
    )
