"""What the visualization subgraph holds about a user: cached drawings of their progress,
and the percents last shown to them in a chart "since the last visit".

Its store is Redis itself, as is the stream: the erasure runs first, then
`account.data_erased` is published; a crash in between leaves the request to
be redelivered.
"""

from __future__ import annotations

from typing import Any

from ..common.events import EventBus
from ..common.events.contracts import AccountDataErased
from ..common.personal_data import ERASE, Holding, Inventory
from .cache import SvgCache
from .seen import SeenProgress

INVENTORY = Inventory(
    "visualization",
    (
        Holding(
            "drawings",
            "Cached SVG charts of the user's progress and learning paths (their keys).",
            ERASE,
            "Renders of the user's learning data; learning erases the data itself.",
        ),
        Holding(
            "seen_progress",
            "The percent per skill last shown to the user in a chart since their last visit.",
            ERASE,
            "What the next such chart animates from; kept 180 days after the last visit.",
        ),
    ),
)


class VisualizationPersonalData:
    inventory = INVENTORY

    def __init__(self, cache: SvgCache, seen: SeenProgress, bus: EventBus) -> None:
        self.cache = cache
        self.seen = seen
        self.bus = bus

    async def export(self, user_id: str) -> dict[str, Any]:
        return {
            "drawings": await self.cache.renders_of(user_id),
            "seen_progress": await self.seen.of(user_id),
        }

    async def erase(self, user_id: str, deletion_id: str) -> None:
        erased = {
            "drawings": await self.cache.erase_user(user_id),
            "seen_progress": await self.seen.erase(user_id),
        }
        await self.bus.publish(
            AccountDataErased(
                deletion_id=deletion_id, user_id=user_id, subgraph="visualization", erased=erased
            )
        )
