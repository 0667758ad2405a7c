"""Progress over time: one bar per skill from when it was started to completed (or now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..domain import ProgressEntry, UserProgress
from .bar import subtitle, summary
from .palette import LIGHT, STATUS_COLORS, STATUS_LABELS, Palette
from .svgdoc import SvgDocument, add, empty_note, heading, legend, tooltip
from .text import ellipsize, text_width

MARGIN, TOP, ROW_H, BAR_H, PLOT_W, LABEL_SIZE = 24, 104, 26, 12, 560, 12
MAX_ROWS = 60
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY]


def render_timeline_chart(progress: UserProgress, palette: Palette = LIGHT) -> str:
    entries = sorted(progress.entries, key=lambda e: (e.started_at, e.skill.name))[:MAX_ROWS]
    label_w = min(max([text_width(e.skill.name, LABEL_SIZE) for e in entries] + [80]), 240)
    plot_x = MARGIN + label_w + 12
    rows = max(len(entries), 1)
    height = TOP + rows * ROW_H + 56
    width = plot_x + PLOT_W + 40
    title = "Learning timeline"
    doc = SvgDocument(
        width,
        height,
        title,
        summary(progress),
        f"progress:{progress.user_id}:TIMELINE",
        palette=palette,
    )
    heading(doc, title, subtitle(progress) + " · each bar runs from start to completion")
    if not entries:
        empty_note(doc, "No progress recorded yet", plot_x + PLOT_W / 2, TOP + 18)
    else:
        start, end = _span(entries)
        scale = _Scale(start, end, plot_x)
        _ticks(doc, scale, TOP - 14, rows * ROW_H + 14)
        for index, entry in enumerate(entries):
            _row(doc, entry, scale, plot_x, label_w, TOP + index * ROW_H)
    legend(
        doc.root,
        MARGIN,
        height - 16,
        [(palette.status(s)[0], STATUS_LABELS[s]) for s in STATUS_COLORS],
    )
    return doc.to_string()


class _Scale:
    def __init__(self, start: datetime, end: datetime, x: float) -> None:
        self.start, self.end, self.x = start, end, x

    def __call__(self, moment: datetime) -> float:
        total = (self.end - self.start).total_seconds()
        return self.x + PLOT_W * (moment - self.start).total_seconds() / total


def _span(entries: list[ProgressEntry]) -> tuple[datetime, datetime]:
    start = min(e.started_at for e in entries)
    end = max(e.ended_at for e in entries)
    padding = max((end - start) * 0.03, HOUR)
    return start - padding, end + padding


def _ticks(doc: SvgDocument, scale: _Scale, y: float, height: float) -> None:
    for moment, label in tick_marks(scale.start, scale.end):
        x = scale(moment)
        grid = doc.palette.grid
        add(doc.root, "line", x1=x, y1=y, x2=x, y2=y + height, stroke=grid, stroke_width=1)
        add(doc.root, "text", label, x=x, y=y - 6, text_anchor="middle", class_="small")


def tick_marks(start: datetime, end: datetime, most: int = 10) -> list[tuple[datetime, str]]:
    """Round moments between `start` and `end` (hours, days, weeks or months) with labels."""
    span = end - start
    step = next((s for s in STEPS if span / s <= most), None)
    if step is None:
        return _month_ticks(start, end, most)
    fmt = "%H:%M" if step < DAY else "%b %d"
    anchor = datetime(start.year, start.month, start.day, tzinfo=UTC)
    if step == 7 * DAY or step == 14 * DAY:
        anchor -= timedelta(days=anchor.weekday())  # weeks start on Mondays
    moment = anchor
    while moment < start:
        moment += step
    ticks = []
    while moment <= end:
        ticks.append((moment, moment.strftime(fmt)))
        moment += step
    return ticks


def _month_ticks(start: datetime, end: datetime, most: int) -> list[tuple[datetime, str]]:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    every = next(n for n in (1, 2, 3, 6, 12, 24, 60, 120) if months / n <= most)
    index = start.year * 12 + start.month  # the first month start after `start`
    ticks: list[tuple[datetime, str]] = []
    while True:
        year, month = divmod(index, 12)
        moment = datetime(year, month + 1, 1, tzinfo=UTC)
        if moment > end:
            return ticks
        if moment >= start and (month % every == 0):
            ticks.append((moment, moment.strftime("%b %Y")))
        index += 1


def _row(
    doc: SvgDocument, entry: ProgressEntry, scale: _Scale, plot_x: float, label_w: float, y: float
) -> None:
    stroke, fill = doc.palette.status(entry.status)
    mid = y + ROW_H / 2
    group = add(doc.root, "g", class_="row", data_id=entry.skill.id)
    ended = f"completed {entry.completed_at.date()}" if entry.completed_at else "ongoing"
    tooltip(
        group,
        f"{entry.skill.name}: {entry.percent:.0f}%, started {entry.started_at.date()}, {ended}",
    )
    add(
        group,
        "text",
        ellipsize(entry.skill.name, LABEL_SIZE, label_w),
        x=plot_x - 12,
        y=mid + 4,
        text_anchor="end",
        class_="label",
    )
    x0, x1 = scale(entry.started_at), scale(entry.ended_at)
    add(
        group,
        "rect",
        x=x0,
        y=mid - BAR_H / 2,
        width=max(x1 - x0, 4),
        height=BAR_H,
        rx=4,
        fill=fill,
        stroke=stroke,
        stroke_width=1.2,
    )
    done_w = max((x1 - x0) * entry.percent / 100, 0)
    if done_w > 0:
        add(
            group,
            "rect",
            x=x0,
            y=mid - BAR_H / 2,
            width=max(done_w, 4),
            height=BAR_H,
            rx=4,
            fill=stroke,
            class_="grow",
        )
    if entry.completed_at:
        background = doc.palette.background
        add(group, "circle", cx=x1, cy=mid, r=5, fill=background, stroke=stroke, stroke_width=2.2)
    label = f"{entry.percent:.0f}%"
    if x1 + 8 + text_width(label, 11) < plot_x + PLOT_W + 36:
        add(group, "text", label, x=x1 + 9, y=mid + 4, class_="small")
