"""What the diagrams show: plain data fetched from the skills and learning subgraphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ..common.ratelimit import Limit

# Drawings (a cache miss lays out a whole graph): per client address, each SVG field
# or image counted, so 100 skills' trees in one query count 100.
DRAWINGS = Limit("svg:address", 300, 60)

LEVELS = ("BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT")
STATUSES = ("COMPLETED", "IN_PROGRESS", "NOT_STARTED")
MIN_DEPTH, MAX_DEPTH = 1, 6


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate document shows; `verify_url` is what its QR code encodes."""

    learner_name: str
    skill_name: str
    issued_at: datetime
    verification_code: str
    verify_url: str


class ChartKind(Enum):
    BAR = "BAR"
    RADAR = "RADAR"
    TIMELINE = "TIMELINE"


@dataclass(frozen=True)
class SkillInfo:
    id: str
    slug: str
    name: str
    level: str = "BEGINNER"
    category: str = ""


@dataclass
class SkillGraph:
    """A skill and its prerequisites down to `depth` levels (edges: dependent -> prerequisite)."""

    root_id: str
    depth: int
    skills: dict[str, SkillInfo] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    # Skills at the depth limit that have prerequisites of their own: how many are not shown.
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def root(self) -> SkillInfo:
        return self.skills[self.root_id]

    def close_edges(self, beyond: dict[str, list[str]]) -> None:
        """Edges from skills at the limit to skills shown anyway; count the rest as hidden."""
        for key, prerequisites in beyond.items():
            if any(dependent == key for dependent, _ in self.edges):
                continue  # also reached above the limit, so already expanded
            shown = [p for p in prerequisites if p in self.skills]
            self.edges.update((key, p) for p in shown)
            if len(prerequisites) > len(shown):
                self.hidden[key] = len(prerequisites) - len(shown)


@dataclass(frozen=True)
class RoadmapStep:
    position: int
    skill: SkillInfo
    milestone: str | None = None


@dataclass
class RoadmapInfo:
    id: str
    slug: str
    title: str
    description: str
    steps: list[RoadmapStep]
    # Prerequisite edges among the roadmap's own skills: (dependent, prerequisite).
    edges: set[tuple[str, str]] = field(default_factory=set)

    @property
    def skill_ids(self) -> list[str]:
        return [step.skill.id for step in self.steps]


@dataclass(frozen=True)
class ProgressEntry:
    skill: SkillInfo
    percent: float
    status: str
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None

    @property
    def ended_at(self) -> datetime:
        return self.completed_at or self.updated_at


@dataclass
class UserProgress:
    user_id: str
    entries: list[ProgressEntry]

    def by_skill(self) -> dict[str, ProgressEntry]:
        return {entry.skill.id: entry for entry in self.entries}
