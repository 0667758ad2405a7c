"""GraphQL value types of the content subgraph: enums, modules and lessons, revisions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from . import domain
from .rendering import render_markdown


@strawberry.enum
class PublicationStatus(Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


@strawberry.enum
class ResourceKind(Enum):
    VIDEO = "VIDEO"
    BOOK = "BOOK"
    ARTICLE = "ARTICLE"
    TOOL = "TOOL"
    COURSE = "COURSE"
    EXERCISE = "EXERCISE"


@strawberry.federation.type(directives=[Key(fields=FieldSet("id"), resolvable=False)])
class User:
    """Owned by the users subgraph; referenced here by id only."""

    id: strawberry.ID


@strawberry.type
class Lesson:
    position: int = strawberry.field(description="1-based, in the module's order.")
    title: str
    body: str
    duration_minutes: int


@strawberry.type
class CourseModule:
    position: int = strawberry.field(description="1-based, in the course's order.")
    title: str
    lessons: list[Lesson]


def modules_of(modules: tuple[domain.CourseModule, ...]) -> list[CourseModule]:
    return [
        CourseModule(
            position=m_index,
            title=module.title,
            lessons=[
                Lesson(
                    position=l_index,
                    title=lesson.title,
                    body=lesson.body,
                    duration_minutes=lesson.duration_minutes,
                )
                for l_index, lesson in enumerate(module.lessons, start=1)
            ],
        )
        for m_index, module in enumerate(modules, start=1)
    ]


@strawberry.type
class ArticleRevision:
    version: int
    title: str
    body: str
    edited_at: datetime
    editor_id: strawberry.Private[str]

    @strawberry.field
    def editor(self) -> User:
        return User(id=strawberry.ID(self.editor_id))

    @strawberry.field(description="The body rendered and sanitized, as on Article.html.")
    def html(self) -> str:
        return render_markdown(self.body)
