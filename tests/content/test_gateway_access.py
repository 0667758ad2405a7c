"""Who may write content, and the errors writes return, through Hive Gateway."""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.common.settings import load_settings
from subgraphs.content.demo import fetch_links
from tests.content.queries import (
    CREATE_ARTICLE,
    CREATE_COURSE,
    CREATE_INSTITUTION,
    CREATE_RESOURCE,
    PUBLISH_ARTICLE,
    PUBLISH_COURSE,
    REVERT_ARTICLE,
    UPDATE_ARTICLE,
    UPDATE_COURSE,
    code_and_field,
    course_input,
    unique,
)
from tests.support.client import Client
from tests.support.stack import Stack

WRITES = [
    (CREATE_COURSE, {"input": course_input("nope", [])}),
    (UPDATE_COURSE, {"id": "0" * 24, "input": course_input("nope", [])}),
    (PUBLISH_COURSE, {"id": "0" * 24}),
    (CREATE_ARTICLE, {"input": {"slug": "nope", "title": "t", "body": "b"}}),
    (UPDATE_ARTICLE, {"slug": "nope", "input": {"slug": "nope", "title": "t", "body": "b"}}),
    (PUBLISH_ARTICLE, {"slug": "nope"}),
    (REVERT_ARTICLE, {"slug": "nope", "version": 1}),
    (
        CREATE_RESOURCE,
        {"input": {"title": "t", "url": "https://x.org", "kind": "BOOK", "skillIds": []}},
    ),
    (CREATE_INSTITUTION, {"input": {"name": "Nope"}}),
]


@pytest.mark.parametrize(("mutation", "variables"), WRITES)
async def test_writes_need_an_editor(
    clients: dict[str, Client], mutation: str, variables: dict[str, Any]
) -> None:
    assert await clients["anonymous"].error_codes(mutation, variables) == ["UNAUTHENTICATED"]
    assert await clients["learner"].error_codes(mutation, variables) == ["FORBIDDEN"]


async def test_conflicts_and_bad_input(clients: dict[str, Client], skill_id: str) -> None:
    editor, admin = clients["editor"], clients["admin"]
    slug = unique("dup")
    await editor.data(CREATE_COURSE, {"input": course_input(slug, [skill_id])})
    assert await admin.error_codes(CREATE_COURSE, {"input": course_input(slug, [])}) == ["CONFLICT"]
    body = await editor.execute(
        CREATE_RESOURCE,
        {"input": {"title": "x", "url": "javascript:alert(1)", "kind": "TOOL", "skillIds": []}},
    )
    assert code_and_field(body) == ("BAD_USER_INPUT", "url")
    body = await editor.execute(CREATE_COURSE, {"input": course_input("Bad Slug", [])})
    assert code_and_field(body) == ("BAD_USER_INPUT", "slug")
    bad_cursor = await editor.execute('{ courses(after: "garbage!") { totalCount } }')
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_demo_loader_finds_skill_ids_and_its_editor_through_the_gateway(
    stack: Stack, clients: dict[str, Client], skill_id: str
) -> None:
    links = await fetch_links(load_settings("content", environment="test"), stack.url, attempts=1)
    assert skill_id in links.skill_ids.values()
    admin = (await clients["admin"].data("{ me { id } }"))["me"]
    assert links.editor_id == admin["id"]
