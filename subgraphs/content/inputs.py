"""GraphQL inputs and their checks: what editors send becomes clean domain values
or BAD_USER_INPUT."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

import strawberry

from ..common.descriptions import described_enum
from ..common.errors import BadUserInput
from .domain import RESOURCE_KINDS, ArticleContent, CourseContent, CourseModule, Lesson

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_SLUG = 100
MAX_TITLE = 200
MAX_SUMMARY = 2_000
MAX_BODY = 100_000
MAX_MODULES = 50
MAX_LESSONS = 100
MAX_LESSON_MINUTES = 24 * 60
MAX_SKILLS = 50
MAX_URL = 2_048
SLUG_RULE = "Unique, lowercase letters, digits and single hyphens; at most 100 characters."
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


@dataclass(frozen=True)
class LessonDraft:
    title: str
    body: str
    duration_minutes: int
    id: str | None = None  # an existing lesson this one continues


@dataclass(frozen=True)
class ModuleDraft:
    title: str
    lessons: Sequence[LessonDraft]


def slug(value: str) -> str:
    value = value.strip()
    if not SLUG.match(value) or len(value) > MAX_SLUG:
        raise BadUserInput(
            "slug", "slug must be lowercase letters, digits and single hyphens (at most 100)"
        )
    return value


def text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """`value` without surrounding blanks, at most `limit` characters."""
    value = value.strip()
    if required and not value:
        raise BadUserInput(field, f"{field} must not be empty")
    if len(value) > limit:
        raise BadUserInput(field, f"{field} must be at most {limit} characters")
    return value


def markdown(field: str, value: str) -> str:
    """Markdown as written (whitespace matters in Markdown), at most MAX_BODY characters."""
    if len(value) > MAX_BODY:
        raise BadUserInput(field, f"{field} must be at most {MAX_BODY} characters")
    return value


def skill_ids(values: Iterable[str] | None, field: str = "skillIds") -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(str(v).strip() for v in values or ()))
    if any(not v or len(v) > 100 for v in cleaned):
        raise BadUserInput(field, "skill ids must be non-empty ids")
    if len(cleaned) > MAX_SKILLS:
        raise BadUserInput(field, f"at most {MAX_SKILLS} skills")
    return cleaned


def modules(values: Sequence[ModuleDraft]) -> tuple[CourseModule, ...]:
    if len(values) > MAX_MODULES:
        raise BadUserInput("modules", f"at most {MAX_MODULES} modules")
    return unique_lesson_ids(
        tuple(
            CourseModule(title=text("title", m.title, MAX_TITLE), lessons=lessons(m.lessons))
            for m in values
        )
    )


def lesson_id(value: str | None) -> str:
    """An editor-given lesson id, checked; "" when none was given (one is assigned)."""
    value = (value or "").strip()
    if value and not LESSON_ID.match(value):
        raise BadUserInput("lessons", "a lesson id is 1 to 64 letters, digits, '-' or '_'")
    return value


def unique_lesson_ids(modules: tuple[CourseModule, ...]) -> tuple[CourseModule, ...]:
    ids = [lesson.id for module in modules for lesson in module.lessons if lesson.id]
    if len(ids) != len(set(ids)):
        raise BadUserInput("lessons", "each lesson id may appear once in a course")
    return modules


def lessons(values: Sequence[LessonDraft]) -> tuple[Lesson, ...]:
    if len(values) > MAX_LESSONS:
        raise BadUserInput("lessons", f"at most {MAX_LESSONS} lessons per module")
    checked = []
    for lesson in values:
        if not 0 <= lesson.duration_minutes <= MAX_LESSON_MINUTES:
            raise BadUserInput(
                "durationMinutes", f"durationMinutes must be 0..{MAX_LESSON_MINUTES}"
            )
        checked.append(
            Lesson(
                id=lesson_id(lesson.id),
                title=text("title", lesson.title, MAX_TITLE),
                body=markdown("body", lesson.body),
                duration_minutes=lesson.duration_minutes,
            )
        )
    return tuple(checked)


@dataclass(frozen=True)
class CourseDraft:
    """A course as an editor submitted it, before any check."""

    slug: str
    title: str
    summary: str
    skill_ids: Sequence[str]
    institution_id: str | None
    modules: Sequence[ModuleDraft]


@dataclass(frozen=True)
class ArticleDraft:
    slug: str
    title: str
    body: str
    skill_ids: Sequence[str] | None


def course_content(draft: CourseDraft) -> CourseContent:
    return CourseContent(
        slug=slug(draft.slug),
        title=text("title", draft.title, MAX_TITLE),
        summary=text("summary", draft.summary, MAX_SUMMARY, required=False),
        skill_ids=skill_ids(draft.skill_ids),
        institution_id=(draft.institution_id or "").strip() or None,
        modules=modules(draft.modules),
    )


def article_content(draft: ArticleDraft) -> ArticleContent:
    return ArticleContent(
        slug=slug(draft.slug),
        title=text("title", draft.title, MAX_TITLE),
        body=markdown("body", draft.body),
        skill_ids=skill_ids(draft.skill_ids),
    )


def web_url(value: str, field: str = "url") -> str:
    """An absolute http(s) URL with a host, or BAD_USER_INPUT."""
    value = value.strip()
    if not value or len(value) > MAX_URL or _URL_FORBIDDEN.search(value):
        raise BadUserInput(field, "url must be an absolute http(s) URL")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise BadUserInput(field, "url must be an absolute http(s) URL") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadUserInput(field, "url must be an absolute http(s) URL")
    if port == 0:
        raise BadUserInput(field, "url must be an absolute http(s) URL")
    return value


def resource_kind(value: str) -> str:
    if value not in RESOURCE_KINDS:
        raise BadUserInput("kind", "unknown resource kind")
    return value


def country(value: str | None) -> str | None:
    if value is None:
        return None
    return text("country", value, 100, required=False) or None


@described_enum(
    "What sort of resource a link points to.",
    VIDEO="A video or screencast.",
    BOOK="A book.",
    ARTICLE="An article or blog post.",
    TOOL="Software or an online tool.",
    COURSE="A course elsewhere.",
    EXERCISE="Exercises or practice problems.",
)
class ResourceKind(Enum):
    VIDEO = "VIDEO"
    BOOK = "BOOK"
    ARTICLE = "ARTICLE"
    TOOL = "TOOL"
    COURSE = "COURSE"
    EXERCISE = "EXERCISE"


@strawberry.input(description="A lesson.")
class LessonInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    body: str = strawberry.field(description="Markdown, at most 100000 characters.")
    duration_minutes: int = strawberry.field(description="Study time, 0 to 1440 minutes.")
    id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The id of the lesson this one continues (Lesson.id of the working copy),"
        " so learners keep their progress in it; at most once per course. Null: the working"
        " copy's lesson with the same title keeps its id, else the lesson is new.",
    )


@strawberry.input(description="A module with its lessons.")
class CourseModuleInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    lessons: list[LessonInput] = strawberry.field(description="At most 100, in order.")


@strawberry.input(description="A whole version of a course.")
class CourseInput:
    slug: str = strawberry.field(description=SLUG_RULE)
    title: str = strawberry.field(description="1 to 200 characters.")
    summary: str = strawberry.field(description="At most 2000 characters; may be empty.")
    skill_ids: list[strawberry.ID] = strawberry.field(description="At most 50 skills it teaches.")
    modules: list[CourseModuleInput] = strawberry.field(description="At most 50, in order.")
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing institution offering it; null if none."
    )

    def draft(self) -> CourseDraft:
        return CourseDraft(
            slug=self.slug,
            title=self.title,
            summary=self.summary,
            skill_ids=[str(i) for i in self.skill_ids],
            institution_id=str(self.institution_id) if self.institution_id else None,
            modules=[
                ModuleDraft(
                    title=m.title,
                    lessons=[
                        LessonDraft(
                            l.title, l.body, l.duration_minutes, str(l.id) if l.id else None
                        )
                        for l in m.lessons  # noqa: E741
                    ],
                )
                for m in self.modules
            ],
        )


@strawberry.input(description="A whole revision of an article.")
class ArticleInput:
    slug: str = strawberry.field(description=SLUG_RULE)
    title: str = strawberry.field(description="1 to 200 characters.")
    body: str = strawberry.field(description="Markdown, at most 100000 characters.")
    skill_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="At most 50 skills it is about; null keeps them on update."
    )

    def draft(self) -> ArticleDraft:
        skill_ids = [str(i) for i in self.skill_ids] if self.skill_ids is not None else None
        return ArticleDraft(self.slug, self.title, self.body, skill_ids)


@strawberry.input(description="A new external resource.")
class ResourceInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    url: str = strawberry.field(description="Absolute http(s) URL.")
    kind: ResourceKind = strawberry.field(description="What sort of resource it is.")
    skill_ids: list[strawberry.ID] = strawberry.field(description="At most 50 skills it helps.")


@strawberry.input(description="A new institution.")
class InstitutionInput:
    name: str = strawberry.field(description="Unique, 1 to 200 characters.")
    country: str | None = strawberry.field(default=None, description="At most 100 characters.")
