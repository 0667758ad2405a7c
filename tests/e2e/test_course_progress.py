"""Course progress through every gateway: mark lessons, progress per module and course,
where to resume, completion (notification, achievement, stats), idempotence, privacy,
refusals, and what survives editors changing or withdrawing a course (issue 17, item 6).

Content owns courses and their lessons (stable `Lesson.id`); learning owns progress
(docs/course-progress.md). Learning hears of published courses through
`content.published`; a course it has not heard of yet is looked up through the
gateway, so marking right after publishing works.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import register
from tests.e2e.test_journeys import eventually, has_notifications, unique
from tests.support.client import Client
from tests.support.stack import Stack

CREATE = """mutation($i: CourseInput!) {
  createCourse(input: $i) { id slug title modules { title lessons { id title } } } }"""
UPDATE = """mutation($id: ID!, $i: CourseInput!) {
  updateCourse(id: $id, input: $i) { id modules { lessons { id title } } } }"""
PUBLISH = "mutation($id: ID!) { publishCourse(id: $id) { id status } }"
ARCHIVE = "mutation($id: ID!) { archiveCourse(id: $id) { id status } }"
PROGRESS = """
  courseId lessonsDone lessonsTotal percent completed completedAt startedAt updatedAt
  modules { position title lessonsDone lessonsTotal percent lessons { id done } }
  nextLesson { id title position modulePosition done }
"""
MARK = f"""mutation($c: ID!, $l: ID!, $d: Boolean! = true) {{
  markLessonDone(courseId: $c, lessonId: $l, done: $d) {{ {PROGRESS} }} }}"""
MY_PROGRESS = f"query($id: ID!) {{ course(id: $id) {{ id myProgress {{ {PROGRESS} }} }} }}"
MY_COURSES = "{ me { courseProgress { courseId percent completed course { slug } } } }"
STATS = "{ me { stats { coursesCompleted } achievements { code } } }"
INBOX = "{ me { notifications(first: 50) { edges { node { kind title link } } } } }"
OTHERS = "query($u: ID!) { user(id: $u) { courseProgress { courseId } } }"


def lesson(title: str, id: str | None = None) -> dict[str, Any]:
    given = {"id": id} if id else {}
    return {"title": title, "body": f"About {title}.", "durationMinutes": 5, **given}


def course_input(slug: str, title: str, modules: dict[str, list[dict[str, Any]]]) -> dict:
    return {
        "slug": slug,
        "title": title,
        "summary": "Made by the course progress tests.",
        "skillIds": [],
        "modules": [{"title": name, "lessons": lessons} for name, lessons in modules.items()],
    }


async def published_course(
    editor: Client, modules: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A new published course; its create payload and lesson title -> id."""
    slug, title = unique("progress-course"), f"Progress course {uuid.uuid4().hex[:6]}"
    given = {name: [lesson(t) for t in titles] for name, titles in modules.items()}
    course = (await editor.data(CREATE, {"i": course_input(slug, title, given)}))["createCourse"]
    await editor.data(PUBLISH, {"id": course["id"]})
    ids = {le["title"]: le["id"] for m in course["modules"] for le in m["lessons"]}
    return course, ids


async def mark(client: Client, course_id: str, lesson_id: str, done: bool = True) -> dict:
    body = await client.data(MARK, {"c": course_id, "l": lesson_id, "d": done})
    return dict(body["markLessonDone"])


def completions(notes: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    return [n for n in notes if n["kind"] == "PROGRESS" and n["title"] == f"You completed {title}"]


async def inbox(client: Client) -> list[dict[str, Any]]:
    edges = (await client.data(INBOX))["me"]["notifications"]["edges"]
    return [edge["node"] for edge in edges]


async def test_a_learner_marks_lessons_resumes_and_completes_a_course(
    stack: Stack, gateway: Client, editor: Client
) -> None:
    course, ids = await published_course(
        editor, {"Basics": ["Intro", "Setup"], "Practice": ["Drill"]}
    )
    account = await register(gateway, "Course Learner")
    me = gateway.as_user(account["accessToken"])

    # Not started: 0 of 3, resume at the first lesson; anonymous callers see no progress.
    fresh = (await me.data(MY_PROGRESS, {"id": course["id"]}))["course"]["myProgress"]
    assert (fresh["lessonsDone"], fresh["lessonsTotal"], fresh["percent"]) == (0, 3, 0.0)
    assert fresh["nextLesson"]["id"] == ids["Intro"] and fresh["startedAt"] is None
    anonymous = await gateway.data(MY_PROGRESS, {"id": course["id"]})
    assert anonymous["course"] == {"id": course["id"], "myProgress": None}

    # One lesson: per module and per course, and where to resume.
    first = await mark(me, course["id"], ids["Intro"])
    assert (first["lessonsDone"], first["lessonsTotal"], first["percent"]) == (1, 3, 33.33)
    basics, practice = first["modules"]
    assert (basics["title"], basics["lessonsDone"], basics["lessonsTotal"]) == ("Basics", 1, 2)
    assert basics["percent"] == 50.0 and practice["percent"] == 0.0
    assert basics["lessons"] == [{"id": ids["Intro"], "done": True},
                                 {"id": ids["Setup"], "done": False}]  # fmt: skip
    assert first["nextLesson"] == {"id": ids["Setup"], "title": "Setup", "position": 2,
                                   "modulePosition": 1, "done": False}  # fmt: skip
    assert first["completed"] is False and first["startedAt"]

    # Marking again changes nothing (no new event: updatedAt stays).
    again = await mark(me, course["id"], ids["Intro"])
    assert again == first

    # Out of order, then undone and redone: resume stays at the first lesson not done.
    third = await mark(me, course["id"], ids["Drill"])
    assert third["lessonsDone"] == 2 and third["nextLesson"]["id"] == ids["Setup"]
    undone = await mark(me, course["id"], ids["Drill"], done=False)
    assert undone["lessonsDone"] == 1 and undone["modules"][1]["lessonsDone"] == 0
    await mark(me, course["id"], ids["Drill"])

    # The last lesson completes the course.
    done = await mark(me, course["id"], ids["Setup"])
    assert (done["lessonsDone"], done["percent"], done["completed"]) == (3, 100.0, True)
    assert done["completedAt"] and done["nextLesson"] is None
    mine = (await me.data(MY_COURSES))["me"]["courseProgress"]
    assert {"courseId": course["id"], "percent": 100.0, "completed": True,
            "course": {"slug": course["slug"]}} in mine  # fmt: skip
    stats = (await me.data(STATS))["me"]
    assert stats["stats"]["coursesCompleted"] == 1
    assert [a["code"] for a in stats["achievements"]] == ["FIRST_COURSE_COMPLETED"]

    # Marking again, and undoing then redoing a lesson, never completes it a second time.
    assert (await mark(me, course["id"], ids["Setup"]))["completedAt"] == done["completedAt"]
    await mark(me, course["id"], ids["Intro"], done=False)
    redone = await mark(me, course["id"], ids["Intro"])
    assert redone["completed"] is True and redone["completedAt"] == done["completedAt"]
    stats = (await me.data(STATS))["me"]
    assert stats["stats"]["coursesCompleted"] == 1
    assert [a["code"] for a in stats["achievements"]] == ["FIRST_COURSE_COMPLETED"]

    # Another learner sees their own progress only, and may not read this one's.
    other = gateway.as_user((await register(gateway, "Other Learner"))["accessToken"])
    theirs = (await other.data(MY_PROGRESS, {"id": course["id"]}))["course"]["myProgress"]
    assert theirs["lessonsDone"] == 0 and theirs["completed"] is False
    assert (await other.data(MY_COURSES))["me"]["courseProgress"] == []
    codes = await other.error_codes(OTHERS, {"u": account["user"]["id"]})
    assert codes == ["FORBIDDEN"]

    if not has_notifications(stack):
        return
    # The completion reaches the inbox once, with the achievement. A second course completed
    # afterwards is a marker: events arrive in order, so once its notification is in, a
    # duplicate of the first would be too.
    marker, marker_ids = await published_course(editor, {"Only": ["Single"]})
    await mark(me, marker["id"], marker_ids["Single"])

    async def both_notified() -> list[dict[str, Any]] | None:
        notes = await inbox(me)
        return notes if completions(notes, marker["title"]) else None

    notes = await eventually(both_notified)
    [completed] = completions(notes, course["title"])
    assert completed["link"].endswith(f"/courses/{course['slug']}")
    unlocked = [n for n in notes if n["kind"] == "ACHIEVEMENT"]
    assert [n["title"] for n in unlocked] == ["Achievement unlocked: First course completed"]


async def test_refusals(gateway: Client, editor: Client) -> None:
    course, ids = await published_course(editor, {"Only": ["One", "Two"]})
    me = gateway.as_user((await register(gateway, "Refused Learner"))["accessToken"])

    assert await gateway.error_codes(MARK, {"c": course["id"], "l": ids["One"]}) == [
        "UNAUTHENTICATED"
    ]
    for unknown in ("0123456789abcdef01234567", "no-such-course"):
        assert await me.error_codes(MARK, {"c": unknown, "l": ids["One"]}) == ["NOT_FOUND"]
    body = await me.execute(MARK, {"c": course["id"], "l": "no-such-lesson"})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "lessonId"

    # A draft takes no marks: learners cannot see it.
    slug = unique("progress-draft")
    draft = (await editor.data(CREATE, {"i": course_input(slug, "Draft", {"M": [lesson("L")]})}))[
        "createCourse"
    ]
    draft_lesson = draft["modules"][0]["lessons"][0]["id"]
    assert await me.error_codes(MARK, {"c": draft["id"], "l": draft_lesson}) == ["NOT_FOUND"]

    # Archived after a learner started: marks refused, the course leaves their list, and the
    # progress comes back when the course is published again.
    await mark(me, course["id"], ids["One"])
    await editor.data(ARCHIVE, {"id": course["id"]})

    async def refused() -> bool:  # probes with the lesson already done: no change if accepted
        body = await me.execute(MARK, {"c": course["id"], "l": ids["One"]})
        return [e["extensions"]["code"] for e in body.get("errors") or []] == ["NOT_FOUND"]

    await eventually(refused)
    assert (await me.data(MY_COURSES))["me"]["courseProgress"] == []
    assert (await me.data(MY_PROGRESS, {"id": course["id"]}))["course"] is None
    await editor.data(PUBLISH, {"id": course["id"]})

    async def back() -> dict[str, Any] | None:
        found = (await me.data(MY_PROGRESS, {"id": course["id"]}))["course"]
        return found["myProgress"] if found and found["myProgress"] else None

    restored = await eventually(back)
    assert (restored["lessonsDone"], restored["nextLesson"]["id"]) == (1, ids["Two"])


async def test_editing_a_course_keeps_progress_and_never_completes_it_twice(
    gateway: Client, editor: Client
) -> None:
    course, ids = await published_course(editor, {"Part": ["A", "B", "C"]})
    me = gateway.as_user((await register(gateway, "Edited Learner"))["accessToken"])
    await mark(me, course["id"], ids["A"])
    await mark(me, course["id"], ids["B"])

    async def republish(titles: list[str]) -> dict[str, str]:
        """A new version without lesson ids: lessons keep theirs by title."""
        given = course_input(course["slug"], course["title"], {"Part": [lesson(t) for t in titles]})
        updated = (await editor.data(UPDATE, {"id": course["id"], "i": given}))["updateCourse"]
        await editor.data(PUBLISH, {"id": course["id"]})
        return {le["title"]: le["id"] for m in updated["modules"] for le in m["lessons"]}

    # B removed, D added: A keeps its id and its mark; B's mark no longer counts.
    edited = await republish(["A", "C", "D"])
    assert edited["A"] == ids["A"] and edited["C"] == ids["C"] and "B" not in edited

    async def counted_again() -> dict[str, Any] | None:
        found = (await me.data(MY_PROGRESS, {"id": course["id"]}))["course"]["myProgress"]
        return found if found["lessonsTotal"] == 3 and found["lessonsDone"] == 1 else None

    now = await eventually(counted_again)
    assert now["nextLesson"]["id"] == ids["C"]
    body = await me.execute(MARK, {"c": course["id"], "l": ids["B"]})
    assert body["errors"][0]["extensions"]["field"] == "lessonId"  # gone from the course

    await mark(me, course["id"], ids["C"])
    done = await mark(me, course["id"], edited["D"])
    assert done["completed"] is True and done["percent"] == 100.0

    # A lesson added after completion: the course stays completed, once.
    grown = await republish(["A", "C", "D", "E"])

    async def grown_seen() -> dict[str, Any] | None:
        found = (await me.data(MY_PROGRESS, {"id": course["id"]}))["course"]["myProgress"]
        return found if found["lessonsTotal"] == 4 else None

    later = await eventually(grown_seen)
    assert later["completed"] is True and later["completedAt"] == done["completedAt"]
    assert later["percent"] == 75.0 and later["nextLesson"]["id"] == grown["E"]
    await mark(me, course["id"], grown["E"])
    assert (await me.data(STATS))["me"]["stats"]["coursesCompleted"] == 1
