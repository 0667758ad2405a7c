"""Persistence of the account-deletion saga: one row per deletion, one per subgraph step.

The account itself is deleted in the transaction that opens the saga, with the
request event in the outbox; each step is closed by its subgraph's report; a
deletion is complete when every step is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from ..common.events.contracts import AccountDeletionRequested
from ..common.events.outbox import SqlOutbox
from ..common.stores.sql import UTCDateTime
from .store import Base, OneTimeTokenRow, UserRow


class AccountDeletionRow(Base):
    """An account deleted by its owner; `completed_at` once every subgraph reported."""

    __tablename__ = "account_deletions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeletionStepRow(Base):
    """One subgraph's part of a deletion: when it was last asked, and when it reported."""

    __tablename__ = "account_deletion_steps"

    deletion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account_deletions.id", ondelete="CASCADE"), primary_key=True
    )
    subgraph: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=1)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erased: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class DeletionStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: SqlOutbox,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.reads = reads or sessions  # single-statement reads (common/stores/sql.py)

    async def delete_account(
        self, user_id: uuid.UUID, subgraphs: Sequence[str], now: datetime
    ) -> AccountDeletionRow:
        """Deletes the account and its tokens, and opens the saga with its request, at once."""
        deletion = AccountDeletionRow(id=uuid.uuid4(), user_id=user_id, requested_at=now)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(OneTimeTokenRow).where(OneTimeTokenRow.user_id == user_id))
            await session.execute(delete(UserRow).where(UserRow.id == user_id))
            session.add(deletion)
            await session.flush()
            session.add_all(
                DeletionStepRow(deletion_id=deletion.id, subgraph=name, requested_at=now)
                for name in subgraphs
            )
            await self.outbox.add(session, [_request(deletion.id, user_id, subgraphs)])
        self.outbox.wake()
        return deletion

    async def record_report(
        self, deletion_id: uuid.UUID, subgraph: str, erased: dict[str, int], now: datetime
    ) -> None:
        """Closes the subgraph's step (a repeated report changes nothing) and the deletion
        once no step is open."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(DeletionStepRow)
                .where(
                    DeletionStepRow.deletion_id == deletion_id,
                    DeletionStepRow.subgraph == subgraph,
                    DeletionStepRow.reported_at.is_(None),
                )
                .values(reported_at=now, erased=erased)
            )
            still_open = await session.scalar(
                select(func.count())
                .select_from(DeletionStepRow)
                .where(
                    DeletionStepRow.deletion_id == deletion_id,
                    DeletionStepRow.reported_at.is_(None),
                )
            )
            if not still_open:
                await session.execute(
                    update(AccountDeletionRow)
                    .where(
                        AccountDeletionRow.id == deletion_id,
                        AccountDeletionRow.completed_at.is_(None),
                    )
                    .values(completed_at=now)
                )

    async def request_again(self, asked_before: datetime, now: datetime) -> int:
        """Asks again every subgraph that has not reported since `asked_before`: one request
        per deletion, naming only those, in the outbox. How many deletions were retried.

        The update's condition makes replicas not ask twice: the second waits for the first
        one's row locks, then finds the steps asked recently."""
        retried = 0
        async with self.sessions() as session, session.begin():
            overdue = await session.execute(
                select(DeletionStepRow.deletion_id, AccountDeletionRow.user_id)
                .join(AccountDeletionRow, AccountDeletionRow.id == DeletionStepRow.deletion_id)
                .where(
                    DeletionStepRow.reported_at.is_(None),
                    DeletionStepRow.requested_at < asked_before,
                )
                .distinct()
            )
            for deletion_id, user_id in overdue.all():
                asked = await session.execute(
                    update(DeletionStepRow)
                    .where(
                        DeletionStepRow.deletion_id == deletion_id,
                        DeletionStepRow.reported_at.is_(None),
                        DeletionStepRow.requested_at < asked_before,
                    )
                    .values(requested_at=now, requests=DeletionStepRow.requests + 1)
                    .returning(DeletionStepRow.subgraph)
                )
                subgraphs = sorted(asked.scalars())
                if subgraphs:
                    await self.outbox.add(session, [_request(deletion_id, user_id, subgraphs)])
                    retried += 1
        if retried:
            self.outbox.wake()
        return retried

    async def deletions(
        self, user_id: uuid.UUID | None, pending_only: bool, limit: int
    ) -> list[tuple[AccountDeletionRow, list[DeletionStepRow]]]:
        """Deletions newest first, each with its steps."""
        query = select(AccountDeletionRow)
        if user_id is not None:
            query = query.where(AccountDeletionRow.user_id == user_id)
        if pending_only:
            query = query.where(AccountDeletionRow.completed_at.is_(None))
        query = query.order_by(AccountDeletionRow.requested_at.desc()).limit(limit)
        async with self.sessions() as session:
            rows = list(await session.scalars(query))
            steps = await session.scalars(
                select(DeletionStepRow)
                .where(DeletionStepRow.deletion_id.in_([r.id for r in rows]))
                .order_by(DeletionStepRow.subgraph)
            )
        by_deletion: dict[uuid.UUID, list[DeletionStepRow]] = {r.id: [] for r in rows}
        for step in steps:
            by_deletion[step.deletion_id].append(step)
        return [(row, by_deletion[row.id]) for row in rows]

    async def deleted_users(self, user_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """Those of `user_ids` whose account was deleted (every reference a subgraph makes
        to an unknown user asks: one statement, no transaction)."""
        async with self.reads() as session:
            found = await session.scalars(
                select(AccountDeletionRow.user_id).where(AccountDeletionRow.user_id.in_(user_ids))
            )
            return list(found)


def _request(
    deletion_id: uuid.UUID, user_id: uuid.UUID, subgraphs: Sequence[str]
) -> AccountDeletionRequested:
    return AccountDeletionRequested(
        deletion_id=str(deletion_id), user_id=str(user_id), subgraphs=list(subgraphs)
    )
