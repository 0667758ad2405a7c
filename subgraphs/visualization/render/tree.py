"""The prerequisite tree of a skill, and a roadmap's skills coloured by a user's progress.

Each is first a `DagDiagram` (laid out, in the document's coordinates), then either
drawn as SVG (`draw_diagram`) or handed out as layout data (`diagram_scene`): the
same placement serves both, so a frontend's drawing matches the SVG's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import ProgressEntry, RoadmapInfo, SkillGraph, SkillInfo, UserProgress
from .dag import DagNode, PlacedDag, dag_layout, dag_scene, draw_dag, place_dag
from .palette import LIGHT, STATUS_LABELS, Palette, level_label
from .scene import Scene
from .svgdoc import SvgDocument, add, flag, heading, legend
from .text import text_width

MARGIN, TOP = 24, 76
OVERLAY_STATES = ("COMPLETED", "IN_PROGRESS", "NOT_STARTED", "LOCKED")


@dataclass
class DagDiagram:
    key: str
    title: str
    subtitle: str
    description: str
    legend: list[tuple[str, str]]
    dag: PlacedDag
    width: float
    height: float
    palette: Palette


def render_skill_tree(
    graph: SkillGraph, progress: UserProgress | None = None, palette: Palette = LIGHT
) -> str:
    return draw_diagram(skill_tree_diagram(graph, progress, palette))


def render_user_roadmap(
    roadmap: RoadmapInfo,
    progress: UserProgress,
    palette: Palette = LIGHT,
    seen: dict[str, float] | None = None,
) -> str:
    return draw_diagram(user_roadmap_diagram(roadmap, progress, palette, seen))


def skill_tree_diagram(
    graph: SkillGraph, progress: UserProgress | None = None, palette: Palette = LIGHT
) -> DagDiagram:
    """The tree, coloured by level; with `progress`, by the user's status instead."""
    root = graph.root
    if progress is None:
        nodes = {
            key: DagNode(
                title=skill.name,
                subtitle=level_label(skill.level),
                stroke=palette.level(skill.level)[0],
                fill=palette.level(skill.level)[1],
                hover=f"{skill.name} ({level_label(skill.level)})",
                emphasis=key == graph.root_id,
                hidden_below=graph.hidden.get(key, 0),
            )
            for key, skill in graph.skills.items()
        }
        items = [(colors[0], level_label(level)) for level, colors in palette.levels.items()]
    else:
        states = overlay_states(list(graph.skills), graph.edges, progress)
        entries = progress.by_skill()
        nodes = {
            key: _progress_node(skill, entries.get(key), None, states[key], palette)
            for key, skill in graph.skills.items()
        }
        for key, node in nodes.items():
            node.emphasis, node.hidden_below = key == graph.root_id, graph.hidden.get(key, 0)
        items = _status_legend(palette)
    title = f"Prerequisites of {root.name}"
    count = len(graph.skills) - 1
    subtitle = (
        f"{count} prerequisite skill{'s' if count != 1 else ''}, up to {graph.depth} "
        f"level{'s' if graph.depth != 1 else ''} deep · arrows point to the skill built on them"
        if count
        else "This skill has no prerequisites"
    )
    description = _tree_description(graph)
    key = f"tree:{graph.root_id}:{graph.depth}"
    if progress is not None:
        key += f":{progress.user_id}"
        description += " " + _states_text(nodes)
    return _diagram(key, title, subtitle, description, nodes, graph.edges, True, items, palette)


def _tree_description(graph: SkillGraph) -> str:
    requires: dict[str, list[str]] = {}
    for dependent, prerequisite in sorted(graph.edges):
        requires.setdefault(dependent, []).append(graph.skills[prerequisite].name)
    parts = [
        f"{graph.skills[key].name} requires {', '.join(names)}" for key, names in requires.items()
    ]
    head = f"Prerequisite tree of {graph.root.name}, {graph.depth} levels deep."
    return " ".join([head, *(part + "." for part in parts)])


def user_roadmap_diagram(
    roadmap: RoadmapInfo,
    progress: UserProgress,
    palette: Palette = LIGHT,
    seen: dict[str, float] | None = None,
) -> DagDiagram:
    entries = progress.by_skill()
    states = overlay_states(roadmap.skill_ids, roadmap.edges, progress)
    nodes = {
        step.skill.id: _progress_node(
            step.skill, entries.get(step.skill.id), step.milestone, states[step.skill.id], palette
        )
        for step in roadmap.steps
    }
    if seen is not None:
        for key, node in nodes.items():
            node.previous = seen.get(key, 0.0)
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
    described = "; ".join(
        f"{s.position}. {s.skill.name}: {STATUS_LABELS[states[s.skill.id]]}, "
        f"{_percent(entries.get(s.skill.id)):.0f}%"
        for s in roadmap.steps
    )
    description = f"Progress on the roadmap {roadmap.title}: {subtitle}. {described}."
    return _diagram(
        f"user-roadmap:{progress.user_id}:{roadmap.slug}",
        f"{roadmap.title}: your progress",
        subtitle,
        description,
        nodes,
        edges,
        False,
        _status_legend(palette),
        palette,
    )


def overlay_states(
    skill_ids: list[str], edges: set[tuple[str, str]], progress: UserProgress
) -> dict[str, str]:
    """Each skill's status for the user; LOCKED: not started while a prerequisite shown
    (edges are (dependent, prerequisite)) is not completed yet."""
    entries = progress.by_skill()
    status = {key: _status(entries.get(key)) for key in skill_ids}
    locked = {
        dependent
        for dependent, prerequisite in edges
        if dependent in status
        and prerequisite in status
        and status[dependent] == "NOT_STARTED"
        and status[prerequisite] != "COMPLETED"
    }
    return {key: "LOCKED" if key in locked else state for key, state in status.items()}


def _status_legend(palette: Palette) -> list[tuple[str, str]]:
    return [(palette.status(s)[0], STATUS_LABELS[s]) for s in OVERLAY_STATES]


def _states_text(nodes: dict[str, DagNode]) -> str:
    parts = [f"{n.title}: {STATUS_LABELS[n.state or 'NOT_STARTED']}" for n in nodes.values()]
    return "Your progress: " + "; ".join(parts) + "."


def _status(entry: ProgressEntry | None) -> str:
    return entry.status if entry else "NOT_STARTED"


def _percent(entry: ProgressEntry | None) -> float:
    return entry.percent if entry else 0.0


def _progress_node(
    skill: SkillInfo,
    entry: ProgressEntry | None,
    milestone: str | None,
    state: str,
    palette: Palette,
) -> DagNode:
    percent = _percent(entry)
    stroke, fill = palette.status(state)
    hover = f"{skill.name}: {STATUS_LABELS[state]}, {percent:.0f}%"
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
        state=state,
    )


def _diagram(
    key: str,
    title: str,
    subtitle: str,
    description: str,
    nodes: dict[str, DagNode],
    edges: set[tuple[str, str]],
    arrow_at_upper: bool,
    legend_items: list[tuple[str, str]],
    palette: Palette,
) -> DagDiagram:
    """Lays the DAG out and places it in a document sized for it and its captions."""
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
    dag = place_dag(nodes, layout, ((width - layout.width) / 2, TOP), arrow_at_upper)
    return DagDiagram(key, title, subtitle, description, legend_items, dag, width, height, palette)


def draw_diagram(diagram: DagDiagram) -> str:
    d, palette = diagram, diagram.palette
    doc = SvgDocument(d.width, d.height, d.title, d.description, d.key, palette=palette)
    heading(doc, d.title, d.subtitle)
    draw_dag(doc, d.dag)
    end = legend(doc.root, MARGIN, d.height - 18, d.legend)
    if any(node.milestone for node in d.dag.nodes.values()):
        flag(doc.root, end, d.height - 26, palette.milestone)
        add(doc.root, "text", "Milestone", x=end + 17, y=d.height - 18, class_="small")
    return doc.to_string()


def diagram_scene(diagram: DagDiagram) -> Scene:
    return dag_scene(diagram.dag, diagram.width, diagram.height)
