"""The public response cache's memory: the TTL, and clears winning over slow misses."""

from __future__ import annotations

import asyncio
import time

from starlette.types import Message

from subgraphs.common.response_cache import PublicAnswers


def answer(body: bytes) -> tuple[Message, bytes]:
    return {"type": "http.response.start", "status": 200, "headers": []}, body


async def test_an_answer_lives_for_the_ttl_and_a_clear_wins_over_a_slow_miss() -> None:
    answers = PublicAnswers(ttl=0.3)
    start, body = answer(b'{"data":{"n":1}}')
    answers.keep(b"k", start, body, answers.generation)
    held = answers.get(b"k")
    assert held is not None and held.body == body
    deadline = time.monotonic() + 5
    while answers.get(b"k") is not None:  # expires after the TTL
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)

    started_at = answers.generation  # a miss starts computing...
    answers.clear()  # ...a mutation or an event clears meanwhile...
    answers.keep(b"k", start, body, started_at)  # ...so its answer is not kept
    assert answers.get(b"k") is None
    answers.keep(b"k", start, b'{"errors":[{"message":"x"}]}', answers.generation)
    assert answers.get(b"k") is None  # errors never kept
