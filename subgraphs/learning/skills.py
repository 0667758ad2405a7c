"""Which skill ids exist: learning stores nothing about a skill the skills subgraph does not know.

The rules live in `common.known_skills`; this is learning's projection of
known skill ids, in its SQL database (`known_skills`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.clock import utcnow
from ..common.gateway_client import GatewayClient
from ..common.known_skills import SkillChecker, SkillDirectory, SkillsUnavailable
from .store import insert_ignoring_conflicts, insert_or_update
from .tables import KnownSkillRow

__all__ = ["SkillChecker", "SkillDirectory", "SkillsUnavailable", "SqlKnownSkills", "directory"]


class SqlKnownSkills:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def known(self, skill_ids: Sequence[str]) -> dict[str, bool]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(KnownSkillRow.id, KnownSkillRow.deleted).where(
                    KnownSkillRow.id.in_(skill_ids)
                )
            )
            return {skill_id: bool(deleted) for skill_id, deleted in rows.all()}

    async def mark(self, skill_id: str, *, deleted: bool) -> None:
        values = {"id": skill_id, "deleted": deleted, "updated_at": utcnow()}
        async with self.sessions() as session, session.begin():
            await session.execute(insert_or_update(session, KnownSkillRow, values, key=["id"]))

    async def remember(self, skill_ids: set[str]) -> None:
        if not skill_ids:
            return
        async with self.sessions() as session, session.begin():
            for skill_id in skill_ids:  # never resurrects one marked deleted meanwhile
                values = {"id": skill_id, "deleted": False, "updated_at": utcnow()}
                await session.execute(insert_ignoring_conflicts(session, KnownSkillRow, values))


def directory(sessions: async_sessionmaker[AsyncSession], gateway: GatewayClient) -> SkillDirectory:
    """Learning's skill directory: its SQL projection, the gateway for ids not heard of."""
    return SkillDirectory(SqlKnownSkills(sessions), gateway)
