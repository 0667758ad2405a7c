"""GraphQL types of what `visualization(spec:)` answers: an SVG and/or layout data."""

from __future__ import annotations

import strawberry

from ..common.descriptions import described_enum
from .domain import NodeState
from .inputs import VisualizationKind, VisualizationTheme
from .render.scene import Scene
from .visualizations import Picture

VisualizationNodeState = described_enum(
    "A node's state under a progress overlay.",
    NOT_STARTED="The user has not started the skill (and nothing blocks it).",
    IN_PROGRESS="The user has started the skill.",
    COMPLETED="The user has completed the skill.",
    LOCKED="Not started, and a prerequisite shown is not completed yet.",
)(NodeState)


@strawberry.type(description="A point of an edge's route, in the drawing's coordinates.")
class VisualizationPoint:
    x: float = strawberry.field(description="From the drawing's left edge.")
    y: float = strawberry.field(description="From the drawing's top edge.")


@strawberry.type(description="A skill or roadmap step as placed in the drawing.")
class VisualizationNode:
    id: strawberry.ID = strawberry.field(
        description="The skill's id (the SVG's element for it carries it as data-id)."
    )
    x: float = strawberry.field(description="The left edge of the node's box.")
    y: float = strawberry.field(description="The top edge of the node's box.")
    width: float = strawberry.field(description="The box's width.")
    height: float = strawberry.field(description="The box's height (a step: its circle's box).")
    label: str = strawberry.field(description="The skill's name, as drawn.")
    state: VisualizationNodeState | None = strawberry.field(  # type: ignore[valid-type]
        description="The overlay user's state of the skill; null without a progress overlay."
    )
    percent: float | None = strawberry.field(
        description="The overlay user's percent done; null without a progress overlay."
    )


@strawberry.type(description="An edge as drawn: from a prerequisite (or a step) to what follows.")
class VisualizationEdge:
    source: strawberry.ID = strawberry.field(
        description="The prerequisite, or the roadmap step before."
    )
    target: strawberry.ID = strawberry.field(
        description="The skill built on it, or the next roadmap step."
    )
    points: list[VisualizationPoint] = strawberry.field(
        description="The points the drawn path passes through, top to bottom (a tree's edges "
        "leave the bottom of the upper box and enter the top of the lower; a roadmap's turn "
        "passes its outermost point)."
    )
    path: str = strawberry.field(description="The SVG path data drawn for the edge.")


@strawberry.type(
    description="Layout data: the drawing's nodes and edges in its own coordinates (the SVG's "
    "viewBox units), computed by the same code that draws the SVG."
)
class VisualizationLayout:
    width: float = strawberry.field(description="The drawing's width (viewBox units).")
    height: float = strawberry.field(description="The drawing's height (viewBox units).")
    nodes: list[VisualizationNode] = strawberry.field(description="Nodes in reading order.")
    edges: list[VisualizationEdge] = strawberry.field(description="Every edge drawn.")

    @classmethod
    def of(cls, scene: Scene) -> VisualizationLayout:
        return cls(
            width=scene.width,
            height=scene.height,
            nodes=[
                VisualizationNode(
                    id=strawberry.ID(n.id),
                    x=n.x,
                    y=n.y,
                    width=n.width,
                    height=n.height,
                    label=n.label,
                    state=NodeState(n.state) if n.state else None,
                    percent=n.percent,
                )
                for n in scene.nodes
            ],
            edges=[
                VisualizationEdge(
                    source=strawberry.ID(e.source),
                    target=strawberry.ID(e.target),
                    points=[VisualizationPoint(x=x, y=y) for x, y in e.points],
                    path=e.path,
                )
                for e in scene.edges
            ],
        )


@strawberry.type(description="A drawing made by `visualization(spec:)`.")
class Visualization:
    kind: VisualizationKind = strawberry.field(description="What was drawn.")  # type: ignore[valid-type]
    theme: VisualizationTheme = strawberry.field(description="Its colours.")  # type: ignore[valid-type]
    width: int = strawberry.field(
        description="The width it is shown at, in pixels: its own, scaled down to the spec's."
    )
    height: int = strawberry.field(description="The height it is shown at, in pixels.")
    svg: str | None = strawberry.field(
        description="The standalone SVG document, when the spec's formats include SVG."
    )
    layout: VisualizationLayout | None = strawberry.field(
        description="The layout data, when the spec's formats include LAYOUT."
    )

    @classmethod
    def of(cls, picture: Picture) -> Visualization:
        return cls(
            kind=picture.request.kind,
            theme=picture.request.theme,
            width=picture.width,
            height=picture.height,
            svg=picture.svg,
            layout=VisualizationLayout.of(picture.scene) if picture.scene else None,
        )
