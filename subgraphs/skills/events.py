"""The skills subgraph's outbox: its events travel in the document they change.

A write adds its events to the changed document (`pendingEvents`) in the same
operation (FerretDB 1.x has no multi-document transactions); a deletion writes
them to a tombstone first. The relay publishes them (common/events/relay.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from ..common.events import Contract
from ..common.events.outbox import MongoOutbox, pending_entries, pending_events


class CatalogEvents:
    """Turns contracts into the pending events of a write, and wakes the relay after it."""

    def __init__(self, producer: str, outbox: MongoOutbox) -> None:
        self.producer = producer
        self.outbox = outbox

    def entries(self, *contracts: Contract) -> list[dict[str, Any]]:
        """The `pendingEvents` of a document inserted with these events."""
        return pending_entries(self.producer, contracts)

    def push(self, *contracts: Contract) -> dict[str, Any]:
        """The `$push` that records these events with an update."""
        return pending_events(self.producer, contracts)

    def committed(self) -> None:
        self.outbox.wake()


class ShownSkill(Protocol):
    """What other subgraphs show of a skill (a SkillRecord, or SkillFields before a write)."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def category_id(self) -> str: ...


def shown(skill_id: str, skill: ShownSkill, category_name: str) -> dict[str, str]:
    """The fields of a skill.* event (SkillCreated(**shown(...))): name, level and category
    too, so that learning's projection answers those fields (issue 12)."""
    return {
        "skill_id": skill_id,
        "slug": skill.slug,
        "name": skill.name,
        "level": skill.level,
        "category_id": skill.category_id,
        "category_name": category_name,
    }
