"""Content rules: drafts and publication, versions and revisions, search."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bson import ObjectId

from ..common.auth import Viewer
from ..common.errors import BadUserInput, Conflict, NotFound
from ..common.pagination import Count, decode_cursor, page_size
from ..common.stores.mongo import mongo_now
from . import inputs, search
from .domain import (
    Article,
    ArticleContent,
    ArticleView,
    Course,
    CourseView,
    Institution,
    Resource,
)
from .events import ContentEvents
from .store import ContentStore, NameTaken, SlugTaken

SEARCH_CANDIDATES = 200
DEFAULT_SEARCH_HITS = 10


@dataclass(frozen=True)
class CoursePage:
    courses: list[CourseView]
    cursors: list[str]
    total_count: Count  # run only when a client selects totalCount
    has_next_page: bool


class ContentService:
    def __init__(self, store: ContentStore, events: ContentEvents) -> None:
        self.store = store
        self.events = events

    # ------------------------------------------------------------ courses
    async def course(self, id: str | None, slug: str | None, drafts: bool) -> CourseView | None:
        if id is None and slug is None:
            raise BadUserInput("id", "give id or slug")
        if id is None:
            course = await self.store.course_by_slug(str(slug), published=not drafts)
            return course.visible(drafts) if course else None
        found = await self.store.courses_by_ids([id])
        view = found[0].visible(drafts) if found else None
        if view is not None and slug is not None and view.content.slug != slug:
            return None
        return view

    async def courses(
        self, first: int | None, after: str | None, institution_id: str | None, drafts: bool
    ) -> CoursePage:
        limit = page_size(first)
        position = decode_cursor(after)
        if position is not None and not (isinstance(position, str) and ObjectId.is_valid(position)):
            raise BadUserInput("after", "Invalid cursor")
        courses, total, has_next = await self.store.course_page(
            not drafts, institution_id, ObjectId(position) if position else None, limit
        )
        views = [v for v in (c.visible(drafts) for c in courses) if v is not None]
        return CoursePage(views, [v.id for v in views], total, has_next)

    async def create_course(self, editor: Viewer, draft: inputs.CourseDraft) -> Course:
        content = inputs.course_content(draft)
        await self._check_course_slug(content.slug, None)
        await self._check_institution(content.institution_id)
        try:
            return await self.store.create_course(content, editor.user_id, mongo_now())
        except SlugTaken as exc:
            raise _slug_conflict("course", content.slug) from exc

    async def update_course(self, editor: Viewer, id: str, draft: inputs.CourseDraft) -> Course:
        """A new version of the working copy; what learners see changes only on publish."""
        course = await self._course(id)
        content = inputs.course_content(draft)
        await self._check_course_slug(content.slug, course.id)
        await self._check_institution(content.institution_id)
        try:
            updated = await self.store.update_course(course, content, editor.user_id, mongo_now())
        except SlugTaken as exc:
            raise _slug_conflict("course", content.slug) from exc
        if updated is None:
            raise Conflict("The course was changed at the same time; reload and try again")
        return updated

    async def publish_course(self, editor: Viewer, id: str) -> Course:
        course = await self._course(id)
        if course.state.published_version == course.state.version:
            return course  # this version is already what learners see
        await self._check_course_slug(course.current.slug, course.id)
        events = self.events.course_published(course)
        published = await self.store.publish_course(course, mongo_now(), events)
        if published is None:
            raise Conflict("The course was changed at the same time; reload and try again")
        self.events.committed()
        return published

    async def _course(self, id: str) -> Course:
        found = await self.store.courses_by_ids([id])
        if not found:
            raise NotFound("course", id)
        return found[0]

    async def _check_course_slug(self, slug: str, course_id: str | None) -> None:
        if await self.store.courses.slug_used_elsewhere(slug, course_id):
            raise _slug_conflict("course", slug)

    async def _check_institution(self, institution_id: str | None) -> None:
        if institution_id is not None and not await self.store.institutions_by_ids(
            [institution_id]
        ):
            raise BadUserInput("institutionId", "no such institution")

    # ------------------------------------------------------------ articles
    async def article(self, slug: str, drafts: bool) -> ArticleView | None:
        article = await self.store.article_by_slug(slug, published=not drafts)
        return article.visible(drafts) if article else None

    async def create_article(self, editor: Viewer, draft: inputs.ArticleDraft) -> Article:
        content = inputs.article_content(draft)
        await self._check_article_slug(content.slug, None)
        try:
            return await self.store.create_article(content, editor.user_id, mongo_now())
        except SlugTaken as exc:
            raise _slug_conflict("article", content.slug) from exc

    async def update_article(
        self, editor: Viewer, slug: str, draft: inputs.ArticleDraft
    ) -> Article:
        """Every edit is a new revision, by `editor`, now. No skillIds: the skills stay."""
        article = await self._article(slug)
        content = inputs.article_content(draft)
        if draft.skill_ids is None:
            content = replace(content, skill_ids=article.current.skill_ids)
        return await self._revise(editor, article, content)

    async def revert_article(self, editor: Viewer, slug: str, version: int) -> Article:
        """A new revision whose title and body equal those of revision `version`."""
        article = await self._article(slug)
        old = await self.store.article_revision(article.id, version)
        if old is None:
            raise BadUserInput("version", f"article {slug} has no revision {version}")
        content = ArticleContent(
            slug=article.current.slug,
            title=old.content.title,
            body=old.content.body,
            skill_ids=article.current.skill_ids,
        )
        return await self._revise(editor, article, content)

    async def publish_article(self, editor: Viewer, slug: str) -> Article:
        article = await self._article(slug)
        if article.state.published_version == article.state.version:
            return article
        events = self.events.article_published(article)
        published = await self.store.publish_article(article, mongo_now(), events)
        if published is None:
            raise Conflict("The article was changed at the same time; reload and try again")
        self.events.committed()
        return published

    async def _revise(self, editor: Viewer, article: Article, content: ArticleContent) -> Article:
        await self._check_article_slug(content.slug, article.id)
        try:
            updated = await self.store.update_article(article, content, editor.user_id, mongo_now())
        except SlugTaken as exc:
            raise _slug_conflict("article", content.slug) from exc
        if updated is None:
            raise Conflict("The article was changed at the same time; reload and try again")
        return updated

    async def _article(self, slug: str) -> Article:
        article = await self.store.article_by_slug(slug, published=False)
        if article is None:
            raise NotFound("article", slug)
        return article

    async def _check_article_slug(self, slug: str, article_id: str | None) -> None:
        if await self.store.articles.slug_used_elsewhere(slug, article_id):
            raise _slug_conflict("article", slug)

    # ------------------------------------------------------------ resources, institutions
    async def create_resource(
        self, title: str, url: str, kind: str, skill_ids: list[str]
    ) -> Resource:
        return await self.store.add_resource(
            inputs.text("title", title, inputs.MAX_TITLE),
            inputs.web_url(url),
            inputs.resource_kind(kind),
            inputs.skill_ids(skill_ids),
            mongo_now(),
        )

    async def create_institution(self, name: str, country: str | None) -> Institution:
        checked = inputs.text("name", name, inputs.MAX_TITLE)
        try:
            return await self.store.add_institution(checked, inputs.country(country), mongo_now())
        except NameTaken as exc:
            raise Conflict(f"An institution named {checked!r} already exists") from exc

    # ------------------------------------------------------------ search
    async def search(
        self, query: str, first: int | None, drafts: bool
    ) -> list[CourseView | ArticleView | Resource]:
        """Courses, articles and resources matching `query`, best first."""
        terms = search.query_terms(query)
        limit = page_size(first, default=DEFAULT_SEARCH_HITS)
        courses, articles, resources = await self.store.search_candidates(
            terms, published_only=not drafts, limit=SEARCH_CANDIDATES
        )
        items: list[search.Item] = [
            *(v for v in (c.visible(drafts) for c in courses) if v is not None),
            *(v for v in (a.visible(drafts) for a in articles) if v is not None),
            *resources,
        ]
        return search.best(items, terms, limit)


def _slug_conflict(kind: str, slug: str) -> Conflict:
    return Conflict(f"A {kind} with slug {slug!r} already exists")
