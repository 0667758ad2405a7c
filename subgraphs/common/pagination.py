"""Relay connections: `first`/`after` arguments, opaque cursors, PageInfo."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import strawberry
from strawberry.federation.schema_directives import ListSize

from .errors import BadUserInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

# On every connection field: tells the gateway's demand control how many items a page
# stands for (`first`, else the gateway's default list size), counted on `edges`, as
# this subgraph's own operation cost counts them (common/cost.py). No `assumedSize`:
# Hive Router prefers it to `first` when both are declared.
PAGE = ListSize(
    slicing_arguments=["first"], sized_fields=["edges"], require_one_slicing_argument=False
)

T = TypeVar("T")
# A page's total: counted only when `totalCount` is selected (a count is a query of its own).
Count: TypeAlias = Callable[[], Awaitable[int]]


@strawberry.federation.type(
    shareable=True, description="Where a page of a connection stands (Relay cursor pagination)."
)
class PageInfo:
    """Relay's PageInfo. Pages go forward (`first`/`after`): `has_previous_page` is
    true when the page starts after a cursor, i.e. edges come before it."""

    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (true when it starts after a cursor)."
    )
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor; null if the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: pass it as `after` for the next page; null if empty."
    )


@strawberry.type(description="One item of a connection page, with its position.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass as `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items in a stable order (Relay cursor pagination).")
class Connection(Generic[T]):
    """`Connection[Skill]` is the contract's `SkillConnection`."""

    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Whether and where the next page starts.")
    count: strawberry.Private[Count]

    @strawberry.field(description="How many items match, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


PageSize = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: at most 100, default 20. Negative: BAD_USER_INPUT."
    ),
]
Cursor = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor (a previous page's `endCursor`). "
        "A cursor not from this list: BAD_USER_INPUT."
    ),
]


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
    nodes: Sequence[T],
    cursors: Sequence[Any],
    total_count: int | Count,
    has_next_page: bool,
    *,
    after: str | None,
) -> Connection[T]:
    """A page of `nodes`, each with the position its cursor encodes; `after` is the
    cursor the page was asked to start after (None: the first page).

    `total_count`: the total, or how to count it when a client selects `totalCount`.
    """
    edges = [Edge(cursor=encode_cursor(c), node=n) for n, c in zip(nodes, cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_previous_page=after is not None,
            has_next_page=has_next_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=counted(total_count) if isinstance(total_count, int) else total_count,
    )
