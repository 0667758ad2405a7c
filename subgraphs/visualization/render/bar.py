"""Progress per skill as horizontal bars, coloured by status."""

from __future__ import annotations

from ..domain import ProgressEntry, UserProgress
from .palette import LIGHT, STATUS_COLORS, STATUS_LABELS, Palette
from .svgdoc import SvgDocument, add, empty_note, growing, heading, legend, tooltip
from .text import ellipsize, text_width

MARGIN, TOP, ROW_H, BAR_H, PLOT_W = 24, 96, 28, 14, 420
MAX_ROWS = 60
LABEL_SIZE = 12


def render_bar_chart(
    progress: UserProgress, palette: Palette = LIGHT, seen: dict[str, float] | None = None
) -> str:
    """With `seen` (the percent per skill the viewer was last shown), each bar moves from
    there to its current length, and the text says what changed since that visit."""
    entries = sorted(progress.entries, key=_order)
    shown = entries[:MAX_ROWS]
    label_w = min(max([text_width(e.skill.name, LABEL_SIZE) for e in shown] + [80]), 240)
    plot_x = MARGIN + label_w + 12
    rows = max(len(shown), 1)
    height = TOP + rows * ROW_H + (22 if len(entries) > len(shown) else 0) + 52
    width = plot_x + PLOT_W + (96 if seen is not None else 56)
    doc = SvgDocument(
        width,
        height,
        "Learning progress per skill",
        summary(progress) + ("" if seen is None else " " + changes(progress, seen)),
        f"progress:{progress.user_id}:BAR",
        palette=palette,
    )
    heading(doc, "Learning progress per skill", subtitle(progress, seen))
    _axis(doc, plot_x, TOP - 12, rows * ROW_H + 12)
    if not shown:
        empty_note(doc, "No progress recorded yet", plot_x + PLOT_W / 2, TOP + 18)
    for index, entry in enumerate(shown):
        previous = None if seen is None else seen.get(entry.skill.id, 0.0)
        _bar(doc, entry, plot_x, label_w, TOP + index * ROW_H, previous)
    if len(entries) > len(shown):
        add(
            doc.root,
            "text",
            f"… and {len(entries) - len(shown)} more skills",
            x=plot_x,
            y=TOP + rows * ROW_H + 12,
            class_="small",
        )
    end = legend(
        doc.root,
        MARGIN,
        height - 16,
        [(palette.status(s)[0], STATUS_LABELS[s]) for s in STATUS_COLORS],
    )
    if seen is not None:
        y = height - 16
        add(
            doc.root,
            "line",
            x1=end + 5,
            y1=y - 12,
            x2=end + 5,
            y2=y + 3,
            stroke=palette.text,
            stroke_width=2,
        )
        add(doc.root, "text", "At your last visit", x=end + 14, y=y, class_="small")
    return doc.to_string()


def _order(entry: ProgressEntry) -> tuple[float, str]:
    return (-entry.percent, entry.skill.name.lower())


def _axis(doc: SvgDocument, x: float, y: float, height: float) -> None:
    for percent in (0, 25, 50, 75, 100):
        gx = x + PLOT_W * percent / 100
        grid = doc.palette.grid
        add(doc.root, "line", x1=gx, y1=y, x2=gx, y2=y + height, stroke=grid, stroke_width=1)
        add(doc.root, "text", f"{percent}%", x=gx, y=y - 6, text_anchor="middle", class_="small")


def _bar(
    doc: SvgDocument,
    entry: ProgressEntry,
    plot_x: float,
    label_w: float,
    y: float,
    previous: float | None,
) -> None:
    stroke, _ = doc.palette.status(entry.status)
    group = add(doc.root, "g", class_="row", data_id=entry.skill.id)
    hover = f"{entry.skill.name}: {entry.percent:.0f}% ({STATUS_LABELS[entry.status]})"
    if previous is not None and previous != entry.percent:
        hover += f", {previous:.0f}% at your last visit"
    tooltip(group, hover)
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
    track = doc.palette.track
    add(group, "rect", x=plot_x, y=mid - BAR_H / 2, width=PLOT_W, height=BAR_H, rx=4, fill=track)
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
            **growing(entry.percent, previous),
        )
    value = f"{entry.percent:.0f}%"
    if previous is not None and round(previous) != round(entry.percent):
        # Where the bar stood at the last visit, and by how much it moved: the change is
        # there without the animation too (reduced motion, print, a screenshot).
        was = plot_x + PLOT_W * previous / 100
        add(
            group,
            "line",
            x1=was,
            y1=mid - BAR_H / 2 - 3,
            x2=was,
            y2=mid + BAR_H / 2 + 3,
            stroke=doc.palette.text,
            stroke_width=2,
            class_="was",
        )
        value += f" ({entry.percent - previous:+.0f})"
    add(group, "text", value, x=plot_x + PLOT_W + 8, y=mid + 4, class_="label strong")


def subtitle(progress: UserProgress, seen: dict[str, float] | None = None) -> str:
    done = sum(1 for e in progress.entries if e.status == "COMPLETED")
    count = len(progress.entries)
    text = f"{count} skill{'s' if count != 1 else ''} · {done} completed"
    if seen is not None:
        moved = len(_moved(progress, seen))
        text += f" · {moved or 'nothing'} changed since your last visit"
    return text


def _moved(progress: UserProgress, seen: dict[str, float]) -> list[ProgressEntry]:
    return [e for e in progress.entries if seen.get(e.skill.id, 0.0) != e.percent]


def changes(progress: UserProgress, seen: dict[str, float]) -> str:
    """What changed since the viewer's last visit, as text."""
    moved = sorted(_moved(progress, seen), key=_order)
    if not moved:
        return "No change since your last visit."
    items = "; ".join(
        f"{e.skill.name}: {seen.get(e.skill.id, 0.0):.0f}% to {e.percent:.0f}%" for e in moved
    )
    return f"Since your last visit: {items}."


def summary(progress: UserProgress) -> str:
    """The chart's data as text, for screen readers."""
    if not progress.entries:
        return "No progress recorded yet."
    items = "; ".join(
        f"{e.skill.name}: {e.percent:.0f}% ({STATUS_LABELS[e.status]})"
        for e in sorted(progress.entries, key=_order)
    )
    return f"Learning progress, {subtitle(progress)}. {items}."
