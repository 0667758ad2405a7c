"""The few kinds of error a client can see, mapped once to `extensions.code`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from .input_errors import variable_field
from .observability import current_request_id

log = logging.getLogger("skill_circle.errors")


class AppError(Exception):
    """An expected failure; its message is safe to show to the client."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message)


class Forbidden(AppError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "You are not allowed to do this") -> None:
        super().__init__(message)


class NotFound(AppError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")


class BadUserInput(AppError):
    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class Conflict(AppError):
    code = "CONFLICT"


class RateLimited(AppError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many attempts; retry in {retry_after_seconds} seconds",
            retryAfter=retry_after_seconds,
        )


class PrerequisiteCycle(AppError):
    code = "PREREQUISITE_CYCLE"

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("Prerequisite cycle: " + " -> ".join(cycle), cycle=cycle)


def coded_error(error: GraphQLError, document: DocumentNode | None = None) -> GraphQLError:
    """The client-facing form of `error`: a known code, never internals. Idempotent."""
    original = error.original_error
    if isinstance(original, AppError):
        extensions = {**original.extensions, "code": original.code}
        return _copy(error, original.message, extensions)
    if original is None or isinstance(original, GraphQLError):
        # Raised by graphql-core itself (parse, validation, input coercion), or a
        # deliberately coded GraphQLError: the client's input, unless it says otherwise.
        extensions = dict(error.extensions or {})
        if "code" not in extensions:
            extensions["code"] = "BAD_USER_INPUT"
            field = variable_field(error, document)
            if field:
                extensions["field"] = field
        return _copy(error, error.message, extensions)
    request_id = current_request_id()
    log.error(
        "unexpected error in %s",
        ".".join(str(p) for p in error.path or []),
        exc_info=original,
        extra={"request_id": request_id},
    )
    return _copy(
        error,
        "Internal server error",
        {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    """Gives every error in a result a contract code; hides unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            document = self.execution_context.graphql_document
            result.errors = [coded_error(e, document) for e in errors]
