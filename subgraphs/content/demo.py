"""Demo content (demo_content.json): institutions, courses, articles, resources.

Loaded idempotently (what exists, by slug, name or url, is left alone) and
published through the service, so it emits the events an editor's work would.
The content refers to skills by slug; skill ids belong to the skills subgraph,
so they are looked up through the gateway at load time. When the gateway does
not answer after a few tries, the content is loaded without skill links.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.auth import Viewer
from ..common.errors import Conflict
from ..common.gateway_client import GatewayClient, GatewayUnavailable
from ..common.settings import Settings
from .deps import Deps
from .inputs import ArticleDraft, CourseDraft, LessonDraft, ModuleDraft

log = logging.getLogger("skill_circle.content.demo")

CONTENT = Path(__file__).with_name("demo_content.json")
SYSTEM_EDITOR = "system"
SKILLS_PAGE = """
query DemoSkills($after: String) {
  skills(first: 100, after: $after) {
    edges { node { id slug } }
    pageInfo { hasNextPage endCursor }
  }
}"""
ADMIN_LOGIN = """
mutation DemoEditor($email: String!, $password: String!) {
  login(email: $email, password: $password) { user { id } }
}"""


@dataclass(frozen=True)
class DemoLoad:
    """How many of each the load created (0 everywhere on a second run)."""

    institutions: int
    courses: int
    articles: int
    resources: int
    skills_linked: bool


@dataclass(frozen=True)
class DemoLinks:
    """What the demo content needs from other subgraphs."""

    skill_ids: Mapping[str, str]  # by slug
    editor_id: str


async def load_demo_content(deps: Deps, links: DemoLinks, path: Path = CONTENT) -> DemoLoad:
    content = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    editor = Viewer(user_id=links.editor_id, roles=frozenset({"EDITOR"}))
    institution_ids, institutions = await _load_institutions(deps, content["institutions"])
    courses = articles = resources = 0
    for entry in content["courses"]:
        courses += await _load_course(deps, editor, entry, links.skill_ids, institution_ids)
    for entry in content["articles"]:
        articles += await _load_article(deps, editor, entry, links.skill_ids)
    for entry in content["resources"]:
        resources += await _load_resource(deps, entry, links.skill_ids)
    return DemoLoad(institutions, courses, articles, resources, bool(links.skill_ids))


async def _load_institutions(
    deps: Deps, entries: list[dict[str, Any]]
) -> tuple[dict[str, str], int]:
    ids: dict[str, str] = {}
    created = 0
    for entry in entries:
        found = await deps.store.institution_named(entry["name"])
        if found is None:
            try:
                found = await deps.service.create_institution(entry["name"], entry["country"])
                created += 1
            except Conflict:  # another process created it meanwhile
                found = await deps.store.institution_named(entry["name"])
        if found is not None:
            ids[found.name] = found.id
    return ids, created


def _skills(slugs: list[str], skill_ids: Mapping[str, str]) -> list[str]:
    return [skill_ids[slug] for slug in slugs if slug in skill_ids]


async def _load_course(
    deps: Deps,
    editor: Viewer,
    entry: dict[str, Any],
    skill_ids: Mapping[str, str],
    institution_ids: Mapping[str, str],
) -> int:
    if await deps.store.courses.slug_used_elsewhere(entry["slug"], None):
        return 0
    draft = CourseDraft(
        slug=entry["slug"],
        title=entry["title"],
        summary=entry["summary"],
        skill_ids=_skills(entry["skillSlugs"], skill_ids),
        institution_id=institution_ids.get(entry["institution"] or ""),
        modules=[
            ModuleDraft(
                title=module["title"],
                lessons=[
                    LessonDraft(lesson["title"], lesson["body"], lesson["durationMinutes"])
                    for lesson in module["lessons"]
                ],
            )
            for module in entry["modules"]
        ],
    )
    try:
        course = await deps.service.create_course(editor, draft)
    except Conflict:
        return 0
    await deps.service.publish_course(editor, course.id)
    return 1


async def _load_article(
    deps: Deps, editor: Viewer, entry: dict[str, Any], skill_ids: Mapping[str, str]
) -> int:
    if await deps.store.articles.slug_used_elsewhere(entry["slug"], None):
        return 0
    draft = ArticleDraft(
        entry["slug"], entry["title"], entry["body"], _skills(entry["skillSlugs"], skill_ids)
    )
    try:
        article = await deps.service.create_article(editor, draft)
    except Conflict:
        return 0
    await deps.service.publish_article(editor, article.current.slug)
    return 1


async def _load_resource(deps: Deps, entry: dict[str, Any], skill_ids: Mapping[str, str]) -> int:
    if await deps.store.resource_with_url(entry["url"]) is not None:
        return 0
    await deps.service.create_resource(
        entry["title"], entry["url"], entry["kind"], _skills(entry["skillSlugs"], skill_ids)
    )
    return 1


# ------------------------------------------------------------ links through the gateway


async def fetch_links(
    settings: Settings, gateway_url: str | None = None, attempts: int = 6, delay: float = 2.0
) -> DemoLinks:
    """Skill ids by slug and the admin's user id, from the gateway; retried, then given up."""
    async with GatewayClient.from_settings(settings, gateway_url) as gateway:
        for attempt in range(1, attempts + 1):
            try:
                skill_ids = await _skill_ids(gateway)
                if skill_ids:
                    editor_id = await _admin_id(gateway, settings)
                    return DemoLinks(skill_ids, editor_id)
                problem = "the skills catalog is empty"
            except (GatewayUnavailable, KeyError, TypeError, ValueError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if attempt < attempts:
                log.info("demo content: gateway not ready (%s); retrying", problem)
                await asyncio.sleep(min(delay * 2 ** (attempt - 1), 15))
    log.warning(
        "demo content: no skills from %s after %d tries; loading without skill links",
        gateway.url,
        attempts,
    )
    return DemoLinks({}, SYSTEM_EDITOR)


async def _graphql(gateway: GatewayClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await gateway.query(query, variables)
    if body.get("errors"):
        raise ValueError(body["errors"][0].get("message", "GraphQL error"))
    data: dict[str, Any] = body["data"]
    return data


async def _skill_ids(gateway: GatewayClient) -> dict[str, str]:
    ids: dict[str, str] = {}
    after: str | None = None
    while True:
        page = (await _graphql(gateway, SKILLS_PAGE, {"after": after}))["skills"]
        ids.update({edge["node"]["slug"]: edge["node"]["id"] for edge in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def _admin_id(gateway: GatewayClient, settings: Settings) -> str:
    """The demo editor: the configured admin account, when its login works."""
    try:
        data = await _graphql(
            gateway,
            ADMIN_LOGIN,
            {"email": settings.admin_email, "password": settings.admin_password},
        )
    except (GatewayUnavailable, ValueError) as exc:
        log.warning("demo content: admin login failed (%s); editor is %r", exc, SYSTEM_EDITOR)
        return SYSTEM_EDITOR
    return str(data["login"]["user"]["id"])
