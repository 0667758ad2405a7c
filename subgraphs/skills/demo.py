"""The demo catalog (demo_catalog.json): loaded idempotently, by slug.

What already exists (same slug) is left as it is; what is missing is created,
with the same events an editor's write would emit. Skills are inserted
prerequisites first, each with all its edges, so an interrupted load never
leaves an edge pointing at a skill that does not exist.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import Conflict
from ..common.events.contracts import CategoryCreated, PrerequisiteAdded, SkillCreated
from .deps import Deps
from .events import shown
from .graph import order_by_prerequisites
from .roadmaps import Milestone, RoadmapDraft
from .store import GraphNode, SkillFields, SlugTaken

CATALOG = Path(__file__).with_name("demo_catalog.json")


@dataclass(frozen=True)
class DemoLoad:
    """How many of each the load created (0 everywhere on a second run)."""

    categories: int
    skills: int
    roadmaps: int


async def load_demo_catalog(deps: Deps, path: Path = CATALOG) -> DemoLoad:
    catalog = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    category_ids = await _load_categories(deps, catalog["categories"])
    created_skills = await _load_skills(deps, catalog["skills"], category_ids)
    created_roadmaps = await _load_roadmaps(deps, catalog["roadmaps"])
    await deps.catalog.load()  # the load wrote to the stores directly
    return DemoLoad(len(category_ids.created), created_skills, created_roadmaps)


class _Ids(dict[str, str]):
    """Ids by slug, remembering which ones this load created."""

    def __init__(self, existing: dict[str, str]) -> None:
        super().__init__(existing)
        self.created: list[str] = []


async def _load_categories(deps: Deps, categories: list[dict[str, Any]]) -> _Ids:
    store = deps.category_store
    ids = _Ids({c.slug: c.id for c in await store.all()})
    for entry in categories:  # parents are listed before their children
        if entry["slug"] in ids:
            continue
        parent = ids[entry["parentSlug"]] if entry["parentSlug"] else None
        try:
            category = await store.insert(
                entry["slug"],
                entry["name"],
                parent,
                lambda c: deps.events.entries(
                    CategoryCreated(category_id=c.id, slug=c.slug, name=c.name)
                ),
            )
        except SlugTaken:  # another process loaded it meanwhile
            found = await store.by_slug(entry["slug"])
            assert found is not None
            ids[entry["slug"]] = found.id
            continue
        ids[category.slug] = category.id
        ids.created.append(category.slug)
        deps.events.committed()
    return ids


async def _load_skills(
    deps: Deps, skills: list[dict[str, Any]], category_ids: dict[str, str]
) -> int:
    store = deps.skill_store
    by_slug = {entry["slug"]: entry for entry in skills}
    ids = {s.slug: s.id for s in await store.skills_by_slugs(list(by_slug))}
    category_names = {c.id: c.name for c in await deps.category_store.all()}
    graph = {s: GraphNode(s, s, tuple(e["prerequisites"])) for s, e in by_slug.items()}
    created = 0
    for slug in order_by_prerequisites(list(by_slug), graph):
        if slug in ids:
            continue
        entry = by_slug[slug]
        fields = SkillFields(
            slug=slug,
            name=entry["name"],
            description=entry["description"],
            level=entry["level"],
            tags=list(entry["tags"]),
            category_id=category_ids[entry["categorySlug"]],
        )
        prerequisite_ids = [ids[p] for p in entry["prerequisites"]]
        try:
            skill = await store.insert_skill(
                fields,
                prerequisite_ids,
                lambda s: deps.events.entries(
                    SkillCreated(**shown(s.id, s, category_names[s.category_id])),
                    *(
                        PrerequisiteAdded(skill_id=s.id, prerequisite_id=p)
                        for p in s.prerequisite_ids
                    ),
                ),
            )
        except SlugTaken:
            found = await store.skill_by_slug(slug)
            assert found is not None
            ids[slug] = found.id
            continue
        ids[slug] = skill.id
        created += 1
        deps.events.committed()
    return created


async def _load_roadmaps(deps: Deps, roadmaps: list[dict[str, Any]]) -> int:
    created = 0
    for entry in roadmaps:
        if await deps.roadmaps.by_slug(entry["slug"]) is not None:
            continue
        draft = RoadmapDraft(
            slug=entry["slug"],
            title=entry["title"],
            description=entry["description"],
            skill_slugs=list(entry["skillSlugs"]),
            milestones=[Milestone(s, label) for s, label in entry["milestones"].items()],
        )
        try:
            await deps.roadmaps.create_roadmap(draft)
        except Conflict:  # another process created it meanwhile
            continue
        created += 1
    return created
