"""What the diagrams show: plain data fetched from the skills and learning subgraphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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


# ---------------------------------------------------------------- visualization(spec:)
class VisualizationKind(Enum):
    TREE = "TREE"
    ROADMAP = "ROADMAP"
    PROGRESS_CHART = "PROGRESS_CHART"
    ANALYTICS = "ANALYTICS"


class NodeState(Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    LOCKED = "LOCKED"


class VisualizationTheme(Enum):
    LIGHT = "LIGHT"
    DARK = "DARK"
    HIGH_CONTRAST = "HIGH_CONTRAST"


class VisualizationFormat(Enum):
    SVG = "SVG"
    LAYOUT = "LAYOUT"


class AnalyticsChart(Enum):
    ACTIVE_LEARNERS = "ACTIVE_LEARNERS"
    SKILL_FUNNEL = "SKILL_FUNNEL"
    MISSED_QUESTIONS = "MISSED_QUESTIONS"
    COHORTS = "COHORTS"


class ChartPeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"


MIN_SIDE, MAX_SIDE = 100, 4000  # bounds of a requested width or height, in pixels
MAX_RANGE_DAYS = 366  # the longest date range an analytics chart covers


@dataclass(frozen=True)
class Size:
    """The box a drawing must fit in (either side may be open)."""

    width: int | None = None
    height: int | None = None

    def fit(self, width: float, height: float) -> tuple[int, int]:
        """The drawing's display size: its own, scaled down (never up) to fit the box."""
        scale = min(
            1.0,
            self.width / width if self.width else 1.0,
            self.height / height if self.height else 1.0,
        )
        return max(round(width * scale), 1), max(round(height * scale), 1)


@dataclass(frozen=True)
class DateRange:
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class VisualizationRequest:
    """A checked `VisualizationSpec`: which drawing, of what, how big, in which theme."""

    kind: VisualizationKind
    theme: VisualizationTheme = VisualizationTheme.LIGHT
    formats: frozenset[VisualizationFormat] = frozenset({VisualizationFormat.SVG})
    size: Size = Size()
    skill_id: str | None = None
    roadmap_slug: str | None = None
    user_id: str | None = None  # the progress overlay, or whose progress is charted
    depth: int = 3
    chart: ChartKind = ChartKind.BAR
    analytics: AnalyticsChart | None = None
    period: ChartPeriod = ChartPeriod.DAY
    dates: DateRange = DateRange()
    since_last_visit: bool = False


# ---------------------------------------------------------------- analytics (learning's)
@dataclass(frozen=True)
class ActivePeriod:
    start: date
    learners: int


@dataclass(frozen=True)
class MissedQuestion:
    question_id: str
    prompt: str
    misses: int
    answers: int
    miss_rate: float


@dataclass(frozen=True)
class SkillStats:
    skill_id: str
    skill_name: str
    enrolments: int
    completions: int
    completion_rate: float
    median_seconds_to_complete: float | None
    assessment_attempts: int
    assessment_passes: int
    assessment_pass_rate: float | None
    missed: list[MissedQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class Cohort:
    week: date
    learners: int
    progressed: int
    completed_skill: int
    completed_course: int
