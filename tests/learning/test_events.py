"""The domain events learning emits, with the payloads other subgraphs rely on, after commit."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from subgraphs.common.errors import Conflict
from subgraphs.common.events import STREAM
from subgraphs.learning.domain import Answer, QuestionDraft
from tests.learning.conftest import Harness


async def events_of(learning: Harness, user_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The learner's events on the stream, once the outbox relay has published them all."""
    outbox = learning.deps.service.journal.outbox
    for _ in range(200):
        if not await outbox.pending():
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the outbox relay did not publish")
    redis = learning.app.state.platform.redis
    found = []
    for _, fields in await redis.xrange(STREAM):
        event = json.loads(fields[b"event"])
        if event["producer"] == "learning" and event["payload"].get("userId") == user_id:
            found.append((event["type"], event["payload"]))
    return found


async def test_a_pass_emits_every_event_once_with_its_payload(learning: Harness) -> None:
    service = learning.deps.service
    learner, editor = learning.account(), learning.account(("EDITOR",))
    assessment = await service.create_assessment(
        editor.viewer, "events-skill", "Quiz", 100, [QuestionDraft("Q", ["a", "b"], [0])]
    )
    attempt = await service.start_assessment(learner.viewer, assessment.id)
    question = assessment.questions[0]["id"]
    await service.submit_assessment(learner.viewer, attempt.id, [Answer(question, [0])])
    try:
        await service.submit_assessment(learner.viewer, attempt.id, [Answer(question, [0])])
    except Conflict:
        pass  # refused: must emit nothing

    events = await events_of(learning, learner.id)
    types = [t for t, _ in events]
    assert sorted(types) == sorted(
        [
            "progress.updated",
            "skill.completed",
            "assessment.passed",
            "certificate.issued",
            "achievement.unlocked",
            "achievement.unlocked",
        ]
    )
    payload = dict(events)
    progress = payload["progress.updated"]
    assert progress["skillId"] == "events-skill" and progress["percent"] == 100
    assert progress["status"] == "COMPLETED" and progress["progressId"]
    assert payload["skill.completed"] == {"userId": learner.id, "skillId": "events-skill"}
    assert payload["assessment.passed"] == {
        "userId": learner.id,
        "assessmentId": assessment.id,
        "skillId": "events-skill",
        "score": 100.0,
    }
    certificate = payload["certificate.issued"]
    assert set(certificate) == {"userId", "skillId", "certificateId", "verificationCode"}
    unlocked = [p for t, p in events if t == "achievement.unlocked"]
    assert {p["code"] for p in unlocked} == {"FIRST_SKILL_COMPLETED", "FIRST_CERTIFICATE"}
    assert all(
        set(p) == {"userId", "achievementId", "code", "title", "description"} for p in unlocked
    )
