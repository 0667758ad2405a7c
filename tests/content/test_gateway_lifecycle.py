"""Content lifecycle through Hive Gateway: archive and unpublish, listings with filters and
pages, updates and deletions, skill ids checked on write, a deleted skill breaking nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.content.queries import (
    COURSE_BY_ID,
    CREATE_ARTICLE,
    CREATE_COURSE,
    CREATE_INSTITUTION,
    CREATE_RESOURCE,
    PUBLISH_ARTICLE,
    PUBLISH_COURSE,
    code_and_field,
    course_input,
    unique,
)
from tests.support.client import Client

UNPUBLISH_COURSE = "mutation($id: ID!) { unpublishCourse(id: $id) { id status publishedVersion } }"
ARCHIVE_COURSE = "mutation($id: ID!) { archiveCourse(id: $id) { id status publishedVersion } }"
UNPUBLISH_ARTICLE = "mutation($s: String!) { unpublishArticle(slug: $s) { id status } }"
ARCHIVE_ARTICLE = "mutation($s: String!) { archiveArticle(slug: $s) { id status } }"
DELETE_ARTICLE = "mutation($s: String!) { deleteArticle(slug: $s) }"
COURSES = """query($status: PublicationStatus, $skill: ID) {
  courses(first: 100, status: $status, skillId: $skill) { totalCount edges { node { id status } } } }"""
ARTICLES = """query($first: Int, $after: String, $status: PublicationStatus, $skill: ID) {
  articles(first: $first, after: $after, status: $status, skillId: $skill) {
    totalCount edges { node { slug status skills { id name } } }
    pageInfo { hasNextPage endCursor } } }"""
RESOURCES = """query($first: Int, $after: String, $skill: ID, $kind: ResourceKind) {
  resources(first: $first, after: $after, skillId: $skill, kind: $kind) {
    totalCount edges { node { id title kind skills { id } } } pageInfo { hasNextPage endCursor } } }"""
INSTITUTIONS = """query($first: Int, $after: String, $country: String, $name: String) {
  institutions(first: $first, after: $after, country: $country, name: $name) {
    totalCount edges { node { id name country } } pageInfo { hasNextPage endCursor } } }"""
UPDATE_RESOURCE = """mutation($id: ID!, $input: ResourceInput!) {
  updateResource(id: $id, input: $input) { id title url kind skills { id } } }"""
DELETE_RESOURCE = "mutation($id: ID!) { deleteResource(id: $id) }"
UPDATE_INSTITUTION = """mutation($id: ID!, $input: InstitutionInput!) {
  updateInstitution(id: $id, input: $input) { id name country } }"""
DELETE_INSTITUTION = "mutation($id: ID!) { deleteInstitution(id: $id) }"
SKILL = """mutation($i: SkillInput!) { createSkill(input: $i) { id } }"""
DELETE_SKILL = "mutation($id: ID!) { deleteSkill(id: $id) }"


def ids(listing: dict[str, Any], key: str = "id") -> list[str]:
    return [edge["node"][key] for edge in listing["edges"]]


async def new_skill(editor: Client, name: str) -> str:
    category = unique("lifecycle")
    await editor.data(
        "mutation($i: CategoryInput!) { createCategory(input: $i) { id } }",
        {"i": {"slug": category, "name": "Lifecycle tests"}},
    )
    created = await editor.data(
        SKILL,
        {
            "i": {
                "slug": unique("skill"),
                "name": name,
                "description": "For lifecycle tests",
                "level": "BEGINNER",
                "categorySlug": category,
            }
        },
    )
    return str(created["createSkill"]["id"])


async def test_unpublished_and_archived_courses_leave_learners_but_not_editors(
    clients: dict[str, Client], skill_id: str
) -> None:
    editor, learner = clients["editor"], clients["learner"]
    course = (await editor.data(CREATE_COURSE, {"input": course_input(unique("c"), [skill_id])}))[
        "createCourse"
    ]
    await editor.data(PUBLISH_COURSE, {"id": course["id"]})
    assert (await learner.data(COURSE_BY_ID, {"id": course["id"]}))["course"]["id"] == course["id"]

    unpublished = (await editor.data(UNPUBLISH_COURSE, {"id": course["id"]}))["unpublishCourse"]
    assert unpublished == {"id": course["id"], "status": "DRAFT", "publishedVersion": None}
    assert (await learner.data(COURSE_BY_ID, {"id": course["id"]}))["course"] is None
    listed = await learner.data(COURSES, {"skill": skill_id})
    assert course["id"] not in ids(listed["courses"])

    await editor.data(PUBLISH_COURSE, {"id": course["id"]})
    archived = (await editor.data(ARCHIVE_COURSE, {"id": course["id"]}))["archiveCourse"]
    assert archived["status"] == "ARCHIVED"
    assert (await learner.data(COURSE_BY_ID, {"id": course["id"]}))["course"] is None
    skill_courses = await learner.data(
        "query($id: ID!) { skill(id: $id) { courses { id } } }", {"id": skill_id}
    )
    assert course["id"] not in [c["id"] for c in skill_courses["skill"]["courses"]]
    in_archive = await editor.data(COURSES, {"status": "ARCHIVED"})
    assert course["id"] in ids(in_archive["courses"])
    assert {e["node"]["status"] for e in in_archive["courses"]["edges"]} == {"ARCHIVED"}
    # learners asking for archived courses get none, not an error
    assert (await learner.data(COURSES, {"status": "ARCHIVED"}))["courses"]["totalCount"] == 0
    for mutation in (ARCHIVE_COURSE, UNPUBLISH_COURSE):
        assert await learner.error_codes(mutation, {"id": course["id"]}) == ["FORBIDDEN"]
    assert await editor.error_codes(ARCHIVE_COURSE, {"id": "000000000000000000000000"}) == [
        "NOT_FOUND"
    ]


async def test_articles_listed_by_skill_and_status_a_page_at_a_time(
    clients: dict[str, Client],
) -> None:
    editor, learner = clients["editor"], clients["learner"]
    skill = await new_skill(editor, "Article paging")
    slugs = [unique("art") for _ in range(3)]
    for slug in slugs:
        await editor.data(
            CREATE_ARTICLE,
            {"input": {"slug": slug, "title": slug, "body": "text", "skillIds": [skill]}},
        )
        await editor.data(PUBLISH_ARTICLE, {"slug": slug})
    await editor.data(UNPUBLISH_ARTICLE, {"s": slugs[1]})
    await editor.data(ARCHIVE_ARTICLE, {"s": slugs[2]})

    seen = (await learner.data(ARTICLES, {"skill": skill}))["articles"]
    assert (ids(seen, "slug"), seen["totalCount"]) == ([slugs[0]], 1)
    assert seen["edges"][0]["node"]["skills"] == [{"id": skill, "name": "Article paging"}]
    first = (await editor.data(ARTICLES, {"skill": skill, "first": 2}))["articles"]
    assert (ids(first, "slug"), first["totalCount"]) == (slugs[:2], 3)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await editor.data(
            ARTICLES, {"skill": skill, "first": 2, "after": first["pageInfo"]["endCursor"]}
        )
    )["articles"]
    assert ids(rest, "slug") == slugs[2:] and rest["pageInfo"]["hasNextPage"] is False
    archived = (await editor.data(ARTICLES, {"skill": skill, "status": "ARCHIVED"}))["articles"]
    assert ids(archived, "slug") == [slugs[2]]
    drafts = (await learner.data(ARTICLES, {"skill": skill, "status": "DRAFT"}))["articles"]
    assert drafts["totalCount"] == 0

    assert await learner.error_codes(DELETE_ARTICLE, {"s": slugs[0]}) == ["FORBIDDEN"]
    assert (await editor.data(DELETE_ARTICLE, {"s": slugs[0]}))["deleteArticle"]
    assert (await learner.data(ARTICLES, {"skill": skill}))["articles"]["totalCount"] == 0
    assert await editor.error_codes(DELETE_ARTICLE, {"s": slugs[0]}) == ["NOT_FOUND"]
    body = await editor.execute(ARTICLES, {"after": "bm90LWEtY3Vyc29y"})
    assert code_and_field(body) == ("BAD_USER_INPUT", "after")


async def test_resources_listed_updated_and_deleted(clients: dict[str, Client]) -> None:
    editor, learner = clients["editor"], clients["learner"]
    skill, other = await new_skill(editor, "Resource one"), await new_skill(editor, "Resource two")
    made = [
        (
            await editor.data(
                CREATE_RESOURCE,
                {
                    "input": {
                        "title": f"R{i}",
                        "url": f"https://example.com/{unique('r')}",
                        "kind": kind,
                        "skillIds": [skill],
                    }
                },
            )
        )["createResource"]["id"]
        for i, kind in enumerate(["VIDEO", "BOOK", "VIDEO"])
    ]
    videos = (await learner.data(RESOURCES, {"skill": skill, "kind": "VIDEO"}))["resources"]
    assert (ids(videos), videos["totalCount"]) == ([made[0], made[2]], 2)
    page = (await learner.data(RESOURCES, {"skill": skill, "first": 1}))["resources"]
    assert ids(page) == made[:1] and page["pageInfo"]["hasNextPage"]

    change = {"title": "Renamed", "url": "https://example.org/x", "kind": "TOOL", "skillIds": []}
    assert await learner.error_codes(UPDATE_RESOURCE, {"id": made[1], "input": change}) == [
        "FORBIDDEN"
    ]
    updated = (
        await editor.data(
            UPDATE_RESOURCE, {"id": made[1], "input": {**change, "skillIds": [other]}}
        )
    )["updateResource"]
    assert updated == {
        "id": made[1],
        "title": "Renamed",
        "url": "https://example.org/x",
        "kind": "TOOL",
        "skills": [{"id": other}],
    }
    assert ids((await learner.data(RESOURCES, {"skill": skill}))["resources"]) == [
        made[0],
        made[2],
    ]
    bad_url = await editor.execute(
        UPDATE_RESOURCE, {"id": made[1], "input": {**change, "url": "javascript:alert(1)"}}
    )
    assert code_and_field(bad_url) == ("BAD_USER_INPUT", "url")
    assert await learner.error_codes(DELETE_RESOURCE, {"id": made[0]}) == ["FORBIDDEN"]
    assert (await editor.data(DELETE_RESOURCE, {"id": made[0]}))["deleteResource"] == made[0]
    assert await editor.error_codes(DELETE_RESOURCE, {"id": made[0]}) == ["NOT_FOUND"]
    assert ids((await learner.data(RESOURCES, {"skill": skill}))["resources"]) == [made[2]]


async def test_institutions_listed_renamed_and_deleted_once_unused(
    clients: dict[str, Client], skill_id: str
) -> None:
    editor, learner = clients["editor"], clients["learner"]
    tag = unique("Inst")
    made = [
        (
            await editor.data(
                CREATE_INSTITUTION, {"input": {"name": f"{tag} {n}", "country": country}}
            )
        )["createInstitution"]
        for n, country in (("North", "NO"), ("South", "ZA"), ("East", "NO"))
    ]
    named = (await learner.data(INSTITUTIONS, {"name": tag.lower()}))["institutions"]
    assert ids(named) == [m["id"] for m in made] and named["totalCount"] == 3
    norway = (await learner.data(INSTITUTIONS, {"name": tag, "country": "NO", "first": 1}))[
        "institutions"
    ]
    assert ids(norway) == [made[0]["id"]] and norway["pageInfo"]["hasNextPage"]

    renamed = (
        await editor.data(
            UPDATE_INSTITUTION, {"id": made[1]["id"], "input": {"name": f"{tag} Cape"}}
        )
    )["updateInstitution"]
    assert renamed == {"id": made[1]["id"], "name": f"{tag} Cape", "country": None}
    taken = await editor.execute(
        UPDATE_INSTITUTION, {"id": made[1]["id"], "input": {"name": made[0]["name"]}}
    )
    assert taken["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await learner.error_codes(DELETE_INSTITUTION, {"id": made[0]["id"]}) == ["FORBIDDEN"]

    course = (
        await editor.data(
            CREATE_COURSE,
            {"input": course_input(unique("c"), [skill_id], institutionId=made[0]["id"])},
        )
    )["createCourse"]
    in_use = await editor.execute(DELETE_INSTITUTION, {"id": made[0]["id"]})
    assert in_use["errors"][0]["extensions"]["code"] == "CONFLICT"
    await editor.data(
        "mutation($id: ID!, $input: CourseInput!) { updateCourse(id: $id, input: $input) { id } }",
        {"id": course["id"], "input": course_input(course["slug"], [skill_id])},
    )
    assert (await editor.data(DELETE_INSTITUTION, {"id": made[0]["id"]}))["deleteInstitution"]
    left = (await learner.data(INSTITUTIONS, {"name": tag}))["institutions"]
    assert ids(left) == [made[1]["id"], made[2]["id"]]


async def test_unknown_skill_ids_are_refused_on_every_write(clients: dict[str, Client]) -> None:
    editor = clients["editor"]
    ghost = "000000000000000000000000"
    writes: list[tuple[str, dict[str, Any]]] = [
        (CREATE_COURSE, {"input": course_input(unique("c"), [ghost])}),
        (
            CREATE_ARTICLE,
            {"input": {"slug": unique("a"), "title": "A", "body": "b", "skillIds": [ghost]}},
        ),
        (
            CREATE_RESOURCE,
            {
                "input": {
                    "title": "R",
                    "url": "https://example.com/ghost",
                    "kind": "BOOK",
                    "skillIds": [ghost],
                }
            },
        ),
    ]
    for mutation, variables in writes:
        body = await editor.execute(mutation, variables)
        assert code_and_field(body) == ("BAD_USER_INPUT", "skillIds"), body
        assert ghost in body["errors"][0]["message"]


async def test_a_deleted_skill_disappears_from_content_and_no_page_breaks(
    clients: dict[str, Client],
) -> None:
    editor, learner = clients["editor"], clients["learner"]
    doomed, kept = await new_skill(editor, "Doomed"), await new_skill(editor, "Kept")
    course = (
        await editor.data(CREATE_COURSE, {"input": course_input(unique("c"), [doomed, kept])})
    )["createCourse"]
    await editor.data(PUBLISH_COURSE, {"id": course["id"]})
    slug = unique("a")
    await editor.data(
        CREATE_ARTICLE, {"input": {"slug": slug, "title": "A", "body": "b", "skillIds": [doomed]}}
    )
    await editor.data(PUBLISH_ARTICLE, {"slug": slug})

    assert (await editor.data(DELETE_SKILL, {"id": doomed}))["deleteSkill"] is True
    page: dict[str, Any] = {}
    for _ in range(100):  # skill.deleted reaches content through the event stream
        page = await learner.execute(
            "query($id: ID!) { course(id: $id) { id skills { id name } } }", {"id": course["id"]}
        )
        if not page.get("errors") and page["data"]["course"]["skills"] == [
            {"id": kept, "name": "Kept"}
        ]:
            break
        await asyncio.sleep(0.1)
    assert page == {
        "data": {"course": {"id": course["id"], "skills": [{"id": kept, "name": "Kept"}]}}
    }
    listing = await learner.execute(COURSES, {})
    assert "errors" not in listing and course["id"] in ids(listing["data"]["courses"])
    versions = await editor.execute(
        "query($id: ID!) { course(id: $id) { versions { skills { id name } } } }",
        {"id": course["id"]},
    )
    assert "errors" not in versions
    assert versions["data"]["course"]["versions"][0]["skills"] == [{"id": kept, "name": "Kept"}]
    articles = await learner.execute(ARTICLES, {"first": 100})
    assert "errors" not in articles
    mine = [e["node"] for e in articles["data"]["articles"]["edges"] if e["node"]["slug"] == slug]
    assert mine == [{"slug": slug, "status": "PUBLISHED", "skills": []}]
    # and the deleted skill cannot be linked again
    body = await editor.execute(CREATE_COURSE, {"input": course_input(unique("c"), [doomed])})
    assert code_and_field(body) == ("BAD_USER_INPUT", "skillIds")
