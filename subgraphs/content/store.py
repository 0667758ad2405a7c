"""Persistence of the content subgraph on MongoDB (PyMongo async / the embedded stand-in)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from ..common.pagination import Count
from ..common.stores.mongo import MongoDatabase
from . import documents as docs
from .documents import Document
from .domain import (
    Article,
    ArticleContent,
    ArticleRevision,
    Course,
    CourseContent,
    CourseVersion,
    Institution,
    Resource,
)
from .versioned import SlugTaken, VersionedCollection

__all__ = ["ContentStore", "NameTaken", "SlugTaken"]

T = TypeVar("T")
_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


class NameTaken(Exception):
    """Another institution already has this name."""


def _side(published_only: bool) -> str:
    return "published" if published_only else "current"


def _any_term(terms: Iterable[str]) -> dict[str, str]:
    """A case-insensitive regex matching any of `terms` literally."""
    pattern = "|".join(_REGEX_SPECIAL.sub(r"\\\1", term) for term in terms)
    return {"$regex": pattern, "$options": "i"}


class ContentStore:
    def __init__(self, database: MongoDatabase) -> None:
        self.database = database
        self.courses = VersionedCollection(database, "courses", "course_versions", "course_id")
        self.articles = VersionedCollection(database, "articles", "article_revisions", "article_id")
        self.resources = database["resources"]
        self.institutions = database["institutions"]

    async def create_indexes(self) -> None:
        await self.courses.create_indexes()
        await self.courses.heads.create_index("current.institution_id")
        await self.courses.heads.create_index("published.institution_id")
        await self.articles.create_indexes()
        await self.resources.create_index("skill_ids")
        await self.institutions.create_index("name", unique=True)

    async def is_empty(self) -> bool:
        return (
            await self.courses.count({}) == 0
            and await self.articles.count({}) == 0
            and await self.institutions.count_documents({}) == 0
        )

    # ------------------------------------------------------------ courses
    async def courses_by_ids(self, ids: list[str]) -> list[Course]:
        return [docs.course(d) for d in await self.courses.by_ids(ids)]

    async def course_by_slug(self, slug: str, published: bool) -> Course | None:
        found = await self.courses.by_slug(slug, published)
        return docs.course(found) if found else None

    async def course_page(
        self, published_only: bool, institution_id: str | None, after: ObjectId | None, limit: int
    ) -> tuple[list[Course], Count, bool]:
        """A page of courses in creation order: (courses, how to count all, has_next_page)."""
        query: dict[str, Any] = {_side(published_only): {"$ne": None}}
        if institution_id is not None:
            query[f"{_side(published_only)}.institution_id"] = institution_id
        found = await self.courses.find(query, limit=limit + 1, after=after)
        count = functools.partial(self.courses.count, query)
        return [docs.course(d) for d in found[:limit]], count, len(found) > limit

    async def published_courses_for_skills(self, skill_ids: list[str]) -> list[tuple[str, Course]]:
        found = await self.courses.find({"published.skill_ids": {"$in": skill_ids}})
        return _by_key(
            (docs.course(d) for d in found),
            lambda c: c.published.skill_ids if c.published else (),
            skill_ids,
        )

    async def courses_for_institutions(
        self, institution_ids: list[str], published_only: bool
    ) -> list[tuple[str, Course]]:
        field = f"{_side(published_only)}.institution_id"
        found = await self.courses.find({field: {"$in": institution_ids}})
        courses = [docs.course(d) for d in found]
        return [
            (content.institution_id, course)
            for course in courses
            if (content := course.published if published_only else course.current)
            and content.institution_id is not None
        ]

    async def course_versions(self, course_ids: list[str]) -> list[tuple[str, CourseVersion]]:
        return [
            (d["course_id"], docs.course_version(d))
            for d in await self.courses.versions_of(course_ids)
        ]

    async def create_course(self, content: CourseContent, editor_id: str, now: datetime) -> Course:
        return docs.course(
            await self.courses.create(docs.course_content_doc(content), editor_id, now)
        )

    async def update_course(
        self, course: Course, content: CourseContent, editor_id: str, now: datetime
    ) -> Course | None:
        head = await self.courses.append(
            course.id, course.state.version, docs.course_content_doc(content), editor_id, now
        )
        return docs.course(head) if head else None

    async def publish_course(
        self, course: Course, now: datetime, events: Document
    ) -> Course | None:
        content = docs.course_content_doc(course.current)
        head = await self.courses.publish(course.id, course.state.version, content, now, events)
        return docs.course(head) if head else None

    # ------------------------------------------------------------ articles
    async def articles_by_ids(self, ids: list[str]) -> list[Article]:
        return [docs.article(d) for d in await self.articles.by_ids(ids)]

    async def article_by_slug(self, slug: str, published: bool) -> Article | None:
        found = await self.articles.by_slug(slug, published)
        return docs.article(found) if found else None

    async def published_articles_for_skills(
        self, skill_ids: list[str]
    ) -> list[tuple[str, Article]]:
        found = await self.articles.find({"published.skill_ids": {"$in": skill_ids}})
        return _by_key(
            (docs.article(d) for d in found),
            lambda a: a.published.skill_ids if a.published else (),
            skill_ids,
        )

    async def article_revisions(self, article_ids: list[str]) -> list[tuple[str, ArticleRevision]]:
        return [
            (d["article_id"], docs.article_revision(d))
            for d in await self.articles.versions_of(article_ids)
        ]

    async def article_revision(self, article_id: str, version: int) -> ArticleRevision | None:
        found = await self.articles.version(article_id, version)
        return docs.article_revision(found) if found else None

    async def create_article(
        self, content: ArticleContent, editor_id: str, now: datetime
    ) -> Article:
        return docs.article(
            await self.articles.create(docs.article_content_doc(content), editor_id, now)
        )

    async def update_article(
        self, article: Article, content: ArticleContent, editor_id: str, now: datetime
    ) -> Article | None:
        head = await self.articles.append(
            article.id, article.state.version, docs.article_content_doc(content), editor_id, now
        )
        return docs.article(head) if head else None

    async def publish_article(
        self, article: Article, now: datetime, events: Document
    ) -> Article | None:
        content = docs.article_content_doc(article.current)
        head = await self.articles.publish(article.id, article.state.version, content, now, events)
        return docs.article(head) if head else None

    # ------------------------------------------------------------ resources
    async def resources_by_ids(self, ids: list[str]) -> list[Resource]:
        found = await self.resources.find({"_id": {"$in": docs.object_ids(ids)}}).to_list()
        return [docs.resource(d) for d in found]

    async def resources_for_skills(self, skill_ids: list[str]) -> list[tuple[str, Resource]]:
        found = (
            await self.resources.find({"skill_ids": {"$in": skill_ids}}).sort("_id", 1).to_list()
        )
        resources = [docs.resource(d) for d in found]
        return _by_key(resources, lambda r: r.skill_ids, skill_ids)

    async def add_resource(
        self, title: str, url: str, kind: str, skill_ids: tuple[str, ...], now: datetime
    ) -> Resource:
        doc = {
            "title": title,
            "url": url,
            "kind": kind,
            "skill_ids": list(skill_ids),
            "created_at": now,
        }
        doc["_id"] = (await self.resources.insert_one(doc)).inserted_id
        return docs.resource(doc)

    async def resource_with_url(self, url: str) -> Resource | None:
        found = await self.resources.find_one({"url": url})
        return docs.resource(found) if found else None

    # ------------------------------------------------------------ institutions
    async def institutions_by_ids(self, ids: list[str]) -> list[Institution]:
        found = await self.institutions.find({"_id": {"$in": docs.object_ids(ids)}}).to_list()
        return [docs.institution(d) for d in found]

    async def institution_named(self, name: str) -> Institution | None:
        found = await self.institutions.find_one({"name": name})
        return docs.institution(found) if found else None

    async def add_institution(self, name: str, country: str | None, now: datetime) -> Institution:
        doc: dict[str, Any] = {"name": name, "country": country, "created_at": now}
        try:
            doc["_id"] = (await self.institutions.insert_one(doc)).inserted_id
        except DuplicateKeyError as exc:
            raise NameTaken(name) from exc
        return docs.institution(doc)

    # ------------------------------------------------------------ search
    async def search_candidates(
        self, terms: list[str], published_only: bool, limit: int
    ) -> tuple[list[Course], list[Article], list[Resource]]:
        """Items whose title or text contains any of `terms` (case-insensitive)."""
        regex = _any_term(terms)
        side = _side(published_only)
        course_docs = await self.courses.find(
            {"$or": [{f"{side}.title": regex}, {f"{side}.summary": regex}]}, limit=limit
        )
        article_docs = await self.articles.find(
            {"$or": [{f"{side}.title": regex}, {f"{side}.body": regex}]}, limit=limit
        )
        resource_docs = await self.resources.find({"title": regex}).limit(limit).to_list()
        return (
            [docs.course(d) for d in course_docs],
            [docs.article(d) for d in article_docs],
            [docs.resource(d) for d in resource_docs],
        )


def _by_key(
    items: Iterable[T], keys_of: Callable[[T], Iterable[str]], wanted: list[str]
) -> list[tuple[str, T]]:
    """(key, item) for every wanted key an item lists (one item may serve many keys)."""
    wanted_set = set(wanted)
    return [(key, item) for item in items for key in keys_of(item) if key in wanted_set]
