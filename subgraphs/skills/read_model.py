"""The skill catalog and category tree in this process's memory: hot reads without I/O.

The catalog is small (hundreds of skills, tens of categories) and read on
almost every request, written by a few editors. Each replica keeps all of it
as an immutable snapshot, swapped whole on every change, and answers entity
lookups, pages and counts from it:

- at start-up it loads everything (two queries) before tailing the event
  stream from the position it noted just before loading;
- its own writes are applied as soon as the store confirms them
  (read-your-writes on the replica that wrote);
- every skill.* / category.* event re-reads the one document it names, by
  `_id` equality, so other replicas are current within one event delivery;
- a full reload every REFRESH_SECONDS bounds the damage of a lost event.

Writes and their checks (slug taken, cycles) still go to the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..common.events import Handlers, Received
from ..common.events.contracts import (
    CategoryCreated,
    PrerequisiteAdded,
    PrerequisiteRemoved,
    SkillChanged,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from .category_store import CategoryRecord, CategoryStore
from .store import SkillQuery, SkillRecord, SkillStore

log = logging.getLogger("skill_circle.skills.read_model")

REFRESH_SECONDS = 300.0


@dataclass(frozen=True)
class _Snapshot:
    """One consistent state of the catalog, with the indexes its reads use."""

    skills: dict[str, SkillRecord]  # in id order, like the store's pages
    by_slug: dict[str, SkillRecord]
    dependents: dict[str, list[SkillRecord]]
    categories: dict[str, CategoryRecord]
    category_by_slug: dict[str, CategoryRecord]
    children: dict[str | None, list[CategoryRecord]]

    @classmethod
    def of(cls, skills: Iterable[SkillRecord], categories: Iterable[CategoryRecord]) -> _Snapshot:
        ordered = {s.id: s for s in sorted(skills, key=lambda s: s.id)}
        dependents: dict[str, list[SkillRecord]] = defaultdict(list)
        for skill in ordered.values():
            for prerequisite_id in skill.prerequisite_ids:
                dependents[prerequisite_id].append(skill)
        tree = {c.id: c for c in sorted(categories, key=lambda c: c.id)}
        children: dict[str | None, list[CategoryRecord]] = defaultdict(list)
        for category in tree.values():
            children[category.parent_id].append(category)
        return cls(
            skills=ordered,
            by_slug={s.slug: s for s in ordered.values()},
            dependents=dict(dependents),
            categories=tree,
            category_by_slug={c.slug: c for c in tree.values()},
            children=dict(children),
        )


class CatalogReadModel:
    """Skill and category reads with the stores' signatures, answered from memory."""

    def __init__(self, skills: SkillStore, categories: CategoryStore) -> None:
        self.skill_store = skills
        self.category_store = categories
        self._snapshot: _Snapshot | None = None
        self._loading: asyncio.Lock | None = None

    # ------------------------------------------------------------ keeping current
    async def load(self) -> None:
        """Everything from the store (start-up, and the periodic safety reload)."""
        skills, categories = await asyncio.gather(
            self.skill_store.all_skills(), self.category_store.all()
        )
        self._snapshot = _Snapshot.of(skills, categories)

    async def refresh_forever(self, interval: float = REFRESH_SECONDS) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.load()
            except Exception:  # the store is away: keep serving what we have
                log.warning("catalog reload failed; keeping the current snapshot", exc_info=True)

    def put_skill(self, skill: SkillRecord) -> None:
        current = self._current()
        if current is None:
            return
        self._snapshot = _Snapshot.of(
            [*(s for s in current.skills.values() if s.id != skill.id), skill],
            current.categories.values(),
        )

    def drop_skill(self, skill_id: str) -> None:
        """The skill is gone, and with it every edge to it (as the store deletes them)."""
        current = self._current()
        if current is None:
            return
        kept = [
            s if skill_id not in s.prerequisite_ids else _without_prerequisite(s, skill_id)
            for s in current.skills.values()
            if s.id != skill_id
        ]
        self._snapshot = _Snapshot.of(kept, current.categories.values())

    def put_category(self, category: CategoryRecord) -> None:
        current = self._current()
        if current is None:
            return
        others = (c for c in current.categories.values() if c.id != category.id)
        self._snapshot = _Snapshot.of(current.skills.values(), [*others, category])

    def handlers(self) -> Handlers:
        """What the event tail calls: each event re-reads the document it names."""
        return (
            Handlers()
            .on(SkillCreated, self.on_skill_changed)
            .on(SkillUpdated, self.on_skill_changed)
            .on(SkillDeleted, self.on_skill_deleted)
            .on(PrerequisiteAdded, self.on_skill_changed)
            .on(PrerequisiteRemoved, self.on_skill_changed)
            .on(CategoryCreated, self.on_category_created)
        )

    async def on_skill_changed(
        self, event: Received[SkillChanged | PrerequisiteAdded | PrerequisiteRemoved]
    ) -> None:
        skill_id = event.payload.skill_id
        found = await self.skill_store.skill_by_id(skill_id)
        if found is None:
            self.drop_skill(skill_id)
        else:
            self.put_skill(found)

    async def on_skill_deleted(self, event: Received[SkillDeleted]) -> None:
        self.drop_skill(event.payload.skill_id)

    async def on_category_created(self, event: Received[CategoryCreated]) -> None:
        found = await self.category_store.by_id(event.payload.category_id)
        if found is not None:
            self.put_category(found)

    def _current(self) -> _Snapshot | None:
        """None before the first load: that load will read the write from the store."""
        return self._snapshot

    async def _ready(self) -> _Snapshot:
        """The snapshot, loaded on first use when start-up did not load it (tests, CLI)."""
        if self._snapshot is None:
            self._loading = self._loading or asyncio.Lock()
            async with self._loading:
                if self._snapshot is None:
                    await self.load()
        assert self._snapshot is not None
        return self._snapshot

    # ---------------------------------------------------------------- skill reads
    async def skills_by_ids(self, ids: Sequence[str]) -> list[SkillRecord]:
        skills = (await self._ready()).skills
        return [skills[i] for i in dict.fromkeys(ids) if i in skills]

    async def skill_by_slug(self, slug: str) -> SkillRecord | None:
        return (await self._ready()).by_slug.get(slug)

    async def dependents_of(self, ids: Sequence[str]) -> list[tuple[str, SkillRecord]]:
        dependents = (await self._ready()).dependents
        return [(i, s) for i in dict.fromkeys(ids) for s in dependents.get(i, [])]

    async def skill_page(self, query: SkillQuery, limit: int) -> list[SkillRecord]:
        """Up to `limit` matching skills in id order, after `query.ids_after`."""
        page = []
        for skill in (await self._ready()).skills.values():
            if query.ids_after is not None and skill.id <= query.ids_after:
                continue
            if query.matches(skill):
                page.append(skill)
                if len(page) == limit:
                    break
        return page

    async def count_matching(self, query: SkillQuery) -> int:
        return sum(1 for s in (await self._ready()).skills.values() if query.matches(s))

    # ------------------------------------------------------------- category reads
    async def categories_by_ids(self, ids: Sequence[str]) -> list[CategoryRecord]:
        categories = (await self._ready()).categories
        return [categories[i] for i in dict.fromkeys(ids) if i in categories]

    async def category_by_slug(self, slug: str) -> CategoryRecord | None:
        return (await self._ready()).category_by_slug.get(slug)

    async def top_level_categories(self) -> list[CategoryRecord]:
        return list((await self._ready()).children.get(None, []))

    async def subcategories_of(self, ids: Sequence[str]) -> list[tuple[str, CategoryRecord]]:
        children = (await self._ready()).children
        return [(i, c) for i in dict.fromkeys(ids) for c in children.get(i, [])]

    async def subtrees(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """For each known category id: itself and every category below it."""
        snapshot = await self._ready()
        subtrees = {}
        for root in dict.fromkeys(ids):
            if root not in snapshot.categories:
                continue
            subtree, frontier = [root], [root]
            while frontier:
                frontier = [c.id for p in frontier for c in snapshot.children.get(p, [])]
                subtree += [c for c in frontier if c not in subtree]
            subtrees[root] = subtree
        return subtrees


def _without_prerequisite(skill: SkillRecord, prerequisite_id: str) -> SkillRecord:
    kept = tuple(p for p in skill.prerequisite_ids if p != prerequisite_id)
    return replace(skill, prerequisite_ids=kept)
