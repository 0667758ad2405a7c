"""The analytics charts drawn from fixed data: the numbers are all there, as text too."""

from __future__ import annotations

from datetime import date, timedelta

from subgraphs.visualization.domain import (
    ActivePeriod,
    ChartPeriod,
    Cohort,
    MissedQuestion,
    SkillStats,
)
from subgraphs.visualization.render.analytics import (
    render_active_learners,
    render_cohorts,
    render_missed_questions,
    render_skill_funnel,
)
from subgraphs.visualization.render.chartparts import scale_max
from subgraphs.visualization.render.palette import DARK

from .support import NS, all_text, evil_name, parse_svg

STATS = SkillStats(
    skill_id="s-1",
    skill_name="Python Testing",
    enrolments=40,
    completions=10,
    completion_rate=0.25,
    median_seconds_to_complete=3 * 86400,
    assessment_attempts=20,
    assessment_passes=15,
    assessment_pass_rate=0.75,
    missed=[
        MissedQuestion("q-1", "Which fixture scope lasts the whole session?", 8, 20, 0.4),
        MissedQuestion("q-2", "What does monkeypatch undo?", 2, 20, 0.1),
    ],
)


def hover_titles(svg: str) -> dict[str, str]:
    """data-id -> the hover title of each data group."""
    return {
        g.get("data-id", ""): (g.find(f"{NS}title").text or "")  # type: ignore[union-attr]
        for g in parse_svg(svg).iter(f"{NS}g")
        if g.get("data-id") is not None
    }


def test_active_learners_per_day_one_column_each() -> None:
    days = [ActivePeriod(date(2026, 11, 2) + timedelta(days=n), n * 3) for n in range(14)]
    svg = render_active_learners(days, ChartPeriod.DAY)
    titles = hover_titles(svg)
    assert len(titles) == 14
    assert titles["2026-11-04"] == "Day of 2026-11-04: 6 active learners"
    root = parse_svg(svg)
    assert "2026-11-15: 39" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "fade"]
    assert len(bars) == 13  # the first day had nobody: no bar, its title still says 0
    heights = [float(r.get("height", "")) for r in bars]
    assert heights == sorted(heights) and heights[-1] == 220 * 39 / scale_max(39)


def test_active_learners_per_week_and_none_at_all() -> None:
    weeks = [ActivePeriod(date(2026, 11, 2), 12), ActivePeriod(date(2026, 11, 9), 30)]
    words = all_text(parse_svg(render_active_learners(weeks, ChartPeriod.WEEK)))
    assert "Active learners per week" in words and "Week of 2026-11-09: 30" in words
    empty = all_text(parse_svg(render_active_learners([], ChartPeriod.DAY)))
    assert "No activity in this range" in empty


def test_a_skill_s_funnel_states_counts_and_rates() -> None:
    svg = render_skill_funnel(STATS)
    words = all_text(parse_svg(svg))
    for fact in ("40", "10 (25% of 40)", "15 (75% of 20)", "completion rate 25%", "3.0 days"):
        assert fact in words
    titles = hover_titles(svg)
    assert titles["Completed"] == "Completed: 10 (25% of 40)"
    widths = {
        key: [float(r.get("width", "")) for r in g.iter(f"{NS}rect")][-1]
        for g in parse_svg(svg).iter(f"{NS}g")
        if (key := g.get("data-id"))
    }
    assert widths["Completed"] == widths["Enrolled"] / 4  # proportional, not decorative


def test_a_funnel_without_attempts_says_n_a() -> None:
    stats = SkillStats("s", "Empty", 0, 0, 0.0, None, 0, 0, None)
    words = all_text(parse_svg(render_skill_funnel(stats)))
    assert "pass rate n/a" in words and "median time to complete: n/a" in words


def test_most_missed_questions_as_horizontal_bars() -> None:
    svg = render_missed_questions(STATS)
    titles = hover_titles(svg)
    assert titles["q-1"].endswith("missed 8 of 20 answers (40%)")
    words = all_text(parse_svg(svg))
    assert "40% (8/20)" in words and "10% (2/20)" in words
    none = SkillStats("s", "Quiet", 1, 0, 0.0, None, 0, 0, None)
    assert "No question was missed" in all_text(parse_svg(render_missed_questions(none)))


def test_cohorts_one_row_per_week() -> None:
    cohorts = [
        Cohort(date(2026, 10, 5), 20, 15, 8, 3),
        Cohort(date(2026, 10, 12), 10, 5, 1, 0),
    ]
    svg = render_cohorts(cohorts, DARK)
    titles = hover_titles(svg)
    assert titles["2026-10-12"] == (
        "Week of 2026-10-12: started 10, progressed 5, completed a skill 1, completed a course 0"
    )
    words = all_text(parse_svg(svg))
    assert "15 (75%)" in words and "8 (40%)" in words and "5 (50%)" in words
    assert parse_svg(svg).find(f"{NS}rect").get("fill") == DARK.background  # type: ignore[union-attr]


def test_analytics_text_is_escaped() -> None:
    stats = SkillStats(
        "s", evil_name(), 1, 0, 0.0, None, 1, 0, 0.0,
        [MissedQuestion("q", evil_name(), 1, 1, 1.0)],
    )  # fmt: skip
    for svg in (render_skill_funnel(stats), render_missed_questions(stats)):
        assert "<script>alert(1)</script>" in all_text(parse_svg(svg))
        assert "<script>" not in svg


def test_the_value_axis_ends_on_a_round_number_close_above_the_top() -> None:
    found = {top: scale_max(top) for top in (1, 5, 9, 39, 41, 101, 250, 1234)}
    assert found == {1: 4, 5: 8, 9: 12, 39: 40, 41: 48, 101: 120, 250: 320, 1234: 1600}
    for top, end in found.items():
        assert end >= top and end % 4 == 0  # quarters are whole numbers
