"""Through the running supergraph: skills and learning data drawn, cached and invalidated."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import account_with_roles, register
from tests.support.client import Client
from tests.support.stack import Stack, implemented_subgraphs

from .support import NS, all_text, parse_svg

NEEDED = {"users", "skills", "learning", "visualization"}
pytestmark = pytest.mark.skipif(
    not NEEDED <= set(implemented_subgraphs()),
    reason="needs users, skills, learning and visualization in router/supergraph.yaml",
)

EVIL = "<script>alert(1)</script>"
CATEGORY = "mutation($i: CategoryInput!) { createCategory(input: $i) { id } }"
SKILL = "mutation($i: SkillInput!) { createSkill(input: $i) { id slug name } }"
UPDATE = "mutation($id: ID!, $i: SkillInput!) { updateSkill(id: $id, input: $i) { id } }"
PREREQ = "mutation($s: ID!, $p: ID!) { addPrerequisite(skillId: $s, prerequisiteId: $p) { id } }"
ROADMAP = "mutation($i: RoadmapInput!) { createRoadmap(input: $i) { id slug } }"
TREE = "query($id: ID!) { skill(id: $id) { treeSvg(depth: 2) } }"
ENROLL = "mutation($s: ID!) { enroll(skillId: $s) { id } }"
RECORD = "mutation($s: ID!, $p: Float!) { recordProgress(skillId: $s, percent: $p) { percent } }"
MY_CHART = "{ me { id progressChartSvg(kind: BAR) } }"
USER_CHART = "query($u: ID!) { user(id: $u) { progressChartSvg } }"


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.2)


def skill_input(slug: str, name: str, category: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "description": f"About {name}.",
        "level": "BEGINNER",
        "categorySlug": category,
        "tags": [],
    }


@pytest.fixture(scope="module")
def tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
async def catalog(gateway: Client, admin_token: str, tag: str) -> dict[str, Any]:
    """Three skills, base <- middle <- top, the base named like a script; and a roadmap."""
    editor = gateway.as_user(
        (await account_with_roles(gateway, admin_token, ["EDITOR"]))["accessToken"]
    )
    category = f"viz-{tag}"
    existing = await gateway.data(
        "query($s: String) { skill(slug: $s) { id slug name } }", {"s": f"base-{tag}"}
    )
    if existing["skill"] is None:
        await editor.data(CATEGORY, {"i": {"slug": category, "name": "Viz"}})
        for slug, name in (("base", EVIL), ("middle", "Middle Skill"), ("top", "Top Skill")):
            await editor.data(SKILL, {"i": skill_input(f"{slug}-{tag}", name, category)})
    ids = {}
    for slug in ("base", "middle", "top"):
        found = await gateway.data(
            "query($s: String) { skill(slug: $s) { id } }", {"s": f"{slug}-{tag}"}
        )
        ids[slug] = found["skill"]["id"]
    if existing["skill"] is None:
        await editor.data(PREREQ, {"s": ids["middle"], "p": ids["base"]})
        await editor.data(PREREQ, {"s": ids["top"], "p": ids["middle"]})
        await editor.data(
            ROADMAP,
            {
                "i": {
                    "slug": f"path-{tag}",
                    "title": "Viz Path",
                    "description": "Three steps.",
                    "skillSlugs": [f"base-{tag}", f"middle-{tag}", f"top-{tag}"],
                }
            },
        )
    return {"ids": ids, "editor": editor, "category": category, "roadmap": f"path-{tag}"}


def images_url(stack: Stack) -> str:
    return stack.subgraph_url("visualization").removesuffix("/graphql")


async def renders(stack: Stack, kind: str) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(images_url(stack) + "/metrics")).text
    found = re.search(rf'svg_renders_total{{kind="{kind}"}} ([0-9.e+]+)', text)
    return float(found.group(1)) if found else 0.0


async def test_tree_through_the_gateway_escapes_names(
    gateway: Client, catalog: dict[str, Any]
) -> None:
    svg = (await gateway.data(TREE, {"id": catalog["ids"]["top"]}))["skill"]["treeSvg"]
    root = parse_svg(svg)
    assert root.find(f".//{NS}script") is None
    words = all_text(root)
    assert EVIL in words and "Middle Skill" in words and "Top Skill" in words


async def test_tree_redraws_after_a_rename(
    gateway: Client, catalog: dict[str, Any], tag: str
) -> None:
    await gateway.data(TREE, {"id": catalog["ids"]["top"]})
    new_name = f"Renamed {tag}"
    await catalog["editor"].data(
        UPDATE,
        {
            "id": catalog["ids"]["middle"],
            "i": skill_input(f"middle-{tag}", new_name, catalog["category"]),
        },
    )

    async def renamed() -> bool:
        svg = (await gateway.data(TREE, {"id": catalog["ids"]["top"]}))["skill"]["treeSvg"]
        return new_name in all_text(parse_svg(svg))

    await eventually(renamed)


async def test_roadmap_images(gateway: Client, catalog: dict[str, Any], stack: Stack) -> None:
    slug = catalog["roadmap"]
    data = await gateway.data("query($s: String!) { roadmap(slug: $s) { svg } }", {"s": slug})
    assert "Viz Path" in all_text(parse_svg(data["roadmap"]["svg"]))
    learner = await register(gateway, "Roadmapper")
    mine = await gateway.as_user(learner["accessToken"]).data(
        "query($s: String!) { me { skillTreeSvg(roadmapSlug: $s) } }", {"s": slug}
    )
    assert "0 of 3 skills completed" in all_text(parse_svg(mine["me"]["skillTreeSvg"]))
    async with httpx.AsyncClient(base_url=images_url(stack)) as http:
        response = await http.get(f"/svg/roadmaps/{slug}.svg")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        again = await http.get(
            f"/svg/roadmaps/{slug}.svg", headers={"if-none-match": response.headers["etag"]}
        )
        assert again.status_code == 304


async def test_chart_shows_the_learners_own_write_at_once_and_is_cached_between(
    gateway: Client, catalog: dict[str, Any], stack: Stack
) -> None:
    """Read-your-writes: the chart is drawn from the progress the gateway fetched from
    learning in the same request (@requires), so no read right after recordProgress is stale
    (once, 500 ms after a write, a chart still showed the old value)."""
    account = await register(gateway, "Charted")
    me = gateway.as_user(account["accessToken"])
    skill = catalog["ids"]["base"]
    await me.data(ENROLL, {"s": skill})

    async def shows(text: str) -> bool:
        svg = (await me.data(MY_CHART))["me"]["progressChartSvg"]
        return text in all_text(parse_svg(svg))

    for percent in (40, 55, 75, 90):
        await me.data(RECORD, {"s": skill, "p": float(percent)})
        assert await shows(f"{percent}%")  # at once: no waiting
    before = await renders(stack, "progress")
    assert await shows("90%")
    assert await renders(stack, "progress") == before  # unchanged progress: from the cache
    await me.data(RECORD, {"s": skill, "p": 95.0})
    assert await shows("95%")
    assert await renders(stack, "progress") > before


async def test_someone_elses_chart_is_forbidden(gateway: Client, stack: Stack) -> None:
    owner, other = await register(gateway, "Owner"), await register(gateway, "Other")
    owner_id = owner["user"]["id"]
    codes = await gateway.as_user(other["accessToken"]).error_codes(USER_CHART, {"u": owner_id})
    assert codes == ["FORBIDDEN"]
    async with httpx.AsyncClient(base_url=images_url(stack)) as http:
        path = f"/svg/users/{owner_id}/progress.svg"
        assert (await http.get(path)).status_code == 401
        denied = await http.get(path, headers={"authorization": f"Bearer {other['accessToken']}"})
        assert denied.status_code == 403
        own = await http.get(path, headers={"authorization": f"Bearer {owner['accessToken']}"})
        assert own.status_code == 200 and own.headers["cache-control"] == "private, no-cache"
