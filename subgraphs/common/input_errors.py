"""Input the GraphQL layer refuses before any resolver runs, as BAD_USER_INPUT.

- Variable values graphql-core itself rejects (NaN, a string for a Float): the
  error names the offending argument in `extensions.field`.
- Text no store can keep: NUL characters and unpaired UTF-16 surrogates (valid
  JSON escapes, but refused by PostgreSQL, UTF-8 encoders and BSON alike).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ArgumentNode, DocumentNode, ExecutionResult, GraphQLError, VariableNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

# graphql-core: "Variable '$i' has invalid value at .questions[0].prompt: ...", where the
# path is inside the variable's value ("[0].choiceIndexes[1]" for a list), or no path.
_VARIABLE = re.compile(r"^Variable '\$(\w+)' (?:got|has) invalid value(?: at ([.\[][^:]*):)?")


def variable_field(error: GraphQLError, document: DocumentNode | None) -> str | None:
    """The input a variable-coercion error is about, named as resolvers name theirs: an
    input object's field path (`questions[0].prompt`), or the argument followed by the
    path inside a list (`answers[0].choiceIndexes[1]`), else the argument."""
    match = _VARIABLE.match(error.message)
    if match is None:
        return None
    variable, path = match.groups()
    if path and path.startswith("."):
        return path[1:]
    argument = (_argument_of(document, variable) if document else None) or variable
    return argument + (path or "")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_input(query: str | None, variables: Mapping[str, Any] | None) -> str | None:
    """The name of the first input holding a NUL or an unpaired surrogate, if any."""
    for name, value in (variables or {}).items():
        if _holds_unstorable(value):
            return name
    if query and _UNSTORABLE.search(query):
        return "query"
    return None


def _holds_unstorable(value: object) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_holds_unstorable(k) or _holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(item) for item in value)
    return False


class RefuseUnstorableText(SchemaExtension):
    """Answers BAD_USER_INPUT, without executing, when input holds unstorable text."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        field = unstorable_input(context.query, context.variables)
        if field is not None:
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Text must not contain NUL characters or unpaired surrogates",
                        extensions={"code": "BAD_USER_INPUT", "field": field},
                    )
                ],
            )
        yield


def _argument_of(document: DocumentNode, variable: str) -> str | None:
    """The name of the first argument whose value is `$variable`."""
    found: list[str] = []

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if isinstance(node.value, VariableNode) and node.value.name.value == variable:
                found.append(node.name.value)

    visit(document, Finder())
    return found[0] if found else None
