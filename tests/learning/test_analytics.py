"""Analytics: a scripted history of learners on known days gives known numbers.

The history runs in 2031 (the clock is set per step), so no other test's activity falls in
its days: the platform-wide series and cohorts are exact, not deltas.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from subgraphs.learning.domain import Answer, QuestionDraft
from tests.learning.conftest import Account, Harness
from tests.learning.test_courses import published

D0 = date(2031, 3, 3)  # a Monday
DAY = 86400.0

SKILL_FIGURES = """
query($ids: [ID!], $from: Date, $to: Date) {
  skillAnalytics(skillIds: $ids, from: $from, to: $to) {
    totalCount
    edges { node {
      skill { id } enrolments completions completionRate medianSecondsToComplete
      assessmentAttempts assessmentPasses assessmentPassRate
      mostMissedQuestions { questionId prompt misses answers missRate }
    } }
  }
}"""
COURSE_FIGURES = """
query($ids: [ID!], $from: Date, $to: Date) {
  courseAnalytics(courseIds: $ids, from: $from, to: $to) {
    edges { node { course { id } enrolments completions completionRate medianSecondsToComplete } }
  }
}"""
ACTIVE = """
query($period: AnalyticsPeriod!, $from: Date, $to: Date, $first: Int, $after: String) {
  activeLearners(period: $period, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { start learners } }
  }
}"""
COHORTS = """
query($from: Date, $to: Date) {
  cohorts(from: $from, to: $to) {
    edges { node { week learners progressed completedSkill completedCourse } }
  }
}"""


def at(day: int, hour: int) -> datetime:
    return datetime(D0.year, D0.month, D0.day, hour, tzinfo=UTC) + timedelta(days=day)


def iso(day: int) -> str:
    return (D0 + timedelta(days=day)).isoformat()


class History:
    """Four learners, one skill with a two-question assessment, one two-lesson course."""

    def __init__(self, learning: Harness) -> None:
        self.learning = learning
        self.skill = f"skill-{uuid.uuid4().hex[:12]}"
        self.editor = learning.account(("EDITOR",))
        self.learners: list[Account] = [learning.account() for _ in range(4)]

    async def play(self) -> None:
        service, clock = self.learning.deps.service, self.learning.clock
        l1, l2, l3, l4 = (a.viewer for a in self.learners)
        assessment = await service.create_assessment(
            self.editor.viewer,
            self.skill,
            "Check",
            100,
            [
                QuestionDraft("Pick a", ["a", "b"], [0]),
                QuestionDraft("Pick b, c", ["a", "b", "c"], [1, 2]),
            ],
        )
        self.q1, self.q2 = (q["id"] for q in assessment.questions)
        self.course, lessons = await published(self.learning, [["a", "b"]])

        async def attempt(learner: Any, answers: list[Answer]) -> None:
            started = await service.start_assessment(learner, assessment.id)
            await service.submit_assessment(learner, started.id, answers)

        steps: list[tuple[datetime, Any]] = [
            (at(0, 9), lambda: service.record_progress(l1, self.skill, 50)),
            (at(0, 10), lambda: service.record_progress(l2, self.skill, 10)),
            (at(1, 9), lambda: service.enroll(l3, self.skill)),
            (at(1, 10), lambda: attempt(l3, [Answer(self.q1, [1])])),  # both missed
            (at(1, 11), lambda: service.mark_lesson(l1, self.course, lessons[0], done=True)),
            (at(2, 9), lambda: service.record_progress(l1, self.skill, 100)),  # 2 days
            (at(2, 10), lambda: attempt(l3, [Answer(self.q1, [0]), Answer(self.q2, [2, 1])])),
            (at(3, 11), lambda: service.mark_lesson(l1, self.course, lessons[1], done=True)),
            (at(3, 12), lambda: service.mark_lesson(l2, self.course, lessons[0], done=True)),
            (at(4, 10), lambda: service.record_progress(l2, self.skill, 100)),  # 4 days
            (at(4, 11), lambda: attempt(l2, [Answer(self.q1, [0]), Answer(self.q2, [1])])),
            (at(7, 9), lambda: service.record_progress(l4, self.skill, 20)),  # next week
        ]
        for moment, step in steps:
            clock.fixed = moment
            await step()
        clock.fixed = None

    async def query(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.learning.data(query, variables, self.editor.token)


@pytest.fixture(scope="module")
async def history(learning: Harness) -> History:
    played = History(learning)
    await played.play()
    return played


async def test_skill_numbers_over_the_whole_history(history: History) -> None:
    data = await history.query(SKILL_FIGURES, ids=[history.skill])
    assert data["skillAnalytics"]["totalCount"] == 1
    node = data["skillAnalytics"]["edges"][0]["node"]
    missed = node.pop("mostMissedQuestions")
    assert node == {
        "skill": {"id": history.skill},
        "enrolments": 4,
        "completions": 3,  # l1, l3 (by passing), l2; l4 is at 20%
        "completionRate": 0.75,
        "medianSecondsToComplete": 2 * DAY,  # of 2 days (l1), 1 day 1 h (l3), 4 days (l2)
        "assessmentAttempts": 3,
        "assessmentPasses": 1,
        "assessmentPassRate": pytest.approx(1 / 3),
    }
    assert missed == [
        {
            "questionId": history.q2,
            "prompt": "Pick b, c",
            "misses": 2,
            "answers": 3,
            "missRate": pytest.approx(2 / 3),
        },
        {
            "questionId": history.q1,
            "prompt": "Pick a",
            "misses": 1,
            "answers": 3,
            "missRate": pytest.approx(1 / 3),
        },
    ]


async def test_a_date_range_counts_only_its_days(history: History) -> None:
    data = await history.query(SKILL_FIGURES, ids=[history.skill], **{"from": iso(3), "to": iso(8)})
    node = data["skillAnalytics"]["edges"][0]["node"]
    assert (node["enrolments"], node["completions"], node["completionRate"]) == (1, 1, 1.0)
    assert node["medianSecondsToComplete"] == 4 * DAY
    assert (node["assessmentAttempts"], node["assessmentPassRate"]) == (1, 0.0)
    assert [(q["questionId"], q["misses"]) for q in node["mostMissedQuestions"]] == [
        (history.q2, 1)
    ]
    quiet = await history.query(
        SKILL_FIGURES, ids=[history.skill], **{"from": iso(5), "to": iso(6)}
    )
    assert quiet["skillAnalytics"] == {"totalCount": 0, "edges": []}  # no activity: not listed


async def test_course_numbers(history: History) -> None:
    data = await history.query(COURSE_FIGURES, ids=[history.course])
    assert [e["node"] for e in data["courseAnalytics"]["edges"]] == [
        {
            "course": {"id": history.course},
            "enrolments": 2,  # l1 and l2 marked a lesson
            "completions": 1,  # l1 marked both
            "completionRate": 0.5,
            "medianSecondsToComplete": 2 * DAY,  # day 1, 11:00 to day 3, 11:00
        }
    ]


async def test_active_learners_per_day_and_week(history: History) -> None:
    days = await history.query(ACTIVE, period="DAY", **{"from": iso(0), "to": iso(8)})
    series = days["activeLearners"]
    assert series["totalCount"] == 9
    assert [(e["node"]["start"], e["node"]["learners"]) for e in series["edges"]] == [
        (iso(n), count) for n, count in enumerate([2, 2, 2, 2, 1, 0, 0, 1, 0])
    ]
    weeks = await history.query(ACTIVE, period="WEEK", **{"from": iso(0), "to": iso(8)})
    assert [
        (e["node"]["start"], e["node"]["learners"]) for e in weeks["activeLearners"]["edges"]
    ] == [
        (iso(0), 3),  # l1, l2 and l3, each counted once in their week
        (iso(7), 1),
    ]


async def test_a_series_pages_by_cursor(history: History) -> None:
    first = await history.query(ACTIVE, period="DAY", first=4, **{"from": iso(0), "to": iso(8)})
    page = first["activeLearners"]
    assert page["pageInfo"]["hasNextPage"] and len(page["edges"]) == 4
    rest = await history.query(
        ACTIVE,
        period="DAY",
        first=10,
        after=page["pageInfo"]["endCursor"],
        **{"from": iso(0), "to": iso(8)},
    )
    assert [e["node"]["start"] for e in rest["activeLearners"]["edges"]] == [
        iso(n) for n in range(4, 9)
    ]
    assert rest["activeLearners"]["pageInfo"]["hasNextPage"] is False


async def test_cohorts_by_starting_week(history: History) -> None:
    data = await history.query(COHORTS, **{"from": iso(0), "to": iso(13)})
    assert [e["node"] for e in data["cohorts"]["edges"]] == [
        {"week": iso(0), "learners": 3, "progressed": 3, "completedSkill": 3, "completedCourse": 1},
        {"week": iso(7), "learners": 1, "progressed": 1, "completedSkill": 0, "completedCourse": 0},
    ]


async def test_learners_are_refused_and_bad_ranges_are_named(
    learning: Harness, history: History
) -> None:
    learner = history.learners[0]
    for query in (SKILL_FIGURES, COHORTS):
        errors = await learning.errors(query, {}, learner.token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await learning.errors(COHORTS, {})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    backwards = {"period": "DAY", "from": iso(5), "to": iso(1)}
    errors = await learning.errors(ACTIVE, backwards, history.editor.token)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == "from"
    errors = await learning.errors(
        ACTIVE, {"period": "DAY", "after": "not-a-cursor"}, history.editor.token
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
