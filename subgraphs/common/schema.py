"""How every subgraph builds its federated schema: one set of extensions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from .cost import CostModel, OperationCost
from .errors import ErrorCodes, coded_error
from .input_errors import RefuseUnstorableText
from .observability import OperationMetrics, OperationTracing
from .settings import Settings

FEDERATION_VERSION: Final = "2.11"


class CodedErrorsSchema(strawberry.federation.Schema):
    """Codes errors wherever Strawberry reports them, subscription events included.

    ErrorCodes covers queries and mutations; the errors of a subscription's
    events reach only `process_errors`, so they are coded (in place) here too.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        document = execution_context.graphql_document if execution_context else None
        errors[:] = [coded_error(error, document) for error in errors]


def federated_schema(
    settings: Settings,
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Iterable[type] = (),
    costs: Mapping[str, int] | None = None,
) -> strawberry.federation.Schema:
    """A federation 2 schema with the platform's limits, metrics and error codes.

    `costs` weighs expensive fields ("Type.field": cost) for the operation budget.
    """
    model = CostModel(costs or {}, settings.default_list_size)
    extensions: list[Any] = [
        OperationTracing,  # outermost: its span covers the whole operation
        OperationMetrics,  # listed first: it sees errors after ErrorCodes coded them
        ErrorCodes,
        # Factories: a fresh extension instance for every request.
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: OperationCost(model, settings.max_cost_anonymous, settings.max_cost_signed_in),
        RefuseUnstorableText,
    ]
    return CodedErrorsSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=extensions,
        federation_version=FEDERATION_VERSION,
    )
