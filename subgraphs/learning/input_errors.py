"""Variable values GraphQL itself refuses (NaN, a string for a Float) as BAD_USER_INPUT.

graphql-core rejects such values before any resolver runs, with an error the
shared ErrorCodes extension would report as INTERNAL_SERVER_ERROR; this
extension, which runs before it, names the offending argument instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import ArgumentNode, DocumentNode, GraphQLError, VariableNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from ..common.errors import BadUserInput

_VARIABLE = re.compile(r"^Variable '\$(\w+)' (?:got|has) invalid value(?:.*? at '([^']+)')?")


class VariableInputErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        document = self.execution_context.graphql_document
        if result is None or not errors or document is None:
            return
        result.errors = [_as_bad_input(error, document) for error in errors]


def _as_bad_input(error: GraphQLError, document: DocumentNode) -> GraphQLError:
    match = _VARIABLE.match(error.message)
    if match is None or not isinstance(error.original_error, GraphQLError):
        return error
    variable, path = match.groups()
    field = path.split(".", 1)[1] if path and "." in path else _argument_of(document, variable)
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=BadUserInput(field or variable, error.message),
    )


def _argument_of(document: DocumentNode, variable: str) -> str | None:
    """The name of the first argument whose value is `$variable`."""
    found: list[str] = []

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if isinstance(node.value, VariableNode) and node.value.name.value == variable:
                found.append(node.name.value)

    visit(document, Finder())
    return found[0] if found else None
