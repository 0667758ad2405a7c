"""GraphQL types of the visualization subgraph: SVG fields on entities owned elsewhere.

The fields marked external are other subgraphs' (learning answers them): they are
declared here only so that `User.progressChartSvg` can @requires them, and the
gateway hands their values over with the User reference (no call back through it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import strawberry
from strawberry.federation.schema_directives import Cost, Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.descriptions import (
    CATEGORY,
    CATEGORY_ID,
    CATEGORY_NAME,
    PROGRESS,
    PROGRESS_COMPLETED_AT,
    PROGRESS_ID,
    PROGRESS_PERCENT,
    PROGRESS_SKILL,
    PROGRESS_STARTED_AT,
    PROGRESS_STATUS,
    PROGRESS_UPDATED_AT,
    ROADMAP,
    ROADMAP_ID,
    ROADMAP_SLUG,
    SKILL,
    SKILL_CATEGORY,
    SKILL_ID,
    SKILL_LEVEL,
    SKILL_NAME,
    USER,
    USER_ID,
    USER_PROGRESS,
)
from ..common.entities import ProgressStatus, SkillLevel
from ..common.errors import AppError
from ..common.permissions import require_self_or_admin
from . import domain
from .deps import Deps
from .inputs import PROGRESS_REQUIRES, ChartKind, user_progress
from .loaders import Loaders

# An SVG drawing costs CPU: it weighs 50 in the static operation cost, the gateway's
# (@cost in the supergraph) and this subgraph's own (common/cost.py reads the directive).
DRAWING = Cost(weight=50)

Info = StrawberryInfo[Context[Deps, Loaders], None]


NOT_HERE = [Key(fields=FieldSet("id"), resolvable=False)]  # entities this subgraph cannot resolve


@strawberry.federation.type(keys=NOT_HERE, description=CATEGORY)
class Category:
    id: strawberry.ID = strawberry.field(description=CATEGORY_ID)
    name: str = strawberry.federation.field(external=True, default="", description=CATEGORY_NAME)


@strawberry.federation.type(keys=["id"], description=SKILL)
class Skill:
    id: strawberry.ID = strawberry.field(description=SKILL_ID)
    name: str = strawberry.federation.field(external=True, default="", description=SKILL_NAME)
    level: SkillLevel = strawberry.federation.field(
        external=True, default=SkillLevel.BEGINNER, description=SKILL_LEVEL
    )
    category: Category = strawberry.federation.field(
        external=True,
        default_factory=lambda: Category(id=strawberry.ID("")),
        description=SKILL_CATEGORY,
    )

    @strawberry.field(
        description="The prerequisite tree below this skill, as an SVG document. Anyone. "
        "Errors: NOT_FOUND (skill), BAD_USER_INPUT (depth), RATE_LIMITED.",
        directives=[DRAWING],
    )
    async def tree_svg(
        self,
        info: Info,
        depth: Annotated[
            int | None, strawberry.argument(description="Levels of prerequisites, 1 to 6.")
        ] = 3,
    ) -> str:
        await info.context.limit(domain.DRAWINGS)
        key = (str(self.id), 3 if depth is None else depth)
        return await info.context.loaders.skill_tree.load(key)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Skill:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description=ROADMAP)
class Roadmap:
    id: strawberry.ID = strawberry.field(description=ROADMAP_ID)
    slug: str = strawberry.federation.field(external=True, description=ROADMAP_SLUG)

    @strawberry.federation.field(
        requires=["slug"],
        description="The roadmap as an ordered diagram (SVG). Anyone. "
        "Errors: NOT_FOUND, RATE_LIMITED.",
        directives=[DRAWING],
    )
    async def svg(self, info: Info) -> str:
        await info.context.limit(domain.DRAWINGS)
        return await info.context.deps.service.roadmap(self.slug)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, slug: str = "") -> Roadmap:
        return cls(id=id, slug=slug)


@strawberry.federation.type(keys=NOT_HERE, description=PROGRESS)
class SkillProgress:
    id: strawberry.ID = strawberry.field(description=PROGRESS_ID)
    percent: float = strawberry.federation.field(
        external=True, default=0.0, description=PROGRESS_PERCENT
    )
    status: ProgressStatus = strawberry.federation.field(
        external=True, default=ProgressStatus.NOT_STARTED, description=PROGRESS_STATUS
    )
    started_at: datetime = strawberry.federation.field(
        external=True, default=datetime.min, description=PROGRESS_STARTED_AT
    )
    updated_at: datetime = strawberry.federation.field(
        external=True, default=datetime.min, description=PROGRESS_UPDATED_AT
    )
    completed_at: datetime | None = strawberry.federation.field(
        external=True, default=None, description=PROGRESS_COMPLETED_AT
    )
    skill: Skill = strawberry.federation.field(
        external=True,
        default_factory=lambda: Skill(id=strawberry.ID("")),
        description=PROGRESS_SKILL,
    )


@strawberry.federation.type(keys=["id"], description=USER)
class User:
    id: strawberry.ID = strawberry.field(description=USER_ID)
    progress: list[SkillProgress] = strawberry.federation.field(
        external=True, default_factory=list, description=USER_PROGRESS
    )
    # What the gateway sent for `progress` (the @requires selection), as JSON values.
    required_progress: strawberry.Private[list[dict[str, Any]] | None] = None

    @strawberry.federation.field(
        requires=[PROGRESS_REQUIRES],
        description="The user's progress per skill as an SVG chart, drawn from the progress "
        "the gateway fetched from learning in the same request (it reflects the user's latest "
        "recordProgress at once). The user themself and ADMIN only. Errors: UNAUTHENTICATED, "
        "FORBIDDEN, NOT_FOUND, RATE_LIMITED, INTERNAL_SERVER_ERROR (progress unavailable).",
        directives=[DRAWING],
    )
    async def progress_chart_svg(
        self,
        info: Info,
        kind: Annotated[
            ChartKind | None,  # type: ignore[valid-type]
            strawberry.argument(description="Chart style; default BAR."),
        ] = domain.ChartKind.BAR,
    ) -> str:
        viewer = await info.context.viewer()
        await info.context.limit(domain.DRAWINGS)
        require_self_or_admin(viewer, str(self.id))
        chart = domain.ChartKind(kind) if kind is not None else domain.ChartKind.BAR
        if self.required_progress is None:  # learning did not answer (it reported why)
            raise AppError("The user's progress is unavailable; try again later")
        progress = user_progress(str(self.id), self.required_progress)
        return await info.context.deps.service.progress_chart(viewer, str(self.id), chart, progress)

    @strawberry.field(
        description="A roadmap as SVG, coloured by the user's progress. The user themself and "
        "ADMIN only. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (roadmap or user), "
        "RATE_LIMITED.",
        directives=[DRAWING],
    )
    async def skill_tree_svg(
        self,
        info: Info,
        roadmap_slug: Annotated[str, strawberry.argument(description="The roadmap's slug.")],
    ) -> str:
        viewer = await info.context.viewer()
        await info.context.limit(domain.DRAWINGS)
        return await info.context.deps.service.user_roadmap(viewer, str(self.id), roadmap_slug)

    @classmethod
    def resolve_reference(
        cls, id: strawberry.ID, progress: list[dict[str, Any]] | None = None
    ) -> User:
        return cls(id=id, required_progress=progress)


@strawberry.federation.type(keys=["id"])
class Certificate:
    """Owned by the learning subgraph; this subgraph serves it as printable documents."""

    id: strawberry.ID = strawberry.field(description="Stable id of the certificate.")
    verification_code: str = strawberry.federation.field(
        external=True, description="Public: anyone can check it with verifyCertificate."
    )

    @strawberry.federation.field(
        requires=["verificationCode"],
        description="The certificate as a printable A4 SVG document (public URL, served by the"
        " visualization subgraph): learner, skill, date and a QR code of the verification link.",
    )
    def svg_url(self, info: Info) -> str:
        return document_url(info, self.verification_code, "svg")

    @strawberry.federation.field(
        requires=["verificationCode"],
        description="The same certificate as a PDF document (public URL, visualization subgraph).",
    )
    def pdf_url(self, info: Info) -> str:
        return document_url(info, self.verification_code, "pdf")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **fields: Any) -> Certificate:
        # The gateway sends the @requires field under its GraphQL name.
        return cls(id=id, verification_code=str(fields.get("verificationCode", "")))


def document_url(info: Info, verification_code: str, extension: str) -> str:
    base = info.context.deps.settings.documents_url.rstrip("/")
    return f"{base}/certificates/{quote(verification_code, safe='')}.{extension}"
