"""Queries and mutations of the content subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from ..common.auth import Viewer
from ..common.pagination import After, Connection, Count, First, connection
from ..common.permissions import require_role
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import ArticleInput, CourseInput, InstitutionInput, ResourceInput, ResourceKind
from .service import Page
from .types import (
    Article,
    ContentSearchHit,
    Course,
    Info,
    Institution,
    PublicationStatus,
    Resource,
    Skill,
    User,
    search_hit,
    viewer_sees_drafts,
)

StatusFilter = Annotated[
    PublicationStatus | None,
    strawberry.argument(description="Only items in this status (others than PUBLISHED: EDITOR)."),
]
SkillFilter = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only items linked to this skill.")
]


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
        status: StatusFilter = None,
        skill_id: SkillFilter = None,
    ) -> Connection[Course]:
        page = await info.context.deps.service.courses(
            first,
            after,
            _str(institution_id),
            await viewer_sees_drafts(info),
            _status(status),
            _str(skill_id),
        )
        return connection([Course.of(v) for v in page.items], *_rest(page))

    @strawberry.field(description="Published articles (EDITOR: every article), oldest first.")
    async def articles(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: StatusFilter = None,
        skill_id: SkillFilter = None,
    ) -> Connection[Article]:
        page = await info.context.deps.service.articles(
            first, after, await viewer_sees_drafts(info), _status(status), _str(skill_id)
        )
        return connection([Article.of(v) for v in page.items], *_rest(page))

    @strawberry.field(description="Learning resources, oldest first.")
    async def resources(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        skill_id: SkillFilter = None,
        kind: Annotated[
            ResourceKind | None, strawberry.argument(description="Only resources of this kind.")
        ] = None,
    ) -> Connection[Resource]:
        page = await info.context.deps.service.resources(
            first, after, _str(skill_id), kind.value if kind else None
        )
        return connection([Resource.of(r) for r in page.items], *_rest(page))

    @strawberry.field(description="Institutions, oldest first.")
    async def institutions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        country: Annotated[
            str | None, strawberry.argument(description="Only institutions of this country.")
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(description="Only names containing this text (any case)."),
        ] = None,
    ) -> Connection[Institution]:
        page = await info.context.deps.service.institutions(first, after, country, name)
        return connection([Institution.of(i) for i in page.items], *_rest(page))

    @strawberry.field(description="A published article by slug (EDITOR: also drafts).")
    async def article(self, info: Info, slug: str) -> Article | None:
        view = await info.context.deps.service.article(slug, await viewer_sees_drafts(info))
        return Article.of(view) if view else None

    @strawberry.field(description="Courses, articles and resources, best match first.")
    async def search_content(
        self, info: Info, query: str, first: int | None = None
    ) -> list[ContentSearchHit]:
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

    @strawberry.mutation(
        description="EDITOR. Learners stop seeing the course; it is a DRAFT again until"
        " published. The working copy and every version are kept."
    )
    async def unpublish_course(self, info: Info, id: strawberry.ID) -> Course:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_view(await service.withdraw_course(editor, str(id), domain.DRAFT))

    @strawberry.mutation(
        description="EDITOR. Retires the course: learners stop seeing it and editors find it"
        " with status ARCHIVED; publishing it again brings it back."
    )
    async def archive_course(self, info: Info, id: strawberry.ID) -> Course:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_view(await service.withdraw_course(editor, str(id), domain.ARCHIVED))

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

    @strawberry.mutation(
        description="EDITOR. Learners stop seeing the article; it is a DRAFT again until"
        " published. Every revision is kept."
    )
    async def unpublish_article(self, info: Info, slug: str) -> Article:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_article(await service.withdraw_article(editor, slug, domain.DRAFT))

    @strawberry.mutation(
        description="EDITOR. Retires the article: learners stop seeing it and editors find it"
        " with status ARCHIVED; publishing it again brings it back."
    )
    async def archive_article(self, info: Info, slug: str) -> Article:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_article(await service.withdraw_article(editor, slug, domain.ARCHIVED))

    @strawberry.mutation(
        description="EDITOR. Removes the article and all its revisions for good; its id."
    )
    async def delete_article(self, info: Info, slug: str) -> strawberry.ID:
        editor = await _editor(info)
        return strawberry.ID(await info.context.deps.service.delete_article(editor, slug))

    @strawberry.mutation(description="EDITOR. url must be an absolute http(s) URL.")
    async def create_resource(self, info: Info, input: ResourceInput) -> Resource:
        await _editor(info)
        resource = await info.context.deps.service.create_resource(
            input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(description="EDITOR. Replaces every field; skill ids must exist.")
    async def update_resource(
        self, info: Info, id: strawberry.ID, input: ResourceInput
    ) -> Resource:
        await _editor(info)
        resource = await info.context.deps.service.update_resource(
            str(id), input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(description="EDITOR. Removes the resource for good; its id.")
    async def delete_resource(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await _editor(info)
        return strawberry.ID(await info.context.deps.service.delete_resource(str(id)))

    @strawberry.mutation(description="EDITOR. Names are unique.")
    async def create_institution(self, info: Info, input: InstitutionInput) -> Institution:
        await _editor(info)
        return Institution.of(
            await info.context.deps.service.create_institution(input.name, input.country)
        )

    @strawberry.mutation(description="EDITOR. Renames or moves it; names stay unique.")
    async def update_institution(
        self, info: Info, id: strawberry.ID, input: InstitutionInput
    ) -> Institution:
        await _editor(info)
        service = info.context.deps.service
        return Institution.of(await service.update_institution(str(id), input.name, input.country))

    @strawberry.mutation(
        description="EDITOR. Removes the institution; refused (CONFLICT) while courses name it."
    )
    async def delete_institution(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await _editor(info)
        return strawberry.ID(await info.context.deps.service.delete_institution(str(id)))


def _str(value: strawberry.ID | None) -> str | None:
    return str(value) if value is not None else None


def _status(status: PublicationStatus | None) -> str | None:
    return status.value if status is not None else None


def _rest(page: Page[Any]) -> tuple[list[str], Count, bool]:
    """A page's cursors, total and whether more follow, as `connection` takes them."""
    return page.cursors, page.total_count, page.has_next_page


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
