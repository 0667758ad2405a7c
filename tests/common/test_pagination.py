"""Relay connections: PageInfo complete per the Relay cursor connections spec."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.common.pagination import connection, decode_cursor, encode_cursor


async def test_first_page_has_no_previous_page_and_names_its_first_and_last_cursors() -> None:
    page = connection(["a", "b", "c"], [{"id": 1}, {"id": 2}, {"id": 3}], 10, True, after=None)
    info = page.page_info
    assert info.has_previous_page is False and info.has_next_page is True
    assert info.start_cursor == page.edges[0].cursor == encode_cursor({"id": 1})
    assert info.end_cursor == page.edges[-1].cursor == encode_cursor({"id": 3})
    assert await page.count() == 10


def test_a_page_after_a_cursor_has_a_previous_page() -> None:
    after = encode_cursor({"id": 3})
    page = connection(["d"], [{"id": 4}], 4, False, after=after)
    info = page.page_info
    assert info.has_previous_page is True and info.has_next_page is False
    assert info.start_cursor == info.end_cursor == encode_cursor({"id": 4})
    assert decode_cursor(info.start_cursor) == {"id": 4}


def test_an_empty_page_has_no_cursors() -> None:
    info = connection([], [], 0, False, after=encode_cursor({"id": 9})).page_info
    assert info.start_cursor is None and info.end_cursor is None
    assert info.has_previous_page is True and info.has_next_page is False


def test_a_cursor_that_is_not_ours_is_bad_user_input() -> None:
    with pytest.raises(BadUserInput):
        decode_cursor("not a cursor!")
