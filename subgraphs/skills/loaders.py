"""DataLoaders of the skills subgraph: one query per batch, whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from ..common.loaders import many_each, one_each, scalar_each
from .category_store import CategoryRecord, CategoryStore
from .deps import Deps
from .roadmap_store import RoadmapRecord, RoadmapStore
from .store import SkillRecord, SkillStore


@dataclass
class Loaders:
    skill: DataLoader[str, SkillRecord | None]
    dependents: DataLoader[str, list[SkillRecord]]
    category: DataLoader[str, CategoryRecord | None]
    subcategories: DataLoader[str, list[CategoryRecord]]
    category_subtree: DataLoader[str, list[str]]
    roadmap: DataLoader[str, RoadmapRecord | None]


def make_loaders(skills: SkillStore, categories: CategoryStore, roadmaps: RoadmapStore) -> Loaders:
    return Loaders(
        skill=one_each(skills.skills_by_ids, key_of=lambda record: record.id),
        dependents=many_each(skills.dependents_of),
        category=one_each(categories.by_ids, key_of=lambda record: record.id),
        subcategories=many_each(categories.subcategories_of),
        category_subtree=scalar_each(categories.subtrees, default=[]),
        roadmap=one_each(roadmaps.by_ids, key_of=lambda record: record.id),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.skill_store, deps.category_store, deps.roadmap_store)
