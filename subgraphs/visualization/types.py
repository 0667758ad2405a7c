"""GraphQL types of the visualization subgraph: SVG fields on entities owned elsewhere.

The fields marked external are other subgraphs' (learning answers them): they are
declared here only so that `User.progressChartSvg` can @requires them, and the
gateway hands their values over with the User reference (no call back through it).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.entities import SkillLevel
from ..common.errors import AppError
from ..common.permissions import require_self_or_admin
from . import domain
from .deps import Deps
from .inputs import PROGRESS_REQUIRES, user_progress
from .loaders import Loaders

Info = StrawberryInfo[Context[Deps, Loaders], None]

ChartKind = strawberry.enum(domain.ChartKind, description="How a progress chart is drawn.")
NOT_HERE = [Key(fields=FieldSet("id"), resolvable=False)]  # entities this subgraph cannot resolve


@strawberry.enum(description="Where a learner stands on a skill (the learning subgraph's states).")
class ProgressStatus(Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


@strawberry.federation.type(
    keys=NOT_HERE, description="A skill category (owned by the skills subgraph)."
)
class Category:
    id: strawberry.ID
    name: str = strawberry.federation.field(external=True, default="")


@strawberry.federation.type(keys=["id"])
class Skill:
    id: strawberry.ID
    name: str = strawberry.federation.field(external=True, default="")
    level: SkillLevel = strawberry.federation.field(external=True, default=SkillLevel.BEGINNER)
    category: Category = strawberry.federation.field(
        external=True, default_factory=lambda: Category(id=strawberry.ID(""))
    )

    @strawberry.field(description="The prerequisite tree below this skill, as an SVG document.")
    async def tree_svg(self, info: Info, depth: int | None = 3) -> str:
        key = (str(self.id), 3 if depth is None else depth)
        return await info.context.loaders.skill_tree.load(key)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Skill:
        return cls(id=id)


@strawberry.federation.type(keys=["id"])
class Roadmap:
    id: strawberry.ID
    slug: str = strawberry.federation.field(external=True)

    @strawberry.federation.field(
        requires=["slug"], description="The roadmap as an ordered diagram (SVG)."
    )
    async def svg(self, info: Info) -> str:
        return await info.context.deps.service.roadmap(self.slug)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, slug: str = "") -> Roadmap:
        return cls(id=id, slug=slug)


@strawberry.federation.type(
    keys=NOT_HERE, description="A learner's progress on one skill (learning subgraph)."
)
class SkillProgress:
    id: strawberry.ID
    percent: float = strawberry.federation.field(external=True, default=0.0)
    status: ProgressStatus = strawberry.federation.field(
        external=True, default=ProgressStatus.NOT_STARTED
    )
    started_at: datetime = strawberry.federation.field(external=True, default=datetime.min)
    updated_at: datetime = strawberry.federation.field(external=True, default=datetime.min)
    completed_at: datetime | None = strawberry.federation.field(external=True, default=None)
    skill: Skill = strawberry.federation.field(
        external=True, default_factory=lambda: Skill(id=strawberry.ID(""))
    )


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    progress: list[SkillProgress] = strawberry.federation.field(external=True, default_factory=list)
    # What the gateway sent for `progress` (the @requires selection), as JSON values.
    required_progress: strawberry.Private[list[dict[str, Any]] | None] = None

    @strawberry.federation.field(
        requires=[PROGRESS_REQUIRES],
        description="The user's progress per skill; the user and ADMIN only. Drawn from the "
        "progress the gateway fetched from learning in the same request: it reflects the "
        "user's latest recordProgress at once.",
    )
    async def progress_chart_svg(
        self,
        info: Info,
        kind: ChartKind | None = domain.ChartKind.BAR,  # type: ignore[valid-type]
    ) -> str:
        viewer = require_self_or_admin(await info.context.viewer(), str(self.id))
        chart = domain.ChartKind(kind) if kind is not None else domain.ChartKind.BAR
        if self.required_progress is None:  # learning did not answer (it reported why)
            raise AppError("The user's progress is unavailable; try again later")
        progress = user_progress(str(self.id), self.required_progress)
        return await info.context.deps.service.progress_chart(viewer, str(self.id), chart, progress)

    @strawberry.field(description="A roadmap coloured by the user's progress; user and ADMIN only.")
    async def skill_tree_svg(self, info: Info, roadmap_slug: str) -> str:
        viewer = await info.context.viewer()
        return await info.context.deps.service.user_roadmap(viewer, str(self.id), roadmap_slug)

    @classmethod
    def resolve_reference(
        cls, id: strawberry.ID, progress: list[dict[str, Any]] | None = None
    ) -> User:
        return cls(id=id, required_progress=progress)
