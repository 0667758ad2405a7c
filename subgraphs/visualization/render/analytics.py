"""Charts of the learning analytics (editors' and admins'): active learners, a skill's
funnel, the questions most often missed, weekly cohorts.

The same accessible style as the progress charts: a <title> and a <desc> stating the
data as text, a hover title on every bar, and every value written beside its bar, so
nothing is told by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..domain import ActivePeriod, ChartPeriod, Cohort, SkillStats
from .chartparts import (
    LABEL_SIZE,
    PLOT_H,
    ROW_H,
    duration,
    hbar,
    percent,
    percent_axis,
    scale_max,
    value_axis,
)
from .palette import LIGHT, Palette
from .svgdoc import SvgDocument, add, empty_note, growing, heading, tooltip
from .text import text_width, wrap

MARGIN, TOP = 24, 96
COLUMN_MAX, COLUMN_MIN = 36, 4


def render_active_learners(
    periods: Sequence[ActivePeriod], period: ChartPeriod, palette: Palette = LIGHT
) -> str:
    """One column per day or week (weeks start on Mondays), by learners active in it."""
    unit = "day" if period is ChartPeriod.DAY else "week"
    count = len(periods)
    column = max(min(COLUMN_MAX, 640 / max(count, 1)), COLUMN_MIN)
    plot_x, plot_w = MARGIN + 40, column * max(count, 1)
    width, height = max(plot_x + plot_w + MARGIN, 420), TOP + PLOT_H + 60
    top = max((p.learners for p in periods), default=0)
    scale = scale_max(top)
    total = sum(p.learners for p in periods)
    title = f"Active learners per {unit}"
    span = f"{periods[0].start} to {periods[-1].start}" if periods else "no data"
    subtitle = f"{count} {unit}s · {span} · busiest: {top} learners"
    described = "; ".join(f"{p.start}: {p.learners}" for p in periods) or "no activity"
    description = f"{title}, {span}. {described}. Total learner-{unit}s: {total}."
    doc = SvgDocument(width, height, title, description, f"active:{unit}", palette=palette)
    heading(doc, title, subtitle)
    base = TOP + PLOT_H
    value_axis(doc, plot_x, plot_w, base, scale)
    every = math.ceil(count / 10) if count else 1  # at most ~10 date labels
    for index, item in enumerate(periods):
        x = plot_x + index * column
        h = PLOT_H * item.learners / scale if scale else 0
        group = add(doc.root, "g", class_="column", data_id=item.start.isoformat())
        tooltip(group, f"{unit.capitalize()} of {item.start}: {item.learners} active learners")
        # The whole column's height catches the hover, not only the bar.
        add(group, "rect", x=x, y=TOP, width=column, height=PLOT_H, fill=palette.background)
        if h > 0:
            add(
                group,
                "rect",
                x=x + column * 0.15,
                y=base - h,
                width=column * 0.7,
                height=h,
                fill=palette.accent_fill,
                class_="fade",
            )
        if column >= 22:
            label = str(item.learners)
            add(
                group,
                "text",
                label,
                x=x + column / 2,
                y=base - h - 4,
                text_anchor="middle",
                class_="small",
            )
        if index % every == 0:
            add(
                doc.root,
                "text",
                item.start.strftime("%b %d"),
                x=x + column / 2,
                y=base + 16,
                text_anchor="middle",
                class_="small",
            )
    if not periods:
        empty_note(doc, "No activity in this range", plot_x + plot_w / 2, TOP + PLOT_H / 2)
    add(
        doc.root,
        "text",
        f"Learners with at least one progress event or assessment attempt that {unit}",
        x=MARGIN,
        y=height - 16,
        class_="small",
    )
    return doc.to_string()


def render_skill_funnel(stats: SkillStats, palette: Palette = LIGHT) -> str:
    """Enrolments → completions, and assessment attempts → passes, as proportional bars."""
    rows = [
        ("Enrolled", stats.enrolments, stats.enrolments, palette.accent_fill),
        ("Completed", stats.completions, stats.enrolments, palette.second),
        (
            "Assessment attempts",
            stats.assessment_attempts,
            stats.assessment_attempts,
            palette.accent,
        ),
        ("Passed", stats.assessment_passes, stats.assessment_attempts, palette.third),
    ]
    label_w = max(text_width(label, LABEL_SIZE) for label, *_ in rows)
    plot_x, plot_w = MARGIN + label_w + 12, 420
    width, height = plot_x + plot_w + 150, TOP + len(rows) * ROW_H + 20 + 24
    title = f"Funnel of {stats.skill_name}"
    completion = f"completion rate {percent(stats.completion_rate)}"
    passing = f"pass rate {percent(stats.assessment_pass_rate)}"
    median = duration(stats.median_seconds_to_complete)
    subtitle = f"{completion} · {passing} · median time to complete: {median}"
    description = (
        f"{title}: {stats.enrolments} enrolled, {stats.completions} completed ({completion}); "
        f"{stats.assessment_attempts} assessment attempts, {stats.assessment_passes} passed "
        f"({passing}); median time to complete: {median}."
    )
    doc = SvgDocument(
        width, height, title, description, f"funnel:{stats.skill_id}", palette=palette
    )
    heading(doc, title, subtitle)
    for index, (label, value, whole, color) in enumerate(rows):
        y = TOP + index * ROW_H + (20 if index >= 2 else 0)  # a gap between the two funnels
        share = value / whole if whole else 0.0
        note = (
            f"{value}"
            if label in ("Enrolled", "Assessment attempts")
            else (f"{value} ({percent(share)} of {whole})")
        )
        hbar(doc, label, label_w, plot_x, plot_w, y, share, color, f"{label}: {note}", note)
    return doc.to_string()


def render_missed_questions(stats: SkillStats, palette: Palette = LIGHT) -> str:
    """The questions of a skill's assessments most often answered wrongly, by miss rate."""
    missed = stats.missed
    label_w = 260
    plot_x, plot_w = MARGIN + label_w + 12, 360
    rows = max(len(missed), 1)
    width, height = plot_x + plot_w + 130, TOP + rows * ROW_H + 40
    title = f"Most missed questions of {stats.skill_name}"
    subtitle = f"{len(missed)} question{'s' if len(missed) != 1 else ''} · share of answers wrong"
    described = "; ".join(
        f"{q.prompt}: missed {q.misses} of {q.answers} ({percent(q.miss_rate)})" for q in missed
    )
    description = f"{title}. {described or 'No question was missed.'}"
    doc = SvgDocument(
        width, height, title, description, f"missed:{stats.skill_id}", palette=palette
    )
    heading(doc, title, subtitle)
    percent_axis(doc, plot_x, plot_w, TOP - 12, rows * ROW_H + 12)
    for index, q in enumerate(missed):
        label = wrap(q.prompt, LABEL_SIZE, label_w, max_lines=1)[0]
        hover = f"{q.prompt}: missed {q.misses} of {q.answers} answers ({percent(q.miss_rate)})"
        note = f"{percent(q.miss_rate)} ({q.misses}/{q.answers})"
        hbar(
            doc,
            label,
            label_w,
            plot_x,
            plot_w,
            TOP + index * ROW_H,
            q.miss_rate,
            palette.status("IN_PROGRESS")[0],
            hover,
            note,
            q.question_id,
        )
    if not missed:
        empty_note(doc, "No question was missed", plot_x + plot_w / 2, TOP + 18)
    return doc.to_string()


def render_cohorts(cohorts: Sequence[Cohort], palette: Palette = LIGHT) -> str:
    """One row per week learners started in, one column per stage they reached: a bar of
    the share of that week's learners (of the biggest week's, for those who started), and
    the count and share written beside it."""
    stages = [
        ("Started", palette.accent_fill),
        ("Progressed", palette.accent),
        ("Completed a skill", palette.second),
        ("Completed a course", palette.third),
    ]
    cell_w, bar_w, row_h = 170, 90, 30
    plot_x = MARGIN + 100
    rows = max(len(cohorts), 1)
    width, height = plot_x + cell_w * len(stages), TOP + rows * row_h + 24
    title = "Weekly cohorts"
    subtitle = f"{len(cohorts)} weeks · learners by the week they started, and how far they got"
    described = "; ".join(
        f"week of {c.week}: {c.learners} started, {c.progressed} progressed, "
        f"{c.completed_skill} completed a skill, {c.completed_course} completed a course"
        for c in cohorts
    )
    description = f"{title}. {described or 'No learner started in this range.'}"
    doc = SvgDocument(width, height, title, description, "cohorts", palette=palette)
    biggest = max((c.learners for c in cohorts), default=0)
    heading(doc, title, subtitle)
    for column, (name, _) in enumerate(stages):
        add(doc.root, "text", name, x=plot_x + column * cell_w, y=TOP - 10, class_="small strong")
    add(doc.root, "text", "Week", x=plot_x - 12, y=TOP - 10, text_anchor="end", class_="small")
    for index, cohort in enumerate(cohorts):
        y = TOP + index * row_h
        values = [
            cohort.learners,
            cohort.progressed,
            cohort.completed_skill,
            cohort.completed_course,
        ]
        group = add(doc.root, "g", class_="row", data_id=cohort.week.isoformat())
        tooltip(
            group,
            f"Week of {cohort.week}: "
            + ", ".join(f"{name.lower()} {v}" for (name, _), v in zip(stages, values, strict=True)),
        )
        label = cohort.week.strftime("%b %d, %Y")
        add(group, "text", label, x=plot_x - 12, y=y + 19, text_anchor="end", class_="label")
        for column, ((_, color), value) in enumerate(zip(stages, values, strict=True)):
            # Started: against the biggest week's; the rest: the share of this week's.
            whole = biggest if column == 0 else cohort.learners
            share = value / whole if whole else 0.0
            x = plot_x + column * cell_w
            add(group, "rect", x=x, y=y + 8, width=bar_w, height=14, rx=3, fill=palette.track)
            if share > 0:
                add(
                    group,
                    "rect",
                    x=x,
                    y=y + 8,
                    width=bar_w * share,
                    height=14,
                    rx=3,
                    fill=color,
                    **growing(share, None),
                )
            note = str(value) if column == 0 else f"{value} ({percent(share)})"
            add(group, "text", note, x=x + bar_w + 6, y=y + 19, class_="small")
    if not cohorts:
        empty_note(doc, "No learner started in this range", width / 2, TOP + 18)
    return doc.to_string()
