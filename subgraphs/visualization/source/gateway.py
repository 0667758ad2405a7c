"""The data source in production: one GraphQL query per render through the gateway."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ...common.errors import Forbidden, Unauthenticated
from ...common.gateway_client import GatewayClient, GatewayUnavailable
from ..domain import (
    ActivePeriod,
    CertificateInfo,
    ChartPeriod,
    Cohort,
    DateRange,
    RoadmapInfo,
    RoadmapStep,
    SkillGraph,
    SkillStats,
    UserProgress,
)
from ..inputs import skill_info, user_progress
from .analytics import (
    ACTIVE_QUERY,
    COHORTS_QUERY,
    SKILL_QUERY,
    active_period,
    cohort,
    quiet_skill,
    skill_stats,
)

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
# Progress with only the skill ids: answered by the learning subgraph alone, so a skill the
# skills subgraph no longer has cannot null the whole user (the gateway bubbles the null up).
PROGRESS_IDS_QUERY = """
query UserProgressIds($user: ID!) {
  user(id: $user) { id progress { percent status startedAt updatedAt completedAt skill { id } } }
}"""
CERTIFICATE_QUERY = """
query Certificate($code: String!) {
  verifyCertificate(verificationCode: $code) { issuedAt skill { name } user { displayName } }
}"""
MISSING = {"NOT_FOUND", "BAD_USER_INPUT"}  # an id that names nothing


log = logging.getLogger("skill_circle.visualization.gateway")

__all__ = ["GatewaySource", "GatewayUnavailable"]


# A tree is read level by level (one query per level of the whole batch) instead of as one
# nested query: nesting `prerequisites` repeats every shared subtree (the response grows
# exponentially with depth on a DAG), and its cost, 10 per unsized list level, put even two
# skills of depth 3 over the anonymous operation budget.
NODE = "...SkillFields prerequisites { id }"  # a skill and its direct prerequisites' ids
PROGRESS_SKILL = "...SkillFields category { name }"


class GatewaySource:
    """Reads skills, roadmaps and progress from the supergraph (the caller's token for progress)."""

    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway
        self.count = 0

    async def close(self) -> None:
        await self.gateway.close()

    async def skill_graphs(self, skill_ids: list[str], depth: int) -> dict[str, SkillGraph]:
        nodes: dict[str, dict[str, Any]] = {}
        frontier = list(dict.fromkeys(skill_ids))
        for _ in range(depth + 1):  # level 0 (the roots) to `depth`
            wanted = [key for key in frontier if key not in nodes]
            if not wanted:
                break
            nodes.update(await self._by_id("SkillNodes", NODE, wanted))
            frontier = list(
                dict.fromkeys(
                    str(p["id"])
                    for key in wanted
                    if key in nodes
                    for p in nodes[key].get("prerequisites") or []
                )
            )
        return {key: _graph(key, depth, nodes) for key in skill_ids if key in nodes}

    async def _by_id(
        self, name: str, selection: str, skill_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        """Skills by id, `selection` of each, in batches; ids the skills subgraph lacks left out."""
        self.count += 1
        return await self.gateway.lookup(
            "skill", skill_ids, selection, fragments=SKILL_FIELDS, name=name
        )

    async def roadmap(self, slug: str) -> RoadmapInfo | None:
        data = await self._query(ROADMAP_QUERY, {"slug": slug})
        return _roadmap(data.get("roadmap"))

    async def progress(self, user_id: str, token: str) -> UserProgress | None:
        data = await self._query(PROGRESS_QUERY, {"user": user_id}, token, skill_errors_ok=True)
        return _progress(await self._user(data, user_id, token))

    async def roadmap_progress(
        self, user_id: str, slug: str, token: str
    ) -> tuple[RoadmapInfo | None, UserProgress | None]:
        data = await self._query(
            ROADMAP_PROGRESS_QUERY, {"user": user_id, "slug": slug}, token, skill_errors_ok=True
        )
        return _roadmap(data.get("roadmap")), _progress(await self._user(data, user_id, token))

    async def certificate(self, verification_code: str, verify_url: str) -> CertificateInfo | None:
        data = await self._query(CERTIFICATE_QUERY, {"code": verification_code})
        found = data.get("verifyCertificate")
        if found is None:
            return None
        return CertificateInfo(
            learner_name=str(found["user"]["displayName"]),
            skill_name=str(found["skill"]["name"]),
            issued_at=datetime.fromisoformat(found["issuedAt"]),
            verification_code=verification_code,
            verify_url=verify_url,
        )

    async def active_learners(
        self, period: ChartPeriod, dates: DateRange, token: str
    ) -> list[ActivePeriod]:
        variables = {"period": period.value, **_range(dates)}
        nodes = await self._pages(ACTIVE_QUERY, "activeLearners", variables, token)
        return [active_period(node) for node in nodes]

    async def skill_stats(self, skill_id: str, dates: DateRange, token: str) -> SkillStats | None:
        data = await self._query(SKILL_QUERY, {"skill": skill_id, **_range(dates)}, token)
        if data.get("skill") is None:
            return None
        edges = (data.get("skillAnalytics") or {}).get("edges") or []
        return skill_stats(edges[0]["node"]) if edges else quiet_skill(data["skill"])

    async def cohorts(self, dates: DateRange, token: str) -> list[Cohort]:
        nodes = await self._pages(COHORTS_QUERY, "cohorts", _range(dates), token)
        return [cohort(node) for node in nodes]

    async def _pages(
        self, query: str, field: str, variables: dict[str, Any], token: str
    ) -> list[dict[str, Any]]:
        """Every node of a connection, page by page (a chart covers at most a year of days)."""
        nodes: list[dict[str, Any]] = []
        after = None
        for _ in range(MAX_PAGES):
            data = await self._query(query, {**variables, "after": after}, token)
            connection = data.get(field) or {}
            nodes += [edge["node"] for edge in connection.get("edges") or []]
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                break
            after = page.get("endCursor")
        return nodes

    async def _user(self, data: dict[str, Any], user_id: str, token: str) -> dict[str, Any] | None:
        """The user of a progress response; when a failed skill nulled it, read again without
        the skills that failed (a partial answer: the chart shows the skills that exist)."""
        user = data.get("user")
        if user is not None or not data.get(SKILLS_FAILED):
            return user
        found = await self._query(PROGRESS_IDS_QUERY, {"user": user_id}, token)
        user = found.get("user")
        if user is None:
            return None
        progress = user.get("progress") or []
        skills = await self._by_id(
            "ProgressSkills",
            PROGRESS_SKILL,
            list(dict.fromkeys(str(p["skill"]["id"]) for p in progress)),
        )
        kept = [
            {**item, "skill": skills[str(item["skill"]["id"])]}
            for item in progress
            if str(item["skill"]["id"]) in skills
        ]
        return {"id": user["id"], "progress": kept}

    async def _query(
        self,
        query: str,
        variables: dict[str, Any],
        token: str | None = None,
        *,
        skill_errors_ok: bool = False,
    ) -> dict[str, Any]:
        """The response's data. With `skill_errors_ok`, errors resolving a progress entry's
        skill are tolerated (logged; the data then carries SKILLS_FAILED)."""
        self.count += 1
        body = await self.gateway.query(query, variables, token=token)
        errors = body.get("errors") or []
        codes = {_code(e) for e in errors}
        if "FORBIDDEN" in codes:
            raise Forbidden()
        if "UNAUTHENTICATED" in codes:
            raise Unauthenticated()
        skill_errors = [e for e in errors if skill_errors_ok and _at_progress_skill(e)]
        if any(_code(e) not in MISSING for e in errors if e not in skill_errors):
            raise GatewayUnavailable(f"gateway query failed: {errors}")
        data = body.get("data")
        if not isinstance(data, dict):
            if errors:
                raise GatewayUnavailable(f"gateway query gave no data: {errors}")
            return {}
        if skill_errors:
            log.warning(
                "skills of progress entries failed to resolve; drawing without them: %s",
                [e.get("path") for e in skill_errors],
            )
            data = {**data, SKILLS_FAILED: True}
        return data


SKILLS_FAILED = "__skillsFailed"  # marks data in which some progress entry's skill failed
MAX_PAGES = 8  # of 100 nodes: more than a year of days


def _range(dates: DateRange) -> dict[str, str | None]:
    """The `from`/`to` variables (None: learning's default)."""
    return {
        "from": dates.start.isoformat() if dates.start else None,
        "to": dates.end.isoformat() if dates.end else None,
    }


def _code(error: dict[str, Any]) -> str | None:
    return (error.get("extensions") or {}).get("code")


def _at_progress_skill(error: dict[str, Any]) -> bool:
    """An error resolving the skill of one progress entry: path user.progress.<n>.skill..."""
    path = error.get("path") or []
    return len(path) >= 4 and path[:2] == ["user", "progress"] and path[3] == "skill"


def _graph(root: str, depth: int, nodes: dict[str, dict[str, Any]]) -> SkillGraph:
    """The tree below `root`: each skill expanded at its shortest distance from the root;
    the prerequisites of skills at the limit are only counted (`close_edges`)."""
    graph = SkillGraph(root, depth)
    levels = {root: 0}
    beyond: dict[str, list[str]] = {}
    queue = [root]
    for key in queue:  # breadth first: `queue` grows while it is walked
        node = nodes[key]
        graph.skills.setdefault(key, skill_info(node))
        prerequisites = [str(p["id"]) for p in node.get("prerequisites") or []]
        if levels[key] >= depth:
            beyond[key] = prerequisites
            continue
        for prerequisite in prerequisites:
            if prerequisite not in nodes:
                continue  # deleted since: not drawn
            graph.edges.add((key, prerequisite))
            if prerequisite not in levels:
                levels[prerequisite] = levels[key] + 1
                queue.append(prerequisite)
    graph.close_edges(beyond)
    return graph


def _roadmap(node: dict[str, Any] | None) -> RoadmapInfo | None:
    if node is None:
        return None
    steps = [
        RoadmapStep(step["position"], skill_info(step["skill"]), step.get("milestone"))
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
    return None if node is None else user_progress(str(node["id"]), node.get("progress"))
