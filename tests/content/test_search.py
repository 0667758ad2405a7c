"""searchContent on FerretDB: regex candidates, ranked in Python, published only for learners."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.content.domain import ArticleView, CourseView, Resource
from tests.content.conftest import EDITOR, Content, article_draft, course_draft


def _titles(items: list[CourseView | ArticleView | Resource]) -> list[str]:
    return [item.title if isinstance(item, Resource) else item.content.title for item in items]


async def test_title_matches_rank_above_text_matches_then_recency(content: Content) -> None:
    service = content.deps.service
    older = await service.create_course(
        EDITOR, course_draft(slug="old", title="Kubernetes basics", summary="Pods")
    )
    await service.publish_course(EDITOR, older.id)
    body_only = await service.create_article(
        EDITOR, article_draft(slug="ops", title="Operations", body="We run kubernetes daily")
    )
    await service.publish_article(EDITOR, body_only.current.slug)
    newer = await service.create_course(
        EDITOR, course_draft(slug="new", title="Kubernetes in depth", summary="Operators")
    )
    await service.publish_course(EDITOR, newer.id)
    await service.create_resource("Kubernetes docs", "https://kubernetes.io/docs/", "ARTICLE", [])
    exact = await service.create_article(EDITOR, article_draft(slug="k8s", title="Kubernetes"))
    await service.publish_article(EDITOR, exact.current.slug)

    found = await service.search("KUBERNETES", None, drafts=False)
    assert _titles(found) == [
        "Kubernetes",  # the whole title
        "Kubernetes docs",  # then title matches, newest first
        "Kubernetes in depth",
        "Kubernetes basics",
        "Operations",  # a body match comes last
    ]
    assert _titles(await service.search("kubernetes", 2, drafts=False)) == [
        "Kubernetes",
        "Kubernetes docs",
    ]


async def test_more_matched_words_rank_higher(content: Content) -> None:
    service = content.deps.service
    for slug, title in [("a", "Python testing"), ("b", "Python"), ("c", "Testing in Go")]:
        course = await service.create_course(EDITOR, course_draft(slug=slug, title=title))
        await service.publish_course(EDITOR, course.id)
    assert _titles(await service.search("python testing", None, drafts=False))[0] == (
        "Python testing"
    )


async def test_learners_never_find_drafts_but_editors_do(content: Content) -> None:
    service = content.deps.service
    await service.create_course(EDITOR, course_draft(slug="secret", title="Secret roadmap"))
    await service.create_article(EDITOR, article_draft(slug="s", title="Secret notes"))
    assert await service.search("secret", None, drafts=False) == []
    assert sorted(_titles(await service.search("secret", None, drafts=True))) == [
        "Secret notes",
        "Secret roadmap",
    ]


async def test_regex_characters_in_queries_are_literal(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft(slug="cpp", title="C++ (modern)"))
    await service.publish_course(EDITOR, course.id)
    assert _titles(await service.search("c++", None, drafts=False)) == ["C++ (modern)"]
    assert _titles(await service.search("modern)", None, drafts=False)) == ["C++ (modern)"]


async def test_empty_or_huge_queries_are_bad_input(content: Content) -> None:
    for query in ("", "   ", "!!!", ".*"):
        with pytest.raises(BadUserInput) as raised:
            await content.deps.service.search(query, None, drafts=False)
        assert raised.value.extensions["field"] == "query"
    with pytest.raises(BadUserInput):
        await content.deps.service.search("x" * 201, None, drafts=False)
