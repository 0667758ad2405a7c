"""Assessments through Hive Gateway: editors update and retire them, attempts keep the version
they were started on, learners list their attempts, limits and cooldowns hold."""

from __future__ import annotations

from typing import Any

from tests.learning.test_e2e import editor, learner, new_skills  # noqa: F401 (fixture)
from tests.support.client import Client

CREATE = """mutation($input: AssessmentInput!) { createAssessment(input: $input) {
  id version maxAttempts cooldownSeconds retiredAt questions { id prompt } } }"""
UPDATE = """mutation($id: ID!, $input: AssessmentUpdateInput!) {
  updateAssessment(id: $id, input: $input) { id version title questions { id prompt } } }"""
RETIRE = "mutation($id: ID!) { retireAssessment(id: $id) { id retiredAt } }"
START = """mutation($a: ID!) { startAssessment(assessmentId: $a) {
  id assessmentVersion questions { id prompt choices } } }"""
SUBMIT = """mutation($t: ID!, $answers: [AnswerInput!]!) {
  submitAssessment(attemptId: $t, answers: $answers) { id score passed assessmentVersion } }"""
MY_ATTEMPTS = """query($a: ID) { me { assessmentAttempts(assessmentId: $a) {
  id assessmentVersion score passed submittedAt assessment { id version } } } }"""
THEIR_ATTEMPTS = "query($u: ID!) { user(id: $u) { assessmentAttempts { id } } }"
SKILL_ASSESSMENTS = "query($s: ID!) { skill(id: $s) { assessments { id } } }"

V1 = [{"prompt": "2 + 2?", "choices": ["3", "4"], "correctIndexes": [1]}]
V2 = [{"prompt": "3 + 3?", "choices": ["6", "7"], "correctIndexes": [0]}]


def new_assessment(skill_id: str, **limits: Any) -> dict[str, Any]:
    return {
        "input": {
            "skillId": skill_id,
            "title": "Sums",
            "passingScore": 100,
            "questions": V1,
            **limits,
        }
    }


async def test_attempts_keep_their_version_and_limits_hold(
    gateway: Client,
    editor: Client,  # noqa: F811
) -> None:
    skill = (await new_skills(editor, 1))[0]["id"]
    made = (await editor.data(CREATE, new_assessment(skill, maxAttempts=2)))["createAssessment"]
    assert (made["version"], made["maxAttempts"], made["cooldownSeconds"]) == (1, 2, 0)
    user_id, _, ada = await learner(gateway, "Ada")
    _, _, bob = await learner(gateway, "Bob")

    first = (await ada.data(START, {"a": made["id"]}))["startAssessment"]
    assert first["assessmentVersion"] == 1 and first["questions"][0]["prompt"] == "2 + 2?"
    updated = (
        await editor.data(
            UPDATE,
            {
                "id": made["id"],
                "input": {
                    "title": "Sums v2",
                    "passingScore": 100,
                    "questions": V2,
                    "maxAttempts": 2,
                },
            },
        )
    )["updateAssessment"]
    assert (updated["version"], updated["questions"][0]["prompt"]) == (2, "3 + 3?")

    # answered as version 1 asked (choice 1 is right there, wrong in version 2)
    answer = [{"questionId": first["questions"][0]["id"], "choiceIndexes": [1]}]
    scored = (await ada.data(SUBMIT, {"t": first["id"], "answers": answer}))["submitAssessment"]
    assert (scored["score"], scored["passed"], scored["assessmentVersion"]) == (100.0, True, 1)

    second = (await ada.data(START, {"a": made["id"]}))["startAssessment"]
    assert second["assessmentVersion"] == 2 and second["questions"][0]["prompt"] == "3 + 3?"
    refused = await ada.execute(START, {"a": made["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert refused["errors"][0]["extensions"]["maxAttempts"] == 2

    mine = (await ada.data(MY_ATTEMPTS, {"a": made["id"]}))["me"]["assessmentAttempts"]
    assert [a["id"] for a in mine] == [second["id"], first["id"]]  # newest first
    assert [a["assessmentVersion"] for a in mine] == [2, 1]
    assert mine[1]["score"] == 100.0 and mine[0]["submittedAt"] is None
    assert mine[0]["assessment"] == {"id": made["id"], "version": 2}
    assert (await ada.data(MY_ATTEMPTS, {"a": "another"}))["me"]["assessmentAttempts"] == []
    # another learner neither sees nor submits Ada's attempts
    assert await bob.error_codes(THEIR_ATTEMPTS, {"u": user_id}) == ["FORBIDDEN"]
    stolen = await bob.execute(SUBMIT, {"t": second["id"], "answers": []})
    assert stolen["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_editors_retire_and_learners_cannot_edit(
    gateway: Client,
    editor: Client,  # noqa: F811
) -> None:
    skill = (await new_skills(editor, 1))[0]["id"]
    made = (await editor.data(CREATE, new_assessment(skill)))["createAssessment"]
    _, _, ada = await learner(gateway, "Ada")
    started = (await ada.data(START, {"a": made["id"]}))["startAssessment"]
    change = {"title": "Mine now", "passingScore": 0, "questions": V2}
    assert await ada.error_codes(UPDATE, {"id": made["id"], "input": change}) == ["FORBIDDEN"]
    assert await ada.error_codes(RETIRE, {"id": made["id"]}) == ["FORBIDDEN"]
    listed = (await ada.data(SKILL_ASSESSMENTS, {"s": skill}))["skill"]["assessments"]
    assert listed == [{"id": made["id"]}]

    retired = (await editor.data(RETIRE, {"id": made["id"]}))["retireAssessment"]
    assert retired["retiredAt"] is not None
    again = (await editor.data(RETIRE, {"id": made["id"]}))["retireAssessment"]
    assert again["retiredAt"] == retired["retiredAt"]  # idempotent
    assert (await ada.data(SKILL_ASSESSMENTS, {"s": skill}))["skill"]["assessments"] == []
    assert await ada.error_codes(START, {"a": made["id"]}) == ["CONFLICT"]
    answer = [{"questionId": started["questions"][0]["id"], "choiceIndexes": [1]}]
    late = (await ada.data(SUBMIT, {"t": started["id"], "answers": answer}))["submitAssessment"]
    assert late["passed"] is True  # an attempt started before retirement still counts
    assert await editor.error_codes(RETIRE, {"id": "no-such-assessment"}) == ["NOT_FOUND"]


async def test_cooldown_between_attempts_and_limits_checked(
    gateway: Client,
    editor: Client,  # noqa: F811
) -> None:
    skill = (await new_skills(editor, 1))[0]["id"]
    bad = await editor.execute(CREATE, new_assessment(skill, maxAttempts=0))
    extensions = bad["errors"][0]["extensions"]
    assert (extensions["code"], extensions["field"]) == ("BAD_USER_INPUT", "maxAttempts")
    bad = await editor.execute(CREATE, new_assessment(skill, cooldownSeconds=-1))
    assert bad["errors"][0]["extensions"]["field"] == "cooldownSeconds"
    made = (await editor.data(CREATE, new_assessment(skill, cooldownSeconds=3600)))[
        "createAssessment"
    ]
    _, _, ada = await learner(gateway, "Ada")
    await ada.data(START, {"a": made["id"]})
    waiting = await ada.execute(START, {"a": made["id"]})
    extensions = waiting["errors"][0]["extensions"]
    assert extensions["code"] == "RATE_LIMITED" and 3590 <= extensions["retryAfter"] <= 3600
