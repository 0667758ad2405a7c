"""The demo content: published, linked to skills by slug, loaded idempotently."""

from __future__ import annotations

import json

from subgraphs.content.demo import CONTENT, DemoLinks, load_demo_content
from tests.content.conftest import Content

DEMO = json.loads(CONTENT.read_text(encoding="utf-8"))


async def test_demo_content_loads_once_published_and_linked(content: Content) -> None:
    slugs = {slug for course in DEMO["courses"] for slug in course["skillSlugs"]}
    skill_ids = {slug: f"id-of-{slug}" for slug in slugs if slug != "python-basics"}
    links = DemoLinks(skill_ids, editor_id="admin-id")
    service, store = content.deps.service, content.deps.store

    first = await load_demo_content(content.deps, links)
    assert (first.institutions, first.courses, first.articles, first.resources) == (
        len(DEMO["institutions"]),
        len(DEMO["courses"]),
        len(DEMO["articles"]),
        len(DEMO["resources"]),
    )
    assert len(DEMO["institutions"]) >= 2
    second = await load_demo_content(content.deps, links)
    assert (second.institutions, second.courses, second.articles, second.resources) == (0, 0, 0, 0)

    page = await service.courses(100, None, None, drafts=False)
    assert await page.total_count() == len(DEMO["courses"])  # every demo course is published
    python = await service.course(None, "python-from-zero", drafts=False)
    assert python is not None and python.record.state.published_version == 1
    assert python.content.skill_ids == ("id-of-python-oop", "id-of-python-testing")
    assert python.content.institution_id is not None
    article = await service.article("sql-joins", drafts=False)
    assert article is not None
    revisions = [r for _, r in await store.article_revisions([article.id])]
    assert [r.editor_id for r in revisions] == ["admin-id"]
    published = await content.events.of("content.published")
    assert len(published) == len(DEMO["courses"]) + len(DEMO["articles"])


async def test_without_skill_ids_the_demo_still_loads(content: Content) -> None:
    loaded = await load_demo_content(content.deps, DemoLinks({}, "system"))
    assert loaded.courses == len(DEMO["courses"]) and not loaded.skills_linked
    assert not await content.deps.store.is_empty()
