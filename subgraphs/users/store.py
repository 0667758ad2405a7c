"""Persistence of accounts and one-time tokens (SQLAlchemy 2 async)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..common.clock import utcnow
from ..common.events import Contract
from ..common.events.outbox import SqlOutbox, outbox_table
from ..common.stores.sql import UTCDateTime


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(80))
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["LEARNER"])
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    theme: Mapped[str] = mapped_column(String(16), default="system")
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    sms_notifications: Mapped[bool] = mapped_column(Boolean, default=False)
    push_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OneTimeTokenRow(Base):
    """A single-use, expiring token (email verification, password reset), stored hashed."""

    __tablename__ = "one_time_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EmailTaken(Exception):
    pass


OUTBOX = outbox_table(Base.metadata)

# The events a committed change announces, from the account as it now stands.
Announce = Callable[["UserRow"], Sequence[Contract]]


class UserStore:
    """Accounts and tokens; every change commits with the events it announces (the outbox)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str) -> None:
        self.sessions = sessions
        self.outbox = SqlOutbox(OUTBOX, sessions, producer)

    async def by_ids(self, ids: Sequence[str]) -> list[UserRow]:
        keys = [_uuid(i) for i in ids]
        wanted = [k for k in keys if k is not None]
        if not wanted:
            return []
        async with self.sessions() as session:
            result = await session.scalars(select(UserRow).where(UserRow.id.in_(wanted)))
            return list(result)

    async def by_id(self, user_id: str) -> UserRow | None:
        found = await self.by_ids([user_id])
        return found[0] if found else None

    async def by_email(self, email: str) -> UserRow | None:
        async with self.sessions() as session:
            return await session.scalar(select(UserRow).where(UserRow.email == email))

    async def add(
        self,
        row: UserRow,
        *,
        token: OneTimeTokenRow | None = None,
        announce: Announce | None = None,
    ) -> UserRow:
        """Adds the account, with its first one-time token and its events, in one transaction."""
        async with self.sessions() as session:
            session.add(row)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise EmailTaken(row.email) from exc
            if token is not None:
                token.user_id = row.id
                session.add(token)
            await self._commit(session, row, announce)
            await session.refresh(row)
            return row

    async def change(
        self, user_id: uuid.UUID, *, announce: Announce | None = None, **values: object
    ) -> UserRow:
        async with self.sessions() as session:
            await session.execute(update(UserRow).where(UserRow.id == user_id).values(**values))
            row = await session.get(UserRow, user_id, populate_existing=True)
            assert row is not None
            await self._commit(session, row, announce)
            return row

    async def add_token(
        self, row: OneTimeTokenRow, user: UserRow, announce: Announce | None = None
    ) -> None:
        async with self.sessions() as session:
            session.add(row)
            await self._commit(session, user, announce)

    async def _commit(
        self, session: AsyncSession, user: UserRow, announce: Announce | None
    ) -> None:
        if announce is None:
            await session.commit()
            return
        await self.outbox.add(session, announce(user))
        await session.commit()
        self.outbox.wake()

    async def use_token(self, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        """Marks an unused, unexpired token used; its user id, or None. Atomic."""
        async with self.sessions() as session:
            result = await session.execute(
                update(OneTimeTokenRow)
                .where(
                    OneTimeTokenRow.token_hash == token_hash,
                    OneTimeTokenRow.purpose == purpose,
                    OneTimeTokenRow.used_at.is_(None),
                    OneTimeTokenRow.expires_at > now,
                )
                .values(used_at=now)
                .returning(OneTimeTokenRow.user_id)
            )
            user_id = result.scalar_one_or_none()
            await session.commit()
            return user_id


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
