"""Listing the demo catalog: stable pages, exact counts, filters, idempotent loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.common.pagination import encode_cursor
from subgraphs.skills.demo import CATALOG, load_demo_catalog
from subgraphs.skills.service import SkillFilter, SkillService, cursor_of

from .conftest import Catalog

DEMO = json.loads(Path(CATALOG).read_text())


async def walk(service: SkillService, filter: SkillFilter, first: int) -> list[str]:
    """Every slug the filter matches, page by page; checks counts on the way."""
    slugs: list[str] = []
    after = None
    while True:
        page = await service.skills_page(filter, first, after)
        slugs += [s.slug for s in page.skills]
        assert len(page.skills) <= first
        if not page.has_next_page:
            assert await page.total_count() == len(slugs)
            return slugs
        after = encode_cursor(cursor_of(page.skills[-1]))


async def test_pages_walk_the_whole_catalog_once(demo: Catalog) -> None:
    slugs = await walk(demo.deps.service, SkillFilter(), 7)
    assert len(slugs) == len(DEMO["skills"]) == 143
    assert sorted(slugs) == sorted(s["slug"] for s in DEMO["skills"])


async def test_page_size_is_capped_and_checked(demo: Catalog) -> None:
    service = demo.deps.service
    page = await service.skills_page(SkillFilter(), 500, None)
    assert (len(page.skills), await page.total_count(), page.has_next_page) == (100, 143, True)
    empty = await service.skills_page(SkillFilter(), 0, None)
    assert (empty.skills, empty.has_next_page) == ([], True)
    with pytest.raises(BadUserInput) as negative:
        await service.skills_page(SkillFilter(), -1, None)
    assert negative.value.extensions["field"] == "first"
    for cursor in ("garbage!", encode_cursor({"id": "x"}), encode_cursor([1, 2])):
        with pytest.raises(BadUserInput) as bad:
            await service.skills_page(SkillFilter(), 5, cursor)
        assert bad.value.extensions["field"] == "after"


def _expected(keep: object) -> list[str]:
    return sorted(s["slug"] for s in DEMO["skills"] if keep(s))  # type: ignore[operator]


async def test_category_filter_includes_subcategories(demo: Catalog) -> None:
    children = {c["slug"] for c in DEMO["categories"] if c["parentSlug"] == "programming"}
    family = {"programming"} | children
    found = await walk(demo.deps.service, SkillFilter(category_slug="programming"), 10)
    assert sorted(found) == _expected(lambda s: s["categorySlug"] in family)
    assert len(found) > len(_expected(lambda s: s["categorySlug"] == "programming"))
    nothing = await demo.deps.service.skills_page(SkillFilter(category_slug="nope"), 10, None)
    assert (nothing.skills, await nothing.total_count()) == ([], 0)


async def test_level_tag_and_combined_filters(demo: Catalog) -> None:
    service = demo.deps.service
    experts = await walk(service, SkillFilter(level="EXPERT"), 20)
    assert sorted(experts) == _expected(lambda s: s["level"] == "EXPERT")
    tagged = await walk(service, SkillFilter(tag="Python"), 20)
    assert sorted(tagged) == _expected(lambda s: "python" in s["tags"])
    both = await walk(service, SkillFilter(level="BEGINNER", tag="python"), 20)
    assert sorted(both) == _expected(lambda s: "python" in s["tags"] and s["level"] == "BEGINNER")


async def test_search_is_case_insensitive_over_name_description_and_tags(demo: Catalog) -> None:
    service = demo.deps.service

    def matches(text: str) -> object:
        def keep(s: dict) -> bool:
            haystack = [s["name"], s["description"], *s["tags"]]
            return any(text.lower() in h.lower() for h in haystack)

        return keep

    for text in ("KUBERNETES", "sql", "react"):
        assert sorted(await walk(service, SkillFilter(search=text), 50)) == _expected(matches(text))
    # Regex characters are matched literally, never interpreted (nor an error).
    for text in ("(", ".*", "c++", "[a-z"):
        found = await walk(service, SkillFilter(search=text), 50)
        assert sorted(found) == _expected(matches(text))
    with pytest.raises(BadUserInput) as long:
        await service.skills_page(SkillFilter(search="x" * 201), 5, None)
    assert long.value.extensions["field"] == "search"


async def test_demo_load_is_idempotent(demo: Catalog) -> None:
    again = await load_demo_catalog(demo.deps)
    assert (again.categories, again.skills, again.roadmaps) == (0, 0, 0)
    page = await demo.deps.service.skills_page(SkillFilter(), 1, None)
    assert await page.total_count() == 143
    assert len(await demo.deps.roadmaps.all()) == len(DEMO["roadmaps"])


async def test_demo_edges_and_roadmaps_match_the_file(demo: Catalog) -> None:
    store = demo.deps.skill_store
    records = {s.slug: s for s in await store.skills_by_slugs([s["slug"] for s in DEMO["skills"]])}
    slug_of = {r.id: slug for slug, r in records.items()}
    for entry in DEMO["skills"]:
        assert [slug_of[i] for i in records[entry["slug"]].prerequisite_ids] == entry[
            "prerequisites"
        ]
    for entry in DEMO["roadmaps"]:
        roadmap = await demo.deps.roadmaps.by_slug(entry["slug"])
        assert roadmap is not None
        order = [slug_of[i] for i in roadmap.skill_ids]
        assert sorted(order) == sorted(entry["skillSlugs"])
        labels = {slug_of[s.skill_id]: s.milestone for s in roadmap.steps if s.milestone}
        assert labels == entry["milestones"]
