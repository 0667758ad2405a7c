"""The analytics charts of `visualization(spec:)` through each gateway: drawn from learning's
analytics (read through the gateway with the editor's token), one test per chart, the
numbers checked against a scripted history and against the analytics API itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.test_analytics import learner
from tests.e2e.test_journeys import RECORD, START, SUBMIT, new_assessment, new_skills, right_answers
from tests.support.client import Client
from tests.visualization.support import NS, all_text, parse_svg

CHART = """query($spec: VisualizationSpec!) { visualization(spec: $spec) { kind theme svg } }"""
TODAY = """query($from: Date, $to: Date) {
  activeLearners(period: DAY, from: $from, to: $to) { edges { node { start learners } } }
  cohorts(from: $from, to: $to) { edges { node { week learners } } } }"""


async def chart(client: Client, **spec: Any) -> str:
    answer = (await client.data(CHART, {"spec": {"kind": "ANALYTICS", **spec}}))["visualization"]
    assert answer["kind"] == "ANALYTICS"
    return str(answer["svg"])


def titles(svg: str) -> dict[str, str]:
    """data-id -> hover title of each bar, column or row."""
    return {
        g.get("data-id", ""): (g.findtext(f"{NS}title") or "")
        for g in parse_svg(svg).iter(f"{NS}g")
        if g.get("data-id") is not None
    }


@pytest.fixture
async def history(gateway: Client, editor: Client) -> dict[str, Any]:
    """A new skill with a one-question assessment: A completes it by progress, B gets to
    30% and fails the assessment, C passes it (3 enrolled, 2 completed, 1 of 2 passed)."""
    [skill] = await new_skills(editor, 1)
    assessment = await new_assessment(editor, skill["id"])
    a, b, c = [await learner(gateway, f"Chart {n}") for n in "ABC"]
    await a.data(RECORD, {"s": skill["id"], "p": 100})
    await b.data(RECORD, {"s": skill["id"], "p": 30})
    wrong = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [0]}]
    for who, answers in ((b, wrong), (c, right_answers(assessment))):
        attempt = (await who.data(START, {"a": assessment["id"]}))["startAssessment"]
        await who.data(SUBMIT, {"t": attempt["id"], "a": answers})
    return {"skill": skill, "question": assessment["questions"][0]["id"], "learner": b}


async def refused(history: dict[str, Any], gateway: Client, spec: dict[str, Any]) -> None:
    """A learner is FORBIDDEN the chart, anonymous UNAUTHENTICATED; nothing drawn."""
    for who, code in ((history["learner"], "FORBIDDEN"), (gateway, "UNAUTHENTICATED")):
        body = await who.execute(CHART, {"spec": {"kind": "ANALYTICS", **spec}})
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
        assert not body.get("data")


async def test_a_skill_s_funnel_chart(
    gateway: Client, editor: Client, history: dict[str, Any]
) -> None:
    skill = history["skill"]
    svg = await chart(editor, analytics="SKILL_FUNNEL", skillId=skill["id"], theme="DARK")
    drawn = titles(svg)
    assert drawn["Enrolled"] == "Enrolled: 3"
    assert drawn["Completed"] == "Completed: 2 (67% of 3)"
    assert drawn["Assessment attempts"] == "Assessment attempts: 2"
    assert drawn["Passed"] == "Passed: 1 (50% of 2)"
    words = all_text(parse_svg(svg))
    assert f"Funnel of {skill['name']}" in words and "completion rate 67%" in words
    await refused(history, gateway, {"analytics": "SKILL_FUNNEL", "skillId": skill["id"]})
    unknown = await editor.execute(
        CHART, {"spec": {"kind": "ANALYTICS", "analytics": "SKILL_FUNNEL", "skillId": "nope"}}
    )
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_most_missed_questions_chart(
    gateway: Client, editor: Client, history: dict[str, Any]
) -> None:
    spec = {"analytics": "MISSED_QUESTIONS", "skillId": history["skill"]["id"]}
    svg = await chart(editor, **spec)
    assert titles(svg) == {history["question"]: "2 + 2?: missed 1 of 2 answers (50%)"}
    assert "50% (1/2)" in all_text(parse_svg(svg))
    await refused(history, gateway, spec)


async def test_active_learners_chart(
    gateway: Client, editor: Client, history: dict[str, Any]
) -> None:
    today = datetime.now(UTC).date()
    week_ago = (today - timedelta(days=6)).isoformat()
    spec = {"analytics": "ACTIVE_LEARNERS", "from": week_ago, "to": today.isoformat()}
    svg = await chart(editor, **spec)
    api = await editor.data(TODAY, {"from": week_ago, "to": today.isoformat()})
    series = {e["node"]["start"]: e["node"]["learners"] for e in api["activeLearners"]["edges"]}
    drawn = titles(svg)
    assert list(drawn) == list(series)  # one column per day of the range, oldest first
    assert {day: f"Day of {day}: {n} active learners" for day, n in series.items()} == drawn
    assert series[today.isoformat()] >= 3  # at least the history's three
    weekly = await chart(editor, analytics="ACTIVE_LEARNERS", period="WEEK")
    assert "Active learners per week" in all_text(parse_svg(weekly))
    await refused(history, gateway, spec)


async def test_cohorts_chart(gateway: Client, editor: Client, history: dict[str, Any]) -> None:
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    spec = {"analytics": "COHORTS", "from": (monday - timedelta(weeks=3)).isoformat(),
            "to": today.isoformat()}  # fmt: skip
    svg = await chart(editor, **spec, theme="HIGH_CONTRAST")
    api = await editor.data(TODAY, {"from": spec["from"], "to": spec["to"]})
    weeks = {e["node"]["week"]: e["node"]["learners"] for e in api["cohorts"]["edges"]}
    drawn = titles(svg)
    assert list(drawn) == list(weeks) and len(weeks) == 4
    this_week = drawn[monday.isoformat()]
    assert this_week.startswith(f"Week of {monday}: started {weeks[monday.isoformat()]},")
    assert weeks[monday.isoformat()] >= 3
    await refused(history, gateway, spec)
