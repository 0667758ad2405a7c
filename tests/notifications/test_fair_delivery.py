"""Users take turns in the delivery queue (real Redis): one user's backlog of pushes does
not hold up another user's single one, with one worker or with two replicas sharing it."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from subgraphs.notifications.domain import Delivery

from .test_channels import _when, eventually

BACKLOG = 200
CONCURRENCY = 2


def push(user_id: str, n: int) -> Delivery:
    return Delivery(
        f"{user_id}:{n}:push", "PUSH", user_id, "ACHIEVEMENT", f"https://push.test/{n}", "s", "t"
    )


def recording(sent: list[str]) -> Any:
    async def send(delivery: Delivery) -> None:
        await asyncio.sleep(0.005)  # a push service's round trip, roughly
        sent.append(delivery.id)

    return send


async def test_one_users_backlog_does_not_hold_up_anothers_push(make_harness: Any) -> None:
    h = await make_harness(delivery_concurrency=CONCURRENCY)
    sent: list[str] = []
    h.deps.worker.senders = {"PUSH": recording(sent)}
    h.start_worker()
    for n in range(BACKLOG):  # user A: many endpoints and notifications at once
        await h.deps.queue.enqueue(push("u-a", n))
    h.deps.worker.wake()
    assert await eventually(lambda: _now(len(sent) >= 5))  # A's backlog is draining
    before = len(sent)
    await h.deps.queue.enqueue(push("u-b", 0))  # then user B's one push
    h.deps.worker.wake()
    assert await eventually(lambda: _when(h.deps.queue.pending(), lambda n: n == 0), timeout=30)

    assert sorted(sent) == sorted([push("u-a", n).id for n in range(BACKLOG)] + ["u-b:0:push"])
    b_at = sent.index("u-b:0:push")
    a_after_b = [i for i in sent[b_at:] if i.startswith("u-a:")]
    print(f"\nB's push enqueued after {before} of A's, sent {b_at - before} deliveries later; "
          f"{len(a_after_b)} of A's {BACKLOG} after it")  # fmt: skip
    # B waits for a turn (and what was already in flight), not for A's backlog.
    assert b_at - before <= 2 * CONCURRENCY
    assert len(a_after_b) >= BACKLOG // 2
    # A's own deliveries keep their order.
    a_order = [int(i.split(":")[1]) for i in sent if i.startswith("u-a:")]
    assert a_order[: before - CONCURRENCY] == sorted(a_order[: before - CONCURRENCY])


async def test_replicas_share_the_turns_and_send_each_delivery_once(make_harness: Any) -> None:
    first = await make_harness(delivery_concurrency=CONCURRENCY)
    second = await make_harness(delivery_concurrency=CONCURRENCY)  # same Redis database
    sent: list[str] = []
    for h in (first, second):
        h.deps.worker.senders = {"PUSH": recording(sent)}
    for n in range(BACKLOG):
        await first.deps.queue.enqueue(push("u-a", n))
    await first.deps.queue.enqueue(push("u-b", 0))
    await first.deps.queue.enqueue(push("u-c", 0))
    for h in (first, second):
        h.start_worker()
    queue = second.deps.queue
    assert await eventually(lambda: _when(queue.pending(), lambda n: n == 0), timeout=30)

    assert Counter(sent).most_common(1)[0][1] == 1 and len(sent) == BACKLOG + 2
    # Enqueued after all of A's, B's and C's pushes still go within the first turns.
    assert max(sent.index("u-b:0:push"), sent.index("u-c:0:push")) < 4 * CONCURRENCY


async def _now(value: Any) -> Any:
    return value
