"""The visualization subgraph's own root fields; its SVG fields live on entity stubs."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..common.descriptions import QUERY
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from . import domain
from .inputs import VisualizationSpec
from .personal_data import INVENTORY
from .pictures import Visualization
from .types import DRAWING, Certificate, Info, Roadmap, Skill, User


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="The visualization subgraph's own health, for smoke checks: always true. "
        "Anyone."
    )
    def visualization_ready(self) -> bool:
        return True

    @strawberry.field(
        description="One entry point for every drawing: a skill's prerequisite tree, a "
        "roadmap, a user's progress chart or an analytics chart, in a size and theme, as SVG "
        "and/or layout data (TREE and ROADMAP). Who: anyone for TREE and ROADMAP; with a "
        "userId (overlay, PROGRESS_CHART), the user themself or ADMIN; ANALYTICS, EDITOR or "
        "ADMIN. Errors: BAD_USER_INPUT (naming the spec's field), NOT_FOUND (the subject), "
        "UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED.",
        directives=[DRAWING],
    )
    async def visualization(
        self,
        info: Info,
        spec: Annotated[
            VisualizationSpec, strawberry.argument(description="What to draw, and how.")
        ],
    ) -> Visualization:
        viewer = await info.context.viewer()
        await info.context.limit(domain.DRAWINGS)
        picture = await info.context.deps.visualizations.draw(viewer, spec.checked())
        return Visualization.of(picture)


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        types=[Skill, Roadmap, User, Certificate, data_export_type(INVENTORY)],
    )
