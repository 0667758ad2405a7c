"""Progress per skill as horizontal bars, coloured by status."""

from __future__ import annotations

from ..domain import ProgressEntry, UserProgress
from .palette import GRID, STATUS_COLORS, STATUS_LABELS, TRACK, status_color
from .svgdoc import SvgDocument, add, heading, legend, tooltip
from .text import ellipsize, text_width

MARGIN, TOP, ROW_H, BAR_H, PLOT_W = 24, 96, 28, 14, 420
MAX_ROWS = 60
LABEL_SIZE = 12


def render_bar_chart(progress: UserProgress) -> str:
    entries = sorted(progress.entries, key=_order)
    shown = entries[:MAX_ROWS]
    label_w = min(max([text_width(e.skill.name, LABEL_SIZE) for e in shown] + [80]), 240)
    plot_x = MARGIN + label_w + 12
    rows = max(len(shown), 1)
    height = TOP + rows * ROW_H + (22 if len(entries) > len(shown) else 0) + 52
    width = plot_x + PLOT_W + 56
    doc = SvgDocument(
        width,
        height,
        "Learning progress per skill",
        summary(progress),
        f"progress:{progress.user_id}:BAR",
    )
    heading(doc, "Learning progress per skill", subtitle(progress))
    _axis(doc, plot_x, TOP - 12, rows * ROW_H + 12)
    if not shown:
        add(
            doc.root,
            "text",
            "No progress recorded yet",
            x=plot_x + PLOT_W / 2,
            y=TOP + 18,
            text_anchor="middle",
            class_="small",
        )
    for index, entry in enumerate(shown):
        _bar(doc, entry, MARGIN, plot_x, label_w, TOP + index * ROW_H)
    if len(entries) > len(shown):
        add(
            doc.root,
            "text",
            f"… and {len(entries) - len(shown)} more skills",
            x=plot_x,
            y=TOP + rows * ROW_H + 12,
            class_="small",
        )
    legend(
        doc.root, MARGIN, height - 16, [(c[0], STATUS_LABELS[s]) for s, c in STATUS_COLORS.items()]
    )
    return doc.to_string()


def _order(entry: ProgressEntry) -> tuple[float, str]:
    return (-entry.percent, entry.skill.name.lower())


def _axis(doc: SvgDocument, x: float, y: float, height: float) -> None:
    for percent in (0, 25, 50, 75, 100):
        gx = x + PLOT_W * percent / 100
        add(doc.root, "line", x1=gx, y1=y, x2=gx, y2=y + height, stroke=GRID, stroke_width=1)
        add(doc.root, "text", f"{percent}%", x=gx, y=y - 6, text_anchor="middle", class_="small")


def _bar(
    doc: SvgDocument, entry: ProgressEntry, label_x: float, plot_x: float, label_w: float, y: float
) -> None:
    stroke, _ = status_color(entry.status)
    group = add(doc.root, "g", class_="row")
    tooltip(group, f"{entry.skill.name}: {entry.percent:.0f}% ({STATUS_LABELS[entry.status]})")
    mid = y + ROW_H / 2
    add(
        group,
        "text",
        ellipsize(entry.skill.name, LABEL_SIZE, label_w),
        x=plot_x - 12,
        y=mid + 4,
        text_anchor="end",
        class_="label",
    )
    add(group, "rect", x=plot_x, y=mid - BAR_H / 2, width=PLOT_W, height=BAR_H, rx=4, fill=TRACK)
    if entry.percent > 0:
        add(
            group,
            "rect",
            x=plot_x,
            y=mid - BAR_H / 2,
            width=PLOT_W * entry.percent / 100,
            height=BAR_H,
            rx=4,
            fill=stroke,
            class_="grow",
        )
    add(
        group,
        "text",
        f"{entry.percent:.0f}%",
        x=plot_x + PLOT_W + 8,
        y=mid + 4,
        class_="label strong",
    )


def subtitle(progress: UserProgress) -> str:
    done = sum(1 for e in progress.entries if e.status == "COMPLETED")
    count = len(progress.entries)
    return f"{count} skill{'s' if count != 1 else ''} · {done} completed"


def summary(progress: UserProgress) -> str:
    """The chart's data as text, for screen readers."""
    if not progress.entries:
        return "No progress recorded yet."
    items = "; ".join(
        f"{e.skill.name}: {e.percent:.0f}% ({STATUS_LABELS[e.status]})"
        for e in sorted(progress.entries, key=_order)
    )
    return f"Learning progress, {subtitle(progress)}. {items}."
