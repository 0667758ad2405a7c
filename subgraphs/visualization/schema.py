"""The visualization subgraph's own root fields; its SVG fields live on entity stubs."""

from __future__ import annotations

import strawberry

from ..common.schema import federated_schema
from ..common.settings import Settings
from .types import Certificate, Roadmap, Skill, User


@strawberry.type
class Query:
    @strawberry.field(description="The visualization subgraph's own health, for smoke checks.")
    def visualization_ready(self) -> bool:
        return True


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(settings, query=Query, types=[Skill, Roadmap, User, Certificate])
