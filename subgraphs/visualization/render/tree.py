"""The prerequisite tree of a skill, and a roadmap's skills coloured by a user's progress."""

from __future__ import annotations

from ..domain import ProgressEntry, RoadmapInfo, SkillGraph, SkillInfo, UserProgress
from .dag import DagNode, dag_layout, draw_dag
from .palette import (
    LEVEL_COLORS,
    STATUS_COLORS,
    STATUS_LABELS,
    level_color,
    level_label,
    status_color,
)
from .svgdoc import SvgDocument, add, flag, heading, legend
from .text import text_width

MARGIN, TOP = 24, 76


def render_skill_tree(graph: SkillGraph) -> str:
    root = graph.root
    nodes = {
        key: DagNode(
            title=skill.name,
            subtitle=level_label(skill.level),
            stroke=level_color(skill.level)[0],
            fill=level_color(skill.level)[1],
            hover=f"{skill.name} ({level_label(skill.level)})",
            emphasis=key == graph.root_id,
            hidden_below=graph.hidden.get(key, 0),
        )
        for key, skill in graph.skills.items()
    }
    title = f"Prerequisites of {root.name}"
    count = len(graph.skills) - 1
    subtitle = (
        f"{count} prerequisite skill{'s' if count != 1 else ''}, up to {graph.depth} "
        f"level{'s' if graph.depth != 1 else ''} deep · arrows point to the skill built on them"
        if count
        else "This skill has no prerequisites"
    )
    description = _tree_description(graph)
    return _dag_document(
        f"tree:{graph.root_id}:{graph.depth}",
        title,
        subtitle,
        description,
        nodes,
        graph.edges,
        arrow_at_upper=True,
        legend_items=[(colors[0], level_label(level)) for level, colors in LEVEL_COLORS.items()],
    )


def _tree_description(graph: SkillGraph) -> str:
    requires: dict[str, list[str]] = {}
    for dependent, prerequisite in sorted(graph.edges):
        requires.setdefault(dependent, []).append(graph.skills[prerequisite].name)
    parts = [
        f"{graph.skills[key].name} requires {', '.join(names)}" for key, names in requires.items()
    ]
    head = f"Prerequisite tree of {graph.root.name}, {graph.depth} levels deep."
    return " ".join([head, *(part + "." for part in parts)])


def render_user_roadmap(roadmap: RoadmapInfo, progress: UserProgress) -> str:
    entries = progress.by_skill()
    nodes = {
        step.skill.id: _progress_node(step.skill, entries.get(step.skill.id), step.milestone)
        for step in roadmap.steps
    }
    # Foundations on top: upper = prerequisite, lower = dependent, arrows at the dependent.
    edges = {
        (prerequisite, dependent)
        for dependent, prerequisite in roadmap.edges
        if prerequisite in nodes and dependent in nodes
    }
    done = sum(1 for s in roadmap.steps if _status(entries.get(s.skill.id)) == "COMPLETED")
    overall = sum(_percent(entries.get(s.skill.id)) for s in roadmap.steps) / max(
        len(roadmap.steps), 1
    )
    subtitle = f"{done} of {len(roadmap.steps)} skills completed · {overall:.0f}% overall"
    states = "; ".join(
        f"{s.position}. {s.skill.name}: {STATUS_LABELS[_status(entries.get(s.skill.id))]}, "
        f"{_percent(entries.get(s.skill.id)):.0f}%"
        for s in roadmap.steps
    )
    description = f"Progress on the roadmap {roadmap.title}: {subtitle}. {states}."
    return _dag_document(
        f"user-roadmap:{progress.user_id}:{roadmap.slug}",
        f"{roadmap.title}: your progress",
        subtitle,
        description,
        nodes,
        edges,
        arrow_at_upper=False,
        legend_items=[(colors[0], STATUS_LABELS[s]) for s, colors in STATUS_COLORS.items()],
    )


def _status(entry: ProgressEntry | None) -> str:
    return entry.status if entry else "NOT_STARTED"


def _percent(entry: ProgressEntry | None) -> float:
    return entry.percent if entry else 0.0


def _progress_node(skill: SkillInfo, entry: ProgressEntry | None, milestone: str | None) -> DagNode:
    status, percent = _status(entry), _percent(entry)
    stroke, fill = status_color(status)
    hover = f"{skill.name}: {STATUS_LABELS[status]}, {percent:.0f}%"
    if milestone:
        hover += f" · Milestone: {milestone}"
    return DagNode(
        title=skill.name,
        subtitle=f"{level_label(skill.level)} · {percent:.0f}%",
        stroke=stroke,
        fill=fill,
        hover=hover,
        emphasis=bool(milestone),
        milestone=bool(milestone),
        progress=percent,
    )


def _dag_document(
    key: str,
    title: str,
    subtitle: str,
    description: str,
    nodes: dict[str, DagNode],
    edges: set[tuple[str, str]],
    arrow_at_upper: bool,
    legend_items: list[tuple[str, str]],
) -> str:
    layout = dag_layout(nodes, edges)
    legend_w = sum(17 + text_width(label, 11) + 18 for _, label in legend_items)
    width = max(
        layout.width + 2 * MARGIN,
        text_width(title, 18, bold=True) + 2 * MARGIN,
        text_width(subtitle, 12) + 2 * MARGIN,
        legend_w + 2 * MARGIN,
    )
    stubs = 26 if any(node.hidden_below for node in nodes.values()) else 0
    height = TOP + layout.height + stubs + 56
    doc = SvgDocument(width, height, title, description, key)
    heading(doc, title, subtitle)
    draw_dag(doc, nodes, layout, ((width - layout.width) / 2, TOP), arrow_at_upper)
    end = legend(doc.root, MARGIN, height - 18, legend_items)
    if any(node.milestone for node in nodes.values()):
        flag(doc.root, end, height - 26)
        add(doc.root, "text", "Milestone", x=end + 17, y=height - 18, class_="small")
    return doc.to_string()
