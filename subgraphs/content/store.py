"""Persistence of the content subgraph on MongoDB (PyMongo async / the embedded stand-in)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from ..common.pagination import Count
from ..common.stores.mongo import MongoDatabase, is_duplicate_key
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

__all__ = ["ContentStore", "Filters", "NameTaken", "SlugTaken"]

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
        self, filters: Filters, after: ObjectId | None, limit: int
    ) -> tuple[list[Course], Count, bool]:
        """A page of courses in creation order: (courses, how to count all, has_next_page)."""
        query = _versioned_query(filters)
        if filters.institution_id is not None:
            query[f"{_side(filters.published_only)}.institution_id"] = filters.institution_id
        found, total, has_next = await _page(self.courses.heads, query, after, limit)
        return [docs.course(d) for d in found], total, has_next

    async def withdraw_course(
        self, course: Course, status: str, now: datetime, events: Document
    ) -> Course | None:
        head = await self.courses.withdraw(course.id, status, now, events)
        return docs.course(head) if head else None

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

    async def article_page(
        self, filters: Filters, after: ObjectId | None, limit: int
    ) -> tuple[list[Article], Count, bool]:
        """A page of articles in creation order: (articles, how to count all, has_next_page)."""
        found, total, has_next = await _page(
            self.articles.heads, _versioned_query(filters), after, limit
        )
        return [docs.article(d) for d in found], total, has_next

    async def withdraw_article(
        self, article: Article, status: str, now: datetime, events: Document
    ) -> Article | None:
        head = await self.articles.withdraw(article.id, status, now, events)
        return docs.article(head) if head else None

    async def delete_article(self, article: Article) -> bool:
        return await self.articles.delete(article.id)

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

    async def update_resource(
        self, id: str, title: str, url: str, kind: str, skill_ids: tuple[str, ...]
    ) -> Resource | None:
        changes = {"title": title, "url": url, "kind": kind, "skill_ids": list(skill_ids)}
        found = await self.resources.find_one_and_update(
            {"_id": docs.object_id(id)}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
        return docs.resource(found) if found else None

    async def delete_resource(self, id: str) -> bool:
        return bool((await self.resources.delete_one({"_id": docs.object_id(id)})).deleted_count)

    async def resource_page(
        self, skill_id: str | None, kind: str | None, after: ObjectId | None, limit: int
    ) -> tuple[list[Resource], Count, bool]:
        query: dict[str, Any] = {}
        if skill_id is not None:
            query["skill_ids"] = skill_id
        if kind is not None:
            query["kind"] = kind
        found, total, has_next = await _page(self.resources, query, after, limit)
        return [docs.resource(d) for d in found], total, has_next

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

    async def update_institution(
        self, id: str, name: str, country: str | None
    ) -> Institution | None:
        try:
            found = await self.institutions.find_one_and_update(
                {"_id": docs.object_id(id)},
                {"$set": {"name": name, "country": country}},
                return_document=ReturnDocument.AFTER,
            )
        except OperationFailure as exc:
            if is_duplicate_key(exc):
                raise NameTaken(name) from exc
            raise
        return docs.institution(found) if found else None

    async def delete_institution(self, id: str) -> bool:
        deleted = await self.institutions.delete_one({"_id": docs.object_id(id)})
        return bool(deleted.deleted_count)

    async def institution_in_use(self, id: str) -> bool:
        """True while any course, as edited or as published, is given by the institution."""
        query = {"$or": [{"current.institution_id": id}, {"published.institution_id": id}]}
        return await self.courses.heads.find_one(query) is not None

    async def institution_page(
        self, country: str | None, name: str | None, after: ObjectId | None, limit: int
    ) -> tuple[list[Institution], Count, bool]:
        query: dict[str, Any] = {}
        if country is not None:
            query["country"] = country
        if name:
            query["name"] = _any_term([name])
        found, total, has_next = await _page(self.institutions, query, after, limit)
        return [docs.institution(d) for d in found], total, has_next

    # ------------------------------------------------------------ skills

    async def forget_skill(self, skill_id: str) -> None:
        """skill.deleted: nothing here links to the skill any more."""
        await self.courses.forget_skill(skill_id)
        await self.articles.forget_skill(skill_id)
        await self.resources.update_many(
            {"skill_ids": skill_id}, {"$pull": {"skill_ids": skill_id}}
        )

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


@dataclass(frozen=True)
class Filters:
    """What a listing of courses or articles keeps."""

    published_only: bool
    status: str | None = None
    skill_id: str | None = None
    institution_id: str | None = None


def _versioned_query(filters: Filters) -> dict[str, Any]:
    side = _side(filters.published_only)
    query: dict[str, Any] = {side: {"$ne": None}}
    if filters.status is not None:
        query["status"] = filters.status
    if filters.skill_id is not None:
        query[f"{side}.skill_ids"] = filters.skill_id
    return query


async def _page(
    collection: Any, query: dict[str, Any], after: ObjectId | None, limit: int
) -> tuple[list[Document], Count, bool]:
    """Documents matching `query` in creation order after `after`: (page, how to count all
    of them, has_next)."""
    total = functools.partial(collection.count_documents, query)
    if after is not None:
        query = {**query, "_id": {"$gt": after}}
    found = await collection.find(query).sort("_id", 1).limit(limit + 1).to_list()
    return found[:limit], total, len(found) > limit


def _by_key(
    items: Iterable[T], keys_of: Callable[[T], Iterable[str]], wanted: list[str]
) -> list[tuple[str, T]]:
    """(key, item) for every wanted key an item lists (one item may serve many keys)."""
    wanted_set = set(wanted)
    return [(key, item) for item in items for key in keys_of(item) if key in wanted_set]
