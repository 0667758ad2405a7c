"""The outbox: a Redis that refuses writes while a learner passes an assessment fails
nothing and loses nothing (real PostgreSQL and Redis; the consumers' real handlers)."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from subgraphs.common.events import EventConsumer
from subgraphs.learning.domain import Answer, QuestionDraft
from subgraphs.visualization.cache import PREFIX, SvgCache
from subgraphs.visualization.events import event_handlers
from tests.learning.conftest import Harness
from tests.notifications.conftest import make_harness  # noqa: F401  (a fixture)


async def drain(consumer: EventConsumer) -> None:
    await consumer.ensure_group()
    while await consumer.process_once():
        pass


async def test_redis_refusing_writes_during_a_pass_loses_no_event(
    learning: Harness,
    make_harness: Any,  # noqa: F811
) -> None:
    notifications = await make_harness()  # (empties Redis first)
    redis: Redis = learning.app.state.platform.redis
    outbox = learning.deps.service.journal.outbox
    service = learning.deps.service
    learner, editor = learning.account(), learning.account(("EDITOR",))
    assessment = await service.create_assessment(
        editor.viewer, "outage-skill", "Quiz", 100, [QuestionDraft("Q", ["a", "b"], [0])]
    )
    attempt = await service.start_assessment(learner.viewer, assessment.id)
    question = assessment.questions[0]["id"]
    stream_before = await redis.xlen("skillcircle:events")

    await redis.config_set("min-replicas-to-write", 1)  # every write now fails: NOREPLICAS
    try:
        result = await service.submit_assessment(
            learner.viewer, attempt.id, [Answer(question, [0])]
        )
        assert result.passed  # the mutation succeeded
        await asyncio.sleep(1.5)  # the relay tries, fails, backs off
        assert await outbox.pending() == 6  # progress, completion, pass, certificate, 2 badges
        assert await redis.xlen("skillcircle:events") == stream_before
    finally:
        await redis.config_set("min-replicas-to-write", 0)

    for _ in range(300):  # Redis is back: the relay publishes what waited
        if not await outbox.pending():
            break
        await asyncio.sleep(0.05)
    assert await outbox.pending() == 0

    cache = SvgCache(redis)
    chart_version = f"{PREFIX}:ver:user:{learner.id}"
    assert await redis.get(chart_version) is None
    await drain(EventConsumer(redis, "notifications", "t1", notifications.deps.events.handlers()))
    await drain(EventConsumer(redis, "visualization", "t1", event_handlers(cache)))

    request = notifications.deps.service.page_request(learner.id, 20, None, False)
    inbox = (await notifications.deps.store.pages([request]))[0]
    kinds = sorted(n.kind for n in inbox.notifications)
    assert kinds == ["ACHIEVEMENT", "ACHIEVEMENT", "CERTIFICATE", "PROGRESS"]
    assert int(await redis.get(chart_version) or 0) >= 1  # the chart was invalidated
