"""What the content subgraph is about: courses, articles, resources, institutions.

Courses and articles are versioned. The stored record holds the working copy
(`current`, what editors see and edit) and, once published, a frozen copy of
the version that was published (`published`, what everyone else sees), so an
edit to a published course never leaks to learners before it is published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from bson import ObjectId

from ..common.auth import Viewer
from ..common.ratelimit import Limit

# Full-text search scans: per client address.
SEARCHES = Limit("search:address", 60, 60)

DRAFT = "DRAFT"
PUBLISHED = "PUBLISHED"
ARCHIVED = "ARCHIVED"

RESOURCE_KINDS = ("VIDEO", "BOOK", "ARTICLE", "TOOL", "COURSE", "EXERCISE")


@dataclass(frozen=True)
class Lesson:
    """`id` is stable across versions of its course: learners' progress is kept by it."""

    id: str  # "" until the service assigns one (with_lesson_ids)
    title: str
    body: str
    duration_minutes: int


@dataclass(frozen=True)
class CourseModule:
    title: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class CourseContent:
    """One version of a course, as an editor wrote it."""

    slug: str
    title: str
    summary: str
    skill_ids: tuple[str, ...]
    institution_id: str | None
    modules: tuple[CourseModule, ...]


def with_lesson_ids(
    modules: tuple[CourseModule, ...], *previous: CourseContent | None
) -> tuple[CourseModule, ...]:
    """Gives each lesson without an id the id of a previous copy's lesson (working, then
    published) with the same title, not already taken, else a new one: an editor who resends
    a course without ids keeps its lessons, and learners their progress, while titles stay."""
    taken = {lesson.id for module in modules for lesson in module.lessons if lesson.id}
    by_title: dict[str, list[str]] = {}
    for copy in previous:
        for module in copy.modules if copy else ():
            for lesson in module.lessons:
                if lesson.id not in taken:
                    taken.add(lesson.id)
                    by_title.setdefault(lesson.title, []).append(lesson.id)

    def keep_or_new(lesson: Lesson) -> Lesson:
        if lesson.id:
            return lesson
        same_title = by_title.get(lesson.title)
        return replace(lesson, id=same_title.pop(0) if same_title else str(ObjectId()))

    return tuple(
        replace(module, lessons=tuple(keep_or_new(lesson) for lesson in module.lessons))
        for module in modules
    )


def legacy_lesson_id(module_position: int, position: int, title: str) -> str:
    """The id of a lesson stored before lessons had ids: the same for the same place and
    title, so the working and the published copy agree until an editor saves the course."""
    digest = hashlib.sha256(f"{module_position}:{position}:{title}".encode()).hexdigest()
    return f"l{digest[:23]}"


@dataclass(frozen=True)
class ArticleContent:
    """One revision of an encyclopedia article (`body` is Markdown)."""

    slug: str
    title: str
    body: str
    skill_ids: tuple[str, ...]


@dataclass(frozen=True)
class Publication:
    """The state shared by courses and articles: version and publication."""

    status: str
    version: int
    published_version: int | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Course:
    id: str
    current: CourseContent
    published: CourseContent | None
    state: Publication

    def visible(self, sees_drafts: bool) -> CourseView | None:
        """What a caller sees: editors the working copy, others the published one."""
        if sees_drafts:
            return CourseView(self.id, self.current, self.state.status, self.state.version, self)
        if self.published is None or self.state.published_version is None:
            return None
        return CourseView(self.id, self.published, PUBLISHED, self.state.published_version, self)


@dataclass(frozen=True)
class CourseView:
    id: str
    content: CourseContent
    status: str
    version: int
    record: Course


@dataclass(frozen=True)
class CourseVersion:
    course_id: str
    version: int
    content: CourseContent
    edited_at: datetime
    editor_id: str


@dataclass(frozen=True)
class Article:
    id: str
    current: ArticleContent
    published: ArticleContent | None
    state: Publication

    def visible(self, sees_drafts: bool) -> ArticleView | None:
        if sees_drafts:
            return ArticleView(self.id, self.current, self.state.status, self.state.version, self)
        if self.published is None or self.state.published_version is None:
            return None
        return ArticleView(self.id, self.published, PUBLISHED, self.state.published_version, self)


@dataclass(frozen=True)
class ArticleView:
    id: str
    content: ArticleContent
    status: str
    version: int
    record: Article


@dataclass(frozen=True)
class ArticleRevision:
    article_id: str
    version: int
    content: ArticleContent
    edited_at: datetime
    editor_id: str


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    url: str
    kind: str
    skill_ids: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    country: str | None
    created_at: datetime


def sees_drafts(viewer: Viewer | None) -> bool:
    """Editors and admins see drafts; learners and anonymous callers see published content."""
    return viewer is not None and viewer.has_role("EDITOR")
