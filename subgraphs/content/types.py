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
from ..common.permissions import require_role
from . import domain
from .deps import Deps
from .domain import sees_drafts
from .inputs import ResourceKind
from .loaders import Loaders
from .rendering import render_markdown

Info = StrawberryInfo[Context[Deps, Loaders], None]


@strawberry.enum
class PublicationStatus(Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


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


async def viewer_sees_drafts(info: Info) -> bool:
    return sees_drafts(await info.context.viewer())


def _skills(ids: tuple[str, ...]) -> list[Skill]:
    return [Skill(id=strawberry.ID(i)) for i in ids]


@strawberry.federation.type(keys=["id"])
class Skill:
    id: strawberry.ID

    @strawberry.field(description="Published courses teaching this skill.")
    async def courses(self, info: Info) -> list[Course]:
        records = await info.context.loaders.skill_courses.load(str(self.id))
        return [Course.of(view) for r in records if (view := r.visible(False))]

    @strawberry.field(description="Published articles about this skill.")
    async def articles(self, info: Info) -> list[Article]:
        records = await info.context.loaders.skill_articles.load(str(self.id))
        return [Article.of(view) for r in records if (view := r.visible(False))]

    @strawberry.field
    async def resources(self, info: Info) -> list[Resource]:
        resources = await info.context.loaders.skill_resources.load(str(self.id))
        return [Resource.of(r) for r in resources]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Skill:
        return cls(id=id)


@strawberry.type
class CourseVersion:
    """One stored version of a course (editors only)."""

    version: int
    edited_at: datetime
    content: strawberry.Private[domain.CourseContent]
    editor_id: strawberry.Private[str]

    @strawberry.field
    def slug(self) -> str:
        return self.content.slug

    @strawberry.field
    def title(self) -> str:
        return self.content.title

    @strawberry.field
    def summary(self) -> str:
        return self.content.summary

    @strawberry.field
    def skills(self) -> list[Skill]:
        return _skills(self.content.skill_ids)

    @strawberry.field
    def modules(self) -> list[CourseModule]:
        return modules_of(self.content.modules)

    @strawberry.field
    def editor(self) -> User:
        return User(id=strawberry.ID(self.editor_id))


@strawberry.federation.type(keys=["id"])
class Course:
    id: strawberry.ID
    status: PublicationStatus
    version: int
    published_at: datetime | None
    published_version: int | None = strawberry.field(
        description="The version learners see; null while never published."
    )
    view: strawberry.Private[domain.CourseView]

    @strawberry.field
    def slug(self) -> str:
        return self.view.content.slug

    @strawberry.field
    def title(self) -> str:
        return self.view.content.title

    @strawberry.field
    def summary(self) -> str:
        return self.view.content.summary

    @strawberry.field
    def skills(self) -> list[Skill]:
        return _skills(self.view.content.skill_ids)

    @strawberry.field
    def modules(self) -> list[CourseModule]:
        return modules_of(self.view.content.modules)

    @strawberry.field
    async def institution(self, info: Info) -> Institution | None:
        if self.view.content.institution_id is None:
            return None
        found = await info.context.loaders.institution.load(self.view.content.institution_id)
        return Institution.of(found) if found else None

    @strawberry.field(description="Every stored version, oldest first. EDITOR only.")
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


@strawberry.federation.type(keys=["id"])
class Article:
    id: strawberry.ID
    status: PublicationStatus
    version: int
    published_at: datetime | None
    published_version: int | None = strawberry.field(
        description="The revision learners see; null while never published."
    )
    view: strawberry.Private[domain.ArticleView]

    @strawberry.field
    def slug(self) -> str:
        return self.view.content.slug

    @strawberry.field
    def title(self) -> str:
        return self.view.content.title

    @strawberry.field(description="Markdown as written.")
    def body(self) -> str:
        return self.view.content.body

    @strawberry.field(description="Rendered and sanitized: no script, no event handlers.")
    def html(self) -> str:
        return render_markdown(self.view.content.body)

    @strawberry.field
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


@strawberry.federation.type(keys=["id"])
class Resource:
    id: strawberry.ID
    title: str
    url: str
    kind: ResourceKind
    skill_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field
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


@strawberry.federation.type(keys=["id"])
class Institution:
    id: strawberry.ID
    name: str
    country: str | None

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


ContentSearchHit = Annotated[Course | Article | Resource, strawberry.union("ContentSearchHit")]


def search_hit(
    item: domain.CourseView | domain.ArticleView | domain.Resource,
) -> Course | Article | Resource:
    if isinstance(item, domain.CourseView):
        return Course.of(item)
    if isinstance(item, domain.ArticleView):
        return Article.of(item)
    return Resource.of(item)
