"""The transactional outbox: an event is committed with the change it announces.

A producer never XADDs from a request. It writes the event where it writes the
change, atomically: SQL subgraphs insert an `outbox` row in the same
transaction (`SqlOutbox.add`); MongoDB subgraphs push the event onto the changed
document's `pendingEvents` array in the same update (`pending_events`), since
FerretDB 1.x has no multi-document transactions. `OutboxRelay` then publishes
what is pending, in order, and removes it once on the stream. A Redis outage
only delays events; a crash between commit and XADD loses none (at-least-once:
a crash between XADD and removal sends an event twice, with the same id, which
consumers drop as a duplicate).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .contracts import Contract
from .envelope import Event, trace_context

Send = Callable[[Event, Mapping[str, str]], Awaitable[None]]
PENDING = "pendingEvents"  # the array of a MongoDB document's unpublished events


class Outbox(Protocol):
    wake: Callable[[], None]  # set by the relay: called after a commit that added events

    async def relay(self, send: Send, limit: int) -> int:
        """Publishes up to `limit` pending events in order, removes them; how many."""

    async def pending(self) -> int:
        """How many events wait to be published."""


# ---------------------------------------------------------------- SQL
def outbox_table(metadata: MetaData) -> Table:
    """The `outbox` table in a SQL subgraph's own metadata (and so in its migrations)."""
    return Table(
        "outbox",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("event_id", String(32), nullable=False),
        Column("type", String(100), nullable=False),
        Column("body", Text, nullable=False),  # Event.to_json()
        Column("trace", Text, nullable=False),  # the producer's W3C trace context, JSON
    )


class SqlOutbox:
    def __init__(
        self, table: Table, sessions: async_sessionmaker[AsyncSession], producer: str
    ) -> None:
        self.table = table
        self.sessions = sessions
        self.producer = producer
        self.wake: Callable[[], None] = lambda: None

    async def add(self, session: AsyncSession, contracts: Sequence[Contract]) -> None:
        """Adds events to the caller's open transaction: they commit (or not) with it."""
        trace = json.dumps(trace_context())
        for contract in contracts:
            event = Event.of(contract, self.producer)
            await session.execute(
                self.table.insert().values(
                    event_id=event.id, type=event.type, body=event.to_json(), trace=trace
                )
            )

    async def relay(self, send: Send, limit: int) -> int:
        t = self.table
        async with self.sessions() as session, session.begin():
            # FOR UPDATE (not SKIP LOCKED): a second replica waits, then finds them gone,
            # so events leave in commit order whatever the number of replicas.
            rows = (
                await session.execute(
                    select(t.c.seq, t.c.body, t.c.trace)
                    .order_by(t.c.seq)
                    .limit(limit)
                    .with_for_update()
                )
            ).all()
            sent: list[int] = []
            try:
                for seq, body, trace in rows:
                    await send(Event.from_json(body), json.loads(trace))
                    sent.append(seq)
            finally:  # what reached the stream is removed even when the rest could not
                if sent:
                    await session.execute(delete(t).where(t.c.seq.in_(sent)))
            return len(sent)

    async def pending(self) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(self.table)) or 0)


# ---------------------------------------------------------------- MongoDB
def pending_entries(producer: str, contracts: Sequence[Contract]) -> list[dict[str, Any]]:
    """The `pendingEvents` of a document inserted with these events."""
    trace = trace_context()
    return [
        {"id": event.id, "time": event.time, "event": event.to_json(), "trace": trace}
        for event in (Event.of(contract, producer) for contract in contracts)
    ]


def pending_events(producer: str, contracts: Sequence[Contract]) -> dict[str, Any]:
    """The `$push` of an update that also records these events on the changed document."""
    return {"$push": {PENDING: {"$each": pending_entries(producer, contracts)}}}


Finish = Callable[[Any], Awaitable[object]]


PENDING_ID = f"{PENDING}.id"
WAITING = {PENDING_ID: {"$exists": True}}  # a document with at least one pending event


class MongoOutbox:
    """The `pendingEvents` of the documents of some collections.

    `finish` names collections of tombstones (a deletion's events live on a
    document of their own, written before the deletion): before publishing from
    one, the relay completes that deletion (idempotent), in case a crash cut it short.
    """

    def __init__(self, collections: Sequence[Any], finish: Mapping[str, Finish] = {}) -> None:
        self.collections = collections
        self.finish = finish
        self.wake: Callable[[], None] = lambda: None

    async def ensure_indexes(self) -> None:
        """A sparse index per collection over the pending events' ids: the relay's poll
        (every second, in every replica) reads only documents with events waiting,
        not the whole collection."""
        for collection in self.collections:
            await collection.create_index(PENDING_ID, name="pending_events", sparse=True)

    async def relay(self, send: Send, limit: int) -> int:
        entries: list[tuple[Any, Any, dict[str, Any]]] = []
        for collection in self.collections:
            cursor = collection.find(WAITING, {PENDING: 1}).limit(limit)
            async for doc in cursor:
                entries += [(collection, doc["_id"], entry) for entry in doc[PENDING]]
        entries.sort(key=lambda item: item[2]["time"])
        sent = 0
        for collection, doc_id, entry in entries[:limit]:
            if collection.name in self.finish:
                await self.finish[collection.name](doc_id)
            await send(Event.from_json(entry["event"]), entry.get("trace") or {})
            # The entry exactly as read (FerretDB 1.x has no $pull by condition).
            pulled = await collection.update_one({"_id": doc_id}, {"$pull": {PENDING: entry}})
            sent += pulled.modified_count  # 0: another relay got there first
        return sent

    async def pending(self) -> int:
        total = 0
        for collection in self.collections:
            async for doc in collection.find(WAITING, {PENDING: 1}):
                total += len(doc[PENDING])
        return total
