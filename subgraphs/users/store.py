"""Persistence of accounts and one-time tokens (SQLAlchemy 2 async)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    Uuid,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
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
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OneTimeTokenRow(Base):
    """A single-use, expiring token (email verification or change, password reset), hashed."""

    __tablename__ = "one_time_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # change_email: the address the account moves to once this token is used
    new_email: Mapped[str | None] = mapped_column(String(320), nullable=True)


class AdminActionRow(Base):
    """One thing an admin did to an account: the audit trail admins read."""

    __tablename__ = "admin_actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    actor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[uuid.UUID] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class EmailTaken(Exception):
    pass


OUTBOX = outbox_table(Base.metadata)

# The events a committed change announces, from the account as it now stands.
Announce = Callable[["UserRow"], Sequence[Contract]]
EmailAnnounce = Callable[["UserRow", str], Sequence[Contract]]  # the user, the previous email


class UserStore:
    """Accounts and tokens; every change commits with the events it announces (the outbox)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        producer: str,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # single-statement reads (read_session_factory)
        self.outbox = SqlOutbox(OUTBOX, sessions, producer)

    async def by_ids(self, ids: Sequence[str]) -> list[UserRow]:
        keys = [_uuid(i) for i in ids]
        wanted = [k for k in keys if k is not None]
        if not wanted:
            return []
        async with self.reads() as session:
            result = await session.scalars(select(UserRow).where(UserRow.id.in_(wanted)))
            return list(result)

    async def by_id(self, user_id: str) -> UserRow | None:
        found = await self.by_ids([user_id])
        return found[0] if found else None

    async def by_email(self, email: str) -> UserRow | None:
        async with self.reads() as session:
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

    async def page(
        self,
        search: str | None,
        role: str | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> tuple[list[UserRow], int, bool]:
        """Accounts in sign-up order whose email or name contains `search` and who hold
        `role`: (page, total, has_next_page)."""
        conditions = []
        if search:
            term = search.lower()
            conditions.append(
                or_(
                    func.lower(UserRow.email).contains(term, autoescape=True),
                    func.lower(UserRow.display_name).contains(term, autoescape=True),
                )
            )
        if role:
            conditions.append(cast(UserRow.roles, String).contains(f'"{role}"', autoescape=True))
        async with self.sessions() as session:
            total = await session.scalar(
                select(func.count()).select_from(UserRow).where(*conditions)
            )
            query = select(UserRow).where(*conditions)
            if after is not None:
                query = query.where(_row_value(UserRow.created_at, UserRow.id) > _values(after))
            order = (UserRow.created_at, UserRow.id)
            rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
        return rows[:limit], int(total or 0), len(rows) > limit

    async def record_action(self, row: AdminActionRow) -> None:
        async with self.sessions() as session:
            session.add(row)
            await session.commit()

    async def actions(
        self, target_id: uuid.UUID | None, before: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> tuple[list[AdminActionRow], int, bool]:
        """Admin actions, newest first (optionally on one account)."""
        conditions = [AdminActionRow.target_id == target_id] if target_id else []
        async with self.sessions() as session:
            total = await session.scalar(
                select(func.count()).select_from(AdminActionRow).where(*conditions)
            )
            query = select(AdminActionRow).where(*conditions)
            if before is not None:
                query = query.where(
                    _row_value(AdminActionRow.at, AdminActionRow.id) < _values(before)
                )
            order = (AdminActionRow.at.desc(), AdminActionRow.id.desc())
            rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
        return rows[:limit], int(total or 0), len(rows) > limit

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
            used = await _use_token(session, token_hash, purpose, now)
            await session.commit()
            return used[0] if used else None

    async def change_email(
        self, token_hash: str, purpose: str, now: datetime, announce: EmailAnnounce
    ) -> UserRow | None:
        """Uses an email-change token and moves its account to the token's new address,
        verified, in one transaction with the announcing events; None for a bad token,
        EmailTaken (nothing changed, the token still usable) when the address was taken."""
        async with self.sessions() as session:
            used = await _use_token(session, token_hash, purpose, now)
            if used is None or used[1] is None:
                return None
            user_id, new_email = used
            row = await session.get(UserRow, user_id)
            assert row is not None  # tokens go with their account (ON DELETE CASCADE)
            previous = row.email
            try:
                await session.execute(
                    update(UserRow)
                    .where(UserRow.id == user_id)
                    .values(email=new_email, email_verified=True)
                )
                await session.refresh(row)
                await self.outbox.add(session, announce(row, previous))
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise EmailTaken(new_email) from exc
            self.outbox.wake()
            return row


async def _use_token(
    session: AsyncSession, token_hash: str, purpose: str, now: datetime
) -> tuple[uuid.UUID, str | None] | None:
    """Marks an unused, unexpired token used in the caller's transaction: (user id, new email)."""
    result = await session.execute(
        update(OneTimeTokenRow)
        .where(
            OneTimeTokenRow.token_hash == token_hash,
            OneTimeTokenRow.purpose == purpose,
            OneTimeTokenRow.used_at.is_(None),
            OneTimeTokenRow.expires_at > now,
        )
        .values(used_at=now)
        .returning(OneTimeTokenRow.user_id, OneTimeTokenRow.new_email)
    )
    found = result.one_or_none()
    return (found[0], found[1]) if found else None


def _row_value(at: Any, id: Any) -> Any:
    return tuple_(at, id)


def _values(position: tuple[datetime, uuid.UUID]) -> Any:
    """A cursor position as typed SQL values (UTCDateTime stores its own way on SQLite)."""
    return tuple_(literal(position[0], UTCDateTime()), literal(position[1], Uuid()))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
