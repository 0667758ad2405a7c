"""The HTTP image endpoints and the GraphQL fields of the app, on the demo catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from subgraphs.common.auth import TokenVerifier
from subgraphs.common.settings import Settings
from subgraphs.visualization.app import create_app
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource

from .conftest import learner
from .support import parse_svg

ENTITIES = """
query($reps: [_Any!]!, $kind: ChartKind) {
  _entities(representations: $reps) { ... on User { progressChartSvg(kind: $kind) } }
}"""


@pytest.fixture
async def client(
    settings: Settings, source: SampleSource, verifier: TokenVerifier
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, source=source, verifier=verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://viz") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_public_images_have_etag_and_answer_304(client: httpx.AsyncClient) -> None:
    for path in ("/svg/skills/pytorch/tree.svg?depth=2", f"/svg/roadmaps/{SAMPLE_ROADMAP}.svg"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.headers["cache-control"] == "public, max-age=300"
        parse_svg(response.text)
        etag = response.headers["etag"]
        again = await client.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        other = await client.get(path, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200


async def test_user_chart_needs_the_users_own_token(
    client: httpx.AsyncClient, source: SampleSource, token_for: Callable[..., str]
) -> None:
    owner = learner(source)
    path = f"/svg/users/{owner}/progress.svg?kind=RADAR"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=bearer("not-a-token"))).status_code == 401
    forbidden = await client.get(path, headers=bearer(token_for("intruder")))
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    own = await client.get(path, headers=bearer(token_for(owner)))
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-cache"
    assert "Learning progress" in own.text
    again = await client.get(
        path, headers={**bearer(token_for(owner)), "if-none-match": own.headers["etag"]}
    )
    assert again.status_code == 304
    admin = await client.get(path, headers=bearer(token_for("boss", ("LEARNER", "ADMIN"))))
    assert admin.status_code == 200 and admin.headers["etag"] == own.headers["etag"]


async def test_user_roadmap_image(
    client: httpx.AsyncClient, source: SampleSource, token_for: Callable[..., str]
) -> None:
    owner = learner(source)
    path = f"/svg/users/{owner}/roadmaps/{SAMPLE_ROADMAP}.svg"
    response = await client.get(path, headers=bearer(token_for(owner)))
    assert response.status_code == 200 and "your progress" in response.text
    assert (await client.get(path, headers=bearer(token_for("x")))).status_code == 403


async def test_bad_input_and_unknown_things(
    client: httpx.AsyncClient, source: SampleSource, token_for: Callable[..., str]
) -> None:
    for depth in ("0", "7", "deep"):
        response = await client.get(f"/svg/skills/pytorch/tree.svg?depth={depth}")
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["field"] == "depth"
    owner = learner(source)
    bad_kind = await client.get(
        f"/svg/users/{owner}/progress.svg?kind=PIE", headers=bearer(token_for(owner))
    )
    assert bad_kind.status_code == 400
    assert (await client.get("/svg/skills/nope/tree.svg")).status_code == 404
    assert (await client.get("/svg/roadmaps/nope.svg")).status_code == 404


async def test_graphql_chart_is_forbidden_to_other_users(
    client: httpx.AsyncClient, source: SampleSource, token_for: Callable[..., str]
) -> None:
    owner = learner(source)
    # The representation as the gateway sends it: the @requires selection of User.progress.
    progress = [
        {
            "percent": 35.0,
            "status": "IN_PROGRESS",
            "startedAt": "2026-01-01T00:00:00+00:00",
            "updatedAt": "2026-01-02T00:00:00+00:00",
            "completedAt": None,
            "skill": {"id": "s1", "name": "Required Skill", "level": "BEGINNER",
                      "category": {"name": "Data"}},
        }
    ]  # fmt: skip
    user = {"__typename": "User", "id": owner, "progress": progress}
    body = {"query": ENTITIES, "variables": {"reps": [user], "kind": "BAR"}}
    other = (await client.post("/graphql", json=body, headers=bearer(token_for("x")))).json()
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    own = (await client.post("/graphql", json=body, headers=bearer(token_for(owner)))).json()
    svg = own["data"]["_entities"][0]["progressChartSvg"]
    parse_svg(svg)
    assert "Required Skill" in svg and "35%" in svg  # drawn from what the gateway handed over


async def test_graphql_tree_depth_is_validated(client: httpx.AsyncClient) -> None:
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on Skill { treeSvg(depth: 9) } } }"""
    reps = [{"__typename": "Skill", "id": "pytorch"}]
    body = (
        await client.post("/graphql", json={"query": query, "variables": {"reps": reps}})
    ).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "depth"}
