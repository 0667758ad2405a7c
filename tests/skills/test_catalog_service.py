"""Skills, categories and the prerequisite DAG, through the service on FerretDB."""

from __future__ import annotations

import itertools

import pytest

from subgraphs.common.errors import BadUserInput, Conflict, NotFound, PrerequisiteCycle
from subgraphs.common.events.contracts import SkillDeleted
from subgraphs.skills.roadmaps import RoadmapDraft
from subgraphs.skills.service import SkillDraft, SkillService
from subgraphs.skills.store import SkillRecord

from .conftest import Catalog


def draft(slug: str, category: str = "programming", **changes: object) -> SkillDraft:
    values: dict[str, object] = {
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "description": f"All about {slug}.",
        "level": "BEGINNER",
        "category_slug": category,
        "tags": ["Demo", " demo ", "x"],
    }
    values.update(changes)
    return SkillDraft(**values)  # type: ignore[arg-type]


async def chain(service: SkillService, *slugs: str) -> list[SkillRecord]:
    """Skills where each requires the one before it."""
    await service.create_category("programming", "Programming", None)
    skills = [await service.create_skill(draft(slug)) for slug in slugs]
    for before, after in itertools.pairwise(skills):
        await service.add_prerequisite(after.id, before.id)
    return list(await service.store.skills_by_ids([s.id for s in skills]))


async def test_create_skill_normalises_and_emits(catalog: Catalog) -> None:
    service = catalog.deps.service
    category = await service.create_category("programming", " Programming ", None)
    skill = await service.create_skill(draft("python-basics"))
    assert skill.category_id == category.id
    assert skill.tags == ("demo", "x")
    assert await service.skill(skill.id, None) == skill
    assert await service.skill(None, "python-basics") == skill
    assert await catalog.events.of("category.created") == [
        {"categoryId": category.id, "slug": "programming", "name": "Programming"}
    ]
    assert await catalog.events.of("skill.created") == [  # what learning shows of a skill
        {
            "skillId": skill.id,
            "slug": "python-basics",
            "name": "Python Basics",
            "level": "BEGINNER",
            "categoryId": category.id,
            "categoryName": "Programming",
        }
    ]


async def test_skill_input_failures_name_the_field(catalog: Catalog) -> None:
    service = catalog.deps.service
    await service.create_category("programming", "Programming", None)
    await service.create_skill(draft("taken"))
    cases = [
        (draft("Not Kebab"), "slug"),
        (draft("trailing-"), "slug"),
        (draft("a--b"), "slug"),
        (draft("fine", category="nowhere"), "categorySlug"),
        (draft("fine", name="  "), "name"),
        (draft("fine", tags=["x" * 41]), "tags"),
    ]
    for bad, field in cases:
        with pytest.raises(BadUserInput) as caught:
            await service.create_skill(bad)
        assert caught.value.extensions["field"] == field
    with pytest.raises(Conflict):
        await service.create_skill(draft("taken"))


async def test_category_tree(catalog: Catalog) -> None:
    service = catalog.deps.service
    top = await service.create_category("data", "Data", None)
    child = await service.create_category("data-engineering", "Data Engineering", "data")
    assert child.parent_id == top.id
    assert [c.slug for c in await service.top_level_categories()] == ["data"]
    pairs = await catalog.deps.catalog.subcategories_of([top.id])
    assert pairs == [(top.id, child)]
    with pytest.raises(BadUserInput) as caught:
        await service.create_category("orphan", "Orphan", "missing")
    assert caught.value.extensions["field"] == "parentSlug"
    with pytest.raises(Conflict):
        await service.create_category("data", "Data again", None)


async def test_prerequisites_and_dependents(catalog: Catalog) -> None:
    a, b, c = await chain(catalog.deps.service, "a", "b", "c")
    assert b.prerequisite_ids == (a.id,)
    dependents = await catalog.deps.catalog.dependents_of([a.id, b.id, c.id])
    assert [(p, s.slug) for p, s in dependents] == [(a.id, "b"), (b.id, "c")]
    assert await catalog.events.of("skill.prerequisite_added") == [
        {"skillId": b.id, "prerequisiteId": a.id},
        {"skillId": c.id, "prerequisiteId": b.id},
    ]
    removed = await catalog.deps.service.remove_prerequisite(c.id, b.id)
    assert removed.prerequisite_ids == ()
    assert await catalog.events.of("skill.prerequisite_removed") == [
        {"skillId": c.id, "prerequisiteId": b.id}
    ]


async def test_a_cycle_is_refused_and_named(catalog: Catalog) -> None:
    service = catalog.deps.service
    a, _, c = await chain(service, "a", "b", "c")
    with pytest.raises(PrerequisiteCycle) as caught:
        await service.add_prerequisite(a.id, c.id)
    assert caught.value.extensions["cycle"] == ["a", "c", "b", "a"]
    assert caught.value.message == "Prerequisite cycle: a -> c -> b -> a"
    with pytest.raises(PrerequisiteCycle) as itself:
        await service.add_prerequisite(a.id, a.id)
    assert itself.value.extensions["cycle"] == ["a", "a"]
    # Nothing was written.
    assert (await service.skill(a.id, None)).prerequisite_ids == ()  # type: ignore[union-attr]


async def test_renaming_a_slug_keeps_edges(catalog: Catalog) -> None:
    service = catalog.deps.service
    a, b = await chain(service, "a", "b")
    renamed = await service.update_skill(a.id, draft("a-renamed", level="INTERMEDIATE"))
    assert (renamed.slug, renamed.level) == ("a-renamed", "INTERMEDIATE")
    dependents = await catalog.deps.catalog.dependents_of([a.id])
    assert [s.slug for _, s in dependents] == ["b"]
    assert (await service.skill(b.id, None)).prerequisite_ids == (a.id,)  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        await service.update_skill(a.id, draft("b"))
    assert [(p["slug"], p["name"]) for p in await catalog.events.of("skill.updated")] == [
        ("a-renamed", "A Renamed")
    ]


async def test_delete_removes_the_skill_and_its_edges(catalog: Catalog) -> None:
    service = catalog.deps.service
    a, b, c = await chain(service, "a", "b", "c")
    assert await service.delete_skill(b.id) is True
    assert await service.skill(b.id, None) is None
    remaining = {s.slug: s for s in await catalog.deps.skill_store.skills_by_ids([a.id, c.id])}
    assert remaining["c"].prerequisite_ids == ()
    assert await catalog.deps.catalog.dependents_of([a.id]) == []
    assert [p["slug"] for p in await catalog.events.of("skill.deleted")] == ["b"]
    with pytest.raises(NotFound):
        await service.delete_skill(b.id)


async def test_a_deletion_cut_short_is_finished_before_it_is_announced(
    catalog: Catalog,
) -> None:
    """A crash between the tombstone (with skill.deleted) and the deletion: the relay
    completes the deletion first, so the event never announces a skill that still exists."""
    service, store = catalog.deps.service, catalog.deps.skill_store
    _, b = await chain(service, "a", "b")
    deleted = SkillDeleted(skill_id=b.id, slug=b.slug, name=b.name)
    await store.tombstones.update_one(
        {"_id": b.id}, catalog.deps.events.push(deleted), upsert=True
    )  # ... and the process died here
    assert await service.skill(b.id, None) is not None
    assert [p["skillId"] for p in await catalog.events.of("skill.deleted")] == [b.id]
    assert await service.skill(b.id, None) is None
    assert await catalog.deps.outbox.pending() == 0


async def test_delete_is_refused_while_a_roadmap_uses_the_skill(catalog: Catalog) -> None:
    service = catalog.deps.service
    a, _ = await chain(service, "a", "b")
    await catalog.deps.roadmaps.create_roadmap(RoadmapDraft("path", "Path", "", ["b", "a"]))
    with pytest.raises(Conflict) as caught:
        await service.delete_skill(a.id)
    assert "path" in caught.value.message
    assert caught.value.extensions["roadmaps"] == ["path"]


@pytest.mark.parametrize("bad", ["nope", "0" * 23, "Z" * 24, "", "{'$ne': 1}"])
async def test_bad_ids_are_not_found(catalog: Catalog, bad: str) -> None:
    service = catalog.deps.service
    (a,) = await chain(service, "a")
    assert await service.skill(bad, None) is None
    for write in (
        service.update_skill(bad, draft("x")),
        service.delete_skill(bad),
        service.add_prerequisite(bad, a.id),
        service.add_prerequisite(a.id, bad),
        service.remove_prerequisite(a.id, bad),
    ):
        with pytest.raises(NotFound):
            await write


async def test_skill_by_id_and_slug_must_agree(catalog: Catalog) -> None:
    service = catalog.deps.service
    a, _ = await chain(service, "a", "b")
    assert await service.skill(a.id, "a") == a
    assert await service.skill(a.id, "b") is None
    with pytest.raises(BadUserInput):
        await service.skill(None, None)
