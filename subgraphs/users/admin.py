"""What admins do to accounts: find them, change roles, disable and enable them; every
change is recorded in the audit trail (`admin_actions`), which admins read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from ..common.auth import ROLES, Viewer
from ..common.clock import utcnow
from ..common.errors import BadUserInput, Conflict
from ..common.pagination import decode_cursor, page_size
from .service import UserService
from .store import AdminActionRow, UserRow, UserStore

T = TypeVar("T")

SET_ROLES = "SET_ROLES"
DISABLE = "DISABLE"
ENABLE = "ENABLE"
MAX_SEARCH = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[list[str]]  # each item's position: [ISO time, id]
    total_count: int
    has_next_page: bool


class AdminService:
    def __init__(self, store: UserStore, users: UserService) -> None:
        self.store = store
        self.users = users

    async def find_users(
        self, search: str | None, role: str | None, first: int | None, after: str | None
    ) -> Page[UserRow]:
        term = (search or "").strip()
        if len(term) > MAX_SEARCH:
            raise BadUserInput("search", f"search must be at most {MAX_SEARCH} characters")
        if role is not None and role not in ROLES:
            raise BadUserInput("role", "unknown role")
        rows, total, more = await self.store.page(
            term or None, role, _position(after), page_size(first)
        )
        return Page(rows, [_cursor(r.created_at, r.id) for r in rows], total, more)

    async def set_roles(self, admin: Viewer, user_id: str, roles: list[str]) -> UserRow:
        before = await self.users.existing(user_id)
        user = await self.users.set_roles(user_id, roles)
        await self._record(admin, SET_ROLES, user, {"from": before.roles, "to": user.roles})
        return user

    async def disable(self, admin: Viewer, user_id: str) -> UserRow:
        """The account cannot log in or refresh; every session of it ends now."""
        user = await self.users.existing(user_id)
        if str(user.id) == admin.user_id:
            raise Conflict("Admins cannot disable their own account")
        if user.disabled_at is None:
            user = await self.store.change(user.id, disabled_at=utcnow())
            await self._record(admin, DISABLE, user, {})
        await self.users.end_all_sessions(str(user.id))
        return user

    async def enable(self, admin: Viewer, user_id: str) -> UserRow:
        user = await self.users.existing(user_id)
        if user.disabled_at is not None:
            user = await self.store.change(user.id, disabled_at=None)
            await self._record(admin, ENABLE, user, {})
        return user

    async def audit_trail(
        self, target_id: str | None, first: int | None, after: str | None
    ) -> Page[AdminActionRow]:
        target = _uuid_or_none(target_id, "userId") if target_id is not None else None
        rows, total, more = await self.store.actions(target, _position(after), page_size(first))
        return Page(rows, [_cursor(r.at, r.id) for r in rows], total, more)

    async def _record(
        self, admin: Viewer, action: str, target: UserRow, details: dict[str, Any]
    ) -> None:
        actor = _uuid_or_none(admin.user_id, "actor")
        assert actor is not None
        await self.store.record_action(
            AdminActionRow(
                actor_id=actor, action=action, target_id=target.id, details=details, at=utcnow()
            )
        )


def _cursor(at: datetime, id: uuid.UUID) -> list[str]:
    return [at.isoformat(), str(id)]


def _position(after: str | None) -> tuple[datetime, uuid.UUID] | None:
    position = decode_cursor(after)
    if position is None:
        return None
    try:
        at, id = position
        return datetime.fromisoformat(at), uuid.UUID(id)
    except (TypeError, ValueError) as exc:
        raise BadUserInput("after", "Invalid cursor") from exc


def _uuid_or_none(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise BadUserInput(field, "not a user id") from exc
