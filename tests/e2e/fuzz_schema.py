"""The gateway's API schema for fuzzing, as graphql-core builds it from introspection.

When the stack runs only some subgraphs (SKILL_CIRCLE_TEST_SUBGRAPHS), the fields
that only a stopped subgraph resolves are pruned, using the supergraph's
@join__type / @join__field directives: otherwise every query touching them would
fail with a (correct) "subgraph unreachable" INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import graphql
from graphql import language as ast

REPO = Path(__file__).resolve().parents[2]


def introspection_query() -> str:
    return graphql.get_introspection_query(descriptions=False)


def client_schema(introspection: dict[str, Any]) -> graphql.GraphQLSchema:
    return graphql.build_client_schema(introspection)  # type: ignore[arg-type]


def _arg(directive: ast.DirectiveNode, name: str) -> Any:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return graphql.value_from_ast_untyped(argument.value)
    return None


def resolving_subgraphs(supergraph_sdl: str) -> dict[tuple[str, str], set[str]]:
    """(type, field) -> the subgraphs that can resolve that field, from the supergraph SDL."""
    document = graphql.parse(supergraph_sdl)
    graph_names: dict[str, str] = {}
    for definition in document.definitions:
        if (
            isinstance(definition, ast.EnumTypeDefinitionNode)
            and definition.name.value == "join__Graph"
        ):
            for value in definition.values or ():
                for directive in value.directives or ():
                    if directive.name.value == "join__graph":
                        graph_names[value.name.value] = str(_arg(directive, "name"))
    owners: dict[tuple[str, str], set[str]] = {}
    for definition in document.definitions:
        if not isinstance(
            definition, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode
        ):
            continue
        type_graphs = {
            graph_names[str(_arg(d, "graph"))]
            for d in definition.directives or ()
            if d.name.value == "join__type"
        }
        for field in definition.fields or ():
            joins = [d for d in field.directives or () if d.name.value == "join__field"]
            graphs = {
                graph_names[str(_arg(d, "graph"))]
                for d in joins
                if _arg(d, "graph") is not None and not _arg(d, "external")
            }
            owners[(definition.name.value, field.name.value)] = graphs if joins else type_graphs
    return owners


def _named(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def prune(
    schema: graphql.GraphQLSchema, owners: dict[tuple[str, str], set[str]], running: Iterable[str]
) -> graphql.GraphQLSchema:
    """The schema without the fields that no running subgraph resolves (and without Subscription)."""
    alive = set(running)
    document = graphql.parse(graphql.print_schema(schema))
    definitions = list(document.definitions)
    dropped_types = {schema.subscription_type.name} if schema.subscription_type else set()
    while True:
        changed = False
        kept: list[ast.DefinitionNode] = []
        for definition in definitions:
            name = getattr(getattr(definition, "name", None), "value", None)
            if name in dropped_types:
                changed = True
                continue
            if isinstance(
                definition, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode
            ):
                fields = tuple(
                    f
                    for f in definition.fields or ()
                    if _named(f.type) not in dropped_types
                    and owners.get((definition.name.value, f.name.value), alive) & alive
                )
                if not fields:
                    dropped_types.add(definition.name.value)
                    changed = True
                    continue
                if len(fields) != len(definition.fields or ()):
                    changed = True
                    definition = replace(definition, fields=fields)
            if isinstance(definition, ast.UnionTypeDefinitionNode):
                members = tuple(
                    t for t in definition.types or () if t.name.value not in dropped_types
                )
                if not members:
                    dropped_types.add(definition.name.value)
                    changed = True
                    continue
                if len(members) != len(definition.types or ()):
                    changed = True
                    definition = replace(definition, types=members)
            if isinstance(definition, ast.SchemaDefinitionNode):
                operations = tuple(
                    o for o in definition.operation_types if _named(o.type) not in dropped_types
                )
                if len(operations) != len(definition.operation_types):
                    changed = True
                    definition = replace(definition, operation_types=operations)
            kept.append(definition)
        definitions = kept
        if not changed:
            break
    return graphql.build_ast_schema(ast.DocumentNode(definitions=tuple(definitions)))


def fuzz_schema(
    introspection: dict[str, Any], running: Iterable[str], supergraph_path: Path | None = None
) -> graphql.GraphQLSchema:
    """The API schema restricted to what the running subgraphs serve."""
    path = supergraph_path or REPO / "schema/supergraph.graphql"
    return prune(client_schema(introspection), resolving_subgraphs(path.read_text()), running)
