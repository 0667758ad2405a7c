"""Courses on FerretDB: drafts, versions, publication, visibility, pages, conflicts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from subgraphs.common.errors import BadUserInput, Conflict, NotFound
from subgraphs.common.events import EventBus
from subgraphs.common.events.relay import OutboxRelay
from subgraphs.common.pagination import encode_cursor
from subgraphs.common.stores.mongo import mongo_now
from subgraphs.content.domain import ARCHIVED, DRAFT, PUBLISHED, Course
from subgraphs.content.inputs import LessonDraft, ModuleDraft, course_content
from subgraphs.content.service import Page
from subgraphs.content.store import SlugTaken
from tests.content.conftest import EDITOR, OTHER_EDITOR, Content, course_draft


async def test_a_course_starts_as_a_draft_that_only_editors_see(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft())
    assert course.state.status == DRAFT and course.state.version == 1
    assert await service.course(course.id, None, drafts=False) is None
    assert await service.course(None, "intro-python", drafts=False) is None
    seen = await service.course(None, "intro-python", drafts=True)
    assert seen is not None and seen.content.title == "Intro to Python"
    assert await (await service.courses(None, None, None, drafts=False)).total_count() == 0
    assert await (await service.courses(None, None, None, drafts=True)).total_count() == 1


async def test_update_bumps_the_version_and_keeps_every_version(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft())
    updated = await service.update_course(
        OTHER_EDITOR, course.id, course_draft(title="Python, properly", lessons=3)
    )
    assert updated.state.version == 2
    assert updated.current.title == "Python, properly"
    assert len(updated.current.modules[0].lessons) == 3
    versions = await content.deps.store.course_versions([course.id])
    assert [(v.version, v.content.title, v.editor_id) for _, v in versions] == [
        (1, "Intro to Python", EDITOR.user_id),
        (2, "Python, properly", OTHER_EDITOR.user_id),
    ]


async def test_learners_see_the_published_version_until_the_next_publish(
    content: Content,
) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft())
    await service.update_course(EDITOR, course.id, course_draft(title="Version two"))
    published = await service.publish_course(EDITOR, course.id)
    assert published.state.status == PUBLISHED and published.state.published_at is not None
    assert published.state.published_version == 2

    await service.update_course(EDITOR, course.id, course_draft(title="Unfinished three"))
    learner_view = await service.course(course.id, None, drafts=False)
    editor_view = await service.course(course.id, None, drafts=True)
    assert learner_view is not None and editor_view is not None
    assert (learner_view.content.title, learner_view.version) == ("Version two", 2)
    assert (editor_view.content.title, editor_view.version) == ("Unfinished three", 3)

    republished = await service.publish_course(EDITOR, course.id)
    assert republished.state.published_version == 3
    learner_view = await service.course(course.id, None, drafts=False)
    assert learner_view is not None and learner_view.content.title == "Unfinished three"


async def test_publishing_emits_content_published_once_per_version(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft(skill_ids=["s1", "s2"]))
    await service.publish_course(EDITOR, course.id)
    await service.publish_course(EDITOR, course.id)  # nothing new to publish
    lessons = course.current.modules[0].lessons
    assert await content.events.of("content.published") == [
        {
            "kind": "course",
            "id": course.id,
            "slug": "intro-python",
            "title": "Intro to Python",
            "skillIds": ["s1", "s2"],
            "version": 1,
            "modules": [
                {
                    "title": "Basics",
                    "lessons": [{"id": le.id, "title": le.title} for le in lessons],
                }
            ],
        }
    ]


def lesson_ids(course: Course) -> dict[str, str]:
    return {le.title: le.id for m in course.current.modules for le in m.lessons}


async def test_lessons_keep_their_ids_across_versions(content: Content) -> None:
    """Learners' progress is kept by lesson id: titles carry ids over when editors send none."""
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft(lessons=3))
    first = lesson_ids(course)
    assert len(set(first.values())) == 3 and all(first.values())

    reordered = course_draft(lessons=0)
    module = ModuleDraft(
        "Basics",
        [
            LessonDraft("Lesson 3", "b", 1),
            LessonDraft("Renamed", "b", 1, id=first["Lesson 2"]),
            LessonDraft("Lesson 1", "b", 1),
            LessonDraft("New", "b", 1),
        ],
    )
    updated = await service.update_course(EDITOR, course.id, replace(reordered, modules=[module]))
    second = lesson_ids(updated)
    assert second["Lesson 3"] == first["Lesson 3"] and second["Lesson 1"] == first["Lesson 1"]
    assert second["Renamed"] == first["Lesson 2"]
    assert second["New"] not in first.values()


async def test_lesson_ids_must_be_unique_and_well_formed(content: Content) -> None:
    service = content.deps.service
    for ids in (["same", "same"], ["bad id!", "ok"]):
        module = ModuleDraft("M", [LessonDraft(f"L{i}", "b", 1, id=v) for i, v in enumerate(ids)])
        with pytest.raises(BadUserInput) as refused:
            await service.create_course(EDITOR, replace(course_draft(), modules=[module]))
        assert refused.value.extensions == {"field": "lessons"}


async def test_withdrawing_a_course_emits_content_withdrawn(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft())
    await service.publish_course(EDITOR, course.id)
    await service.withdraw_course(EDITOR, course.id, ARCHIVED)
    assert await content.events.of("content.withdrawn") == [
        {"kind": "course", "id": course.id, "status": "ARCHIVED"}
    ]


async def test_publish_course_retried_while_redis_is_down_still_notifies(
    content: Content,
) -> None:
    """The event is written with the publishing update: Redis being down neither fails
    the mutation nor loses content.published, and a retry does not need to resend it."""
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft(skill_ids=["s1"]))
    unreachable = Redis.from_url("redis://127.0.0.1:9", socket_connect_timeout=0.2)
    down = OutboxRelay(content.deps.outbox, EventBus(unreachable, "content"), unreachable)
    published = await service.publish_course(EDITOR, course.id)
    assert published.state.status == PUBLISHED
    with pytest.raises(RedisConnectionError):
        await down.relay_once()  # the relay cannot publish: the event stays pending
    assert await content.deps.outbox.pending() == 1
    retried = await service.publish_course(EDITOR, course.id)  # "already published"
    assert retried.state.published_version == published.state.published_version
    await unreachable.aclose()

    # Redis is back: the one pending event goes out, once.
    assert [e["id"] for e in await content.events.of("content.published")] == [course.id]
    assert await content.deps.outbox.pending() == 0


async def test_slugs_are_unique(content: Content) -> None:
    service = content.deps.service
    first = await service.create_course(EDITOR, course_draft(slug="one"))
    await service.create_course(EDITOR, course_draft(slug="two"))
    with pytest.raises(Conflict):
        await service.create_course(EDITOR, course_draft(slug="one"))
    with pytest.raises(Conflict):
        await service.update_course(EDITOR, first.id, course_draft(slug="two"))


async def test_the_unique_index_refuses_a_duplicate_slug_on_its_own(content: Content) -> None:
    """The index, not only the service's check, decides (two writers racing)."""
    store = content.deps.store
    one = await store.create_course(course_content(course_draft(slug="one")), "e", mongo_now())
    await store.create_course(course_content(course_draft(slug="two")), "e", mongo_now())
    with pytest.raises(SlugTaken):
        await store.create_course(course_content(course_draft(slug="one")), "e", mongo_now())
    with pytest.raises(SlugTaken):
        await store.update_course(one, course_content(course_draft(slug="two")), "e", mongo_now())


async def test_a_stale_update_loses_to_the_one_that_won(content: Content) -> None:
    service = content.deps.service
    course = await service.create_course(EDITOR, course_draft())
    store = content.deps.store
    first = await store.update_course(
        course, course_content(course_draft(title="A")), "e", mongo_now()
    )
    second = await store.update_course(
        course, course_content(course_draft(title="B")), "e", mongo_now()
    )
    assert first is not None and second is None
    versions = [v.content.title for _, v in await store.course_versions([course.id])]
    assert versions == ["Intro to Python", "A"]


async def test_unknown_courses_and_institutions(content: Content) -> None:
    service = content.deps.service
    with pytest.raises(NotFound):
        await service.update_course(EDITOR, "0" * 24, course_draft())
    with pytest.raises(NotFound):
        await service.publish_course(EDITOR, "not-an-id")
    with pytest.raises(BadUserInput) as raised:
        await service.create_course(EDITOR, course_draft(institution_id="0" * 24))
    assert raised.value.extensions["field"] == "institutionId"
    assert await service.course("garbage", None, drafts=True) is None


async def test_pages_of_courses_by_institution(content: Content) -> None:
    service = content.deps.service
    school = await service.create_institution("School", "FI")
    ids = []
    for n in range(5):
        course = await service.create_course(
            EDITOR, course_draft(slug=f"c{n}", institution_id=school.id if n % 2 == 0 else None)
        )
        ids.append(course.id)
        if n != 4:
            await service.publish_course(EDITOR, course.id)

    page = await service.courses(2, None, None, drafts=False)
    assert [c.id for c in page.items] == ids[:2]
    assert await page.total_count() == 4 and page.has_next_page
    rest = await service.courses(10, _cursor_after(page), None, drafts=False)
    assert [c.id for c in rest.items] == ids[2:4] and not rest.has_next_page

    published_at_school = await service.courses(10, None, school.id, drafts=False)
    assert [c.id for c in published_at_school.items] == [ids[0], ids[2]]
    every_at_school = await service.courses(10, None, school.id, drafts=True)
    assert [c.id for c in every_at_school.items] == [ids[0], ids[2], ids[4]]

    with pytest.raises(BadUserInput) as raised:
        await service.courses(10, "bm90LWEtY3Vyc29y", None, drafts=False)
    assert raised.value.extensions["field"] == "after"


async def test_institution_courses_published_only_unless_editor(content: Content) -> None:
    service, store = content.deps.service, content.deps.store
    school = await service.create_institution("Academy", None)
    draft = await service.create_course(EDITOR, course_draft(slug="d", institution_id=school.id))
    live = await service.create_course(EDITOR, course_draft(slug="l", institution_id=school.id))
    await service.publish_course(EDITOR, live.id)
    published = await store.courses_for_institutions([school.id], published_only=True)
    everything = await store.courses_for_institutions([school.id], published_only=False)
    assert [c.id for _, c in published] == [live.id]
    assert {c.id for _, c in everything} == {draft.id, live.id}
    with pytest.raises(Conflict):
        await service.create_institution("Academy", "DE")


def _cursor_after(page: Page[Any]) -> str:
    return encode_cursor(page.cursors[-1])
