"""Queries and mutations of the content subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..common.auth import Viewer
from ..common.descriptions import MUTATION, QUERY
from ..common.pagination import Connection, Cursor, PageSize, connection
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

COURSE_ID = "The course."
ARTICLE_SLUG = "The article's slug."


async def _editor(info: Info) -> Viewer:
    return require_role(await info.context.viewer(), "EDITOR")


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="A course by id or slug (both: they must match); null if none or never "
        "published (EDITOR: the working copy). Anyone. Errors: BAD_USER_INPUT (neither given)."
    )
    async def course(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Course id.")] = None,
        slug: Annotated[str | None, strawberry.argument(description="Course slug.")] = None,
    ) -> Course | None:
        view = await info.context.deps.service.course(
            str(id) if id is not None else None, slug, await viewer_sees_drafts(info)
        )
        return Course.of(view) if view else None

    @strawberry.field(
        description="Published courses (EDITOR: every course), oldest first, a page at a time. "
        "Anyone. Errors: BAD_USER_INPUT (first, after)."
    )
    async def courses(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        institution_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only courses of this institution."),
        ] = None,
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

    @strawberry.field(
        description="A published article by slug (EDITOR: also drafts); null if none. Anyone."
    )
    async def article(
        self, info: Info, slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)]
    ) -> Article | None:
        view = await info.context.deps.service.article(slug, await viewer_sees_drafts(info))
        return Article.of(view) if view else None

    @strawberry.field(
        description="Courses, articles and resources matching words, best match first; "
        "published only (EDITOR: also drafts). Anyone. Errors: BAD_USER_INPUT (query, first), "
        "RATE_LIMITED."
    )
    async def search_content(
        self,
        info: Info,
        query: Annotated[
            str, strawberry.argument(description="Words to look for; at most 200 characters.")
        ],
        first: Annotated[
            int | None,
            strawberry.argument(description="How many hits: at most 100, default 10."),
        ] = None,
    ) -> list[ContentSearchHit]:
        await info.context.limit(domain.SEARCHES)
        items = await info.context.deps.service.search(query, first, await viewer_sees_drafts(info))
        return [search_hit(item) for item in items]


@strawberry.type(description=MUTATION)
class Mutation:
    @strawberry.mutation(
        description="Adds a course as DRAFT, version 1. EDITOR. Errors: UNAUTHENTICATED, "
        "FORBIDDEN, BAD_USER_INPUT (a field, unknown institutionId), CONFLICT (slug taken)."
    )
    async def create_course(
        self,
        info: Info,
        input: Annotated[CourseInput, strawberry.argument(description="The new course.")],
    ) -> Course:
        editor = await _editor(info)
        return _editor_view(await info.context.deps.service.create_course(editor, input.draft()))

    @strawberry.mutation(
        description="Saves a new version; learners see it once published. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT (slug taken, or "
        "edited at the same time)."
    )
    async def update_course(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=COURSE_ID)],
        input: Annotated[CourseInput, strawberry.argument(description="The whole new version.")],
    ) -> Course:
        editor = await _editor(info)
        return _editor_view(
            await info.context.deps.service.update_course(editor, str(id), input.draft())
        )

    @strawberry.mutation(
        description="Publishes the current version to learners. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (slug taken, or edited meanwhile)."
    )
    async def publish_course(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=COURSE_ID)]
    ) -> Course:
        editor = await _editor(info)
        return _editor_view(await info.context.deps.service.publish_course(editor, str(id)))

    @strawberry.mutation(
        description="Adds an encyclopedia article as DRAFT, revision 1. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, CONFLICT (slug taken)."
    )
    async def create_article(
        self,
        info: Info,
        input: Annotated[ArticleInput, strawberry.argument(description="The new article.")],
    ) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.create_article(editor, input.draft())
        )

    @strawberry.mutation(
        description="Saves a new revision; learners see it once published. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT (slug taken, or "
        "edited at the same time)."
    )
    async def update_article(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)],
        input: Annotated[
            ArticleInput,
            strawberry.argument(description="The new revision; null skillIds keeps the skills."),
        ],
    ) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.update_article(editor, slug, input.draft())
        )

    @strawberry.mutation(
        description="Publishes the current revision to learners. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (edited meanwhile)."
    )
    async def publish_article(
        self, info: Info, slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)]
    ) -> Article:
        editor = await _editor(info)
        return _editor_article(await info.context.deps.service.publish_article(editor, slug))

    @strawberry.mutation(
        description="Saves a new revision with the title and body of an older one. EDITOR. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (no such version), "
        "CONFLICT (edited meanwhile)."
    )
    async def revert_article(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)],
        version: Annotated[int, strawberry.argument(description="The revision to go back to.")],
    ) -> Article:
        editor = await _editor(info)
        return _editor_article(
            await info.context.deps.service.revert_article(editor, slug, version)
        )

    @strawberry.mutation(
        description="Adds an external learning resource. EDITOR. Errors: UNAUTHENTICATED, "
        "FORBIDDEN, BAD_USER_INPUT (url not an absolute http(s) URL, title, skillIds)."
    )
    async def create_resource(
        self,
        info: Info,
        input: Annotated[ResourceInput, strawberry.argument(description="The new resource.")],
    ) -> Resource:
        await _editor(info)
        resource = await info.context.deps.service.create_resource(
            input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(
        description="Adds an institution. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, "
        "BAD_USER_INPUT, CONFLICT (name taken)."
    )
    async def create_institution(
        self,
        info: Info,
        input: Annotated[InstitutionInput, strawberry.argument(description="The new institution.")],
    ) -> Institution:
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
