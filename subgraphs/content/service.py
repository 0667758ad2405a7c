"""Content rules: drafts and publication, versions and revisions, search."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from bson import ObjectId

from ..common.auth import Viewer
from ..common.errors import BadUserInput, Conflict, NotFound
from ..common.known_skills import SkillChecker
from ..common.pagination import Count, counted, decode_cursor, page_size
from ..common.stores.mongo import mongo_now
from . import inputs, search
from .domain import (
    PUBLISHED,
    Article,
    ArticleContent,
    ArticleView,
    Course,
    CourseView,
    Institution,
    Resource,
    with_lesson_ids,
)
from .events import ContentEvents
from .store import ContentStore, Filters, NameTaken, SlugTaken

SEARCH_CANDIDATES = 200
DEFAULT_SEARCH_HITS = 10


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; each item's cursor is its id (creation order)."""

    items: list[T]
    cursors: list[str]
    total_count: Count  # run only when a client selects totalCount
    has_next_page: bool


class ContentService:
    def __init__(self, store: ContentStore, events: ContentEvents, skills: SkillChecker) -> None:
        self.store = store
        self.events = events
        self.skills = skills

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
        self,
        first: int | None,
        after: str | None,
        institution_id: str | None,
        drafts: bool,
        status: str | None = None,
        skill_id: str | None = None,
    ) -> Page[CourseView]:
        """Courses in creation order; learners only ever see published ones."""
        filters = Filters(not drafts, status, skill_id, institution_id)
        if not drafts and status not in (None, PUBLISHED):
            return Page([], [], counted(0), False)
        courses, total, has_next = await self.store.course_page(
            filters, _position(after), page_size(first)
        )
        views = [v for v in (c.visible(drafts) for c in courses) if v is not None]
        return Page(views, [v.id for v in views], total, has_next)

    async def create_course(self, editor: Viewer, draft: inputs.CourseDraft) -> Course:
        content = inputs.course_content(draft)
        content = replace(content, modules=with_lesson_ids(content.modules))
        await self._check_skills(content.skill_ids)
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
        content = replace(
            content, modules=with_lesson_ids(content.modules, course.current, course.published)
        )
        await self._check_skills(content.skill_ids)
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

    async def withdraw_course(self, editor: Viewer, id: str, status: str) -> Course:
        """Unpublish (back to DRAFT) or archive: learners stop seeing the course."""
        course = await self._course(id)
        events = self.events.withdrawn("course", course.id, status)
        withdrawn = await self.store.withdraw_course(course, status, mongo_now(), events)
        if withdrawn is None:
            raise NotFound("course", id)
        self.events.committed()
        return withdrawn

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

    async def articles(
        self,
        first: int | None,
        after: str | None,
        drafts: bool,
        status: str | None = None,
        skill_id: str | None = None,
    ) -> Page[ArticleView]:
        """Articles in creation order; learners only ever see published ones."""
        if not drafts and status not in (None, PUBLISHED):
            return Page([], [], counted(0), False)
        articles, total, has_next = await self.store.article_page(
            Filters(not drafts, status, skill_id), _position(after), page_size(first)
        )
        views = [v for v in (a.visible(drafts) for a in articles) if v is not None]
        return Page(views, [v.id for v in views], total, has_next)

    async def create_article(self, editor: Viewer, draft: inputs.ArticleDraft) -> Article:
        content = inputs.article_content(draft)
        await self._check_skills(content.skill_ids)
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
        else:
            await self._check_skills(content.skill_ids)
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

    async def withdraw_article(self, editor: Viewer, slug: str, status: str) -> Article:
        """Unpublish (back to DRAFT) or archive: learners stop seeing the article."""
        article = await self._article(slug)
        events = self.events.withdrawn("article", article.id, status)
        withdrawn = await self.store.withdraw_article(article, status, mongo_now(), events)
        if withdrawn is None:
            raise NotFound("article", slug)
        self.events.committed()
        return withdrawn

    async def delete_article(self, editor: Viewer, slug: str) -> str:
        """Removes the article and every revision; its id."""
        article = await self._article(slug)
        if not await self.store.delete_article(article):
            raise NotFound("article", slug)
        return article.id

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
    async def resources(
        self, first: int | None, after: str | None, skill_id: str | None, kind: str | None
    ) -> Page[Resource]:
        found, total, has_next = await self.store.resource_page(
            skill_id, kind, _position(after), page_size(first)
        )
        return Page(found, [r.id for r in found], total, has_next)

    async def create_resource(
        self, title: str, url: str, kind: str, skill_ids: list[str]
    ) -> Resource:
        checked = await self._resource_fields(title, url, kind, skill_ids)
        return await self.store.add_resource(*checked, mongo_now())

    async def update_resource(
        self, id: str, title: str, url: str, kind: str, skill_ids: list[str]
    ) -> Resource:
        checked = await self._resource_fields(title, url, kind, skill_ids)
        updated = await self.store.update_resource(id, *checked)
        if updated is None:
            raise NotFound("resource", id)
        return updated

    async def delete_resource(self, id: str) -> str:
        if not await self.store.delete_resource(id):
            raise NotFound("resource", id)
        return id

    async def _resource_fields(
        self, title: str, url: str, kind: str, skill_ids: list[str]
    ) -> tuple[str, str, str, tuple[str, ...]]:
        checked_skills = inputs.skill_ids(skill_ids)
        fields = (
            inputs.text("title", title, inputs.MAX_TITLE),
            inputs.web_url(url),
            inputs.resource_kind(kind),
            checked_skills,
        )
        await self._check_skills(checked_skills)
        return fields

    async def institutions(
        self, first: int | None, after: str | None, country: str | None, name: str | None
    ) -> Page[Institution]:
        found, total, has_next = await self.store.institution_page(
            country, name, _position(after), page_size(first)
        )
        return Page(found, [i.id for i in found], total, has_next)

    async def create_institution(self, name: str, country: str | None) -> Institution:
        checked = inputs.text("name", name, inputs.MAX_TITLE)
        try:
            return await self.store.add_institution(checked, inputs.country(country), mongo_now())
        except NameTaken as exc:
            raise _name_conflict(checked) from exc

    async def update_institution(self, id: str, name: str, country: str | None) -> Institution:
        checked = inputs.text("name", name, inputs.MAX_TITLE)
        try:
            updated = await self.store.update_institution(id, checked, inputs.country(country))
        except NameTaken as exc:
            raise _name_conflict(checked) from exc
        if updated is None:
            raise NotFound("institution", id)
        return updated

    async def delete_institution(self, id: str) -> str:
        """Refused while a course names the institution: move or edit those courses first."""
        if await self.store.institution_in_use(id):
            raise Conflict("Courses still name this institution; change them first")
        if not await self.store.delete_institution(id):
            raise NotFound("institution", id)
        return id

    # ------------------------------------------------------------ skills
    async def _check_skills(self, skill_ids: tuple[str, ...]) -> None:
        missing = await self.skills.missing(skill_ids)
        if missing:
            raise BadUserInput("skillIds", f"no such skill: {missing[0]}")

    async def skill_deleted(self, skill_id: str) -> None:
        """skill.deleted: courses, articles and resources stop linking to it."""
        await self.store.forget_skill(skill_id)

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


def _position(after: str | None) -> ObjectId | None:
    """The id an `after` cursor of a content listing stands for."""
    position = decode_cursor(after)
    if position is None:
        return None
    if not (isinstance(position, str) and ObjectId.is_valid(position)):
        raise BadUserInput("after", "Invalid cursor")
    return ObjectId(position)


def _name_conflict(name: str) -> Conflict:
    return Conflict(f"An institution named {name!r} already exists")


def _slug_conflict(kind: str, slug: str) -> Conflict:
    return Conflict(f"A {kind} with slug {slug!r} already exists")
