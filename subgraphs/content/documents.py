"""How content is laid out in MongoDB documents, both ways."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from .domain import (
    Article,
    ArticleContent,
    ArticleRevision,
    Course,
    CourseContent,
    CourseModule,
    CourseVersion,
    Institution,
    Lesson,
    Publication,
    Resource,
    legacy_lesson_id,
)

Document = dict[str, Any]


def object_id(value: str) -> ObjectId | None:
    """The ObjectId an opaque id stands for, or None when it is not one of ours."""
    return ObjectId(value) if ObjectId.is_valid(value) else None


def object_ids(values: list[str]) -> list[ObjectId]:
    return [oid for oid in map(object_id, values) if oid is not None]


# ------------------------------------------------------------ courses


def course_content_doc(content: CourseContent) -> Document:
    return {
        "slug": content.slug,
        "title": content.title,
        "summary": content.summary,
        "skill_ids": list(content.skill_ids),
        "institution_id": content.institution_id,
        "modules": [
            {
                "title": module.title,
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title,
                        "body": lesson.body,
                        "duration_minutes": lesson.duration_minutes,
                    }
                    for lesson in module.lessons
                ],
            }
            for module in content.modules
        ],
    }


def course_content(doc: Document) -> CourseContent:
    return CourseContent(
        slug=doc["slug"],
        title=doc["title"],
        summary=doc.get("summary", ""),
        skill_ids=tuple(doc.get("skill_ids") or ()),
        institution_id=doc.get("institution_id"),
        modules=tuple(
            CourseModule(
                title=module["title"],
                lessons=tuple(
                    Lesson(
                        id=lesson.get("id") or legacy_lesson_id(m, n, lesson["title"]),
                        title=lesson["title"],
                        body=lesson.get("body", ""),
                        duration_minutes=int(lesson.get("duration_minutes", 0)),
                    )
                    for n, lesson in enumerate(module.get("lessons") or (), start=1)
                ),
            )
            for m, module in enumerate(doc.get("modules") or (), start=1)
        ),
    )


def course(doc: Document) -> Course:
    published = doc.get("published")
    return Course(
        id=str(doc["_id"]),
        current=course_content(doc["current"]),
        published=course_content(published) if published else None,
        state=publication(doc),
    )


def course_version(doc: Document) -> CourseVersion:
    return CourseVersion(
        course_id=doc["course_id"],
        version=int(doc["version"]),
        content=course_content(doc["content"]),
        edited_at=doc["edited_at"],
        editor_id=doc["editor_id"],
    )


# ------------------------------------------------------------ articles


def article_content_doc(content: ArticleContent) -> Document:
    return {
        "slug": content.slug,
        "title": content.title,
        "body": content.body,
        "skill_ids": list(content.skill_ids),
    }


def article_content(doc: Document) -> ArticleContent:
    return ArticleContent(
        slug=doc["slug"],
        title=doc["title"],
        body=doc.get("body", ""),
        skill_ids=tuple(doc.get("skill_ids") or ()),
    )


def article(doc: Document) -> Article:
    published = doc.get("published")
    return Article(
        id=str(doc["_id"]),
        current=article_content(doc["current"]),
        published=article_content(published) if published else None,
        state=publication(doc),
    )


def article_revision(doc: Document) -> ArticleRevision:
    return ArticleRevision(
        article_id=doc["article_id"],
        version=int(doc["version"]),
        content=article_content(doc["content"]),
        edited_at=doc["edited_at"],
        editor_id=doc["editor_id"],
    )


# ------------------------------------------------------------ shared and simple


def publication(doc: Document) -> Publication:
    return Publication(
        status=doc["status"],
        version=int(doc["version"]),
        published_version=doc.get("published_version"),
        published_at=doc.get("published_at"),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
    )


def resource(doc: Document) -> Resource:
    return Resource(
        id=str(doc["_id"]),
        title=doc["title"],
        url=doc["url"],
        kind=doc["kind"],
        skill_ids=tuple(doc.get("skill_ids") or ()),
        created_at=doc["created_at"],
    )


def institution(doc: Document) -> Institution:
    return Institution(
        id=str(doc["_id"]),
        name=doc["name"],
        country=doc.get("country"),
        created_at=doc["created_at"],
    )
