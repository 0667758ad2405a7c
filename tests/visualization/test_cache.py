"""The Redis cache: hits on the second render, and exact invalidation by events."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput, Forbidden, NotFound, Unauthenticated
from subgraphs.common.events import Event, EventBus, EventConsumer
from subgraphs.visualization.cache import Rendered, SvgCache
from subgraphs.visualization.domain import ChartKind
from subgraphs.visualization.events import event_handlers
from subgraphs.visualization.service import RenderCounts, VisualizationService
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource

from .conftest import learner
from .support import parse_svg


def renders(counts: RenderCounts, kind: str) -> float:
    return counts.renders.labels(kind)._value.get()


def hits(counts: RenderCounts, kind: str) -> float:
    return counts.cache_hits.labels(kind)._value.get()


async def deliver(redis: Redis, cache: SvgCache, type: str, payload: dict[str, str]) -> None:
    """Publish one event on a stream of its own and let the subgraph's handlers consume it."""
    stream = f"test:viz:{uuid.uuid4().hex}"
    await EventBus(redis, "test", stream=stream).send(Event(type, "test", payload))
    consumer = EventConsumer(
        redis, "visualization", "test", event_handlers(cache), stream=stream, block_ms=10
    )
    await consumer.ensure_group()
    assert await consumer.process_once() == 1


async def test_second_render_is_a_cache_hit(
    service: VisualizationService, source: SampleSource, counts: RenderCounts
) -> None:
    user = learner(source)
    viewer = Viewer(user)
    first = await service.progress_chart(viewer, user, ChartKind.RADAR)
    fetches = source.count
    second = await service.progress_chart(viewer, user, ChartKind.RADAR)
    assert second == first
    assert source.count == fetches
    assert (renders(counts, "progress"), hits(counts, "progress")) == (1, 1)
    await service.roadmap(SAMPLE_ROADMAP)
    await service.roadmap(SAMPLE_ROADMAP)
    assert hits(counts, "roadmap") >= 1


async def test_trees_are_fetched_once_per_depth_and_then_cached(
    service: VisualizationService, source: SampleSource, counts: RenderCounts
) -> None:
    await service.cache.bump(["skill:pytorch"])  # earlier runs may have cached these trees
    wanted = [("pytorch", 2), ("react", 2), ("pytorch", 4), ("no-such-skill", 2)]
    results = await service.skill_trees(wanted)
    assert source.count == 2  # depth 2 and depth 4: one fetch each
    assert isinstance(results[3], NotFound)
    assert all(parse_svg(svg) is not None for svg in results[:3])  # type: ignore[arg-type]
    assert await service.skill_trees(wanted[:3]) == results[:3]
    assert source.count == 2


async def test_progress_event_invalidates_only_that_users_charts(
    service: VisualizationService, source: SampleSource, redis: Redis, counts: RenderCounts
) -> None:
    alice, bob = learner(source), learner(source)
    for user in (alice, bob):
        await service.progress_chart(Viewer(user), user, ChartKind.BAR)
        await service.user_roadmap(Viewer(user), user, SAMPLE_ROADMAP)
    tree = await service.skill_tree("python-oop", 2)
    before = renders(counts, "progress") + renders(counts, "user-roadmap")

    await deliver(
        redis,
        service.cache,
        "progress.updated",
        {
            "progressId": "p1",
            "userId": alice,
            "skillId": "fastapi",
            "percent": "60",
            "status": "IN_PROGRESS",
        },
    )
    for user in (alice, bob):
        await service.progress_chart(Viewer(user), user, ChartKind.BAR)
        await service.user_roadmap(Viewer(user), user, SAMPLE_ROADMAP)
    assert renders(counts, "progress") + renders(counts, "user-roadmap") == before + 2
    assert await service.skill_tree("python-oop", 2) == tree


async def test_chart_shows_new_progress_right_after_the_event(
    service: VisualizationService, source: SampleSource, redis: Redis
) -> None:
    user = learner(source)
    assert "45%" in await service.progress_chart(Viewer(user), user)
    progress = source.users[user]
    progress.entries = [
        e
        if e.skill.id != "fastapi"
        else type(e)(e.skill, 80.0, e.status, e.started_at, e.updated_at)
        for e in progress.entries
    ]
    assert "80%" not in await service.progress_chart(Viewer(user), user)  # still cached
    await deliver(
        redis,
        service.cache,
        "progress.updated",
        {
            "progressId": "p2",
            "userId": user,
            "skillId": "fastapi",
            "percent": "80",
            "status": "IN_PROGRESS",
        },
    )
    assert "80%" in await service.progress_chart(Viewer(user), user)


async def test_skill_events_invalidate_the_trees_that_show_the_skill(
    service: VisualizationService, redis: Redis, counts: RenderCounts
) -> None:
    await service.skill_tree("pytorch", 3)  # shows Python Basics
    await service.skill_tree("react", 1)  # does not
    before = renders(counts, "tree")
    await deliver(
        redis,
        service.cache,
        "skill.updated",
        {"skillId": "python-basics", "slug": "python-basics", "name": "Python"},
    )
    await service.skill_tree("pytorch", 3)
    await service.skill_tree("react", 1)
    assert renders(counts, "tree") == before + 1
    await deliver(
        redis,
        service.cache,
        "skill.prerequisite_added",
        {"skillId": "react", "prerequisiteId": "python-basics"},
    )
    await service.skill_tree("react", 1)
    assert renders(counts, "tree") == before + 2


async def test_a_render_overlapping_a_change_is_not_stored(redis: Redis) -> None:
    cache = SvgCache(redis)
    key = f"tree:{uuid.uuid4().hex}:3"
    epoch = await cache.epoch()
    await cache.bump(["skill:elsewhere"])
    assert not await cache.store({key: Rendered("<svg/>", frozenset({"skill:a"}))}, epoch)
    assert await cache.lookup([key]) == {}
    assert await cache.store({key: Rendered("<svg/>", frozenset({"skill:a"}))}, await cache.epoch())
    assert await cache.lookup([key]) == {key: "<svg/>"}


async def test_charts_are_private_to_the_user_and_admins(
    service: VisualizationService, source: SampleSource
) -> None:
    owner = learner(source)
    with pytest.raises(Unauthenticated):
        await service.progress_chart(None, owner)
    with pytest.raises(Forbidden):
        await service.progress_chart(Viewer("someone-else"), owner)
    with pytest.raises(Forbidden):
        await service.user_roadmap(Viewer("someone-else"), owner, SAMPLE_ROADMAP)
    admin = Viewer("admin", frozenset({"LEARNER", "ADMIN"}))
    assert "<svg" in await service.progress_chart(admin, owner, ChartKind.TIMELINE)


@pytest.mark.parametrize("depth", [0, 7, -1])
async def test_depth_outside_one_to_six_is_bad_input(
    service: VisualizationService, depth: int
) -> None:
    with pytest.raises(BadUserInput) as raised:
        await service.skill_tree("pytorch", depth)
    assert raised.value.extensions == {"field": "depth"}
