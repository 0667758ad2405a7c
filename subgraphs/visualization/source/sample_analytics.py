"""Fixed analytics for the offline samples and tests: the numbers a small platform might see."""

from __future__ import annotations

from datetime import date, timedelta

from ..domain import ActivePeriod, ChartPeriod, Cohort, DateRange, MissedQuestion, SkillStats

SAMPLE_START = date(2026, 10, 5)  # a Monday
# Learners active on each of 42 days: a weekly rhythm (quiet weekends) on a slow rise.
WEEKDAY_SHAPE = (1.0, 0.95, 0.9, 0.85, 0.7, 0.35, 0.3)


def sample_active(period: ChartPeriod, dates: DateRange) -> list[ActivePeriod]:
    first = dates.start or SAMPLE_START
    last = dates.end or first + timedelta(days=41)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    daily = {d: round((20 + 0.6 * i) * WEEKDAY_SHAPE[d.weekday()]) for i, d in enumerate(days)}
    if period is ChartPeriod.DAY:
        return [ActivePeriod(d, n) for d, n in daily.items()]
    weeks: dict[date, int] = {}
    for day, learners in daily.items():
        monday = day - timedelta(days=day.weekday())
        # Distinct learners per week: fewer than the sum of the days (people come back).
        weeks[monday] = weeks.get(monday, 0) + learners // 3
    return [ActivePeriod(d, n) for d, n in weeks.items()]


def sample_skill_stats(skill_id: str, skill_name: str) -> SkillStats:
    missed = [
        ("q-fixture-scope", "Which fixture scope lasts for the whole test session?", 14, 38),
        ("q-monkeypatch", "What does monkeypatch undo when a test ends?", 9, 38),
        ("q-parametrize", "How many tests does parametrize make from 3 by 2 values?", 7, 38),
        ("q-markers", "Which option runs only the tests marked slow?", 4, 38),
    ]
    return SkillStats(
        skill_id=skill_id,
        skill_name=skill_name,
        enrolments=64,
        completions=29,
        completion_rate=29 / 64,
        median_seconds_to_complete=16.5 * 86400,
        assessment_attempts=38,
        assessment_passes=27,
        assessment_pass_rate=27 / 38,
        missed=[MissedQuestion(q, p, m, a, m / a) for q, p, m, a in missed],
    )


def sample_cohorts(dates: DateRange) -> list[Cohort]:
    first = dates.start or SAMPLE_START
    first -= timedelta(days=first.weekday())
    sizes = (31, 27, 35, 24, 29, 18)
    return [
        Cohort(
            week=first + timedelta(weeks=n),
            learners=size,
            progressed=round(size * (0.85 - 0.04 * n)),
            completed_skill=round(size * (0.5 - 0.07 * n)),
            completed_course=round(size * (0.2 - 0.03 * n)),
        )
        for n, size in enumerate(sizes)
    ]
