"""The data source in production: one GraphQL query per render through the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from ..common.errors import Forbidden, Unauthenticated
from .model import ProgressEntry, RoadmapInfo, RoadmapStep, SkillGraph, SkillInfo, UserProgress

SKILL_FIELDS = "fragment SkillFields on Skill { id slug name level }"
ROADMAP_FIELDS = """
fragment RoadmapFields on Roadmap {
  id slug title description
  steps { position milestone skill { ...SkillFields prerequisites { id } } }
}"""
PROGRESS_FIELDS = """
fragment ProgressFields on SkillProgress {
  percent status startedAt updatedAt completedAt
  skill { ...SkillFields category { name } }
}"""
PROGRESS_QUERY = (
    "query UserProgress($user: ID!) { user(id: $user) { id progress { ...ProgressFields } } }"
    + PROGRESS_FIELDS
    + SKILL_FIELDS
)
ROADMAP_QUERY = (
    "query Roadmap($slug: String!) { roadmap(slug: $slug) { ...RoadmapFields } }"
    + ROADMAP_FIELDS
    + SKILL_FIELDS
)
ROADMAP_PROGRESS_QUERY = (
    "query RoadmapProgress($user: ID!, $slug: String!) {"
    " roadmap(slug: $slug) { ...RoadmapFields }"
    " user(id: $user) { id progress { ...ProgressFields } } }"
    + ROADMAP_FIELDS
    + PROGRESS_FIELDS
    + SKILL_FIELDS
)
MISSING = {"NOT_FOUND", "BAD_USER_INPUT"}  # an id that names nothing
BATCH = 20  # skills per query: well under the per-operation alias limit


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed: nothing to draw, try again later."""


def tree_query(count: int, depth: int) -> str:
    """`count` aliased skills, each with prerequisites nested `depth` levels deep."""
    nested = "...SkillFields prerequisites { id }"  # at the limit: only whether there are more
    for _ in range(depth):
        nested = f"...SkillFields prerequisites {{ {nested} }}"
    variables = ", ".join(f"$s{i}: ID!" for i in range(count))
    fields = " ".join(f"s{i}: skill(id: $s{i}) {{ ...Tree }}" for i in range(count))
    return (
        f"query SkillTrees({variables}) {{ {fields} }} "
        f"fragment Tree on Skill {{ {nested} }} {SKILL_FIELDS}"
    )


class GatewaySource:
    """Reads skills, roadmaps and progress from the supergraph (the caller's token for progress)."""

    def __init__(self, url: str, timeout: float = 20.0) -> None:
        self.url = url
        self.http = httpx.AsyncClient(timeout=timeout)
        self.count = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def skill_graphs(self, skill_ids: list[str], depth: int) -> dict[str, SkillGraph]:
        graphs: dict[str, SkillGraph] = {}
        for start in range(0, len(skill_ids), BATCH):
            chunk = skill_ids[start : start + BATCH]
            data = await self._query(
                tree_query(len(chunk), depth), {f"s{i}": key for i, key in enumerate(chunk)}
            )
            for index, key in enumerate(chunk):
                node = data.get(f"s{index}")
                if node is not None:
                    graph = SkillGraph(str(node["id"]), depth)
                    beyond: dict[str, list[str]] = {}
                    _collect(graph, node, 0, beyond)
                    graph.close_edges(beyond)
                    graphs[key] = graph
        return graphs

    async def roadmap(self, slug: str) -> RoadmapInfo | None:
        data = await self._query(ROADMAP_QUERY, {"slug": slug})
        return _roadmap(data.get("roadmap"))

    async def progress(self, user_id: str, token: str) -> UserProgress | None:
        data = await self._query(PROGRESS_QUERY, {"user": user_id}, token)
        return _progress(data.get("user"))

    async def roadmap_progress(
        self, user_id: str, slug: str, token: str
    ) -> tuple[RoadmapInfo | None, UserProgress | None]:
        data = await self._query(ROADMAP_PROGRESS_QUERY, {"user": user_id, "slug": slug}, token)
        return _roadmap(data.get("roadmap")), _progress(data.get("user"))

    async def _query(
        self, query: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        self.count += 1
        headers = {"authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.http.post(
                self.url, json={"query": query, "variables": variables}, headers=headers
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayUnavailable(f"gateway request failed: {exc!r}") from exc
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        if "FORBIDDEN" in codes:
            raise Forbidden()
        if "UNAUTHENTICATED" in codes:
            raise Unauthenticated()
        if codes - MISSING:
            raise GatewayUnavailable(f"gateway query failed: {body['errors']}")
        return body.get("data") or {}


def _skill(node: dict[str, Any]) -> SkillInfo:
    category = node.get("category") or {}
    return SkillInfo(
        str(node["id"]), node["slug"], node["name"], node["level"], category.get("name", "")
    )


def _collect(
    graph: SkillGraph, node: dict[str, Any], level: int, beyond: dict[str, list[str]]
) -> None:
    """Skills and edges of a nested response; `beyond`: prerequisites past the limit."""
    key = str(node["id"])
    graph.skills.setdefault(key, _skill(node))
    prerequisites = [str(p["id"]) for p in node.get("prerequisites") or []]
    if level >= graph.depth:
        beyond[key] = prerequisites
        return
    for prerequisite in node.get("prerequisites") or []:
        graph.edges.add((key, str(prerequisite["id"])))
        _collect(graph, prerequisite, level + 1, beyond)


def _roadmap(node: dict[str, Any] | None) -> RoadmapInfo | None:
    if node is None:
        return None
    steps = [
        RoadmapStep(step["position"], _skill(step["skill"]), step.get("milestone"))
        for step in sorted(node["steps"], key=lambda s: s["position"])
    ]
    members = {step.skill.id for step in steps}
    edges = {
        (str(step["skill"]["id"]), str(p["id"]))
        for step in node["steps"]
        for p in step["skill"].get("prerequisites") or []
        if str(p["id"]) in members
    }
    return RoadmapInfo(
        str(node["id"]), node["slug"], node["title"], node["description"], steps, edges
    )


def _progress(node: dict[str, Any] | None) -> UserProgress | None:
    if node is None:
        return None
    entries = [
        ProgressEntry(
            skill=_skill(item["skill"]),
            percent=float(item["percent"]),
            status=item["status"],
            started_at=datetime.fromisoformat(item["startedAt"]),
            updated_at=datetime.fromisoformat(item["updatedAt"]),
            completed_at=(
                datetime.fromisoformat(item["completedAt"]) if item.get("completedAt") else None
            ),
        )
        for item in node.get("progress") or []
    ]
    return UserProgress(str(node["id"]), entries)
