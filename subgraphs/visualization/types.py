"""GraphQL types of the visualization subgraph: SVG fields on entities owned elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import strawberry
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from . import domain
from .deps import Deps
from .loaders import Loaders

Info = StrawberryInfo[Context[Deps, Loaders], None]

ChartKind = strawberry.enum(domain.ChartKind, description="How a progress chart is drawn.")


@strawberry.federation.type(keys=["id"])
class Skill:
    id: strawberry.ID

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


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(description="The user's progress per skill; the user and ADMIN only.")
    async def progress_chart_svg(
        self,
        info: Info,
        kind: ChartKind | None = domain.ChartKind.BAR,  # type: ignore[valid-type]
    ) -> str:
        viewer = await info.context.viewer()
        chart = domain.ChartKind(kind) if kind is not None else domain.ChartKind.BAR
        return await info.context.deps.service.progress_chart(viewer, str(self.id), chart)

    @strawberry.field(description="A roadmap coloured by the user's progress; user and ADMIN only.")
    async def skill_tree_svg(self, info: Info, roadmap_slug: str) -> str:
        viewer = await info.context.viewer()
        return await info.context.deps.service.user_roadmap(viewer, str(self.id), roadmap_slug)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.federation.type(keys=["id"])
class Certificate:
    """Owned by the learning subgraph; this subgraph serves it as printable documents."""

    id: strawberry.ID
    verification_code: str = strawberry.federation.field(external=True)

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
