"""Assessments: validation, no answer leaks, one submission, scoring, one certificate."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from tests.learning.conftest import Account, Harness

CREATE = """
mutation($input: AssessmentInput!) {
  createAssessment(input: $input) {
    id title passingScore skill { id } questions { id prompt choices multiple }
  }
}"""
START = "mutation($a: ID!) { startAssessment(assessmentId: $a) { id startedAt submittedAt score passed } }"
SUBMIT = """
mutation($t: ID!, $answers: [AnswerInput!]!) {
  submitAssessment(attemptId: $t, answers: $answers) {
    id submittedAt score passed user { id } assessment { id questions { id multiple } }
  }
}"""
VERIFY = """
query($c: String!) { verifyCertificate(verificationCode: $c) { id issuedAt skill { id } user { id } } }"""
MINE = """
query($u: _Any!) {
  _entities(representations: [$u]) {
    ... on User {
      certificates { id verificationCode skill { id } }
      progress { skill { id } percent status }
      achievements { code }
    }
  }
}"""

QUESTIONS = [
    {"prompt": "2 + 2?", "choices": ["3", "4", "5"], "correctIndexes": [1]},
    {"prompt": "Primes?", "choices": ["2", "4", "5", "9"], "correctIndexes": [0, 2]},
    {"prompt": "Capital of France?", "choices": ["Paris", "Rome"], "correctIndexes": [0]},
    {"prompt": "Even numbers?", "choices": ["1", "2", "6"], "correctIndexes": [1, 2]},
]


def skill() -> str:
    return f"skill-{uuid.uuid4().hex[:12]}"


async def create(learning: Harness, skill_id: str, passing: float = 75) -> dict[str, Any]:
    editor = learning.account(("LEARNER", "EDITOR"))
    variables = {
        "input": {
            "skillId": skill_id,
            "title": "Basics",
            "passingScore": passing,
            "questions": QUESTIONS,
        }
    }
    return (await learning.data(CREATE, variables, editor.token))["createAssessment"]


def answers(assessment: dict[str, Any], picks: list[list[int]]) -> list[dict[str, Any]]:
    return [
        {"questionId": q["id"], "choiceIndexes": p}
        for q, p in zip(assessment["questions"], picks, strict=True)
    ]


async def attempt(learning: Harness, learner: Account, assessment: dict[str, Any]) -> str:
    return (await learning.data(START, {"a": assessment["id"]}, learner.token))["startAssessment"][
        "id"
    ]


async def test_only_editors_create_assessments(learning: Harness) -> None:
    learner = learning.account()
    variables = {
        "input": {"skillId": skill(), "title": "T", "passingScore": 50, "questions": QUESTIONS}
    }
    errors = await learning.errors(CREATE, variables, learner.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"passingScore": 101}, "passingScore"),
        ({"passingScore": -0.5}, "passingScore"),
        ({"questions": []}, "questions"),
        ({"title": "  "}, "title"),
        (
            {"questions": [{"prompt": "Q", "choices": ["only"], "correctIndexes": [0]}]},
            "questions[0].choices",
        ),
        (
            {"questions": [{"prompt": "Q", "choices": ["a", "b"], "correctIndexes": []}]},
            "questions[0].correctIndexes",
        ),
        (
            {"questions": [{"prompt": "Q", "choices": ["a", "b"], "correctIndexes": [2]}]},
            "questions[0].correctIndexes",
        ),
        (
            {"questions": [{"prompt": "Q", "choices": ["a", "b"], "correctIndexes": [-1]}]},
            "questions[0].correctIndexes",
        ),
        (
            {
                "questions": [
                    {
                        "prompt": "Q",
                        "choices": ["a", "b", "c"],
                        "correctIndexes": [0, 1],
                        "multiple": False,
                    }
                ]
            },
            "questions[0].correctIndexes",
        ),
        (
            {
                "questions": [
                    QUESTIONS[0],
                    {"prompt": "", "choices": ["a", "b"], "correctIndexes": [0]},
                ]
            },
            "questions[1].prompt",
        ),
    ],
)
async def test_invalid_assessments_are_bad_user_input(
    learning: Harness, change: dict[str, Any], field: str
) -> None:
    editor = learning.account(("EDITOR",))
    given = {"skillId": skill(), "title": "T", "passingScore": 50, "questions": QUESTIONS, **change}
    errors = await learning.errors(CREATE, {"input": given}, editor.token)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_multiple_is_more_than_one_correct_choice(learning: Harness) -> None:
    assessment = await create(learning, skill())
    assert [q["multiple"] for q in assessment["questions"]] == [False, True, False, True]


async def test_no_response_ever_contains_the_correct_answers(learning: Harness) -> None:
    s = skill()
    assessment = await create(learning, s)
    learner = learning.account()
    responses = [assessment]
    responses.append(
        await learning.data(
            "query($id: ID!) { assessment(id: $id) { id questions { id prompt choices multiple } } }",
            {"id": assessment["id"]},
        )
    )
    responses.append(
        await learning.data(
            "query($s: _Any!) { _entities(representations: [$s]) { ... on Skill { assessments { questions { id prompt choices multiple } } } } }",
            {"s": {"__typename": "Skill", "id": s}},
        )
    )
    attempt_id = await attempt(learning, learner, assessment)
    responses.append(
        await learning.data(
            SUBMIT,
            {"t": attempt_id, "answers": answers(assessment, [[0], [1], [1], [0]])},
            learner.token,
        )
    )
    # The schema has no field that could carry them...
    type_fields = await learning.data('{ __type(name: "Question") { fields { name } } }')
    assert {f["name"] for f in type_fields["__type"]["fields"]} == {
        "id",
        "prompt",
        "choices",
        "multiple",
    }
    # ...and no response mentions them under any name.
    for response in responses:
        text = json.dumps(response)
        for word in ("correct", "Correct", "answer"):
            assert word not in text, text


async def test_scoring_single_and_multiple_choice(learning: Harness) -> None:
    assessment = await create(learning, skill(), passing=75)
    learner = learning.account()
    cases = [
        ([[1], [0, 2], [0], [1, 2]], 100.0, True),
        ([[1], [0], [0], [2, 1]], 75.0, True),  # a subset of the right set scores nothing
        ([[1], [0, 2, 3], [1], [1, 2]], 50.0, False),  # a superset neither
        ([[0], [2, 0], [1], [1]], 25.0, False),
    ]
    for picks, score, passed in cases:
        attempt_id = await attempt(learning, learner, assessment)
        submitted = (
            await learning.data(
                SUBMIT, {"t": attempt_id, "answers": answers(assessment, picks)}, learner.token
            )
        )["submitAssessment"]
        assert (submitted["score"], submitted["passed"]) == (score, passed)
        assert submitted["submittedAt"] is not None and submitted["user"] == {"id": learner.id}


async def test_unanswered_questions_count_as_wrong_and_bad_answers_are_refused(
    learning: Harness,
) -> None:
    assessment = await create(learning, skill())
    learner = learning.account()
    attempt_id = await attempt(learning, learner, assessment)
    unknown = [{"questionId": "nope", "choiceIndexes": [0]}]
    errors = await learning.errors(SUBMIT, {"t": attempt_id, "answers": unknown}, learner.token)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "answers[0].questionId"}
    out_of_range = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [7]}]
    errors = await learning.errors(
        SUBMIT, {"t": attempt_id, "answers": out_of_range}, learner.token
    )
    assert errors[0]["extensions"]["field"] == "answers[0].choiceIndexes"
    one = [{"questionId": assessment["questions"][0]["id"], "choiceIndexes": [1]}]
    submitted = (await learning.data(SUBMIT, {"t": attempt_id, "answers": one}, learner.token))[
        "submitAssessment"
    ]
    assert submitted["score"] == 25.0 and submitted["passed"] is False


async def test_an_attempt_is_submitted_once_and_only_by_its_learner(learning: Harness) -> None:
    assessment = await create(learning, skill())
    learner, stranger = learning.account(), learning.account()
    attempt_id = await attempt(learning, learner, assessment)
    picks = answers(assessment, [[1], [0, 2], [0], [1, 2]])

    errors = await learning.errors(SUBMIT, {"t": attempt_id, "answers": picks}, stranger.token)
    assert errors[0]["extensions"]["code"] in ("NOT_FOUND", "FORBIDDEN")

    await learning.data(SUBMIT, {"t": attempt_id, "answers": picks}, learner.token)
    errors = await learning.errors(SUBMIT, {"t": attempt_id, "answers": picks}, learner.token)
    assert errors[0]["extensions"]["code"] == "CONFLICT"

    errors = await learning.errors(START, {"a": str(uuid.uuid4())}, learner.token)
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_pass_completes_the_skill_and_issues_exactly_one_certificate(
    learning: Harness,
) -> None:
    s = skill()
    first, second = await create(learning, s), await create(learning, s)
    learner = learning.account()
    right = [[1], [0, 2], [0], [1, 2]]

    # Passes of several attempts, two assessments, sequential and concurrent.
    attempts = [await attempt(learning, learner, a) for a in (first, first, second, second, first)]
    await learning.data(SUBMIT, {"t": attempts[0], "answers": answers(first, right)}, learner.token)
    await learning.data(SUBMIT, {"t": attempts[1], "answers": answers(first, right)}, learner.token)
    await asyncio.gather(
        *(
            learning.data(SUBMIT, {"t": t, "answers": answers(a, right)}, learner.token)
            for t, a in zip(attempts[2:], (second, second, first), strict=True)
        )
    )

    me = (
        await learning.data(MINE, {"u": {"__typename": "User", "id": learner.id}}, learner.token)
    )["_entities"][0]
    assert len(me["certificates"]) == 1
    certificate = me["certificates"][0]
    assert certificate["skill"] == {"id": s}
    assert me["progress"] == [{"skill": {"id": s}, "percent": 100.0, "status": "COMPLETED"}]
    assert {"FIRST_CERTIFICATE", "FIRST_SKILL_COMPLETED"} <= {a["code"] for a in me["achievements"]}

    code = certificate["verificationCode"]
    assert len(code) >= 22  # token_urlsafe: >= 128 bits of randomness
    verified = (await learning.data(VERIFY, {"c": code}))["verifyCertificate"]  # public: no token
    assert verified["id"] == certificate["id"] and verified["user"] == {"id": learner.id}
    assert (await learning.data(VERIFY, {"c": code[:-2] + "xx"}))["verifyCertificate"] is None


async def test_a_fail_neither_completes_nor_certifies(learning: Harness) -> None:
    s = skill()
    assessment = await create(learning, s, passing=100)
    learner = learning.account()
    attempt_id = await attempt(learning, learner, assessment)
    picks = answers(assessment, [[1], [0, 2], [0], [1]])
    submitted = (await learning.data(SUBMIT, {"t": attempt_id, "answers": picks}, learner.token))[
        "submitAssessment"
    ]
    assert submitted["passed"] is False
    me = (
        await learning.data(MINE, {"u": {"__typename": "User", "id": learner.id}}, learner.token)
    )["_entities"][0]
    assert me["certificates"] == [] and me["progress"] == []
