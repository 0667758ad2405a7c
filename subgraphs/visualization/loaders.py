"""DataLoaders of the visualization subgraph: a page of skills' trees is one fetch."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from .deps import Deps
from .service import VisualizationService


@dataclass
class Loaders:
    skill_tree: DataLoader[tuple[str, int], str]


def make_loaders(service: VisualizationService) -> Loaders:
    async def trees(keys: list[tuple[str, int]]) -> list[str | BaseException]:
        return list(await service.skill_trees(keys))

    return Loaders(skill_tree=DataLoader(load_fn=trees))


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.service)
