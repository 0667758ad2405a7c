"""The skills subgraph's outbox: its events travel in the document they change.

A write adds its events to the changed document (`pendingEvents`) in the same
operation (FerretDB 1.x has no multi-document transactions); a deletion writes
them to a tombstone first. The relay publishes them (common/events/relay.py).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from ..common.events import Contract
from ..common.events.contracts import CategoryCreated, SkillChanged
from ..common.events.outbox import MongoOutbox, pending_entries, pending_events
from .category_store import CategoryRecord


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


S = TypeVar("S", bound=SkillChanged)


def skill_changed(contract: type[S], skill_id: str, skill: ShownSkill, category_name: str) -> S:
    """A skill.* event carrying name, level and category: learning's projection answers
    those fields from it (issue 12)."""
    return contract(
        skill_id=skill_id,
        slug=skill.slug,
        name=skill.name,
        level=skill.level,
        category_id=skill.category_id,
        category_name=category_name,
    )


def category_created(category: CategoryRecord) -> CategoryCreated:
    return CategoryCreated(category_id=category.id, slug=category.slug, name=category.name)
