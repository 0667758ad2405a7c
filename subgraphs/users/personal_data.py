"""What the users subgraph holds about a user: the account, its tokens, sessions and audit.

The account, its one-time tokens and its sessions are erased when the saga opens
(deletion_store.py `delete_account`, `UserService.end_all_sessions`); the saga's
own records and the admin audit trail keep the account's id only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..common.personal_data import ERASE, KEEP, Holding, Inventory
from .store import AdminActionRow, OneTimeTokenRow, UserRow, UserStore
from .tokens import RefreshTokens

INVENTORY = Inventory(
    "users",
    (
        Holding(
            "account",
            "Email, display name, roles, preferences, sign-up and change times."
            " (The password hash is a secret: erased, never exported.)",
            ERASE,
            "The account itself.",
        ),
        Holding(
            "one_time_tokens",
            "Pending and used email-verification, password-reset and email-change links"
            " (their hashes are secrets: erased, never exported).",
            ERASE,
            "They name the account and, for an email change, an address.",
        ),
        Holding(
            "sessions",
            "Signed-in sessions (refresh-token families; the tokens are secrets).",
            ERASE,
            "Ended at once: the account can do nothing more.",
        ),
        Holding(
            "admin_actions",
            "What admins did to the account (roles, disabling), or what it did as an admin.",
            KEEP,
            "Admins answer for their actions: the trail keeps the account's id, which no"
            " longer leads to a name, an email or anything else.",
        ),
    ),
)


class UsersPersonalData:
    inventory = INVENTORY

    def __init__(self, store: UserStore, refresh: RefreshTokens) -> None:
        self.store = store
        self.refresh = refresh

    async def export(self, user_id: str) -> dict[str, Any]:
        user = await self.store.by_id(user_id)
        if user is None:
            return {name: None for name in INVENTORY.names}
        async with self.store.sessions() as session:
            tokens = await session.scalars(
                select(OneTimeTokenRow).where(OneTimeTokenRow.user_id == user.id)
            )
            actions = await session.scalars(
                select(AdminActionRow)
                .where((AdminActionRow.target_id == user.id) | (AdminActionRow.actor_id == user.id))
                .order_by(AdminActionRow.at)
            )
            return {
                "account": _columns(user),
                "one_time_tokens": [_columns(token) for token in tokens],
                "sessions": sorted(await self.refresh.families(user_id)),
                "admin_actions": [_columns(action) for action in actions],
            }


def _columns(row: UserRow | OneTimeTokenRow | AdminActionRow) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value
