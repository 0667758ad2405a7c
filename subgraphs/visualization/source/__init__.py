"""Where the diagrams' data comes from: the gateway in production, the demo catalog offline."""

from __future__ import annotations

from typing import Protocol

from ..domain import (
    ActivePeriod,
    CertificateInfo,
    ChartPeriod,
    Cohort,
    DateRange,
    RoadmapInfo,
    SkillGraph,
    SkillStats,
    UserProgress,
)


class DataSource(Protocol):
    async def skill_graphs(self, skill_ids: list[str], depth: int) -> dict[str, SkillGraph]:
        """The prerequisite graphs of the skills that exist, `depth` levels deep (one fetch)."""
        ...

    async def roadmap(self, slug: str) -> RoadmapInfo | None: ...

    async def progress(self, user_id: str, token: str) -> UserProgress | None:
        """The user's progress, read with the caller's token; None for an unknown user."""
        ...

    async def roadmap_progress(
        self, user_id: str, slug: str, token: str
    ) -> tuple[RoadmapInfo | None, UserProgress | None]:
        """A roadmap and the user's progress, in one fetch."""
        ...

    async def certificate(self, verification_code: str, verify_url: str) -> CertificateInfo | None:
        """What the certificate with this code shows; None for an unknown code."""
        ...

    # The learning analytics, read with the caller's token (EDITOR or ADMIN).
    async def active_learners(
        self, period: ChartPeriod, dates: DateRange, token: str
    ) -> list[ActivePeriod]: ...

    async def skill_stats(self, skill_id: str, dates: DateRange, token: str) -> SkillStats | None:
        """None for a skill the analytics do not know."""
        ...

    async def cohorts(self, dates: DateRange, token: str) -> list[Cohort]: ...
