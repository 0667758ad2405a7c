"""Queries and mutations of the content subgraph (thin: checks, then the service)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from ..common.auth import Viewer
from ..common.descriptions import MUTATION, QUERY
from ..common.pagination import PAGE, Connection, Count, Cursor, PageSize, connection
from ..common.permissions import require_role
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import ArticleInput, CourseInput, InstitutionInput, ResourceInput, ResourceKind
from .personal_data import INVENTORY
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

COURSE_ID = "The course."
ARTICLE_SLUG = "The article's slug."
StatusFilter = Annotated[
    PublicationStatus | None,
    strawberry.argument(description="Only items in this status (others than PUBLISHED: EDITOR)."),
]
SkillFilter = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only items linked to this skill.")
]


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
        directives=[PAGE],
        description="Published courses (EDITOR: every course), oldest first, a page at a time. "
        "Anyone. Errors: BAD_USER_INPUT (first, after).",
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
        return connection([Course.of(v) for v in page.items], *_rest(page), after=after)

    @strawberry.field(
        directives=[PAGE],
        description="Published articles (EDITOR: every article, filtered by status), oldest"
        " first, a page at a time. Anyone. Errors: BAD_USER_INPUT (first, after).",
    )
    async def articles(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        status: StatusFilter = None,
        skill_id: SkillFilter = None,
    ) -> Connection[Article]:
        page = await info.context.deps.service.articles(
            first, after, await viewer_sees_drafts(info), _status(status), _str(skill_id)
        )
        return connection([Article.of(v) for v in page.items], *_rest(page), after=after)

    @strawberry.field(
        directives=[PAGE],
        description="Learning resources, oldest first, a page at a time. Anyone. Errors:"
        " BAD_USER_INPUT (first, after).",
    )
    async def resources(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        skill_id: SkillFilter = None,
        kind: Annotated[
            ResourceKind | None, strawberry.argument(description="Only resources of this kind.")
        ] = None,
    ) -> Connection[Resource]:
        page = await info.context.deps.service.resources(
            first, after, _str(skill_id), kind.value if kind else None
        )
        return connection([Resource.of(r) for r in page.items], *_rest(page), after=after)

    @strawberry.field(
        directives=[PAGE],
        description="Institutions, oldest first, a page at a time. Anyone. Errors:"
        " BAD_USER_INPUT (first, after).",
    )
    async def institutions(
        self,
        info: Info,
        first: PageSize = None,
        after: Cursor = None,
        country: Annotated[
            str | None, strawberry.argument(description="Only institutions of this country.")
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(description="Only names containing this text (any case)."),
        ] = None,
    ) -> Connection[Institution]:
        page = await info.context.deps.service.institutions(first, after, country, name)
        return connection([Institution.of(i) for i in page.items], *_rest(page), after=after)

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
        description="Unpublishes a course: learners stop seeing it; it is a DRAFT again until"
        " published. The working copy and every version are kept. EDITOR. Errors:"
        " UNAUTHENTICATED, FORBIDDEN, NOT_FOUND."
    )
    async def unpublish_course(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=COURSE_ID)]
    ) -> Course:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_view(await service.withdraw_course(editor, str(id), domain.DRAFT))

    @strawberry.mutation(
        description="Archives a course: learners stop seeing it and editors find it with status"
        " ARCHIVED; publishing it again brings it back. EDITOR. Errors: UNAUTHENTICATED,"
        " FORBIDDEN, NOT_FOUND."
    )
    async def archive_course(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=COURSE_ID)]
    ) -> Course:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_view(await service.withdraw_course(editor, str(id), domain.ARCHIVED))

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
        description="Unpublishes an article: learners stop seeing it; it is a DRAFT again until"
        " published. Every revision is kept. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN,"
        " NOT_FOUND."
    )
    async def unpublish_article(
        self, info: Info, slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)]
    ) -> Article:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_article(await service.withdraw_article(editor, slug, domain.DRAFT))

    @strawberry.mutation(
        description="Archives an article: learners stop seeing it and editors find it with"
        " status ARCHIVED; publishing it again brings it back. EDITOR. Errors:"
        " UNAUTHENTICATED, FORBIDDEN, NOT_FOUND."
    )
    async def archive_article(
        self, info: Info, slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)]
    ) -> Article:
        editor = await _editor(info)
        service = info.context.deps.service
        return _editor_article(await service.withdraw_article(editor, slug, domain.ARCHIVED))

    @strawberry.mutation(
        description="Deletes an article and all its revisions for good; returns its id."
        " EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND."
    )
    async def delete_article(
        self, info: Info, slug: Annotated[str, strawberry.argument(description=ARTICLE_SLUG)]
    ) -> strawberry.ID:
        editor = await _editor(info)
        return strawberry.ID(await info.context.deps.service.delete_article(editor, slug))

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
        description="Replaces every field of a resource; its skill ids must exist. EDITOR."
        " Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (url, title, skillIds)."
    )
    async def update_resource(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The resource.")],
        input: Annotated[ResourceInput, strawberry.argument(description="Its new fields.")],
    ) -> Resource:
        await _editor(info)
        resource = await info.context.deps.service.update_resource(
            str(id), input.title, input.url, input.kind.value, [str(i) for i in input.skill_ids]
        )
        return Resource.of(resource)

    @strawberry.mutation(
        description="Deletes a resource for good; returns its id. EDITOR. Errors:"
        " UNAUTHENTICATED, FORBIDDEN, NOT_FOUND."
    )
    async def delete_resource(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The resource.")],
    ) -> strawberry.ID:
        await _editor(info)
        return strawberry.ID(await info.context.deps.service.delete_resource(str(id)))

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

    @strawberry.mutation(
        description="Renames an institution or changes its country; names stay unique. EDITOR."
        " Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT (name taken)."
    )
    async def update_institution(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The institution.")],
        input: Annotated[InstitutionInput, strawberry.argument(description="Its new fields.")],
    ) -> Institution:
        await _editor(info)
        service = info.context.deps.service
        return Institution.of(await service.update_institution(str(id), input.name, input.country))

    @strawberry.mutation(
        description="Deletes an institution; returns its id. Refused while courses name it."
        " EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (courses name it)."
    )
    async def delete_institution(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The institution.")],
    ) -> strawberry.ID:
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
        types=[Skill, User, Course, Article, Resource, Institution, data_export_type(INVENTORY)],
    )
