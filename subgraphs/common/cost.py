"""Static operation cost: refused before execution when over the caller's budget.

Every field costs 1 (or its declared weight, e.g. an SVG drawing), and the
cost of what is selected under a list is multiplied by the list's size: the
`first`/`last` argument of a paginated field (its `edges`/`nodes` then count
once), the number of representations of `_entities` (what a gateway sends),
else a default size. Signed-in callers get a larger budget than anonymous ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema_directives import Cost
from strawberry.types.base import StrawberryObjectDefinition

SIZE_ARGUMENTS = ("first", "last", "limit")
CONNECTION_LISTS = ("edges", "nodes")


class CostModel:
    def __init__(self, weights: Mapping[str, int], default_list_size: int) -> None:
        self.weights = dict(weights)  # "Type.field" -> cost of one such field
        self.default_list_size = default_list_size

    def operation_cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return 0
        root = schema.get_root_type(operation.operation)
        if root is None:
            return 0
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        walk = _Walk(self, schema, fragments, dict(variables or {}))
        return walk.selections(root, operation.selection_set, sized=False)


class _Walk:
    def __init__(
        self,
        model: CostModel,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.model = model
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.visiting: set[str] = set()

    def selections(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode, sized: bool
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(target or parent, selection.selection_set, sized)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.visiting:
                    continue  # validation reports unknown or cyclic fragments
                self.visiting.add(name)
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selections(target, fragment.selection_set, sized)
                self.visiting.discard(name)
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode, sized: bool) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        own = self.model.weights.get(f"{parent.name}.{name}", 1)
        if node.selection_set is None:
            return own
        size, sized_here = self.size(definition.type, node, name, sized)
        child = self.selections(get_named_type(definition.type), node.selection_set, sized_here)
        return own + size * child

    def size(self, type_: Any, node: FieldNode, name: str, sized: bool) -> tuple[int, bool]:
        """How many items the field stands for, and whether its children are counted."""
        arguments = {
            a.name.value: value_from_ast_untyped(a.value, self.variables)
            for a in node.arguments or ()
        }
        for argument in SIZE_ARGUMENTS:
            value = arguments.get(argument)
            if isinstance(value, int) and value >= 0:
                return value, True
        if name == "_entities" and isinstance(arguments.get("representations"), list):
            return len(arguments["representations"]), True
        if not _is_list(type_):
            return 1, sized
        if sized and name in CONNECTION_LISTS:
            return 1, False
        return self.model.default_list_size, False


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class OperationCost(SchemaExtension):
    """Refuses an operation whose static cost is over the caller's budget (COST_LIMIT)."""

    def __init__(self, model: CostModel, anonymous_budget: int, signed_in_budget: int) -> None:
        super().__init__()
        self.model = model
        self.anonymous_budget = anonymous_budget
        self.signed_in_budget = signed_in_budget

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not _is_subscription(document, context.operation_name):
            cost = self.model.operation_cost(
                context.schema._schema, document, context.operation_name, context.variables
            )
            budget = self.anonymous_budget
            if cost > budget and await _signed_in(context.context):
                budget = self.signed_in_budget
            if cost > budget:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"Operation cost {cost} is over the budget of {budget}; "
                            "ask for fewer items or fewer drawings",
                            extensions={"code": "COST_LIMIT", "cost": cost, "budget": budget},
                        )
                    ],
                )
        yield


def _is_subscription(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    return (
        isinstance(operation, OperationDefinitionNode)
        and operation.operation.value == "subscription"
    )


async def _signed_in(context: Any) -> bool:
    viewer = getattr(context, "viewer", None)
    return viewer is not None and await viewer() is not None


def declared_costs(schema: Schema) -> dict[str, int]:
    """ "Type.field" -> weight, for every field declared with `@cost(weight:)`."""
    weights: dict[str, int] = {}
    for definition in schema.schema_converter.type_map.values():
        strawberry_type = definition.definition
        if not isinstance(strawberry_type, StrawberryObjectDefinition):
            continue
        for field in strawberry_type.fields:
            for directive in field.directives:
                if isinstance(directive, Cost):
                    name = schema.config.name_converter.get_graphql_name(field)
                    weights[f"{strawberry_type.name}.{name}"] = directive.weight
    return weights
