"""Articles on FerretDB: revisions with editors, revert, publication, rendering."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput, Conflict, NotFound
from subgraphs.content.domain import DRAFT, PUBLISHED
from tests.content.conftest import EDITOR, OTHER_EDITOR, Content, article_draft


async def test_every_edit_is_a_revision_with_its_editor(content: Content) -> None:
    service, store = content.deps.service, content.deps.store
    article = await service.create_article(EDITOR, article_draft(body="first"))
    assert article.state.status == DRAFT and article.state.version == 1
    await service.update_article(OTHER_EDITOR, "python", article_draft(body="second"))
    third = await service.update_article(EDITOR, "python", article_draft(body="second"))
    assert third.state.version == 3  # an edit that changes nothing is still a revision
    revisions = [r for _, r in await store.article_revisions([article.id])]
    assert [(r.version, r.content.body, r.editor_id) for r in revisions] == [
        (1, "first", EDITOR.user_id),
        (2, "second", OTHER_EDITOR.user_id),
        (3, "second", EDITOR.user_id),
    ]
    assert all(r.edited_at.tzinfo is not None for r in revisions)


async def test_revert_makes_a_new_revision_equal_to_the_old_one(content: Content) -> None:
    service, store = content.deps.service, content.deps.store
    article = await service.create_article(EDITOR, article_draft(title="Python", body="v1"))
    await service.update_article(EDITOR, "python", article_draft(title="Snake", body="v2"))
    reverted = await service.revert_article(OTHER_EDITOR, "python", 1)
    assert reverted.state.version == 3
    assert (reverted.current.title, reverted.current.body) == ("Python", "v1")
    latest = [r for _, r in await store.article_revisions([article.id])][-1]
    assert (latest.version, latest.content.body, latest.editor_id) == (3, "v1", "editor-2")


async def test_revert_to_an_unknown_version_is_bad_input_on_version(content: Content) -> None:
    service = content.deps.service
    await service.create_article(EDITOR, article_draft())
    for version in (0, 2, -1):
        with pytest.raises(BadUserInput) as raised:
            await service.revert_article(EDITOR, "python", version)
        assert raised.value.extensions["field"] == "version"
    with pytest.raises(NotFound):
        await service.revert_article(EDITOR, "no-such-article", 1)


async def test_learners_see_published_articles_only(content: Content) -> None:
    service = content.deps.service
    await service.create_article(EDITOR, article_draft(body="draft text"))
    assert await service.article("python", drafts=False) is None
    published = await service.publish_article(EDITOR, "python")
    assert published.state.status == PUBLISHED
    await service.update_article(EDITOR, "python", article_draft(body="newer draft"))
    learner = await service.article("python", drafts=False)
    editor = await service.article("python", drafts=True)
    assert learner is not None and (learner.version, learner.content.body) == (1, "draft text")
    assert editor is not None and (editor.version, editor.content.body) == (2, "newer draft")
    assert await content.events.of("content.published") == [
        {
            "kind": "article",
            "id": published.id,
            "slug": "python",
            "title": "Python",
            "skillIds": ["skill-a"],
            "version": 1,
            "modules": None,
        }
    ]


async def test_an_update_without_skill_ids_keeps_the_skills(content: Content) -> None:
    service = content.deps.service
    await service.create_article(EDITOR, article_draft(skill_ids=["s1", "s2"]))
    kept = await service.update_article(EDITOR, "python", article_draft(skill_ids=None))
    assert kept.current.skill_ids == ("s1", "s2")
    cleared = await service.update_article(EDITOR, "python", article_draft(skill_ids=[]))
    assert cleared.current.skill_ids == ()


async def test_article_slugs_are_unique(content: Content) -> None:
    service = content.deps.service
    await service.create_article(EDITOR, article_draft(slug="one"))
    await service.create_article(EDITOR, article_draft(slug="two"))
    with pytest.raises(Conflict):
        await service.create_article(EDITOR, article_draft(slug="one"))
    with pytest.raises(Conflict):
        await service.update_article(EDITOR, "one", article_draft(slug="two"))


async def test_published_articles_and_courses_per_skill(content: Content) -> None:
    service, store = content.deps.service, content.deps.store
    await service.create_article(EDITOR, article_draft(slug="a", skill_ids=["s1", "s2"]))
    await service.create_article(EDITOR, article_draft(slug="b", skill_ids=["s2"]))
    await service.publish_article(EDITOR, "a")
    pairs = await store.published_articles_for_skills(["s1", "s2", "s3"])
    assert sorted((skill, a.current.slug) for skill, a in pairs) == [("s1", "a"), ("s2", "a")]


async def test_resources_need_http_urls_and_list_per_skill(content: Content) -> None:
    service, store = content.deps.service, content.deps.store
    book = await service.create_resource("Pro Git", "https://git-scm.com/book", "BOOK", ["git"])
    with pytest.raises(BadUserInput) as raised:
        await service.create_resource("Bad", "javascript:alert(1)", "TOOL", ["git"])
    assert raised.value.extensions["field"] == "url"
    pairs = await store.resources_for_skills(["git", "other"])
    assert [(skill, r.id, r.kind) for skill, r in pairs] == [("git", book.id, "BOOK")]
