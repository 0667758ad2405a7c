"""Courses through Hive Gateway, next to users and skills: drafts, versions, publication."""

from __future__ import annotations

from tests.content.queries import (
    COURSE_BY_ID,
    COURSE_BY_SLUG,
    COURSE_VERSIONS,
    COURSES_AT,
    CREATE_COURSE,
    CREATE_INSTITUTION,
    PUBLISH_COURSE,
    SKILL_CONTENT,
    UPDATE_COURSE,
    course_input,
    unique,
)
from tests.support.client import Client


async def test_course_draft_update_publish_and_what_learners_see(
    clients: dict[str, Client], skill_id: str
) -> None:
    editor, learner, anonymous = clients["editor"], clients["learner"], clients["anonymous"]
    school = (
        await editor.data(CREATE_INSTITUTION, {"input": {"name": unique("Uni"), "country": "FI"}})
    )["createInstitution"]
    slug = unique("python-course")
    draft = (
        await editor.data(
            CREATE_COURSE, {"input": course_input(slug, [skill_id], institutionId=school["id"])}
        )
    )["createCourse"]
    assert (draft["status"], draft["version"], draft["publishedAt"]) == ("DRAFT", 1, None)
    assert draft["skills"] == [{"id": skill_id, "name": "Python for content tests"}]
    assert draft["institution"]["name"] == school["name"]
    assert [m["position"] for m in draft["modules"]] == [1, 2]
    assert [lesson["position"] for lesson in draft["modules"][0]["lessons"]] == [1, 2]

    for reader in (learner, anonymous):  # a draft does not exist for them
        assert (await reader.data(COURSE_BY_ID, {"id": draft["id"]}))["course"] is None
        assert (await reader.data(COURSE_BY_SLUG, {"slug": slug}))["course"] is None
        listed = (await reader.data(COURSES_AT, {"institution": school["id"]}))["courses"]
        assert listed["totalCount"] == 0 and listed["edges"] == []
        skill = (await reader.data(SKILL_CONTENT, {"id": skill_id}))["skill"]
        assert draft["id"] not in [c["id"] for c in skill["courses"]]
    assert (await editor.data(COURSE_BY_ID, {"id": draft["id"]}))["course"]["status"] == "DRAFT"

    v2 = (
        await editor.data(
            UPDATE_COURSE,
            {
                "id": draft["id"],
                "input": course_input(slug, [skill_id], "Python, v2", institutionId=school["id"]),
            },
        )
    )["updateCourse"]
    assert (v2["version"], v2["title"], v2["status"]) == (2, "Python, v2", "DRAFT")

    published = (await editor.data(PUBLISH_COURSE, {"id": draft["id"]}))["publishCourse"]
    assert (published["status"], published["version"]) == ("PUBLISHED", 2)
    assert published["publishedAt"] is not None and published["publishedVersion"] == 2

    await editor.data(
        UPDATE_COURSE,
        {
            "id": draft["id"],
            "input": course_input(
                slug, [skill_id], "Python, unfinished v3", institutionId=school["id"]
            ),
        },
    )
    seen = (await learner.data(COURSE_BY_ID, {"id": draft["id"]}))["course"]
    assert (seen["title"], seen["version"], seen["status"]) == ("Python, v2", 2, "PUBLISHED")
    assert (await anonymous.data(COURSE_BY_SLUG, {"slug": slug}))["course"]["version"] == 2
    assert (await editor.data(COURSE_BY_ID, {"id": draft["id"]}))["course"]["version"] == 3

    skill = (await learner.data(SKILL_CONTENT, {"id": skill_id}))["skill"]
    mine = [c for c in skill["courses"] if c["id"] == draft["id"]]
    assert mine == [
        {
            "id": draft["id"],
            "title": "Python, v2",
            "version": 2,
            "institution": {"name": school["name"], "courses": [{"id": draft["id"]}]},
        }
    ]
    listed = (await learner.data(COURSES_AT, {"institution": school["id"]}))["courses"]
    assert [e["node"]["id"] for e in listed["edges"]] == [draft["id"]]

    versions = (await editor.data(COURSE_VERSIONS, {"id": draft["id"]}))["course"]["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert {v["editor"]["displayName"] for v in versions} == {"Content Editor"}
    assert await learner.error_codes(COURSE_VERSIONS, {"id": draft["id"]}) == ["FORBIDDEN"]
