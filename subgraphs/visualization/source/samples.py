"""The demo catalog and a sample learner as a data source: renders without any server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain import (
    ActivePeriod,
    CertificateInfo,
    ChartPeriod,
    Cohort,
    DateRange,
    ProgressEntry,
    RoadmapInfo,
    RoadmapStep,
    SkillGraph,
    SkillInfo,
    SkillStats,
    UserProgress,
)
from .sample_analytics import sample_active, sample_cohorts, sample_skill_stats

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "skills" / "demo_catalog.json"
SAMPLE_USER = "sample-learner"
SAMPLE_ROADMAP = "backend-python-developer"
# (skill slug, percent, days after the start when begun, days it took or has taken so far)
SAMPLE_PROGRESS = [
    ("python-basics", 100, 0, 18),
    ("git-basics", 100, 6, 12),
    ("python-oop", 100, 20, 25),
    ("sql-basics", 100, 34, 16),
    ("http-fundamentals", 100, 41, 10),
    ("python-testing", 100, 52, 21),
    ("postgresql", 70, 66, 40),
    ("fastapi", 45, 80, 26),
    ("docker", 20, 95, 11),
    ("python-async", 10, 101, 5),
    ("rest-api-design", 0, 104, 2),
    ("linux-command-line", 100, 3, 14),
    ("sql-joins", 100, 50, 12),
]


class SampleSource:
    """Skill ids are the catalog's slugs; `count` tells how many fetches were made."""

    def __init__(
        self, catalog: dict[str, Any] | None = None, progress: dict[str, UserProgress] | None = None
    ) -> None:
        catalog = catalog or json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
        categories = {c["slug"]: c["name"] for c in catalog["categories"]}
        self.skills = {
            s["slug"]: SkillInfo(
                s["slug"], s["slug"], s["name"], s["level"], categories.get(s["categorySlug"], "")
            )
            for s in catalog["skills"]
        }
        self.prerequisites = {s["slug"]: list(s["prerequisites"]) for s in catalog["skills"]}
        self.roadmaps = {r["slug"]: r for r in catalog["roadmaps"]}
        self.users = progress if progress is not None else {SAMPLE_USER: self.sample_progress()}
        self.count = 0

    async def certificate(self, verification_code: str, verify_url: str) -> CertificateInfo | None:
        """Any code names Ada Lovelace's certificate in the demo catalog's first skill."""
        self.count += 1
        return CertificateInfo(
            learner_name="Ada Lovelace",
            skill_name=next(iter(self.skills.values())).name,
            issued_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
            verification_code=verification_code,
            verify_url=verify_url,
        )

    async def skill_graphs(self, skill_ids: list[str], depth: int) -> dict[str, SkillGraph]:
        self.count += 1
        return {key: self.graph(key, depth) for key in skill_ids if key in self.skills}

    def graph(self, skill_id: str, depth: int) -> SkillGraph:
        graph = SkillGraph(skill_id, depth, {skill_id: self.skills[skill_id]})
        frontier = [skill_id]
        for _ in range(depth):
            next_frontier = []
            for key in frontier:
                for prerequisite in self.prerequisites[key]:
                    graph.edges.add((key, prerequisite))
                    if prerequisite not in graph.skills:
                        graph.skills[prerequisite] = self.skills[prerequisite]
                        next_frontier.append(prerequisite)
            frontier = next_frontier
        graph.close_edges({key: self.prerequisites[key] for key in frontier})
        return graph

    async def roadmap(self, slug: str) -> RoadmapInfo | None:
        self.count += 1
        return self.roadmap_info(slug)

    def roadmap_info(self, slug: str) -> RoadmapInfo | None:
        raw = self.roadmaps.get(slug)
        if raw is None:
            return None
        milestones = raw.get("milestones", {})
        steps = [
            RoadmapStep(i + 1, self.skills[s], milestones.get(s))
            for i, s in enumerate(raw["skillSlugs"])
        ]
        members = set(raw["skillSlugs"])
        edges = {(s, p) for s in members for p in self.prerequisites[s] if p in members}
        return RoadmapInfo(f"roadmap-{slug}", slug, raw["title"], raw["description"], steps, edges)

    async def progress(self, user_id: str, token: str) -> UserProgress | None:
        self.count += 1
        return self.users.get(user_id)

    async def roadmap_progress(
        self, user_id: str, slug: str, token: str
    ) -> tuple[RoadmapInfo | None, UserProgress | None]:
        self.count += 1
        return self.roadmap_info(slug), self.users.get(user_id)

    def sample_progress(self, user_id: str = SAMPLE_USER) -> UserProgress:
        start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        entries = []
        for slug, percent, begun, took in SAMPLE_PROGRESS:
            started = start + timedelta(days=begun)
            ended = started + timedelta(days=took)
            status = "COMPLETED" if percent >= 100 else "IN_PROGRESS" if percent else "NOT_STARTED"
            entries.append(
                ProgressEntry(
                    self.skills[slug],
                    float(percent),
                    status,
                    started,
                    ended,
                    ended if status == "COMPLETED" else None,
                )
            )
        return UserProgress(user_id, entries)

    async def active_learners(
        self, period: ChartPeriod, dates: DateRange, token: str
    ) -> list[ActivePeriod]:
        self.count += 1
        return sample_active(period, dates)

    async def skill_stats(self, skill_id: str, dates: DateRange, token: str) -> SkillStats | None:
        self.count += 1
        skill = self.skills.get(skill_id)
        return sample_skill_stats(skill.id, skill.name) if skill else None

    async def cohorts(self, dates: DateRange, token: str) -> list[Cohort]:
        self.count += 1
        return sample_cohorts(dates)
