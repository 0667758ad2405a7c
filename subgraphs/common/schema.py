"""How every subgraph builds its federated schema: one set of extensions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from .errors import ErrorCodes
from .observability import OperationMetrics, OperationTracing
from .settings import Settings

FEDERATION_VERSION: Final = "2.11"


def federated_schema(
    settings: Settings,
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Iterable[type] = (),
) -> strawberry.federation.Schema:
    """A federation 2 schema with the platform's limits, metrics and error codes."""
    extensions: list[Any] = [
        OperationTracing,  # outermost: its span covers the whole operation
        OperationMetrics,  # listed first: it sees errors after ErrorCodes coded them
        ErrorCodes,
        # Factories: a fresh extension instance for every request.
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=extensions,
        federation_version=FEDERATION_VERSION,
    )
