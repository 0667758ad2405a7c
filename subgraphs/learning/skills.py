"""Which skills exist, and what the dashboard shows of them, as learning knows it.

The directory keeps a projection of known skills: id, name, level and
category, learned from `skill.created` / `skill.updated` and marked on
`skill.deleted`. Learning stores nothing about a skill the skills subgraph
does not know: an id it has not heard of is asked of the gateway (one query per
check, however many ids) and kept when the answer is yes. Negative answers are
not kept: the skill may be created a moment later.

With the names here, learning answers `Skill { name level category { name } }`
itself (the fields are shareable with the skills subgraph), so a dashboard
needs no hop to skills. Staleness: a rename reaches this projection with the
skill.updated event, i.e. within one event delivery (the learning consumer's
lag, `events_consumer_lag{group="learning"}`; normally well under a second).
Events may be handled out of order across learning replicas: a row only takes
details newer than the ones it holds (`updated_at`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.clock import utcnow
from ..common.errors import NotFound
from ..common.events import Handlers, Received
from ..common.events.contracts import SkillChanged, SkillCreated, SkillUpdated
from ..common.gateway_client import GatewayClient, GatewayUnavailable
from ..common.known_skills import SkillChecker, SkillsUnavailable
from .store import insert_ignoring_conflicts, insert_or_update
from .tables import KnownSkillRow

log = logging.getLogger("skill_circle.learning.skills")

__all__ = ["SkillChecker", "SkillDetails", "SkillDirectory", "SkillsUnavailable", "directory"]


@dataclass(frozen=True)
class SkillDetails:
    """What learning shows of a skill owned by the skills subgraph."""

    id: str
    name: str
    level: str
    category_id: str
    category_name: str

    @classmethod
    def of(cls, event: SkillChanged) -> SkillDetails | None:
        """From a skill event; None for one sent before events carried level and category."""
        if event.level is None or event.category_id is None:
            return None
        return cls(
            event.skill_id, event.name, event.level, event.category_id, event.category_name or ""
        )

    def columns(self) -> dict[str, str]:
        return {
            "name": self.name,
            "level": self.level,
            "category_id": self.category_id,
            "category_name": self.category_name,
        }


DETAILS = "id name level category { id name }"


class SkillDirectory:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gateway: GatewayClient,
        reads: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.sessions = sessions
        self.reads = reads or sessions
        self.gateway = gateway
        # Details already read or heard, with the time they are as of: every dashboard
        # shows skill names, so they are served from memory after the first read. The
        # event tail (`tail_handlers`) updates them in every replica; the newest wins,
        # whichever arrives first (a slow read never overwrites a newer event).
        self._memory: dict[str, tuple[datetime, SkillDetails]] = {}

    def held(self, skill_id: str) -> SkillDetails | None:
        """The details of `skill_id` already in memory (no I/O), else None."""
        held = self._memory.get(skill_id)
        return held[1] if held is not None else None

    def tail_handlers(self) -> Handlers:
        """skill.created / skill.updated for this replica's memory (every replica hears all)."""
        return Handlers().on(SkillCreated, self._heard_skill).on(SkillUpdated, self._heard_skill)

    async def _heard_skill(self, event: Received[SkillCreated | SkillUpdated]) -> None:
        details = SkillDetails.of(event.payload)
        if details is not None:
            self._keep(details, event.time)

    def _keep(self, details: SkillDetails, as_of: datetime) -> None:
        held = self._memory.get(details.id)
        if held is None or held[0] <= as_of:
            self._memory[details.id] = (as_of, details)

    async def missing(self, skill_ids: Sequence[str]) -> list[str]:
        """The ids among `skill_ids` that name no existing skill, in order."""
        wanted = list(dict.fromkeys(skill_ids))
        if not wanted:
            return []
        known = await self._known(wanted)
        unknown = [s for s in wanted if s not in known]
        existing = await self._ask_gateway(unknown) if unknown else {}
        await self._remember(existing.values())
        return [s for s in wanted if known.get(s) is True or (s in unknown and s not in existing)]

    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        gone = await self.missing(skill_ids)
        if gone:
            raise NotFound("Skill", gone[0])

    async def details(self, skill_ids: Sequence[str]) -> list[SkillDetails]:
        """Name, level and category of each skill: from the projection, and for the ones it
        lacks (skills known before their events carried names) from the gateway, once."""
        wanted = list(dict.fromkeys(skill_ids))
        found: dict[str, SkillDetails | None] = {
            s: self._memory[s][1] for s in wanted if s in self._memory
        }
        unread = [s for s in wanted if s not in found]
        if unread:
            async with self.reads() as session:
                rows = await session.scalars(
                    select(KnownSkillRow).where(KnownSkillRow.id.in_(unread))
                )
                for row in rows:
                    found[row.id] = details = _details(row)
                    if details is not None:
                        self._keep(details, row.updated_at)
        missing = [s for s in wanted if found.get(s) is None]
        if missing:
            answered = await self._ask_gateway(missing)
            await self._remember(answered.values())
            found.update(answered)
        return [d for s in wanted if (d := found.get(s)) is not None]

    async def on_skill_changed(self, event: Received[SkillCreated | SkillUpdated]) -> None:
        """skill.created / skill.updated: its details as of the event."""
        details = SkillDetails.of(event.payload)
        if details is None:  # an older producer: the skill exists; details come on first read
            await self.mark(event.payload.skill_id, deleted=False, at=event.time)
            return
        self._keep(details, event.time)
        values = {"id": details.id, "deleted": False, "updated_at": event.time, **details.columns()}
        async with self.sessions() as session, session.begin():
            await session.execute(
                insert_or_update(
                    session,
                    KnownSkillRow,
                    values,
                    key=["id"],
                    where=KnownSkillRow.updated_at <= event.time,  # never older over newer
                )
            )

    async def mark(self, skill_id: str, *, deleted: bool, at: datetime | None = None) -> None:
        values = {"id": skill_id, "deleted": deleted, "updated_at": at or utcnow()}
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

    async def _remember(self, answers: Iterable[SkillDetails]) -> None:
        async with self.sessions() as session, session.begin():
            for details in answers:  # never resurrects one marked deleted meanwhile
                now = utcnow()
                self._keep(details, now)
                values = {"id": details.id, "deleted": False, "updated_at": now}
                await session.execute(
                    insert_ignoring_conflicts(session, KnownSkillRow, values | details.columns())
                )
                await session.execute(  # a row known before events carried names
                    update(KnownSkillRow)
                    .where(
                        KnownSkillRow.id == details.id,
                        or_(KnownSkillRow.name.is_(None), KnownSkillRow.level.is_(None)),
                    )
                    .values(updated_at=now, **details.columns())
                )

    async def _ask_gateway(self, skill_ids: Sequence[str]) -> dict[str, SkillDetails]:
        """The skills among `skill_ids` the skills subgraph has, with their details;
        SkillsUnavailable if it cannot say."""
        try:
            found = await self.gateway.lookup("skill", skill_ids, DETAILS)
        except GatewayUnavailable as exc:
            log.error("cannot check skills %s: %s", list(skill_ids), exc)
            raise SkillsUnavailable() from exc
        return {
            skill_id: SkillDetails(
                skill_id,
                str(skill.get("name") or ""),
                str(skill.get("level") or ""),
                str((skill.get("category") or {}).get("id") or ""),
                str((skill.get("category") or {}).get("name") or ""),
            )
            for skill_id, skill in found.items()
        }


def _details(row: KnownSkillRow) -> SkillDetails | None:
    if row.name is None or row.level is None:
        return None
    return SkillDetails(row.id, row.name, row.level, row.category_id or "", row.category_name or "")


def directory(
    sessions: async_sessionmaker[AsyncSession],
    gateway: GatewayClient,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> SkillDirectory:
    """Learning's skill directory: its SQL projection (ids and the details the dashboard
    shows), the gateway for ids not heard of."""
    return SkillDirectory(sessions, gateway, reads)
