"""Which skill ids exist: learning stores nothing about a skill the skills subgraph does not know.

The directory keeps a projection of known skill ids, learned from `skill.created`
and marked on `skill.deleted`; an id it has not heard of is asked of the gateway
(one query per check, however many ids) and kept when the answer is yes.
Negative answers are not kept: the skill may be created a moment later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.clock import utcnow
from ..common.errors import AppError, NotFound
from ..common.events import Received
from ..common.events.contracts import SkillCreated
from ..common.gateway_client import GatewayClient, GatewayUnavailable
from .store import insert_ignoring_conflicts, insert_or_update
from .tables import KnownSkillRow

log = logging.getLogger("skill_circle.learning.skills")

MISSING_CODES = {"NOT_FOUND", "BAD_USER_INPUT"}  # an error that means "no such skill"


class SkillsUnavailable(AppError):
    """The skills subgraph could not say whether a skill exists (a genuine outage)."""

    def __init__(self) -> None:
        super().__init__("The skills service is unavailable; try again later", service="skills")


class SkillChecker(Protocol):
    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        """Returns when every id names an existing skill; NotFound for the first that does not."""


class SkillDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], gateway: GatewayClient) -> None:
        self.sessions = sessions
        self.gateway = gateway

    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(skill_ids))
        known = await self._known(wanted)
        for skill_id in wanted:
            if known.get(skill_id) is True:  # deleted: the skills subgraph said so
                raise NotFound("Skill", skill_id)
        unknown = [s for s in wanted if s not in known]
        if not unknown:
            return
        existing = await self._ask_gateway(unknown)
        await self._remember(existing)
        for skill_id in unknown:
            if skill_id not in existing:
                raise NotFound("Skill", skill_id)

    async def on_skill_created(self, event: Received[SkillCreated]) -> None:
        await self.mark(event.payload.skill_id, deleted=False)

    async def mark(self, skill_id: str, *, deleted: bool) -> None:
        values = {"id": skill_id, "deleted": deleted, "updated_at": utcnow()}
        async with self.sessions() as session, session.begin():
            await session.execute(insert_or_update(session, KnownSkillRow, values, key=["id"]))

    async def _known(self, skill_ids: Sequence[str]) -> dict[str, bool]:
        """Known ids -> whether deleted."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(KnownSkillRow.id, KnownSkillRow.deleted).where(
                    KnownSkillRow.id.in_(skill_ids)
                )
            )
            return {skill_id: bool(deleted) for skill_id, deleted in rows.all()}

    async def _remember(self, skill_ids: set[str]) -> None:
        if not skill_ids:
            return
        async with self.sessions() as session, session.begin():
            for skill_id in skill_ids:  # never resurrects one marked deleted meanwhile
                values = {"id": skill_id, "deleted": False, "updated_at": utcnow()}
                await session.execute(insert_ignoring_conflicts(session, KnownSkillRow, values))

    async def _ask_gateway(self, skill_ids: Sequence[str]) -> set[str]:
        """The ids among `skill_ids` the skills subgraph has; SkillsUnavailable if it cannot say."""
        aliases = {f"s{i}": skill_id for i, skill_id in enumerate(skill_ids)}
        params = ", ".join(f"${a}: ID!" for a in aliases)
        fields = " ".join(f"{a}: skill(id: ${a}) {{ id }}" for a in aliases)
        try:
            body = await self.gateway.query(f"query({params}) {{ {fields} }}", aliases)
        except GatewayUnavailable as exc:
            log.error("cannot check skills %s: gateway unreachable: %s", list(skill_ids), exc)
            raise SkillsUnavailable() from exc
        data: dict[str, Any] = body.get("data") or {}
        failed = _failed_aliases(body.get("errors") or [])
        existing: set[str] = set()
        for alias, skill_id in aliases.items():
            found = data.get(alias)
            if isinstance(found, dict) and found.get("id") is not None:
                existing.add(skill_id)
            elif alias not in data or alias in failed or "*" in failed:
                log.error("cannot check skill %s: gateway answered %s", skill_id, body)
                raise SkillsUnavailable()
        return existing


def _failed_aliases(errors: list[dict[str, Any]]) -> set[str]:
    """Aliases whose resolution failed for a reason other than 'no such skill'."""
    failed: set[str] = set()
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        path = error.get("path") or []
        if code in MISSING_CODES:
            continue
        if path:
            failed.add(str(path[0]))
        else:
            failed.add("*")
    return failed
