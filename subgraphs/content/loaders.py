"""DataLoaders of the content subgraph: one store round trip per batch."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from strawberry.dataloader import DataLoader

from ..common.loaders import many_each, one_each
from .deps import Deps
from .domain import (
    Article,
    ArticleRevision,
    Course,
    CourseVersion,
    Institution,
    Resource,
)
from .store import ContentStore


@dataclass
class Loaders:
    course: DataLoader[str, Course | None]
    article: DataLoader[str, Article | None]
    resource: DataLoader[str, Resource | None]
    institution: DataLoader[str, Institution | None]
    course_versions: DataLoader[str, list[CourseVersion]]
    article_revisions: DataLoader[str, list[ArticleRevision]]
    skill_courses: DataLoader[str, list[Course]]  # published only
    skill_articles: DataLoader[str, list[Article]]  # published only
    skill_resources: DataLoader[str, list[Resource]]
    institution_courses: DataLoader[str, list[Course]]  # every course (editors)
    institution_published_courses: DataLoader[str, list[Course]]


def make_loaders(store: ContentStore) -> Loaders:
    return Loaders(
        course=one_each(store.courses_by_ids, key_of=lambda c: c.id),
        article=one_each(store.articles_by_ids, key_of=lambda a: a.id),
        resource=one_each(store.resources_by_ids, key_of=lambda r: r.id),
        institution=one_each(store.institutions_by_ids, key_of=lambda i: i.id),
        course_versions=many_each(store.course_versions),
        article_revisions=many_each(store.article_revisions),
        skill_courses=many_each(store.published_courses_for_skills),
        skill_articles=many_each(store.published_articles_for_skills),
        skill_resources=many_each(store.resources_for_skills),
        institution_courses=many_each(
            partial(store.courses_for_institutions, published_only=False),
            name="ContentStore.courses_for_institutions",
        ),
        institution_published_courses=many_each(
            partial(store.courses_for_institutions, published_only=True),
            name="ContentStore.published_courses_for_institutions",
        ),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.store)
