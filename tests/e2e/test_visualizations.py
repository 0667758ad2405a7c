"""`visualization(spec:)` through each gateway: layout data equal to the SVG drawn for the
same subject, progress overlays, specs refused with BAD_USER_INPUT, unknown subjects
NOT_FOUND, and the progress chart that moves from what the learner last saw."""

from __future__ import annotations

from typing import Any

from tests.conftest import register
from tests.e2e.test_journeys import (
    ADD_PREREQUISITE,
    CREATE_ROADMAP,
    RECORD,
    accepted_once_known,
    eventually,
    new_skills,
    unique,
)
from tests.support.client import Client
from tests.visualization.layout_match import layout_boxes, svg_boxes, svg_edges
from tests.visualization.support import NS, parse_svg

VISUALIZATION = """query($spec: VisualizationSpec!) {
  visualization(spec: $spec) {
    kind theme width height svg
    layout {
      width height
      nodes { id x y width height label state percent }
      edges { source target points { x y } path }
    }
  }
}"""
BOTH = ["SVG", "LAYOUT"]


async def draw(client: Client, **spec: Any) -> dict[str, Any]:
    return dict((await client.data(VISUALIZATION, {"spec": spec}))["visualization"])


async def diamond(editor: Client) -> list[dict[str, Any]]:
    """Four new skills: each needs the one before, and the last needs the second too."""
    skills = await new_skills(editor, 4, chained=True)
    await editor.data(ADD_PREREQUISITE, {"s": skills[3]["id"], "p": skills[1]["id"]})
    return skills


async def test_layout_data_has_the_node_positions_of_the_svg(
    gateway: Client, editor: Client
) -> None:
    skills = await diamond(editor)
    drawn = await draw(gateway, kind="TREE", skillId=skills[3]["id"], formats=BOTH)
    layout, svg = drawn["layout"], drawn["svg"]
    assert {n["id"] for n in layout["nodes"]} == {s["id"] for s in skills}
    assert layout_boxes(layout) == svg_boxes(svg)  # the very same numbers
    paths = svg_edges(svg)
    assert sorted(e["path"] for e in layout["edges"]) == sorted(paths.values())
    wanted = {(skills[n]["id"], skills[m]["id"]) for n, m in ((0, 1), (1, 2), (2, 3), (1, 3))}
    assert {(e["source"], e["target"]) for e in layout["edges"]} == wanted
    root = parse_svg(svg)
    assert root.get("viewBox") == f"0 0 {round(layout['width'])} {round(layout['height'])}"
    assert (drawn["width"], drawn["height"]) == (round(layout["width"]), round(layout["height"]))
    assert all(n["state"] is None and n["percent"] is None for n in layout["nodes"])
    # The existing field draws the same tree (same cache path, same placement).
    tree_svg = (
        await gateway.data("query($s: ID!) { skill(id: $s) { treeSvg } }", {"s": skills[3]["id"]})
    )["skill"]["treeSvg"]
    assert svg_boxes(tree_svg) == svg_boxes(svg)


async def test_a_roadmap_s_layout_data_matches_its_svg(gateway: Client, editor: Client) -> None:
    skills = await new_skills(editor, 3, chained=True)
    roadmap = (
        await editor.data(
            CREATE_ROADMAP,
            {"i": {"slug": unique("viz-path"), "title": "Viz path", "description": "Three steps",
                   "skillSlugs": [s["slug"] for s in skills]}},
        )
    )["createRoadmap"]  # fmt: skip
    drawn = await draw(gateway, kind="ROADMAP", roadmapSlug=roadmap["slug"], formats=BOTH)
    assert [n["id"] for n in drawn["layout"]["nodes"]] == [s["id"] for s in skills]
    assert layout_boxes(drawn["layout"]) == svg_boxes(drawn["svg"])
    small = await draw(gateway, kind="ROADMAP", roadmapSlug=roadmap["slug"], width=300)
    assert small["width"] == 300 and parse_svg(small["svg"]).get("width") == "300"
    assert parse_svg(small["svg"]).get("viewBox") == parse_svg(drawn["svg"]).get("viewBox")


async def test_an_overlay_states_the_learner_s_progress(gateway: Client, editor: Client) -> None:
    skills = await diamond(editor)
    account = await register(gateway, "Overlay Learner")
    me = gateway.as_user(account["accessToken"])
    await accepted_once_known(me, RECORD, {"s": skills[0]["id"], "p": 100})
    await me.data(RECORD, {"s": skills[1]["id"], "p": 50})
    spec = {"kind": "TREE", "skillId": skills[3]["id"], "userId": account["user"]["id"],
            "formats": BOTH, "theme": "HIGH_CONTRAST"}  # fmt: skip
    drawn = (await me.data(VISUALIZATION, {"spec": spec}))["visualization"]
    states = {n["id"]: (n["state"], n["percent"]) for n in drawn["layout"]["nodes"]}
    assert states == {
        skills[0]["id"]: ("COMPLETED", 100.0),
        skills[1]["id"]: ("IN_PROGRESS", 50.0),
        skills[2]["id"]: ("LOCKED", 0.0),
        skills[3]["id"]: ("LOCKED", 0.0),
    }
    assert drawn["theme"] == "HIGH_CONTRAST"
    assert layout_boxes(drawn["layout"]) == svg_boxes(drawn["svg"])
    nodes = [g for g in parse_svg(drawn["svg"]).iter(f"{NS}g") if g.get("class") == "node"]
    assert {g.get("data-id"): g.get("data-state") for g in nodes} == {
        key: state for key, (state, _) in states.items()
    }
    other = gateway.as_user((await register(gateway, "Onlooker"))["accessToken"])
    refused = await other.execute(VISUALIZATION, {"spec": spec})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and not refused.get("data")


async def test_bad_specs_and_unknown_subjects(gateway: Client) -> None:
    cases = [
        ({"kind": "TREE"}, "BAD_USER_INPUT", "TREE needs skillId"),
        ({"kind": "TREE", "skillId": "x", "depth": 0}, "BAD_USER_INPUT", "between 1 and 6"),
        ({"kind": "ROADMAP", "roadmapSlug": "r", "height": 99999}, "BAD_USER_INPUT", "height"),
        ({"kind": "PROGRESS_CHART", "userId": "u", "formats": ["LAYOUT"]}, "BAD_USER_INPUT",
         "LAYOUT data exists for TREE and ROADMAP only"),
        ({"kind": "TREE", "skillId": "no-such-skill"}, "NOT_FOUND", "skill"),
        ({"kind": "ROADMAP", "roadmapSlug": "no-such-roadmap", "formats": ["LAYOUT"]},
         "NOT_FOUND", "roadmap"),
    ]  # fmt: skip
    for spec, code, words in cases:
        body = await gateway.execute(VISUALIZATION, {"spec": spec})
        [error] = body["errors"]
        assert (error["extensions"]["code"], body.get("data")) == (code, None), (spec, body)
        assert words in error["message"], (spec, error)
        assert "Traceback" not in str(body)


def bars(svg: str) -> dict[str, tuple[str, str]]:
    """The bars moving since the last visit: skill -> (from, to) percent."""
    return {
        group.get("data-id", ""): (rect.get("data-from", ""), rect.get("data-to", ""))
        for group in parse_svg(svg).iter(f"{NS}g")
        for rect in group.findall(f"{NS}rect")
        if rect.get("class") == "since"
    }


async def test_the_progress_chart_moves_from_the_previous_visit(
    gateway: Client, editor: Client
) -> None:
    [skill] = await new_skills(editor, 1)
    account = await register(gateway, "Returning Learner")
    me = gateway.as_user(account["accessToken"])
    spec = {"kind": "PROGRESS_CHART", "userId": account["user"]["id"], "sinceLastVisit": True}
    await accepted_once_known(me, RECORD, {"s": skill["id"], "p": 30})
    first = (await me.data(VISUALIZATION, {"spec": spec}))["visualization"]
    assert bars(first["svg"]) == {skill["id"]: ("0", "30")}  # the first visit: from nothing
    await me.data(RECORD, {"s": skill["id"], "p": 70})

    async def second_visit() -> dict[str, tuple[str, str]] | None:
        # A learner's identical read may be replayed from memory for a few seconds (and a
        # replay records nothing) until the progress event reaches visualization.
        svg = (await me.data(VISUALIZATION, {"spec": spec}))["visualization"]["svg"]
        return bars(svg) if bars(svg) != {skill["id"]: ("0", "30")} else None

    assert await eventually(second_visit) == {skill["id"]: ("30", "70")}
    desc = parse_svg(
        (await me.data(VISUALIZATION, {"spec": {**spec, "theme": "DARK"}}))["visualization"]["svg"]
    ).find(f"{NS}desc")
    assert desc is not None and "No change since your last visit" in (desc.text or "")
