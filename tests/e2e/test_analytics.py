"""Analytics through every gateway: a scripted history of learners gives known numbers.

A new skill and a new course have only this test's learners, so their numbers are exact.
The platform-wide series (active learners today, this week's cohort) also count the rest
of the suite, so they are read before and after the history: the difference is known.
tests/learning/test_analytics.py checks the same numbers over days and weeks on a set clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import register
from tests.e2e.test_course_progress import mark, published_course
from tests.e2e.test_journeys import (
    ENROLL,
    RECORD,
    START,
    SUBMIT,
    new_assessment,
    new_skills,
    right_answers,
)
from tests.support.client import Client

SKILL = """query($ids: [ID!], $from: Date, $to: Date) {
  skillAnalytics(skillIds: $ids, from: $from, to: $to) { edges { node {
    skill { id name } enrolments completions completionRate medianSecondsToComplete
    assessmentAttempts assessmentPasses assessmentPassRate
    mostMissedQuestions { questionId prompt misses answers missRate } } } } }"""
COURSE = """query($ids: [ID!]) { courseAnalytics(courseIds: $ids) { edges { node {
  course { id title } enrolments completions completionRate } } } }"""
TODAY = """query($from: Date, $to: Date) {
  activeLearners(period: DAY, from: $from, to: $to) { edges { node { start learners } } }
  cohorts(from: $from, to: $to) { edges { node {
    week learners progressed completedSkill completedCourse } } } }"""


async def platform_today(editor: Client, today: str) -> tuple[int, dict[str, int]]:
    """Learners active today, and this week's cohort."""
    data = await editor.data(TODAY, {"from": today, "to": today})
    [active] = data["activeLearners"]["edges"]
    [cohort] = data["cohorts"]["edges"]
    assert active["node"]["start"] == today
    return active["node"]["learners"], {k: v for k, v in cohort["node"].items() if k != "week"}


async def learner(gateway: Client, name: str) -> Client:
    account = await register(gateway, name)
    return gateway.as_user(account["accessToken"])


async def test_analytics_numbers_follow_a_scripted_history(gateway: Client, editor: Client) -> None:
    now = datetime.now(UTC).date()
    today, around = now.isoformat(), {"from": str(now - timedelta(days=1)),
                                      "to": str(now + timedelta(days=1))}  # fmt: skip
    [skill] = await new_skills(editor, 1)
    assessment = await new_assessment(editor, skill["id"])  # one question, pass at 60
    course, lessons = await published_course(editor, {"Only": ["One", "Two"]})
    active_before, cohort_before = await platform_today(editor, today)

    # A completes the skill by progress and the course; B enrols, fails the assessment
    # and marks one lesson; C enrols and passes.
    a, b, c = [await learner(gateway, f"Analytics {n}") for n in "ABC"]
    await a.data(RECORD, {"s": skill["id"], "p": 100})
    await mark(a, course["id"], lessons["One"])
    await mark(a, course["id"], lessons["Two"])
    await b.data(RECORD, {"s": skill["id"], "p": 30})
    wrong = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [0]}]
    for who, answers in ((b, wrong), (c, right_answers(assessment))):
        attempt = (await who.data(START, {"a": assessment["id"]}))["startAssessment"]
        await who.data(SUBMIT, {"t": attempt["id"], "a": answers})
    await mark(b, course["id"], lessons["One"])
    await c.data(ENROLL, {"s": skill["id"]})  # already enrolled by passing: no change

    [row] = (await editor.data(SKILL, {"ids": [skill["id"]], **around}))["skillAnalytics"]["edges"]
    figures = row["node"]
    median = figures.pop("medianSecondsToComplete")
    assert figures == {
        "skill": {"id": skill["id"], "name": skill["name"]},  # the rest from skills
        "enrolments": 3,
        "completions": 2,
        "completionRate": pytest.approx(2 / 3),
        "assessmentAttempts": 2,
        "assessmentPasses": 1,
        "assessmentPassRate": 0.5,
        "mostMissedQuestions": [
            {"questionId": assessment["questions"][0]["id"], "prompt": "2 + 2?",
             "misses": 1, "answers": 2, "missRate": 0.5}
        ],
    }  # fmt: skip
    assert 0 <= median < 120  # A and C completed within seconds of enrolling

    courses = (await editor.data(COURSE, {"ids": [course["id"]]}))["courseAnalytics"]["edges"]
    assert [e["node"] for e in courses] == [
        {"course": {"id": course["id"], "title": course["title"]}, "enrolments": 2,
         "completions": 1, "completionRate": 0.5}
    ]  # fmt: skip

    active_after, cohort_after = await platform_today(editor, today)
    assert active_after - active_before == 3
    assert {k: cohort_after[k] - cohort_before[k] for k in cohort_after} == {
        "learners": 3,
        "progressed": 3,  # C's pass records 100%
        "completedSkill": 2,
        "completedCourse": 1,
    }


async def test_analytics_are_for_editors_and_admins(gateway: Client, admin_token: str) -> None:
    a_learner = await learner(gateway, "Analytics Outsider")
    for query in (SKILL, COURSE, TODAY):
        body: dict[str, Any] = await a_learner.execute(query, {})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        body = await gateway.execute(query, {})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    admin = gateway.as_user(admin_token)
    assert "skillAnalytics" in await admin.data(SKILL, {"ids": []})
