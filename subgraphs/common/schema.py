"""How every subgraph builds its federated schema: one set of extensions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from .cost import CostModel, OperationCost, declared_costs
from .errors import ErrorCodes, coded_error
from .input_errors import RefuseUnstorableText
from .observability import OperationMetrics, OperationTracing
from .settings import Settings

FEDERATION_VERSION: Final = "2.11"
# Distinct operation texts kept parsed and validated per process (LRU). The gateway sends a
# small, fixed set of subgraph operations; anything beyond is evicted, never unbounded.
CACHED_OPERATIONS: Final = 512


def validation_caches() -> tuple[Any, Any]:
    """This process's parse and validation LRU caches (`cache_info()`), shared by every schema."""
    return (
        ParserCache(maxsize=CACHED_OPERATIONS).cached_parse_document,
        ValidationCache(maxsize=CACHED_OPERATIONS).cached_validate_document,
    )


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
) -> strawberry.federation.Schema:
    """A federation 2 schema with the platform's limits, metrics and error codes.

    Expensive fields carry `@cost(weight:)` (strawberry's federation `Cost` directive):
    the gateway's demand control and this subgraph's operation budget read the same
    weights.
    """
    model = CostModel({}, settings.default_list_size)
    # The limits' rule classes are made once: the validation cache is keyed on the document
    # and the rule classes, and Strawberry's limiter extensions make a new class per instance.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        OperationTracing,  # outermost: its span covers the whole operation
        OperationMetrics,  # listed first: it sees errors after ErrorCodes coded them
        ErrorCodes,
        # Factories: a fresh extension instance for every request.
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),  # a parse option
        lambda: ParserCache(maxsize=CACHED_OPERATIONS),
        lambda: AddValidationRules(limits),
        lambda: ValidationCache(maxsize=CACHED_OPERATIONS),  # after the rules are added
        lambda: OperationCost(model, settings.max_cost_anonymous, settings.max_cost_signed_in),
        RefuseUnstorableText,
    ]
    schema = CodedErrorsSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=extensions,
        federation_version=FEDERATION_VERSION,
    )
    model.weights.update(declared_costs(schema))
    return schema
