"""Parts the analytics charts share: labelled bars, axes, rates and durations as text."""

from __future__ import annotations

import math

from .svgdoc import SvgDocument, add, growing, tooltip
from .text import ellipsize

ROW_H, BAR_H, LABEL_SIZE, PLOT_H = 30, 14, 12, 220


def hbar(
    doc: SvgDocument,
    label: str,
    label_w: float,
    plot_x: float,
    plot_w: float,
    y: float,
    share: float,
    color: str,
    hover: str,
    note: str,
    data_id: str | None = None,
) -> None:
    """A labelled horizontal bar of `share` (0 to 1) of the plot's width, its value after it."""
    group = add(doc.root, "g", class_="row", data_id=data_id or label)
    tooltip(group, hover)
    mid = y + ROW_H / 2
    add(
        group,
        "text",
        ellipsize(label, LABEL_SIZE, label_w),
        x=plot_x - 12,
        y=mid + 4,
        text_anchor="end",
        class_="label",
    )
    add(
        group,
        "rect",
        x=plot_x,
        y=mid - BAR_H / 2,
        width=plot_w,
        height=BAR_H,
        rx=4,
        fill=doc.palette.track,
    )
    if share > 0:
        add(
            group,
            "rect",
            x=plot_x,
            y=mid - BAR_H / 2,
            width=plot_w * min(share, 1.0),
            height=BAR_H,
            rx=4,
            fill=color,
            **growing(share, None),
        )
    add(group, "text", note, x=plot_x + plot_w + 8, y=mid + 4, class_="label strong")


def scale_max(top: int) -> int:
    """A round axis maximum at or above `top` whose quarters are whole round numbers."""
    if top <= 0:
        return 0
    quarter = top / 4
    power: int = 10 ** max(math.floor(math.log10(quarter)), 0) if quarter >= 1 else 1
    steps = (s * power for s in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10))
    step = next(s for s in steps if s >= quarter and s == int(s))  # 41 -> quarters of 12
    return 4 * int(step)


def value_axis(doc: SvgDocument, x: float, width: float, base: float, scale: int) -> None:
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = base - PLOT_H * fraction
        add(
            doc.root,
            "line",
            x1=x,
            y1=y,
            x2=x + width,
            y2=y,
            stroke=doc.palette.grid,
            stroke_width=1,
        )
        if scale:
            add(
                doc.root,
                "text",
                f"{scale * fraction:g}",
                x=x - 6,
                y=y + 4,
                text_anchor="end",
                class_="small",
            )


def percent_axis(doc: SvgDocument, x: float, width: float, y: float, height: float) -> None:
    for percent in (0, 25, 50, 75, 100):
        gx = x + width * percent / 100
        add(
            doc.root,
            "line",
            x1=gx,
            y1=y,
            x2=gx,
            y2=y + height,
            stroke=doc.palette.grid,
            stroke_width=1,
        )
        add(doc.root, "text", f"{percent}%", x=gx, y=y - 6, text_anchor="middle", class_="small")


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.0f}%"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
