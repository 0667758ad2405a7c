"""The learning analytics as the gateway answers them (learning's API), as domain values."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain import ActivePeriod, Cohort, MissedQuestion, SkillStats

PAGE = 100  # nodes per page of a connection
MISSED_SHOWN = 10  # questions in a MISSED_QUESTIONS chart

ACTIVE_QUERY = f"""
query ActiveLearners($period: AnalyticsPeriod!, $from: Date, $to: Date, $after: String) {{
  activeLearners(period: $period, from: $from, to: $to, first: {PAGE}, after: $after) {{
    edges {{ node {{ start learners }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
COHORTS_QUERY = f"""
query Cohorts($from: Date, $to: Date, $after: String) {{
  cohorts(from: $from, to: $to, first: {PAGE}, after: $after) {{
    edges {{ node {{ week learners progressed completedSkill completedCourse }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
SKILL_QUERY = f"""
query SkillAnalytics($skill: ID!, $from: Date, $to: Date) {{
  skill(id: $skill) {{ id name }}
  skillAnalytics(first: 1, skillIds: [$skill], from: $from, to: $to) {{
    edges {{ node {{
      skill {{ id name }} enrolments completions completionRate medianSecondsToComplete
      assessmentAttempts assessmentPasses assessmentPassRate
      mostMissedQuestions(first: {MISSED_SHOWN}) {{ questionId prompt misses answers missRate }}
    }} }}
  }}
}}"""


def active_period(node: dict[str, Any]) -> ActivePeriod:
    return ActivePeriod(date.fromisoformat(node["start"]), int(node["learners"]))


def cohort(node: dict[str, Any]) -> Cohort:
    return Cohort(
        week=date.fromisoformat(node["week"]),
        learners=int(node["learners"]),
        progressed=int(node["progressed"]),
        completed_skill=int(node["completedSkill"]),
        completed_course=int(node["completedCourse"]),
    )


def skill_stats(node: dict[str, Any]) -> SkillStats:
    return SkillStats(
        skill_id=str(node["skill"]["id"]),
        skill_name=str(node["skill"]["name"]),
        enrolments=int(node["enrolments"]),
        completions=int(node["completions"]),
        completion_rate=float(node["completionRate"]),
        median_seconds_to_complete=_optional(node.get("medianSecondsToComplete")),
        assessment_attempts=int(node["assessmentAttempts"]),
        assessment_passes=int(node["assessmentPasses"]),
        assessment_pass_rate=_optional(node.get("assessmentPassRate")),
        missed=[
            MissedQuestion(
                str(q["questionId"]),
                str(q["prompt"]),
                int(q["misses"]),
                int(q["answers"]),
                float(q["missRate"]),
            )
            for q in node.get("mostMissedQuestions") or []
        ],
    )


def quiet_skill(skill: dict[str, Any]) -> SkillStats:
    """A skill without activity in the range (learning lists only skills with some)."""
    return SkillStats(str(skill["id"]), str(skill["name"]), 0, 0, 0.0, None, 0, 0, None)


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)
