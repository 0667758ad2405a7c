"""The event bus against real Redis: crash and restart, idempotency, dead letters."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections import Counter

from redis.asyncio import Redis

from subgraphs.common.events import (
    Event,
    EventBus,
    EventConsumer,
    Handlers,
    LiveChannels,
    Received,
)
from tests.support.contracts import Work
from tests.support.servers import RedisServer
from tests.support.stack import REPO


async def wait_for(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def start_worker(url: str, stream: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.common.consumer_worker", url, stream], cwd=REPO
    )


async def test_a_crash_mid_handling_redelivers_that_event_exactly_once(
    redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-events-{uuid.uuid4().hex}"
    bus = EventBus(redis, producer="test", stream=stream)
    events = [await bus.publish(Work(n=n, crash_once=n == 5)) for n in range(10)]

    worker = start_worker(redis_server.url, stream)
    assert await asyncio.to_thread(worker.wait, 30) == 137  # it crashed on event 5
    completed_before = [i.decode() for i in await redis.lrange(f"{stream}:completed", 0, -1)]
    assert completed_before == [e.id for e in events[:5]]

    worker = start_worker(redis_server.url, stream)
    try:

        async def all_done() -> bool:
            return await redis.llen(f"{stream}:completed") >= 10

        await wait_for(all_done)
        await asyncio.sleep(0.5)  # nothing more may arrive
    finally:
        worker.terminate()
        worker.wait(10)

    completed = Counter(i.decode() for i in await redis.lrange(f"{stream}:completed", 0, -1))
    attempts = Counter(i.decode() for i in await redis.lrange(f"{stream}:attempts", 0, -1))
    print(
        f"\ncrash test: {len(events)} events, {sum(attempts.values())} handler calls, "
        f"{sum(completed.values())} completions, crashed event attempted {attempts[events[5].id]}x"
    )
    assert completed == Counter({e.id: 1 for e in events})  # none lost, none twice
    assert attempts[events[5].id] == 2  # the crash, then exactly one redelivery
    assert all(attempts[e.id] == 1 for e in events if e is not events[5])
    assert await redis.xpending(stream, "crash-test") == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }
    await redis.aclose()


async def test_the_same_event_delivered_twice_is_handled_once(redis_server: RedisServer) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-dup-{uuid.uuid4().hex}"
    handled: list[str] = []

    async def handle(event: Received[Work]) -> None:
        handled.append(event.id)

    event = Event.of(Work(), producer="test")
    for _ in range(2):  # e.g. a producer retrying after a timeout
        await redis.xadd(stream, {"event": event.to_json()})
    consumer = EventConsumer(
        redis, "dup", "c1", Handlers().on(Work, handle), stream=stream, block_ms=50
    )
    await consumer.ensure_group()
    while await consumer.process_once():
        pass
    assert handled == [event.id]
    await redis.aclose()


async def test_a_failing_handler_is_retried_then_dead_lettered(redis_server: RedisServer) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-dead-{uuid.uuid4().hex}"
    calls: list[str] = []

    async def fail(event: Received[Work]) -> None:
        calls.append(event.id)
        raise RuntimeError("downstream is down")

    bus = EventBus(redis, producer="test", stream=stream)
    event = await bus.publish(Work(n=1))
    consumer = EventConsumer(
        redis,
        "dlq",
        "c1",
        Handlers().on(Work, fail),
        stream=stream,
        block_ms=50,
        claim_idle_ms=0,
        max_attempts=3,
    )
    await consumer.ensure_group()
    for _ in range(5):
        await consumer.process_once()
    assert calls == [event.id] * 3
    dead = await redis.xrange(consumer.dead_letter_stream)
    assert [Event.from_json(fields[b"event"]).id for _, fields in dead] == [event.id]
    assert (await redis.xpending(stream, "dlq"))["pending"] == 0
    await redis.aclose()


async def test_every_live_listener_of_a_channel_hears_every_message(
    redis_server: RedisServer,
) -> None:
    live = LiveChannels(redis_server.url)
    await live.connect()
    heard = [0, 0, 0]

    async def listen(n: int) -> None:
        async for _ in live.listen("two-tabs"):
            heard[n] += 1

    listeners = [asyncio.create_task(listen(n)) for n in range(3)]  # starting together
    await asyncio.sleep(0.5)
    for _ in range(3):
        await live.publish("two-tabs", {"x": 1})

    async def all_heard() -> bool:
        return heard == [3, 3, 3]

    await wait_for(all_heard, 5)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    await live.disconnect()


async def test_a_poison_entry_mid_burst_is_dead_lettered_and_the_rest_flows(
    redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-poison-{uuid.uuid4().hex}"
    bus = EventBus(redis, producer="test", stream=stream)
    handled: list[int] = []

    async def handle(event: Received[Work]) -> None:
        handled.append(event.payload.n)

    good = Event.of(Work(n=0), "test").to_json()
    poison = {
        "not json": b"{nope",
        "no contract": good.replace('"test.work"', '"test.nobody-knows-this"'),
        "invalid payload": good.replace('"n": 0', '"n": "zero"'),
        "newer version": good.replace('"version": 1', '"version": 9'),
    }
    for n in range(40):
        await bus.publish(Work(n=n))
        if n == 20:
            for raw in poison.values():
                await redis.xadd(stream, {"event": raw})
            await redis.xadd(stream, {"something": "else"})
    # A crashed consumer left the first poison entry in its own pending list.
    consumer = EventConsumer(
        redis, "poison", "c1", Handlers().on(Work, handle), stream=stream, block_ms=10
    )
    await consumer.ensure_group()
    await redis.xreadgroup("poison", "c1", {stream: ">"}, count=30)
    await consumer.process_own_pending()  # must not raise
    while await consumer.process_once():
        pass

    assert sorted(handled) == list(range(40))
    dead = [fields for _, fields in await redis.xrange(consumer.dead_letter_stream)]
    reasons = [fields[b"reason"].decode() for fields in dead]
    assert len(reasons) == 5
    assert reasons[0].startswith("malformed envelope")
    assert reasons[1] == "no contract of this type"
    assert reasons[2].startswith("payload is not a valid test.work v1: n:")
    assert reasons[3].startswith("version 9 is newer than 1")
    assert "no event field" in reasons[4]
    assert (await redis.xpending(stream, "poison"))["pending"] == 0
    await redis.aclose()


async def test_trimming_keeps_what_a_lagging_group_has_not_acknowledged(
    redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-trim-{uuid.uuid4().hex}"
    bus = EventBus(redis, producer="test", stream=stream)

    async def handle(event: Received[Work]) -> None:
        pass

    work = Handlers().on(Work, handle)
    fast = EventConsumer(redis, "fast", "c1", work, stream=stream, retention_s=0)
    slow = EventConsumer(redis, "slow", "c1", work, stream=stream, retention_s=0)
    await fast.ensure_group()
    await slow.ensure_group()
    for n in range(10):
        await bus.publish(Work(n=n))
    await redis.xreadgroup("slow", "c1", {stream: ">"}, count=3)  # read 3, acknowledged none
    await redis.xack(stream, "slow", (await redis.xrange(stream, count=1))[0][0])
    while await fast.process_once():
        pass
    assert await fast.trim() == 1  # only the one entry both groups acknowledged
    assert await redis.xlen(stream) == 9
    while await slow.process_once():  # reads the 7 it had not read; 2 stay pending
        pass
    assert await slow.trim() == 0  # the oldest entries are the 2 pending ones
    assert await redis.xlen(stream) == 9
    for entry_id, _ in await redis.xrange(stream, count=2):
        await redis.xack(stream, "slow", entry_id)
    assert await slow.trim() == 9
    assert await redis.xlen(stream) == 0
    await redis.aclose()


async def test_acknowledged_events_stay_readable_for_the_retention_window(
    redis_server: RedisServer,
) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test-retain-{uuid.uuid4().hex}"
    bus = EventBus(redis, producer="test", stream=stream)

    async def handle(event: Received[Work]) -> None:
        pass

    consumer = EventConsumer(
        redis, "only", "c1", Handlers().on(Work, handle), stream=stream, retention_s=60
    )
    await consumer.ensure_group()
    for n in range(3):
        await bus.publish(Work(n=n))
    while await consumer.process_once():
        pass
    assert (await redis.xpending(stream, "only"))["pending"] == 0
    assert await consumer.trim() == 0  # all acknowledged, but published within the minute
    assert await redis.xlen(stream) == 3
    consumer.retention_s = 0
    assert await consumer.trim() == 3
    await redis.aclose()
