"""Progress as it arrives by @requires or in a gateway answer, and the spec of
`visualization(spec:)`, as checked domain values."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import strawberry

from ..common.descriptions import described_enum
from ..common.errors import BadUserInput
from . import domain
from .domain import ProgressEntry, SkillInfo, UserProgress

log = logging.getLogger("skill_circle.visualization.inputs")

# What User.progressChartSvg requires of User.progress (answered by the learning subgraph).
PROGRESS_REQUIRES = (
    "progress { percent status startedAt updatedAt completedAt"
    " skill { id name level category { name } } }"
)


def skill_info(node: dict[str, Any]) -> SkillInfo:
    category = node.get("category") or {}
    return SkillInfo(
        str(node["id"]),
        node.get("slug") or "",
        node["name"],
        node["level"],
        category.get("name", ""),
    )


def user_progress(user_id: str, items: list[dict[str, Any]] | None) -> UserProgress:
    """The entries whose skill resolved, as domain values."""
    entries = [
        ProgressEntry(
            skill=skill_info(item["skill"]),
            percent=float(item["percent"]),
            status=item["status"],
            started_at=datetime.fromisoformat(item["startedAt"]),
            updated_at=datetime.fromisoformat(item["updatedAt"]),
            completed_at=(
                datetime.fromisoformat(item["completedAt"]) if item.get("completedAt") else None
            ),
        )
        for item in items or []
        if _complete_skill(item)
    ]
    return UserProgress(user_id, entries)


def _complete_skill(item: dict[str, Any] | None) -> bool:
    """Whether a progress entry's skill resolved (a gateway may leave a failed one null)."""
    skill = (item or {}).get("skill")
    if skill is None or any(skill.get(f) is None for f in ("id", "name", "level")):
        log.warning("dropping a progress entry whose skill did not resolve: %s", item)
        return False
    return True


# ---------------------------------------------------------------- visualization(spec:)
ChartKind = described_enum(
    "How a progress chart is drawn.",
    BAR="One bar per skill, by percent.",
    RADAR="One spoke per skill (per category when many), by percent.",
    TIMELINE="One bar per skill from its start to completion (or now).",
)(domain.ChartKind)
VisualizationKind = described_enum(
    "What `visualization(spec:)` draws.",
    TREE="A skill's prerequisite tree (subject: skillId; overlay: userId).",
    ROADMAP="A roadmap: its ordered path, or with userId its skills coloured by that user's "
    "progress (subject: roadmapSlug).",
    PROGRESS_CHART="A user's progress per skill as a chart (subject: userId; style: chart).",
    ANALYTICS="A chart of the learning analytics (series: analytics). EDITOR or ADMIN.",
)(domain.VisualizationKind)
VisualizationTheme = described_enum(
    "Colours of a drawing; every theme keeps text at WCAG AA contrast or better.",
    LIGHT="Dark text on white (the default).",
    DARK="Light text on a dark background.",
    HIGH_CONTRAST="Black text on white, dark saturated colours, contrast 7:1 or more.",
)(domain.VisualizationTheme)
VisualizationFormat = described_enum(
    "What a visualization returns.",
    SVG="A standalone SVG document.",
    LAYOUT="Layout data (nodes with positions, edges with routed points) for a frontend to "
    "draw itself: TREE and ROADMAP only.",
)(domain.VisualizationFormat)
AnalyticsChart = described_enum(
    "Which series of the learning analytics an ANALYTICS visualization charts.",
    ACTIVE_LEARNERS="Learners active per day or week (period, from, to).",
    SKILL_FUNNEL="A skill's enrolments, completions and assessment passes (skillId).",
    MISSED_QUESTIONS="The questions of a skill's assessments most often missed (skillId).",
    COHORTS="Learners by the week they started, and how far they got (from, to).",
)(domain.AnalyticsChart)
ChartPeriod = described_enum(
    "The bucket of an ACTIVE_LEARNERS chart.",
    DAY="One column per UTC day.",
    WEEK="One column per week, starting on Mondays (UTC).",
)(domain.ChartPeriod)

# Which subject fields each kind takes (the rest must be left out).
SUBJECTS = {
    domain.VisualizationKind.TREE: {"skillId", "userId", "depth"},
    domain.VisualizationKind.ROADMAP: {"roadmapSlug", "userId", "sinceLastVisit"},
    domain.VisualizationKind.PROGRESS_CHART: {"userId", "chart", "sinceLastVisit"},
    domain.VisualizationKind.ANALYTICS: {"analytics", "skillId", "period", "from", "to"},
}
NEEDS = {
    domain.VisualizationKind.TREE: "skillId",
    domain.VisualizationKind.ROADMAP: "roadmapSlug",
    domain.VisualizationKind.PROGRESS_CHART: "userId",
    domain.VisualizationKind.ANALYTICS: "analytics",
}


@strawberry.input(
    description="What `visualization(spec:)` draws (kind and subject), how big, in which "
    "theme and format. Fields a kind does not take must be left out."
)
class VisualizationSpec:
    kind: VisualizationKind = strawberry.field(description="What to draw.")  # type: ignore[valid-type]
    skill_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="TREE: the skill whose prerequisites are drawn. ANALYTICS SKILL_FUNNEL and "
        "MISSED_QUESTIONS: the skill charted.",
    )
    roadmap_slug: str | None = strawberry.field(
        default=None, description="ROADMAP: the roadmap's slug."
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="TREE and ROADMAP: the progress overlay (nodes coloured and stated by this "
        "user's progress). PROGRESS_CHART: whose progress. The user themself or ADMIN only.",
    )
    depth: int | None = strawberry.field(
        default=None, description="TREE: levels of prerequisites, 1 to 6 (default 3)."
    )
    chart: ChartKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="PROGRESS_CHART: the chart style (default BAR)."
    )
    analytics: AnalyticsChart | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="ANALYTICS: which series."
    )
    period: ChartPeriod | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="ANALYTICS ACTIVE_LEARNERS: per day (default) or per week."
    )
    from_: date | None = strawberry.field(
        name="from",
        default=None,
        description="ANALYTICS: the first UTC day covered (inclusive; learning's default if "
        "left out).",
    )
    to: date | None = strawberry.field(
        default=None,
        description=f"ANALYTICS: the last UTC day covered (inclusive); at most "
        f"{domain.MAX_RANGE_DAYS} days after `from`.",
    )
    width: int | None = strawberry.field(
        default=None,
        description=f"The widest the drawing may be shown, in pixels ({domain.MIN_SIDE} to "
        f"{domain.MAX_SIDE}): a bigger drawing is scaled down to fit, never up.",
    )
    height: int | None = strawberry.field(
        default=None,
        description=f"The tallest the drawing may be shown, in pixels ({domain.MIN_SIDE} to "
        f"{domain.MAX_SIDE}).",
    )
    theme: VisualizationTheme = strawberry.field(  # type: ignore[valid-type]
        default=domain.VisualizationTheme.LIGHT, description="Colours."
    )
    formats: list[VisualizationFormat] = strawberry.field(  # type: ignore[valid-type]
        default_factory=lambda: [domain.VisualizationFormat.SVG],
        description="What to return: SVG, LAYOUT or both.",
    )
    since_last_visit: bool = strawberry.field(
        default=False,
        description="PROGRESS_CHART (BAR) and ROADMAP with userId, for the user themself: the "
        "bars move from the percents shown at their previous such visit to today's, and "
        "today's are remembered as seen.",
    )

    def checked(self) -> domain.VisualizationRequest:
        """The spec as a domain request; BAD_USER_INPUT (naming the field) when it is not one."""
        kind = domain.VisualizationKind(self.kind)
        given = {name for name, value in self._subject().items() if value is not None}
        extra = sorted(given - SUBJECTS[kind])
        if extra:
            raise BadUserInput(f"{extra[0]}", f"{kind.value} does not take {extra[0]}")
        if NEEDS[kind] not in given:
            raise BadUserInput(f"{NEEDS[kind]}", f"{kind.value} needs {NEEDS[kind]}")
        formats = frozenset(domain.VisualizationFormat(f) for f in self.formats)
        if not formats:
            raise BadUserInput("formats", "formats must name SVG, LAYOUT or both")
        if domain.VisualizationFormat.LAYOUT in formats and kind not in LAID_OUT:
            raise BadUserInput("formats", "LAYOUT data exists for TREE and ROADMAP only")
        return domain.VisualizationRequest(
            kind=kind,
            theme=domain.VisualizationTheme(self.theme or "LIGHT"),
            formats=formats,
            size=domain.Size(_side("width", self.width), _side("height", self.height)),
            skill_id=str(self.skill_id) if self.skill_id is not None else None,
            roadmap_slug=self.roadmap_slug,
            user_id=str(self.user_id) if self.user_id is not None else None,
            depth=_depth(self.depth),
            chart=domain.ChartKind(self.chart or "BAR"),
            analytics=self._analytics(),
            period=domain.ChartPeriod(self.period or "DAY"),
            dates=_dates(self.from_, self.to),
            since_last_visit=self._since_last_visit(kind, formats),
        )

    def _subject(self) -> dict[str, object]:
        return {
            "skillId": self.skill_id,
            "roadmapSlug": self.roadmap_slug,
            "userId": self.user_id,
            "depth": self.depth,
            "chart": self.chart,
            "analytics": self.analytics,
            "period": self.period,
            "from": self.from_,
            "to": self.to,
            "sinceLastVisit": self.since_last_visit or None,
        }

    def _since_last_visit(
        self, kind: domain.VisualizationKind, formats: frozenset[domain.VisualizationFormat]
    ) -> bool:
        if not self.since_last_visit:
            return False
        if self.user_id is None:
            raise BadUserInput("sinceLastVisit", "sinceLastVisit needs userId")
        if kind is domain.VisualizationKind.PROGRESS_CHART and (self.chart or "BAR") != "BAR":
            raise BadUserInput("sinceLastVisit", "sinceLastVisit animates the BAR chart only")
        if formats != {domain.VisualizationFormat.SVG}:
            raise BadUserInput("sinceLastVisit", "sinceLastVisit animates SVG only")
        return True

    def _analytics(self) -> domain.AnalyticsChart | None:
        if self.analytics is None:
            return None
        chart = domain.AnalyticsChart(self.analytics)
        about_a_skill = chart in PER_SKILL
        if about_a_skill != (self.skill_id is not None):
            verb = "needs" if about_a_skill else "does not take"
            raise BadUserInput("skillId", f"{chart.value} {verb} skillId")
        if self.period is not None and chart is not domain.AnalyticsChart.ACTIVE_LEARNERS:
            raise BadUserInput("period", "period applies to ACTIVE_LEARNERS only")
        return chart


PER_SKILL = {domain.AnalyticsChart.SKILL_FUNNEL, domain.AnalyticsChart.MISSED_QUESTIONS}
LAID_OUT = {domain.VisualizationKind.TREE, domain.VisualizationKind.ROADMAP}


def _side(name: str, value: int | None) -> int | None:
    if value is not None and not domain.MIN_SIDE <= value <= domain.MAX_SIDE:
        raise BadUserInput(name, f"{name} must be between {domain.MIN_SIDE} and {domain.MAX_SIDE}")
    return value


def _depth(value: int | None) -> int:
    depth = 3 if value is None else value
    if not domain.MIN_DEPTH <= depth <= domain.MAX_DEPTH:
        raise BadUserInput(
            "depth", f"depth must be between {domain.MIN_DEPTH} and {domain.MAX_DEPTH}"
        )
    return depth


def _dates(start: date | None, end: date | None) -> domain.DateRange:
    if start is not None and end is not None:
        if end < start:
            raise BadUserInput("to", "to must not be before from")
        if (end - start).days >= domain.MAX_RANGE_DAYS:
            raise BadUserInput(
                "to", f"a chart covers at most {domain.MAX_RANGE_DAYS} days from `from`"
            )
    return domain.DateRange(start, end)
