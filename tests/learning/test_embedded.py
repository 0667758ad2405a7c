"""The embedded defaults: SQLite and the in-process Redis stand-in, no servers at all."""

from __future__ import annotations

import asyncio
from pathlib import Path

from subgraphs.common.settings import load_settings
from subgraphs.learning.app import create_app
from subgraphs.learning.domain import Answer, QuestionDraft
from tests.learning.conftest import Clock, Harness, Signer
from tests.learning.test_read_models import snapshot
from tests.support.skills import AnySkill


async def test_the_subgraph_works_on_sqlite(tmp_path: Path) -> None:
    settings = load_settings("learning", environment="development", data_dir=tmp_path)
    assert not settings.database_url and not settings.redis_url
    signer = Signer(settings)
    app = create_app(settings, verifier=signer.verifier(), clock=Clock(), skill_checker=AnySkill())
    async with app.router.lifespan_context(app):
        learning = Harness(app, signer, Clock())
        service = learning.deps.service
        learner, editor = learning.account(), learning.account(("EDITOR",))

        results = await asyncio.gather(
            *(
                service.record_progress(learner.viewer, "sql-skill", p)
                for p in (10, 100, 55, 70, 100)
            )
        )
        assert max(r.percent for r in results) == 100
        assessment = await service.create_assessment(
            editor.viewer, "quiz-skill", "Quiz", 50, [QuestionDraft("Q", ["a", "b"], [1])]
        )
        attempt = await service.start_assessment(learner.viewer, assessment.id)
        question = assessment.questions[0]["id"]
        submitted = await service.submit_assessment(
            learner.viewer, attempt.id, [Answer(question, [1])]
        )
        assert submitted.passed is True

        query = """query($u: _Any!, $s: [_Any!]!) {
          users: _entities(representations: [$u]) {
            ... on User { progress { percent status } certificates { id } achievements { code } }
          }
          skills: _entities(representations: $s) { ... on Skill { learnerCount myProgress { percent } } }
        }"""
        variables = {
            "u": {"__typename": "User", "id": learner.id},
            "s": [{"__typename": "Skill", "id": s} for s in ("sql-skill", "quiz-skill", "none")],
        }
        data = await learning.data(query, variables, learner.token)
        user = data["users"][0]
        assert [p["status"] for p in user["progress"]] == ["COMPLETED", "COMPLETED"]
        assert len(user["certificates"]) == 1
        assert {a["code"] for a in user["achievements"]} == {
            "FIRST_SKILL_COMPLETED",
            "FIRST_CERTIFICATE",
        }
        assert [s["learnerCount"] for s in data["skills"]] == [1, 1, 0]

        live = await snapshot(learning)
        await service.rebuild_projections()
        assert await snapshot(learning) == live
        await learning.http.aclose()
