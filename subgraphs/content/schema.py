"""Queries and mutations of the content subgraph (thin: checks, then the service)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ..common.auth import Viewer
from ..common.context import Context
from ..common.pagination import Connection, connection
from ..common.permissions import require_role
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain, validation
from .service import ContentService
from .types import (
    Article,
    ContentSearchHit,
    Course,
    Institution,
    Resource,
    ResourceKind,
    Skill,
    User,
    search_hit,
    viewer_sees_drafts,
)


@strawberry.input
class LessonInput:
    title: str
    body: str
    duration_minutes: int


@strawberry.input
class CourseModuleInput:
    title: str
    lessons: list[LessonInput]


@strawberry.input
class CourseInput:
    slug: str
    title: str
    summary: str
    skill_ids: list[strawberry.ID]
    modules: list[CourseModuleInput]
    institution_id: strawberry.ID | None = None

    def draft(self) -> validation.CourseDraft:
        return validation.CourseDraft(
            slug=self.slug,
            title=self.title,
            summary=self.summary,
            skill_ids=[str(i) for i in self.skill_ids],
            institution_id=str(self.institution_id) if self.institution_id else None,
            modules=[
                validation.ModuleDraft(
                    title=m.title,
                    lessons=[
                        validation.LessonDraft(l.title, l.body, l.duration_minutes)
                        for l in m.lessons  # noqa: E741
                    ],
                )
                for m in self.modules
            ],
        )


@strawberry.input
class ArticleInput:
    slug: str
    title: str
    body: str
    skill_ids: list[strawberry.ID] | None = None

    def draft(self) -> validation.ArticleDraft:
        skill_ids = [str(i) for i in self.skill_ids] if self.skill_ids is not None else None
        return validation.ArticleDraft(self.slug, self.title, self.body, skill_ids)


@strawberry.input
class ResourceInput:
    title: str
    url: str
    kind: ResourceKind
    skill_ids: list[strawberry.ID]


@strawberry.input
class InstitutionInput:
    name: str
    country: str | None = None


def _service(info: Info[Context, None]) -> ContentService:
    return info.context.deps.service


async def _editor(info: Info[Context, None]) -> Viewer:
    return require_role(await info.context.viewer(), "EDITOR")


@strawberry.type
class Query:
    @strawberry.field(description="A course by id or slug; null for a draft unless EDITOR.")
    async def course(
        self, info: Info[Context, None], id: strawberry.ID | None = None, slug: str | None = None
    ) -> Course | None:
        view = await _service(info).course(
            str(id) if id is not None else None, slug, await viewer_sees_drafts(info)
        )
        return Course.of(view) if view else None

    @strawberry.field(description="Published courses (EDITOR: every course), oldest first.")
    async def courses(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        institution_id: strawberry.ID | None = None,
    ) -> Connection[Course]:
        page = await _service(info).courses(
            first,
            after,
            str(institution_id) if institution_id is not None else None,
            await viewer_sees_drafts(info),
        )
        return connection(
            [Course.of(v) for v in page.courses], page.cursors, page.total_count, page.has_next_page
        )

    @strawberry.field(description="A published article by slug (EDITOR: also drafts).")
    async def article(self, info: Info[Context, None], slug: str) -> Article | None:
        view = await _service(info).article(slug, await viewer_sees_drafts(info))
        return Article.of(view) if view else None

    @strawberry.field(description="Courses, articles and resources, best match first.")
    async def search_content(
        self, info: Info[Context, None], query: str, first: int | None = None
    ) -> list[ContentSearchHit]:
        items = await _service(info).search(query, first, await viewer_sees_drafts(info))
        return [search_hit(item) for item in items]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="EDITOR. Starts as DRAFT, version 1.")
    async def create_course(self, info: Info[Context, None], input: CourseInput) -> Course:
        editor = await _editor(info)
        return _editor_view(await _service(info).create_course(editor, input.draft()))

    @strawberry.mutation(description="EDITOR. A new version; learners see it once published.")
    async def update_course(
        self, info: Info[Context, None], id: strawberry.ID, input: CourseInput
    ) -> Course:
        editor = await _editor(info)
        return _editor_view(await _service(info).update_course(editor, str(id), input.draft()))

    @strawberry.mutation(description="EDITOR. Publishes the current version.")
    async def publish_course(self, info: Info[Context, None], id: strawberry.ID) -> Course:
        editor = await _editor(info)
        return _editor_view(await _service(info).publish_course(editor, str(id)))

    @strawberry.mutation(description="EDITOR. Starts as DRAFT, revision 1.")
    async def create_article(self, info: Info[Context, None], input: ArticleInput) -> Article:
        editor = await _editor(info)
        return _editor_article(await _service(info).create_article(editor, input.draft()))

    @strawberry.mutation(description="EDITOR. Every edit is a new revision.")
    async def update_article(
        self, info: Info[Context, None], slug: str, input: ArticleInput
    ) -> Article:
        editor = await _editor(info)
        return _editor_article(await _service(info).update_article(editor, slug, input.draft()))

    @strawberry.mutation(description="EDITOR. Publishes the current revision.")
    async def publish_article(self, info: Info[Context, None], slug: str) -> Article:
        editor = await _editor(info)
        return _editor_article(await _service(info).publish_article(editor, slug))

    @strawberry.mutation(description="EDITOR. A new revision equal to revision `version`.")
    async def revert_article(self, info: Info[Context, None], slug: str, version: int) -> Article:
        editor = await _editor(info)
        return _editor_article(await _service(info).revert_article(editor, slug, version))

    @strawberry.mutation(description="EDITOR. url must be an absolute http(s) URL.")
    async def create_resource(self, info: Info[Context, None], input: ResourceInput) -> Resource:
        await _editor(info)
        resource = await _service(info).create_resource(
            input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(description="EDITOR. Names are unique.")
    async def create_institution(
        self, info: Info[Context, None], input: InstitutionInput
    ) -> Institution:
        await _editor(info)
        return Institution.of(await _service(info).create_institution(input.name, input.country))


def _editor_view(course: domain.Course) -> Course:
    view = course.visible(True)
    assert view is not None  # an editor always sees the working copy
    return Course.of(view)


def _editor_article(article: domain.Article) -> Article:
    view = article.visible(True)
    assert view is not None
    return Article.of(view)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        types=[Skill, User, Course, Article, Resource, Institution],
    )
