"""DataLoaders of the skills subgraph: one lookup per batch, whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from ..common.loaders import many_each, one_each, scalar_each
from .category_store import CategoryRecord
from .deps import Deps
from .read_model import CatalogReadModel
from .roadmap_store import RoadmapRecord, RoadmapStore
from .store import SkillRecord


@dataclass
class Loaders:
    skill: DataLoader[str, SkillRecord | None]
    dependents: DataLoader[str, list[SkillRecord]]
    category: DataLoader[str, CategoryRecord | None]
    subcategories: DataLoader[str, list[CategoryRecord]]
    category_subtree: DataLoader[str, list[str]]
    roadmap: DataLoader[str, RoadmapRecord | None]


def make_loaders(catalog: CatalogReadModel, roadmaps: RoadmapStore) -> Loaders:
    """Skills and categories from the in-process read model; roadmaps from the store."""
    return Loaders(
        skill=one_each(catalog.skills_by_ids, key_of=lambda record: record.id),
        dependents=many_each(catalog.dependents_of),
        category=one_each(catalog.categories_by_ids, key_of=lambda record: record.id),
        subcategories=many_each(catalog.subcategories_of),
        category_subtree=scalar_each(catalog.subtrees, default=[]),
        roadmap=one_each(roadmaps.by_ids, key_of=lambda record: record.id),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.catalog, deps.roadmap_store)
