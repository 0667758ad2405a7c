"""The public response cache's memory: the TTL, and clears winning over slow misses."""

from __future__ import annotations

import asyncio
import json
import time

from starlette.types import Message, Receive, Scope, Send

from subgraphs.common.response_cache import PrivateAnswers, PublicAnswers, PublicResponseCache


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


async def test_a_viewers_clear_forgets_only_their_answers_and_wins_over_their_slow_miss() -> None:
    async def nobody(_: str) -> None:
        return None

    async def quiet(_: str | None) -> None:
        return None

    answers = PrivateAnswers(5.0, identify=nobody, announce=quiet)
    start, body = answer(b'{"data":{"n":1}}')
    answers.keep(b"mine", start, body, answers.generation, "me")
    answers.keep(b"theirs", start, body, answers.generation, "them")
    slow_miss = answers.generation  # one of mine is being computed...
    answers.forget("me")  # ...when my mutation clears my answers
    answers.keep(b"mine-slow", start, body, slow_miss, "me")
    assert answers.get(b"mine") is None and answers.get(b"mine-slow") is None
    assert answers.get(b"theirs") is not None
    answers.keep(b"mine", start, body, answers.generation, "me")  # computed after: kept
    assert answers.get(b"mine") is not None
    answers.forget(None)  # everyone's
    assert answers.get(b"mine") is None and answers.get(b"theirs") is None


async def test_a_mutation_is_never_replayed_however_its_document_is_spelt() -> None:
    """The keyword is looked for in the decoded document: in the raw JSON a newline before
    it is `\\n` (no word boundary before "mutation") and letters may be `\\u` escapes."""
    ran = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal ran
        ran += 1
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"data":{"ok":true}}'})

    cache = PublicResponseCache(app, answers=PublicAnswers(ttl=60))
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    bodies = [
        json.dumps({"query": '\nmutation { logout(refreshToken: "x") }'}).encode(),
        b'{"query": "\\u006dutation { logout(refreshToken: \\"x\\") }"}',
        b'{"query": "{ skills { id } }"}',
    ]
    for body in bodies:
        for _ in range(2):
            sent: list[Message] = []

            async def receive(body: bytes = body) -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: Message, sent: list[Message] = sent) -> None:
                sent.append(message)

            await cache(scope, receive, send)
    assert ran == 5  # both mutations twice each; the query once, then from memory
