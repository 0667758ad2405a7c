"""Which skill ids exist, for a subgraph that links to skills it does not own.

A subgraph keeps a projection of known skill ids, learned from `skill.created`
and marked on `skill.deleted`; an id it has not heard of is asked of the gateway
(one query per check, however many ids) and kept when the answer is yes.
Negative answers are not kept: the skill may be created a moment later.
Each subgraph stores the projection in its own store (`KnownSkillStore`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from .errors import AppError, NotFound
from .events import Received
from .events.contracts import SkillCreated
from .gateway_client import GatewayClient, GatewayUnavailable

log = logging.getLogger("skill_circle.known_skills")


class SkillsUnavailable(AppError):
    """The skills subgraph could not say whether a skill exists (a genuine outage)."""

    def __init__(self) -> None:
        super().__init__("The skills service is unavailable; try again later", service="skills")


class SkillChecker(Protocol):
    async def missing(self, skill_ids: Sequence[str]) -> list[str]:
        """The ids among `skill_ids` that name no existing skill, in order."""

    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        """Returns when every id names an existing skill; NotFound for the first that does not."""


class KnownSkillStore(Protocol):
    async def known(self, skill_ids: Sequence[str]) -> dict[str, bool]:
        """Known ids -> whether deleted."""

    async def mark(self, skill_id: str, *, deleted: bool) -> None:
        """Records `skill_id` as existing or deleted (an event said so)."""

    async def remember(self, skill_ids: set[str]) -> None:
        """Records ids the gateway vouched for; never resurrects one marked deleted."""


class SkillDirectory:
    def __init__(self, store: KnownSkillStore, gateway: GatewayClient) -> None:
        self.store = store
        self.gateway = gateway

    async def missing(self, skill_ids: Sequence[str]) -> list[str]:
        wanted = list(dict.fromkeys(skill_ids))
        if not wanted:
            return []
        known = await self.store.known(wanted)
        unknown = [s for s in wanted if s not in known]
        existing = await self._ask_gateway(unknown) if unknown else set()
        await self.store.remember(existing)
        return [s for s in wanted if known.get(s) is True or (s in unknown and s not in existing)]

    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        gone = await self.missing(skill_ids)
        if gone:
            raise NotFound("Skill", gone[0])

    async def on_skill_created(self, event: Received[SkillCreated]) -> None:
        await self.mark(event.payload.skill_id, deleted=False)

    async def mark(self, skill_id: str, *, deleted: bool) -> None:
        await self.store.mark(skill_id, deleted=deleted)

    async def _ask_gateway(self, skill_ids: Sequence[str]) -> set[str]:
        """The ids among `skill_ids` the skills subgraph has; SkillsUnavailable if it cannot say."""
        try:
            return set(await self.gateway.lookup("skill", skill_ids, "id"))
        except GatewayUnavailable as exc:
            log.error("cannot check skills %s: %s", list(skill_ids), exc)
            raise SkillsUnavailable() from exc
