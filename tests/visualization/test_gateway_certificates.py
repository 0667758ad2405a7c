"""A certificate earned through the gateway, fetched as documents from the visualization
subgraph at the URLs the supergraph gives, and read back with real readers."""

from __future__ import annotations

import httpx

from tests.learning.test_e2e import editor, learner, new_skills  # noqa: F401 (fixture)
from tests.support.client import Client

from .certificates import pdf_qr_codes, pdf_text, svg_qr_codes, svg_texts

CREATE = """mutation($input: AssessmentInput!) { createAssessment(input: $input) {
  id questions { id } } }"""
START = "mutation($a: ID!) { startAssessment(assessmentId: $a) { id questions { id } } }"
SUBMIT = """mutation($t: ID!, $answers: [AnswerInput!]!) {
  submitAssessment(attemptId: $t, answers: $answers) { passed } }"""
MINE = """{ me { displayName certificates { id verificationCode issuedAt svgUrl pdfUrl
  skill { name } } } }"""
VERIFY = """query($c: String!) { verifyCertificate(verificationCode: $c) { id svgUrl pdfUrl } }"""


async def test_an_earned_certificate_as_svg_and_pdf(
    gateway: Client,
    editor: Client,  # noqa: F811
) -> None:
    skill = (await new_skills(editor, 1))[0]
    question = {"prompt": "2 + 2?", "choices": ["3", "4"], "correctIndexes": [1]}
    made = (
        await editor.data(
            CREATE,
            {
                "input": {
                    "skillId": skill["id"],
                    "title": "Sums",
                    "passingScore": 100,
                    "questions": [question],
                }
            },
        )
    )["createAssessment"]
    _, _, ada = await learner(gateway, "Ada Lovelace")
    attempt = (await ada.data(START, {"a": made["id"]}))["startAssessment"]
    answer = [{"questionId": attempt["questions"][0]["id"], "choiceIndexes": [1]}]
    assert (await ada.data(SUBMIT, {"t": attempt["id"], "answers": answer}))["submitAssessment"][
        "passed"
    ]
    me = (await ada.data(MINE))["me"]
    [certificate] = me["certificates"]
    code = certificate["verificationCode"]
    assert certificate["svgUrl"].endswith(f"/certificates/{code}.svg")
    assert certificate["pdfUrl"].endswith(f"/certificates/{code}.pdf")
    public = (await gateway.data(VERIFY, {"c": code}))["verifyCertificate"]
    assert (public["svgUrl"], public["pdfUrl"]) == (certificate["svgUrl"], certificate["pdfUrl"])
    verify_url = f"http://localhost:4000/certificates/{code}"

    async with httpx.AsyncClient(timeout=30) as http:  # anonymous: the code is the capability
        svg = await http.get(certificate["svgUrl"])
        pdf = await http.get(certificate["pdfUrl"])
        unknown = await http.get(certificate["pdfUrl"].replace(code, "no-such-code"))
    assert svg.status_code == 200 and pdf.status_code == 200
    shown = svg_texts(svg.text)
    assert me["displayName"] in shown and skill["name"] in shown
    assert svg_qr_codes(svg.text) == [verify_url]
    text = pdf_text(pdf.content)
    assert me["displayName"] in text and skill["name"] in text
    assert pdf_qr_codes(pdf.content) == [verify_url]
    assert unknown.status_code == 404
