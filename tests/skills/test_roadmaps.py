"""Roadmaps: steps in prerequisite order, ties in the given order, milestones."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput, Conflict
from subgraphs.skills.graph import order_by_prerequisites
from subgraphs.skills.roadmaps import Milestone, RoadmapDraft
from subgraphs.skills.store import GraphNode

from .conftest import Catalog
from .test_catalog_service import draft


def graph(edges: dict[str, list[str]]) -> dict[str, GraphNode]:
    return {node: GraphNode(node, node, tuple(required)) for node, required in edges.items()}


def test_order_keeps_the_given_order_when_nothing_constrains_it() -> None:
    assert order_by_prerequisites(["c", "a", "b"], graph({"a": [], "b": [], "c": []})) == [
        "c",
        "a",
        "b",
    ]


def test_order_puts_prerequisites_first_and_breaks_ties_by_position() -> None:
    edges = {"d": ["b"], "c": [], "b": ["a"], "a": [], "e": []}
    # d needs b needs a. Kahn's algorithm: always the earliest-given skill that is free.
    assert order_by_prerequisites(["d", "c", "b", "e", "a"], graph(edges)) == [
        "c",
        "e",
        "a",
        "b",
        "d",
    ]


def test_order_follows_requirements_through_skills_outside_the_roadmap() -> None:
    edges = {"top": ["hidden"], "hidden": ["base"], "base": []}
    assert order_by_prerequisites(["top", "base"], graph(edges)) == ["base", "top"]


async def skills(catalog: Catalog, edges: dict[str, list[str]]) -> dict[str, str]:
    """Creates skills with their prerequisite edges; ids by slug."""
    service = catalog.deps.service
    await service.create_category("programming", "Programming", None)
    ids = {slug: (await service.create_skill(draft(slug))).id for slug in edges}
    for slug, required in edges.items():
        for prerequisite in required:
            await service.add_prerequisite(ids[slug], ids[prerequisite])
    return ids


async def test_create_roadmap_orders_steps_and_emits(catalog: Catalog) -> None:
    ids = await skills(catalog, {"git": [], "python": [], "web": ["python"], "api": ["web", "git"]})
    roadmap = await catalog.deps.roadmaps.create_roadmap(
        RoadmapDraft(
            "backend",
            "Backend",
            "Build APIs",
            ["api", "web", "python", "git"],
            [Milestone("web", "Can serve pages"), Milestone("api", "Ships APIs")],
        )
    )
    order = [ids[s] for s in ("python", "web", "git", "api")]
    assert roadmap.skill_ids == order
    assert [step.milestone for step in roadmap.steps] == [
        None,
        "Can serve pages",
        None,
        "Ships APIs",
    ]
    assert await catalog.deps.roadmaps.by_slug("backend") == roadmap
    assert await catalog.events.of("roadmap.created") == [
        {"roadmapId": roadmap.id, "slug": "backend", "skillIds": order}
    ]


async def test_impossible_roadmaps_are_refused(catalog: Catalog) -> None:
    await skills(catalog, {"a": [], "b": ["a"]})
    roadmaps = catalog.deps.roadmaps
    cases = [
        (RoadmapDraft("r", "R", "", ["a", "ghost"]), "skillSlugs"),
        (RoadmapDraft("r", "R", "", ["a", "b", "a"]), "skillSlugs"),
        (RoadmapDraft("r", "R", "", []), "skillSlugs"),
        (RoadmapDraft("r", "R", "", ["a"], [Milestone("b", "Not a step")]), "milestones"),
        (RoadmapDraft("R R", "R", "", ["a"]), "slug"),
        (RoadmapDraft("r", " ", "", ["a"]), "title"),
    ]
    for bad, field in cases:
        with pytest.raises(BadUserInput) as caught:
            await roadmaps.create_roadmap(bad)
        assert caught.value.extensions["field"] == field, bad
    assert "ghost" in str(
        await _message(roadmaps.create_roadmap(RoadmapDraft("r", "R", "", ["ghost"])))
    )
    await roadmaps.create_roadmap(RoadmapDraft("r", "R", "", ["a"]))
    with pytest.raises(Conflict):
        await roadmaps.create_roadmap(RoadmapDraft("r", "R", "", ["b"]))


async def _message(write: object) -> str:
    with pytest.raises(BadUserInput) as caught:
        await write  # type: ignore[misc]
    return caught.value.message


async def test_a_new_prerequisite_reorders_roadmaps(catalog: Catalog) -> None:
    ids = await skills(catalog, {"a": [], "b": [], "c": []})
    roadmaps = catalog.deps.roadmaps
    created = await roadmaps.create_roadmap(RoadmapDraft("r", "R", "", ["a", "b", "c"]))
    assert created.skill_ids == [ids["a"], ids["b"], ids["c"]]
    # a now needs c: c must move before a.
    await catalog.deps.service.add_prerequisite(ids["a"], ids["c"])
    reordered = await roadmaps.by_slug("r")
    assert reordered is not None
    assert reordered.skill_ids == [ids["b"], ids["c"], ids["a"]]
    updates = await catalog.events.of("roadmap.updated")
    assert updates == [{"roadmapId": created.id, "slug": "r", "skillIds": reordered.skill_ids}]
