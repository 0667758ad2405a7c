"""Relay connections: `first`/`after` arguments, opaque cursors, PageInfo."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import strawberry

from .errors import BadUserInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")
# A page's total: counted only when `totalCount` is selected (a count is a query of its own).
Count: TypeAlias = Callable[[], Awaitable[int]]

# The arguments of every Relay listing, described once.
First = Annotated[int | None, strawberry.argument(description="Page size (at most 100).")]
After = Annotated[
    str | None, strawberry.argument(description="The endCursor of the previous page.")
]


@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """`Connection[Skill]` is the contract's `SkillConnection`."""

    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Count]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()


def page_size(first: int | None, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`first`, capped at 100; negative is the caller's mistake."""
    if first is None:
        return default
    if first < 0:
        raise BadUserInput("first", "first must not be negative")
    return min(first, MAX_PAGE_SIZE)


def encode_cursor(position: Any) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "after") -> Any:
    """The position a cursor stands for; BAD_USER_INPUT when it is not ours."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadUserInput(field, "Invalid cursor") from exc


def counted(total: int) -> Count:
    """A total already known."""

    async def known() -> int:
        return total

    return known


def connection(
    nodes: Sequence[T], cursors: Sequence[Any], total_count: int | Count, has_next_page: bool
) -> Connection[T]:
    """A page of `nodes`, each with the position its cursor encodes.

    `total_count`: the total, or how to count it when a client selects `totalCount`.
    """
    edges = [Edge(cursor=encode_cursor(c), node=n) for n, c in zip(nodes, cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=counted(total_count) if isinstance(total_count, int) else total_count,
    )
