"""The skills subgraph through the real gateway, with tokens from the users subgraph.

The stack runs in environment "test", which never loads demo data by itself:
the demo catalog is loaded here with `python -m subgraphs.skills load-demo`
against the stack's own database, as an operator would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from subgraphs.skills.demo import CATALOG
from tests.conftest import LOGIN, account_with_roles, register
from tests.support.client import Client
from tests.support.servers import free_port
from tests.support.stack import REPO, Stack

DEMO = json.loads(Path(CATALOG).read_text())

CREATE_CATEGORY = (
    "mutation($i: CategoryInput!) { createCategory(input: $i) { id slug parent { slug } } }"
)
CREATE_SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { id slug tags level } }"
UPDATE_SKILL = "mutation($id: ID!, $i: SkillInput!) { updateSkill(id: $id, input: $i) { id slug } }"
DELETE_SKILL = "mutation($id: ID!) { deleteSkill(id: $id) }"
ADD = """mutation($s: ID!, $p: ID!) {
  addPrerequisite(skillId: $s, prerequisiteId: $p) { slug prerequisites { slug } }
}"""
REMOVE = """mutation($s: ID!, $p: ID!) {
  removePrerequisite(skillId: $s, prerequisiteId: $p) { slug prerequisites { slug } }
}"""
CREATE_ROADMAP = """mutation($i: RoadmapInput!) {
  createRoadmap(input: $i) {
    id slug title steps { position milestone skill { slug prerequisites { slug } } }
  }
}"""
SKILL = """query($slug: String!) {
  skill(slug: $slug) {
    id slug name level tags
    category { slug parent { slug } }
    prerequisites { slug }
    dependents { slug }
  }
}"""
PAGE = """query($first: Int, $after: String, $filter: SkillFilter) {
  skills(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def clients(stack: Stack) -> AsyncIterator[dict[str, Client]]:
    """anonymous, learner and editor clients of the gateway."""
    anonymous = Client(stack.url)
    login = await anonymous.data(
        LOGIN, {"email": "admin@skillcircle.local", "password": "admin-dev-password"}
    )
    editor = await account_with_roles(anonymous, login["login"]["accessToken"], ["EDITOR"])
    learner = await register(anonymous, "Learner")
    yield {
        "anonymous": anonymous,
        "learner": anonymous.as_user(learner["accessToken"]),
        "editor": anonymous.as_user(editor["accessToken"]),
    }
    await anonymous.close()


@pytest.fixture(scope="module")
async def demo_loaded(stack: Stack) -> None:
    """The demo catalog in the stack's skills database, via the load-demo command."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "subgraphs.skills", "load-demo",
        cwd=REPO, env={**os.environ, **stack.subgraph_env("skills")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    # The command wrote through the outbox: the running subgraph's relay publishes those
    # events and its read model hears them (within one event delivery). Wait for that.
    slugs = [entry["slug"] for entry in DEMO["skills"]]
    chunks = [slugs[start : start + 20] for start in range(0, len(slugs), 20)]
    client = Client(stack.url)

    async def missing() -> list[str]:
        absent = []
        for chunk in chunks:
            fields = " ".join(
                f"s{i}: skill(slug: {json.dumps(s)}) {{ id }}" for i, s in enumerate(chunk)
            )
            data = await client.data(f"{{ {fields} }}")
            absent += [s for i, s in enumerate(chunk) if data[f"s{i}"] is None]
        return absent

    try:
        assert await eventually(missing, [], seconds=30) == []
    finally:
        await client.close()


async def error(client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The one error a request must fail with."""
    body = await client.execute(query, variables)
    assert body.get("errors"), body
    return dict(body["errors"][0])


def skill_input(slug: str, category: str, **changes: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.title(),
        "description": f"About {slug}",
        "level": "BEGINNER",
        "categorySlug": category,
        "tags": ["E2E", "demo"],
        **changes,
    }


async def make_chain(editor: Client, length: int) -> tuple[str, list[dict[str, Any]]]:
    """A category tree and `length` skills in its subcategory, each requiring the previous."""
    top, child = unique("area"), unique("topic")
    await editor.data(CREATE_CATEGORY, {"i": {"slug": top, "name": "Area"}})
    made = await editor.data(
        CREATE_CATEGORY, {"i": {"slug": child, "name": "Topic", "parentSlug": top}}
    )
    assert made["createCategory"]["parent"] == {"slug": top}
    skills = []
    for index in range(length):
        created = await editor.data(CREATE_SKILL, {"i": skill_input(unique(f"s{index}"), child)})
        skills.append(created["createSkill"])
    for before, after in itertools.pairwise(skills):
        await editor.data(ADD, {"s": after["id"], "p": before["id"]})
    return top, skills


async def test_editor_builds_a_category_tree_and_a_prerequisite_chain(
    clients: dict[str, Client],
) -> None:
    editor, anonymous = clients["editor"], clients["anonymous"]
    top, (a, b, c) = await make_chain(editor, 3)
    assert a["tags"] == ["e2e", "demo"]
    middle = (await anonymous.data(SKILL, {"slug": b["slug"]}))["skill"]
    assert middle["prerequisites"] == [{"slug": a["slug"]}]
    assert middle["dependents"] == [{"slug": c["slug"]}]
    assert middle["category"]["parent"] == {"slug": top}
    tree = await anonymous.data(
        "{ categories { slug subcategories { slug skills(first: 10) { totalCount } } "
        "skills(first: 2) { totalCount pageInfo { hasNextPage } } } }"
    )
    (area,) = [c for c in tree["categories"] if c["slug"] == top]
    assert area["skills"] == {"totalCount": 3, "pageInfo": {"hasNextPage": True}}
    assert area["subcategories"][0]["skills"] == {"totalCount": 3}

    removed = await editor.data(REMOVE, {"s": c["id"], "p": b["id"]})
    assert removed["removePrerequisite"]["prerequisites"] == []
    renamed = unique("renamed")
    await editor.data(UPDATE_SKILL, {"id": a["id"], "i": skill_input(renamed, top)})
    after = (await anonymous.data(SKILL, {"slug": b["slug"]}))["skill"]
    assert after["prerequisites"] == [{"slug": renamed}]


async def test_a_cycle_is_refused_with_the_cycle_named(clients: dict[str, Client]) -> None:
    editor = clients["editor"]
    _, (a, b, c) = await make_chain(editor, 3)
    failure = await error(editor, ADD, {"s": a["id"], "p": c["id"]})
    assert failure["extensions"]["code"] == "PREREQUISITE_CYCLE"
    assert failure["extensions"]["cycle"] == [a["slug"], c["slug"], b["slug"], a["slug"]]
    assert f"{a['slug']} -> {c['slug']}" in failure["message"]
    itself = await error(editor, ADD, {"s": a["id"], "p": a["id"]})
    assert itself["extensions"]["code"] == "PREREQUISITE_CYCLE"
    assert itself["extensions"]["cycle"] == [a["slug"], a["slug"]]


async def test_roadmap_comes_back_in_prerequisite_order(clients: dict[str, Client]) -> None:
    editor = clients["editor"]
    _, skills = await make_chain(editor, 4)
    slugs = [s["slug"] for s in skills]
    roadmap = (
        await editor.data(
            CREATE_ROADMAP,
            {
                "i": {
                    "slug": unique("path"),
                    "title": "Path",
                    "description": "In order",
                    "skillSlugs": slugs[::-1],
                    "milestones": [{"skillSlug": slugs[3], "label": "Done"}],
                }
            },
        )
    )["createRoadmap"]
    steps = roadmap["steps"]
    assert [s["skill"]["slug"] for s in steps] == slugs
    assert [s["position"] for s in steps] == [1, 2, 3, 4]
    assert [s["milestone"] for s in steps] == [None, None, None, "Done"]
    again = await clients["anonymous"].data(
        "query($s: String!) { roadmap(slug: $s) { id steps { skill { slug } } } }",
        {"s": roadmap["slug"]},
    )
    assert [s["skill"]["slug"] for s in again["roadmap"]["steps"]] == slugs
    listed = await clients["anonymous"].data("{ roadmaps { id } }")
    assert {"id": roadmap["id"]} in listed["roadmaps"]
    conflict = await error(editor, DELETE_SKILL, {"id": skills[0]["id"]})
    assert conflict["extensions"]["code"] == "CONFLICT"
    assert roadmap["slug"] in conflict["message"]


async def test_delete_skill_removes_it_and_its_edges(clients: dict[str, Client]) -> None:
    editor, anonymous = clients["editor"], clients["anonymous"]
    _, (a, b, c) = await make_chain(editor, 3)
    assert (await editor.data(DELETE_SKILL, {"id": b["id"]}))["deleteSkill"] is True
    assert (await anonymous.data(SKILL, {"slug": b["slug"]}))["skill"] is None
    assert (await anonymous.data(SKILL, {"slug": c["slug"]}))["skill"]["prerequisites"] == []
    assert (await anonymous.data(SKILL, {"slug": a["slug"]}))["skill"]["dependents"] == []


async def test_writes_need_an_editor(clients: dict[str, Client]) -> None:
    some_id = "0" * 24
    writes: list[tuple[str, dict[str, Any]]] = [
        (CREATE_CATEGORY, {"i": {"slug": "x", "name": "X"}}),
        (CREATE_SKILL, {"i": skill_input("x", "x")}),
        (UPDATE_SKILL, {"id": some_id, "i": skill_input("x", "x")}),
        (DELETE_SKILL, {"id": some_id}),
        (ADD, {"s": some_id, "p": some_id}),
        (REMOVE, {"s": some_id, "p": some_id}),
        (CREATE_ROADMAP, {"i": {"slug": "x", "title": "X", "description": "", "skillSlugs": []}}),
    ]
    for query, variables in writes:
        forbidden = await error(clients["learner"], query, variables)
        assert forbidden["extensions"]["code"] == "FORBIDDEN", query
        anonymous = await error(clients["anonymous"], query, variables)
        assert anonymous["extensions"]["code"] == "UNAUTHENTICATED", query


async def test_every_failure_code(clients: dict[str, Client]) -> None:
    editor, anonymous = clients["editor"], clients["anonymous"]
    top, (a,) = await make_chain(editor, 1)

    async def code_and_field(query: str, variables: dict[str, Any]) -> tuple[str, str | None]:
        failure = await error(editor, query, variables)
        assert "Traceback" not in failure["message"]
        return failure["extensions"]["code"], failure["extensions"].get("field")

    assert await code_and_field(CREATE_SKILL, {"i": skill_input("Bad Slug", top)}) == (
        "BAD_USER_INPUT",
        "slug",
    )
    assert await code_and_field(CREATE_SKILL, {"i": skill_input(unique("s"), "nowhere")}) == (
        "BAD_USER_INPUT",
        "categorySlug",
    )
    assert await code_and_field(CREATE_SKILL, {"i": skill_input(a["slug"], top)}) == (
        "CONFLICT",
        None,
    )
    assert await code_and_field(
        CREATE_CATEGORY, {"i": {"slug": unique("c"), "name": "C", "parentSlug": "nowhere"}}
    ) == ("BAD_USER_INPUT", "parentSlug")
    assert await code_and_field(CREATE_CATEGORY, {"i": {"slug": top, "name": "Again"}}) == (
        "CONFLICT",
        None,
    )
    roadmap = {"slug": unique("r"), "title": "R", "description": ""}
    for slugs in ([a["slug"], "ghost-skill"], [a["slug"], a["slug"]]):
        assert await code_and_field(CREATE_ROADMAP, {"i": {**roadmap, "skillSlugs": slugs}}) == (
            "BAD_USER_INPUT",
            "skillSlugs",
        )
    for bad_id in ("0" * 24, "not-an-id"):
        assert await code_and_field(UPDATE_SKILL, {"id": bad_id, "i": skill_input("x", top)}) == (
            "NOT_FOUND",
            None,
        )
        assert await code_and_field(ADD, {"s": a["id"], "p": bad_id}) == ("NOT_FOUND", None)
        assert await code_and_field(DELETE_SKILL, {"id": bad_id}) == ("NOT_FOUND", None)
        nothing = await anonymous.data("query($id: ID!) { skill(id: $id) { id } }", {"id": bad_id})
        assert nothing == {"skill": None}
    assert await code_and_field(PAGE, {"after": "not a cursor"}) == ("BAD_USER_INPUT", "after")
    assert await code_and_field(PAGE, {"first": -1}) == ("BAD_USER_INPUT", "first")
    assert (await anonymous.data('{ roadmap(slug: "no-such-roadmap") { id } }')) == {
        "roadmap": None
    }


async def walk(client: Client, filter: dict[str, Any] | None, first: int) -> list[str]:
    slugs: list[str] = []
    after = None
    total = None
    while True:
        page = (await client.data(PAGE, {"first": first, "after": after, "filter": filter}))[
            "skills"
        ]
        total = page["totalCount"] if total is None else total
        assert page["totalCount"] == total
        slugs += [edge["node"]["slug"] for edge in page["edges"]]
        # Relay PageInfo: a page after a cursor has edges before it; start/end
        # cursors are the first and last edge's.
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        cursors = [edge["cursor"] for edge in page["edges"]]
        assert page["pageInfo"]["startCursor"] == (cursors[0] if cursors else None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert len(slugs) == len(set(slugs)) == total
    return slugs


async def test_pages_walk_the_demo_catalog_without_gaps(
    demo_loaded: None, clients: dict[str, Client]
) -> None:
    slugs = await walk(clients["anonymous"], None, 7)
    assert {s["slug"] for s in DEMO["skills"]} <= set(slugs)
    roadmaps = await clients["anonymous"].data("{ roadmaps { slug } }")
    assert {r["slug"] for r in DEMO["roadmaps"]} <= {r["slug"] for r in roadmaps["roadmaps"]}


async def test_filters_through_the_gateway(demo_loaded: None, clients: dict[str, Client]) -> None:
    client = clients["anonymous"]
    family = {"databases"} | {
        c["slug"] for c in DEMO["categories"] if c["parentSlug"] == "databases"
    }
    in_databases = await walk(client, {"categorySlug": "databases"}, 10)
    assert sorted(in_databases) == sorted(
        s["slug"] for s in DEMO["skills"] if s["categorySlug"] in family
    )
    python = await walk(client, {"level": "INTERMEDIATE", "tag": "python"}, 4)
    assert sorted(python) == sorted(
        s["slug"] for s in DEMO["skills"] if s["level"] == "INTERMEDIATE" and "python" in s["tags"]
    )
    assert len(python) == 10
    searched = await walk(client, {"search": "DOCKER"}, 10)
    assert "docker" in searched
    assert await walk(client, {"search": "(.*"}, 10) == []


async def eventually(read: Callable[[], Awaitable[Any]], wanted: Any, seconds: float = 5) -> Any:
    """What `read` gives once it equals `wanted` (polled; fails after `seconds`)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await read()
        if found == wanted or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.1)


async def test_two_replicas_read_each_others_writes_from_memory(
    stack: Stack, clients: dict[str, Client]
) -> None:
    """Each replica serves the catalog from its own memory: the one that wrote answers
    with the write at once, the other within one event delivery (renames, edges, deletes,
    new categories)."""
    port = free_port()
    replica = stack.subgraph_process("skills", port=port, label="skills-2").start()
    second = clients["editor"].as_user(clients["editor"].token)
    second.url = f"http://127.0.0.1:{port}/graphql"
    first = clients["editor"]  # through the gateway, to the first process
    try:
        category = unique("replicas")
        await second.data(CREATE_CATEGORY, {"i": {"slug": category, "name": "Replicas"}})
        slug = unique("written-on-two")
        made = await second.data(CREATE_SKILL, {"i": skill_input(slug, category)})
        skill_id = made["createSkill"]["id"]
        one = "query($id: ID!) { skill(id: $id) { slug name category { slug } } }"
        here = await second.data(one, {"id": skill_id})  # read-your-writes, no waiting
        assert here["skill"] == {"slug": slug, "name": slug.title(), "category": {"slug": category}}

        async def on_first() -> Any:
            return (await first.data(one, {"id": skill_id}))["skill"]

        assert await eventually(on_first, here["skill"]) == here["skill"]

        renamed = skill_input(slug, category, name="Renamed On One")
        await first.data(UPDATE_SKILL, {"id": skill_id, "i": renamed})
        assert (await on_first())["name"] == "Renamed On One"  # the writer, at once

        async def on_second() -> Any:
            return (await second.data(one, {"id": skill_id}))["skill"]

        wanted = {"slug": slug, "name": "Renamed On One", "category": {"slug": category}}
        assert await eventually(on_second, wanted) == wanted

        other = await first.data(CREATE_SKILL, {"i": skill_input(unique("needs"), category)})
        needs_id = other["createSkill"]["id"]
        await first.data(ADD, {"s": needs_id, "p": skill_id})
        edges = "query($id: ID!) { skill(id: $id) { dependents { id } } }"

        async def dependents_on_second() -> Any:
            return (await second.data(edges, {"id": skill_id}))["skill"]["dependents"]

        assert await eventually(dependents_on_second, [{"id": needs_id}]) == [{"id": needs_id}]

        await second.data(DELETE_SKILL, {"id": skill_id})
        assert await on_second() is None
        assert await eventually(on_first, None) is None
        needs = "query($id: ID!) { skill(id: $id) { prerequisites { id } } }"
        assert (await first.data(needs, {"id": needs_id}))["skill"]["prerequisites"] == []
    finally:
        await second.close()
        replica.stop()
