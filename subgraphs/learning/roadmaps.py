"""What this subgraph knows of the skills subgraph's roadmaps: their ordered skill ids.

Learned from `roadmap.created` (and `roadmap.updated`: steps reordered) events;
when a roadmap is asked for before its event arrived, the catalogue asks the
gateway for every roadmap and keeps them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..common.clock import utcnow
from ..common.events import Received
from ..common.events.contracts import RoadmapChanged
from ..common.gateway_client import GatewayClient, GatewayUnavailable
from .store import insert_or_update
from .tables import RoadmapRow

log = logging.getLogger("skill_circle.learning.roadmaps")

ROADMAPS_QUERY = "{ roadmaps { id slug steps { position skill { id } } } }"
REFRESH_INTERVAL_SECONDS = 2.0  # lookups of made-up ids must not become a stream of fetches


class RoadmapCatalog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], gateway: GatewayClient) -> None:
        self.sessions = sessions
        self.gateway = gateway
        self._refresh_lock = asyncio.Lock()
        self._refreshed_at = float("-inf")

    async def skill_ids(self, roadmap_id: str) -> list[str] | None:
        """The roadmap's skill ids in step order, or None when no such roadmap exists."""
        found = await self._stored(roadmap_id)
        if found is not None:
            return found
        async with self._refresh_lock:  # concurrent misses share one fetch
            found = await self._stored(roadmap_id)
            if found is None and time.monotonic() - self._refreshed_at >= REFRESH_INTERVAL_SECONDS:
                self._refreshed_at = time.monotonic()
                if await self._refresh_from_gateway():
                    found = await self._stored(roadmap_id)
        return found

    async def remember(self, roadmap_id: str, slug: str, skill_ids: list[str]) -> None:
        values = {"id": roadmap_id, "slug": slug, "skill_ids": skill_ids, "updated_at": utcnow()}
        async with self.sessions() as session, session.begin():
            await session.execute(insert_or_update(session, RoadmapRow, values, key=["id"]))

    async def on_roadmap_changed(self, event: Received[RoadmapChanged]) -> None:
        roadmap = event.payload
        await self.remember(roadmap.roadmap_id, roadmap.slug, list(roadmap.skill_ids))

    async def _stored(self, roadmap_id: str) -> list[str] | None:
        async with self.sessions() as session:
            row = await session.get(RoadmapRow, roadmap_id)
            return list(row.skill_ids) if row else None

    async def _refresh_from_gateway(self) -> bool:
        try:
            body = await self.gateway.query(ROADMAPS_QUERY)
        except GatewayUnavailable as exc:
            log.warning("could not fetch roadmaps from the gateway: %s", exc)
            return False
        roadmaps: list[dict[str, Any]] = (body.get("data") or {}).get("roadmaps") or []
        for roadmap in roadmaps:
            steps = sorted(roadmap.get("steps") or [], key=lambda step: step["position"])
            await self.remember(
                str(roadmap["id"]),
                roadmap.get("slug") or "",
                [str(s["skill"]["id"]) for s in steps],
            )
        return bool(roadmaps)
