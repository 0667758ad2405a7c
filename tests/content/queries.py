"""GraphQL documents and inputs the content gateway tests send, as a frontend would."""

from __future__ import annotations

import uuid
from typing import Any

COURSE_FIELDS = """
  id slug title summary status version publishedAt publishedVersion
  skills { id name }
  institution { id name country }
  modules { position title lessons { position title body durationMinutes } }
"""
CREATE_COURSE = (
    f"mutation($input: CourseInput!) {{ createCourse(input: $input) {{ {COURSE_FIELDS} }} }}"
)
UPDATE_COURSE = f"""mutation($id: ID!, $input: CourseInput!) {{
  updateCourse(id: $id, input: $input) {{ {COURSE_FIELDS} }} }}"""
PUBLISH_COURSE = f"mutation($id: ID!) {{ publishCourse(id: $id) {{ {COURSE_FIELDS} }} }}"
COURSE_BY_ID = f"query($id: ID!) {{ course(id: $id) {{ {COURSE_FIELDS} }} }}"
COURSE_BY_SLUG = "query($slug: String!) { course(slug: $slug) { id title version } }"
COURSE_VERSIONS = """query($id: ID!) { course(id: $id) {
  versions { version title editedAt editor { id displayName } } } }"""
COURSES_AT = """query($institution: ID) { courses(first: 50, institutionId: $institution) {
  totalCount edges { cursor node { id title status } } pageInfo { hasNextPage endCursor } } }"""
SKILL_CONTENT = """query($id: ID!) { skill(id: $id) { name
  courses { id title version institution { name courses { id } } }
  articles { slug title html } resources { title url kind } } }"""

ARTICLE_FIELDS = """id slug title body html status version publishedVersion skills { id name }
  revisions { version title body editedAt editor { id displayName } }"""
CREATE_ARTICLE = (
    f"mutation($input: ArticleInput!) {{ createArticle(input: $input) {{ {ARTICLE_FIELDS} }} }}"
)
UPDATE_ARTICLE = f"""mutation($slug: String!, $input: ArticleInput!) {{
  updateArticle(slug: $slug, input: $input) {{ {ARTICLE_FIELDS} }} }}"""
PUBLISH_ARTICLE = (
    f"mutation($slug: String!) {{ publishArticle(slug: $slug) {{ {ARTICLE_FIELDS} }} }}"
)
REVERT_ARTICLE = f"""mutation($slug: String!, $version: Int!) {{
  revertArticle(slug: $slug, version: $version) {{ {ARTICLE_FIELDS} }} }}"""
ARTICLE = f"query($slug: String!) {{ article(slug: $slug) {{ {ARTICLE_FIELDS} }} }}"

CREATE_RESOURCE = """mutation($input: ResourceInput!) {
  createResource(input: $input) { id title url kind skills { id } } }"""
CREATE_INSTITUTION = """mutation($input: InstitutionInput!) {
  createInstitution(input: $input) { id name country courses { id } } }"""
SEARCH = """query($q: String!, $first: Int) { searchContent(query: $q, first: $first) {
  __typename
  ... on Course { id title status }
  ... on Article { id title status }
  ... on Resource { id title url }
} }"""


def code_and_field(body: dict[str, Any]) -> tuple[str, str]:
    extensions = body["errors"][0]["extensions"]
    return extensions["code"], extensions.get("field")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def course_input(
    slug: str, skill_ids: list[str], title: str = "Practical Python", **extra: Any
) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": title,
        "summary": "Write real programs",
        "skillIds": skill_ids,
        "modules": [
            {
                "title": "Start",
                "lessons": [
                    {"title": "Setup", "body": "Install it", "durationMinutes": 15},
                    {"title": "Hello", "body": "print()", "durationMinutes": 20},
                ],
            },
            {
                "title": "Next",
                "lessons": [{"title": "Loops", "body": "for", "durationMinutes": 30}],
            },
        ],
        **extra,
    }
