"""GraphQL object types of the content subgraph (thin views of the domain), incl. entity stubs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.descriptions import (
    COURSE,
    COURSE_ID,
    SKILL,
    SKILL_ID,
    USER,
    USER_ID,
    described_enum,
)
from ..common.permissions import require_role
from . import domain
from .deps import Deps
from .domain import sees_drafts
from .inputs import ResourceKind
from .loaders import Loaders
from .rendering import render_markdown

Info = StrawberryInfo[Context[Deps, Loaders], None]


@described_enum(
    "Whether learners can see a course or article.",
    DRAFT="Never published: editors only.",
    PUBLISHED="Learners see the published version.",
    ARCHIVED="Reserved: no operation archives content yet.",
)
class PublicationStatus(Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


@strawberry.federation.type(
    directives=[Key(fields=FieldSet("id"), resolvable=False)], description=USER
)
class User:
    """Owned by the users subgraph; referenced here by id only."""

    id: strawberry.ID = strawberry.field(description=USER_ID)


@strawberry.type(description="One lesson of a course module.")
class Lesson:
    id: strawberry.ID = strawberry.field(
        description="Stable id of the lesson, kept across versions of the course: what "
        "markLessonDone takes and course progress counts."
    )
    position: int = strawberry.field(description="1-based, in the module's order.")
    title: str = strawberry.field(description="Display title.")
    body: str = strawberry.field(description="Lesson text, Markdown.")
    duration_minutes: int = strawberry.field(description="Expected study time in minutes.")


@strawberry.type(description="A chapter of a course.")
class CourseModule:
    position: int = strawberry.field(description="1-based, in the course's order.")
    title: str = strawberry.field(description="Display title.")
    lessons: list[Lesson] = strawberry.field(description="Lessons in order.")


def modules_of(modules: tuple[domain.CourseModule, ...]) -> list[CourseModule]:
    return [
        CourseModule(
            position=m_index,
            title=module.title,
            lessons=[
                Lesson(
                    id=strawberry.ID(lesson.id),
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


@strawberry.type(description="One stored revision of an article.")
class ArticleRevision:
    version: int = strawberry.field(description="Revision number, from 1.")
    title: str = strawberry.field(description="Title in this revision.")
    body: str = strawberry.field(description="Markdown as written in this revision.")
    edited_at: datetime = strawberry.field(description="When this revision was saved.")
    editor_id: strawberry.Private[str]

    @strawberry.field(description="Who saved this revision.")
    def editor(self) -> User:
        return User(id=strawberry.ID(self.editor_id))

    @strawberry.field(description="The body rendered and sanitized, as on Article.html.")
    def html(self) -> str:
        return render_markdown(self.body)


async def viewer_sees_drafts(info: Info) -> bool:
    return sees_drafts(await info.context.viewer())


def _skills(ids: tuple[str, ...]) -> list[Skill]:
    return [Skill(id=strawberry.ID(i)) for i in ids]


@strawberry.federation.type(keys=["id"], description=SKILL)
class Skill:
    id: strawberry.ID = strawberry.field(description=SKILL_ID)

    @strawberry.field(description="Published courses teaching this skill.")
    async def courses(self, info: Info) -> list[Course]:
        records = await info.context.loaders.skill_courses.load(str(self.id))
        return [Course.of(view) for r in records if (view := r.visible(False))]

    @strawberry.field(description="Published articles about this skill.")
    async def articles(self, info: Info) -> list[Article]:
        records = await info.context.loaders.skill_articles.load(str(self.id))
        return [Article.of(view) for r in records if (view := r.visible(False))]

    @strawberry.field(description="External resources for this skill.")
    async def resources(self, info: Info) -> list[Resource]:
        resources = await info.context.loaders.skill_resources.load(str(self.id))
        return [Resource.of(r) for r in resources]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Skill:
        return cls(id=id)


@strawberry.type(description="One stored version of a course (editors only).")
class CourseVersion:
    """One stored version of a course (editors only)."""

    version: int = strawberry.field(description="Version number, from 1.")
    edited_at: datetime = strawberry.field(description="When this version was saved.")
    content: strawberry.Private[domain.CourseContent]
    editor_id: strawberry.Private[str]

    @strawberry.field(description="Slug in this version.")
    def slug(self) -> str:
        return self.content.slug

    @strawberry.field(description="Title in this version.")
    def title(self) -> str:
        return self.content.title

    @strawberry.field(description="Summary in this version.")
    def summary(self) -> str:
        return self.content.summary

    @strawberry.field(description="Skills taught in this version.")
    def skills(self) -> list[Skill]:
        return _skills(self.content.skill_ids)

    @strawberry.field(description="Modules in this version.")
    def modules(self) -> list[CourseModule]:
        return modules_of(self.content.modules)

    @strawberry.field(description="Who saved this version.")
    def editor(self) -> User:
        return User(id=strawberry.ID(self.editor_id))


@strawberry.federation.type(keys=["id"], description=COURSE)
class Course:
    id: strawberry.ID = strawberry.field(description=COURSE_ID)
    status: PublicationStatus = strawberry.field(description="Whether learners can see it.")
    version: int = strawberry.field(description="The version shown, from 1.")
    published_at: datetime | None = strawberry.field(
        description="When a version was last published; null if never."
    )
    published_version: int | None = strawberry.field(
        description="The version learners see; null while never published."
    )
    view: strawberry.Private[domain.CourseView]

    @strawberry.field(description="URL-friendly unique name.")
    def slug(self) -> str:
        return self.view.content.slug

    @strawberry.field(description="Display title.")
    def title(self) -> str:
        return self.view.content.title

    @strawberry.field(description="Short summary of the course.")
    def summary(self) -> str:
        return self.view.content.summary

    @strawberry.field(description="Skills the course teaches.")
    def skills(self) -> list[Skill]:
        return _skills(self.view.content.skill_ids)

    @strawberry.field(description="Modules in order.")
    def modules(self) -> list[CourseModule]:
        return modules_of(self.view.content.modules)

    @strawberry.field(description="The institution offering it; null if none.")
    async def institution(self, info: Info) -> Institution | None:
        if self.view.content.institution_id is None:
            return None
        found = await info.context.loaders.institution.load(self.view.content.institution_id)
        return Institution.of(found) if found else None

    @strawberry.field(
        description="Every stored version, oldest first. EDITOR only: "
        "UNAUTHENTICATED, FORBIDDEN otherwise."
    )
    async def versions(self, info: Info) -> list[CourseVersion]:
        require_role(await info.context.viewer(), "EDITOR")
        versions = await info.context.loaders.course_versions.load(self.view.id)
        return [
            CourseVersion(
                version=v.version, edited_at=v.edited_at, content=v.content, editor_id=v.editor_id
            )
            for v in versions
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Course | None:
        record = await info.context.loaders.course.load(str(id))
        view = record.visible(await viewer_sees_drafts(info)) if record else None
        return cls.of(view) if view else None

    @classmethod
    def of(cls, view: domain.CourseView) -> Course:
        state = view.record.state
        return cls(
            id=strawberry.ID(view.id),
            status=PublicationStatus(view.status),
            version=view.version,
            published_at=state.published_at,
            published_version=state.published_version,
            view=view,
        )


@strawberry.federation.type(
    keys=["id"],
    description="An encyclopedia article in Markdown. Learners see the published revision; "
    "EDITOR sees the working copy.",
)
class Article:
    id: strawberry.ID = strawberry.field(description="Stable id of the article.")
    status: PublicationStatus = strawberry.field(description="Whether learners can see it.")
    version: int = strawberry.field(description="The revision shown, from 1.")
    published_at: datetime | None = strawberry.field(
        description="When a revision was last published; null if never."
    )
    published_version: int | None = strawberry.field(
        description="The revision learners see; null while never published."
    )
    view: strawberry.Private[domain.ArticleView]

    @strawberry.field(description="URL-friendly unique name.")
    def slug(self) -> str:
        return self.view.content.slug

    @strawberry.field(description="Display title.")
    def title(self) -> str:
        return self.view.content.title

    @strawberry.field(description="Markdown as written.")
    def body(self) -> str:
        return self.view.content.body

    @strawberry.field(description="Rendered and sanitized: no script, no event handlers.")
    def html(self) -> str:
        return render_markdown(self.view.content.body)

    @strawberry.field(description="Skills the article is about.")
    def skills(self) -> list[Skill]:
        return _skills(self.view.content.skill_ids)

    @strawberry.field(description="Oldest first; learners see those up to the published one.")
    async def revisions(self, info: Info) -> list[ArticleRevision]:
        revisions = await info.context.loaders.article_revisions.load(self.view.id)
        return [
            ArticleRevision(
                version=r.version,
                title=r.content.title,
                body=r.content.body,
                edited_at=r.edited_at,
                editor_id=r.editor_id,
            )
            for r in revisions
            if r.version <= self.version
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Article | None:
        record = await info.context.loaders.article.load(str(id))
        view = record.visible(await viewer_sees_drafts(info)) if record else None
        return cls.of(view) if view else None

    @classmethod
    def of(cls, view: domain.ArticleView) -> Article:
        state = view.record.state
        return cls(
            id=strawberry.ID(view.id),
            status=PublicationStatus(view.status),
            version=view.version,
            published_at=state.published_at,
            published_version=state.published_version,
            view=view,
        )


@strawberry.federation.type(keys=["id"], description="An external learning resource (a link).")
class Resource:
    id: strawberry.ID = strawberry.field(description="Stable id of the resource.")
    title: str = strawberry.field(description="Display title.")
    url: str = strawberry.field(description="Absolute http(s) URL.")
    kind: ResourceKind = strawberry.field(description="What sort of resource it is.")
    skill_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Skills it helps to learn.")
    def skills(self) -> list[Skill]:
        return _skills(self.skill_ids)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Resource | None:
        found = await info.context.loaders.resource.load(str(id))
        return cls.of(found) if found else None

    @classmethod
    def of(cls, resource: domain.Resource) -> Resource:
        return cls(
            id=strawberry.ID(resource.id),
            title=resource.title,
            url=resource.url,
            kind=ResourceKind(resource.kind),
            skill_ids=resource.skill_ids,
        )


@strawberry.federation.type(keys=["id"], description="A school or organisation offering courses.")
class Institution:
    id: strawberry.ID = strawberry.field(description="Stable id of the institution.")
    name: str = strawberry.field(description="Unique name.")
    country: str | None = strawberry.field(description="Country, as entered; null if unknown.")

    @strawberry.field(description="Published courses; editors also see drafts.")
    async def courses(self, info: Info) -> list[Course]:
        drafts = await viewer_sees_drafts(info)
        loader = (
            info.context.loaders.institution_courses
            if drafts
            else info.context.loaders.institution_published_courses
        )
        records = await loader.load(str(self.id))
        return [Course.of(v) for v in (r.visible(drafts) for r in records) if v is not None]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Institution | None:
        found = await info.context.loaders.institution.load(str(id))
        return cls.of(found) if found else None

    @classmethod
    def of(cls, institution: domain.Institution) -> Institution:
        return cls(
            id=strawberry.ID(institution.id),
            name=institution.name,
            country=institution.country,
        )


ContentSearchHit = Annotated[
    Course | Article | Resource,
    strawberry.union("ContentSearchHit", description="A course, article or resource found."),
]


def search_hit(
    item: domain.CourseView | domain.ArticleView | domain.Resource,
) -> Course | Article | Resource:
    if isinstance(item, domain.CourseView):
        return Course.of(item)
    if isinstance(item, domain.ArticleView):
        return Article.of(item)
    return Resource.of(item)
