"""The visualization subgraph's own root fields; its SVG fields live on entity stubs."""

from __future__ import annotations

import strawberry

from ..common.descriptions import QUERY
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from .personal_data import INVENTORY
from .types import Certificate, Roadmap, Skill, User


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="The visualization subgraph's own health, for smoke checks: always true. "
        "Anyone."
    )
    def visualization_ready(self) -> bool:
        return True


# A drawing costs as much as ~50 plain fields: a layout on a cache miss, kilobytes out.


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        types=[Skill, Roadmap, User, Certificate, data_export_type(INVENTORY)],
    )
