"""Catalog rules: skills, categories and the prerequisite DAG (no GraphQL, no queries)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..common.errors import BadUserInput, Conflict, NotFound, PrerequisiteCycle
from ..common.events.contracts import (
    CategoryCreated,
    PrerequisiteAdded,
    PrerequisiteRemoved,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from ..common.pagination import Count, counted, decode_cursor, page_size
from .category_store import CategoryRecord, CategoryStore
from .domain import (
    MAX_DESCRIPTION,
    MAX_NAME,
    clean_level,
    clean_optional_text,
    clean_search,
    clean_slug,
    clean_tags,
    clean_text,
)
from .events import CatalogEvents, shown
from .graph import requirement_path
from .read_model import CatalogReadModel
from .roadmaps import RoadmapService
from .store import (
    GraphNode,
    SkillFields,
    SkillQuery,
    SkillRecord,
    SkillStore,
    SlugTaken,
    is_id,
)


@dataclass(frozen=True)
class SkillDraft:
    """A skill as an editor submits it (SkillInput)."""

    slug: str
    name: str
    description: str
    level: str
    category_slug: str
    tags: list[str] | None = None


@dataclass(frozen=True)
class SkillFilter:
    category_slug: str | None = None
    level: str | None = None
    tag: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class SkillPage:
    skills: list[SkillRecord]
    total_count: Count  # run only when a client selects totalCount
    has_next_page: bool


def cursor_of(skill: SkillRecord) -> dict[str, str]:
    """The position a page cursor encodes: skills are listed in id order."""
    return {"id": skill.id}


class SkillService:
    def __init__(
        self,
        store: SkillStore,
        categories: CategoryStore,
        catalog: CatalogReadModel,
        roadmaps: RoadmapService,
        events: CatalogEvents,
    ) -> None:
        self.store = store
        self.categories = categories
        self.catalog = catalog
        self.roadmaps = roadmaps
        self.events = events

    # ------------------------------------------------ reads (from the read model)
    async def skill(self, skill_id: str | None, slug: str | None) -> SkillRecord | None:
        if skill_id is None and slug is None:
            raise BadUserInput("id", "give the skill's id or its slug")
        if skill_id is not None:
            found = await self.catalog.skills_by_ids([skill_id])
            record = found[0] if found else None
            return record if record and slug in (None, record.slug) else None
        return await self.catalog.skill_by_slug(str(slug))

    async def skills_page(
        self, filter: SkillFilter, first: int | None, after: str | None
    ) -> SkillPage:
        query = SkillQuery(
            level=filter.level,
            tag=filter.tag.strip().lower() if filter.tag else None,
            search=clean_search(filter.search),
        )
        if filter.category_slug is not None:
            category = await self.catalog.category_by_slug(filter.category_slug.strip())
            if category is None:  # nothing matches; the arguments must still be valid
                page_size(first), _after_id(after)
                return SkillPage([], counted(0), False)
            query = replace(query, category_ids=await self._subtree_ids(category.id))
        return await self._page(query, first, after)

    async def category_skills_page(
        self, subtree_ids: list[str], first: int | None, after: str | None
    ) -> SkillPage:
        """The skills in the categories `subtree_ids` (a category and all below it)."""
        return await self._page(SkillQuery(category_ids=subtree_ids), first, after)

    async def top_level_categories(self) -> list[CategoryRecord]:
        return await self.catalog.top_level_categories()

    async def _page(self, query: SkillQuery, first: int | None, after: str | None) -> SkillPage:
        size = page_size(first)
        after_query = replace(query, ids_after=_after_id(after))
        found = await self.catalog.skill_page(after_query, size + 1)
        return SkillPage(
            found[:size], lambda: self.catalog.count_matching(query), len(found) > size
        )

    async def _subtree_ids(self, category_id: str) -> list[str]:
        subtrees = await self.catalog.subtrees([category_id])
        return subtrees.get(category_id, [])

    # ----------------------------------------------------------------- skills
    async def create_skill(self, draft: SkillDraft) -> SkillRecord:
        fields, category = await self._fields(draft)
        try:
            skill = await self.store.insert_skill(
                fields,
                announce=lambda s: self.events.entries(
                    SkillCreated(**shown(s.id, s, category.name))
                ),
            )
        except SlugTaken as exc:
            raise Conflict(f"A skill with slug {fields.slug!r} already exists") from exc
        self.events.committed()
        self.catalog.put_skill(skill)
        return skill

    async def update_skill(self, skill_id: str, draft: SkillDraft) -> SkillRecord:
        await self._existing(skill_id)
        fields, category = await self._fields(draft)
        holder = await self.store.skill_by_slug(fields.slug)
        if holder is not None and holder.id != skill_id:
            raise Conflict(f"A skill with slug {fields.slug!r} already exists")
        updated = SkillUpdated(**shown(skill_id, fields, category.name))
        try:
            skill = await self.store.update_skill(skill_id, fields, self.events.push(updated))
        except SlugTaken as exc:
            raise Conflict(f"A skill with slug {fields.slug!r} already exists") from exc
        if skill is None:
            raise NotFound("skill", skill_id)
        self.events.committed()
        self.catalog.put_skill(skill)
        return skill

    async def delete_skill(self, skill_id: str) -> bool:
        """Deletes the skill and every prerequisite edge to or from it."""
        skill = await self._existing(skill_id)
        users = await self.roadmaps.using_skill(skill.id)
        if users:
            slugs = [roadmap.slug for roadmap in users]
            raise Conflict(
                f"Skill {skill.slug!r} is a step of roadmap {', '.join(slugs)}; "
                "remove it from the roadmap first",
                roadmaps=slugs,
            )
        deleted = SkillDeleted(skill_id=skill.id, slug=skill.slug, name=skill.name)
        if not await self.store.delete_skill(skill.id, self.events.push(deleted)):
            raise NotFound("skill", skill_id)
        self.events.committed()
        self.catalog.drop_skill(skill.id)
        return True

    async def _fields(self, draft: SkillDraft) -> tuple[SkillFields, CategoryRecord]:
        slug = clean_slug(draft.slug)
        fields = SkillFields(
            slug=slug,
            name=clean_text(draft.name, "name", MAX_NAME),
            description=clean_optional_text(draft.description, "description", MAX_DESCRIPTION),
            level=clean_level(draft.level),
            tags=clean_tags(draft.tags),
        )
        category = await self.categories.by_slug(draft.category_slug.strip())
        if category is None:
            raise BadUserInput("categorySlug", f"No category {draft.category_slug!r}")
        fields.category_id = category.id
        return fields, category

    async def _existing(self, skill_id: str) -> SkillRecord:
        found = await self.store.skills_by_ids([skill_id])
        if not found:
            raise NotFound("skill", skill_id)
        return found[0]

    # ---------------------------------------------------------- prerequisites
    async def add_prerequisite(self, skill_id: str, prerequisite_id: str) -> SkillRecord:
        """`skill` now requires `prerequisite`; refused when that closes a cycle."""
        skill, prerequisite = await self._pair(skill_id, prerequisite_id)
        if prerequisite.id in skill.prerequisite_ids:
            return skill
        await self._refuse_cycle(skill, _node(prerequisite))
        edge = {"skill_id": skill.id, "prerequisite_id": prerequisite.id}
        updated = await self.store.add_prerequisite(
            skill.id, prerequisite.id, self.events.push(PrerequisiteAdded(**edge))
        )
        if updated is None:
            raise NotFound("skill", skill_id)
        try:
            # A concurrent edit may have closed the cycle meanwhile: look again.
            fresh = await self.store.graph_nodes([prerequisite.id])
            await self._refuse_cycle(skill, fresh[0] if fresh else _node(prerequisite))
        except PrerequisiteCycle:  # undone: consumers hear both
            await self.store.remove_prerequisite(
                skill.id, prerequisite.id, self.events.push(PrerequisiteRemoved(**edge))
            )
            self.events.committed()
            raise
        self.events.committed()
        self.catalog.put_skill(updated)
        await self.roadmaps.reorder_after_new_prerequisite(skill.id)
        return updated

    async def remove_prerequisite(self, skill_id: str, prerequisite_id: str) -> SkillRecord:
        skill, prerequisite = await self._pair(skill_id, prerequisite_id)
        if prerequisite.id not in skill.prerequisite_ids:
            return skill
        removed = PrerequisiteRemoved(skill_id=skill.id, prerequisite_id=prerequisite.id)
        updated = await self.store.remove_prerequisite(
            skill.id, prerequisite.id, self.events.push(removed)
        )
        if updated is None:
            raise NotFound("skill", skill_id)
        self.events.committed()
        self.catalog.put_skill(updated)
        return updated

    async def _pair(self, skill_id: str, prerequisite_id: str) -> tuple[SkillRecord, SkillRecord]:
        found = {s.id: s for s in await self.store.skills_by_ids([skill_id, prerequisite_id])}
        for wanted in (skill_id, prerequisite_id):
            if wanted not in found:
                raise NotFound("skill", wanted)
        return found[skill_id], found[prerequisite_id]

    async def _refuse_cycle(self, skill: SkillRecord, prerequisite: GraphNode) -> None:
        """Refuses `skill -> prerequisite` when the prerequisite already requires the skill."""
        path = await requirement_path(self.store, prerequisite, _node(skill))
        if path is not None:
            raise PrerequisiteCycle([skill.slug, *(node.slug for node in path)])

    # ------------------------------------------------------------- categories
    async def create_category(
        self, slug: str, name: str, parent_slug: str | None
    ) -> CategoryRecord:
        clean = clean_slug(slug)
        title = clean_text(name, "name", MAX_NAME)
        parent_id = None
        if parent_slug is not None:
            parent = await self.categories.by_slug(parent_slug.strip())
            if parent is None:
                raise BadUserInput("parentSlug", f"No category {parent_slug!r}")
            parent_id = parent.id
        try:
            category = await self.categories.insert(
                clean,
                title,
                parent_id,
                lambda c: self.events.entries(
                    CategoryCreated(category_id=c.id, slug=c.slug, name=c.name)
                ),
            )
        except SlugTaken as exc:
            raise Conflict(f"A category with slug {clean!r} already exists") from exc
        self.events.committed()
        self.catalog.put_category(category)
        return category


def _node(skill: SkillRecord) -> GraphNode:
    return GraphNode(skill.id, skill.slug, skill.prerequisite_ids)


def _after_id(after: str | None) -> str | None:
    position: Any = decode_cursor(after)
    if position is None:
        return None
    if not isinstance(position, dict) or not is_id(position.get("id")):
        raise BadUserInput("after", "Invalid cursor")
    return str(position["id"])
