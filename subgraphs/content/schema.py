"""Queries and mutations of the content subgraph (thin: checks, then the service)."""

from __future__ import annotations

import strawberry

from ..common.auth import Viewer
from ..common.pagination import Connection, connection
from ..common.permissions import require_role
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import ArticleInput, CourseInput, InstitutionInput, ResourceInput
from .types import (
    Article,
    ContentSearchHit,
    Course,
    Info,
    Institution,
    Resource,
    Skill,
    User,
    search_hit,
    viewer_sees_drafts,
)


async def _editor(info: Info) -> Viewer:
    return require_role(await info.context.viewer(), "EDITOR")


@strawberry.type
class Query:
    @strawberry.field(description="A course by id or slug; null for a draft unless EDITOR.")
    async def course(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> Course | None:
        view = await info.context.deps.service.course(
            str(id) if id is not None else None, slug, await viewer_sees_drafts(info)
        )
        return Course.of(view) if view else None

    @strawberry.field(description="Published courses (EDITOR: every course), oldest first.")
    async def courses(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        institution_id: strawberry.ID | None = None,
    ) -> Connection[Course]:
        page = await info.context.deps.service.courses(
            first,
            after,
            str(institution_id) if institution_id is not None else None,
            await viewer_sees_drafts(info),
        )
        return connection(
            [Course.of(v) for v in page.courses],
            page.cursors,
            page.total_count,
            page.has_next_page,
            after=after,
        )

    @strawberry.field(description="A published article by slug (EDITOR: also drafts).")
    async def article(self, info: Info, slug: str) -> Article | None:
        view = await info.context.deps.service.article(slug, await viewer_sees_drafts(info))
        return Article.of(view) if view else None

    @strawberry.field(description="Courses, articles and resources, best match first.")
    async def search_content(
        self, info: Info, query: str, first: int | None = None
    ) -> list[ContentSearchHit]:
        await info.context.limit(domain.SEARCHES)
        items = await info.context.deps.service.search(query, first, await viewer_sees_drafts(info))
        return [search_hit(item) for item in items]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="EDITOR. Starts as DRAFT, version 1.")
    async def create_course(self, info: Info, input: CourseInput) -> Course:
        editor = await _editor(info)
        return _editor_view(await info.context.deps.service.create_course(editor, input.draft()))

    @strawberry.mutation(description="EDITOR. A new version; learners see it once published.")
    async def update_course(self, info: Info, id: strawberry.ID, input: CourseInput) -> Course:
        editor = await _editor(info)
        return _editor_view(
            await info.context.deps.service.update_course(editor, str(id), input.draft())
        )

    @strawberry.mutation(description="EDITOR. Publishes the current version.")
    async def publish_course(self, info: Info, id: strawberry.ID) -> Course:
        editor = await _editor(info)
        return _editor_view(await info.context.deps.service.publish_course(editor, str(id)))

    @strawberry.mutation(description="EDITOR. Starts as DRAFT, revision 1.")
    async def create_article(self, info: Info, input: ArticleInput) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.create_article(editor, input.draft())
        )

    @strawberry.mutation(description="EDITOR. Every edit is a new revision.")
    async def update_article(self, info: Info, slug: str, input: ArticleInput) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.update_article(editor, slug, input.draft())
        )

    @strawberry.mutation(description="EDITOR. Publishes the current revision.")
    async def publish_article(self, info: Info, slug: str) -> Article:
        editor = await _editor(info)
        return _editor_article(await info.context.deps.service.publish_article(editor, slug))

    @strawberry.mutation(description="EDITOR. A new revision equal to revision `version`.")
    async def revert_article(self, info: Info, slug: str, version: int) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.revert_article(editor, slug, version)
        )

    @strawberry.mutation(description="EDITOR. url must be an absolute http(s) URL.")
    async def create_resource(self, info: Info, input: ResourceInput) -> Resource:
        await _editor(info)
        resource = await info.context.deps.service.create_resource(
            input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(description="EDITOR. Names are unique.")
    async def create_institution(self, info: Info, input: InstitutionInput) -> Institution:
        await _editor(info)
        return Institution.of(
            await info.context.deps.service.create_institution(input.name, input.country)
        )


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
