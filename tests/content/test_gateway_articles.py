"""Articles and search through Hive Gateway: revisions, revert, sanitized HTML, ranking."""

from __future__ import annotations

import html
import re
import uuid

from tests.content.queries import (
    ARTICLE,
    CREATE_ARTICLE,
    CREATE_COURSE,
    CREATE_RESOURCE,
    PUBLISH_ARTICLE,
    REVERT_ARTICLE,
    SEARCH,
    SKILL_CONTENT,
    UPDATE_ARTICLE,
    code_and_field,
    course_input,
    unique,
)
from tests.support.client import Client


async def test_article_revisions_publish_and_revert(
    clients: dict[str, Client], skill_id: str
) -> None:
    editor, learner = clients["editor"], clients["learner"]
    slug = unique("recursion")
    created = (
        await editor.data(
            CREATE_ARTICLE,
            {
                "input": {
                    "slug": slug,
                    "title": "Recursion",
                    "body": "See *recursion*.",
                    "skillIds": [skill_id],
                }
            },
        )
    )["createArticle"]
    assert (created["status"], created["version"]) == ("DRAFT", 1)
    assert created["html"] == "<p>See <em>recursion</em>.</p>\n"
    assert (await learner.data(ARTICLE, {"slug": slug}))["article"] is None

    await editor.data(
        UPDATE_ARTICLE,
        {"slug": slug, "input": {"slug": slug, "title": "Recursion (v2)", "body": "Second"}},
    )
    published = (await editor.data(PUBLISH_ARTICLE, {"slug": slug}))["publishArticle"]
    assert (published["status"], published["publishedVersion"]) == ("PUBLISHED", 2)

    reverted = (await editor.data(REVERT_ARTICLE, {"slug": slug, "version": 1}))["revertArticle"]
    assert (reverted["version"], reverted["title"], reverted["body"]) == (
        3,
        "Recursion",
        "See *recursion*.",
    )
    revisions = reverted["revisions"]
    assert [(r["version"], r["title"]) for r in revisions] == [
        (1, "Recursion"),
        (2, "Recursion (v2)"),
        (3, "Recursion"),
    ]
    assert all(r["editor"]["displayName"] == "Content Editor" for r in revisions)
    assert all(r["editedAt"].endswith("+00:00") for r in revisions)

    seen = (await learner.data(ARTICLE, {"slug": slug}))["article"]
    assert (seen["version"], seen["title"], seen["status"]) == (2, "Recursion (v2)", "PUBLISHED")
    assert [r["version"] for r in seen["revisions"]] == [1, 2]  # no unpublished revision

    body = await editor.execute(REVERT_ARTICLE, {"slug": slug, "version": 99})
    assert code_and_field(body) == ("BAD_USER_INPUT", "version")
    assert await editor.error_codes(REVERT_ARTICLE, {"slug": unique("none"), "version": 1}) == [
        "NOT_FOUND"
    ]


HOSTILE_MARKDOWN = """# Totally normal

<script>alert('xss')</script>
<img src=x onerror="alert(1)">
<svg onload=alert(1)><script>alert(2)</script></svg>
[click me](javascript:alert(1))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<a href="&#106;avascript:alert(1)">encoded</a>
<a href="JaVaScRiPt:alert(1)" onmouseover="alert(1)">mixed case</a>
<iframe src="https://evil.example"></iframe>
<div style="background:url(javascript:alert(1))">styled</div>
![img](javascript:alert(1))

Some **safe** text and a [good link](https://example.com).
"""


async def test_hostile_markdown_comes_back_harmless(clients: dict[str, Client]) -> None:
    editor, learner = clients["editor"], clients["learner"]
    slug = unique("hostile")
    await editor.data(
        CREATE_ARTICLE, {"input": {"slug": slug, "title": "Hostile", "body": HOSTILE_MARKDOWN}}
    )
    await editor.data(PUBLISH_ARTICLE, {"slug": slug})
    article = (await learner.data(ARTICLE, {"slug": slug}))["article"]
    assert article["body"] == HOSTILE_MARKDOWN  # the Markdown is kept as written
    rendered = article["html"]
    assert not re.search(r"<\s*/?\s*(script|svg|iframe|object|embed|style)\b", rendered, re.I)
    assert not re.search(r"<[^>]*\s(on\w+|style)\s*=", rendered, re.I), rendered
    urls = re.findall(r'\s(?:href|src)\s*=\s*"([^"]*)"', rendered)
    for url in urls:  # javascript: and data: may remain as text, never as a link
        decoded = html.unescape(url).strip().lower()
        assert decoded == "x" or decoded.startswith("https://"), rendered  # x: the <img src=x>
    assert "https://example.com" in urls
    assert "<strong>safe</strong>" in rendered
    assert 'href="https://example.com"' in rendered


async def test_search_finds_published_content_only(
    clients: dict[str, Client], skill_id: str
) -> None:
    editor, learner, anonymous = clients["editor"], clients["learner"], clients["anonymous"]
    word = f"zebra{uuid.uuid4().hex[:6]}"
    draft = (
        await editor.data(
            CREATE_COURSE, {"input": course_input(unique("c"), [skill_id], f"{word} draft course")}
        )
    )["createCourse"]
    live = (
        await editor.data(
            CREATE_ARTICLE,
            {"input": {"slug": unique("a"), "title": f"{word} article", "body": "text"}},
        )
    )["createArticle"]
    await editor.data(PUBLISH_ARTICLE, {"slug": live["slug"]})
    mentioned = (
        await editor.data(
            CREATE_ARTICLE,
            {"input": {"slug": unique("b"), "title": "Other", "body": f"about {word}s"}},
        )
    )["createArticle"]
    await editor.data(PUBLISH_ARTICLE, {"slug": mentioned["slug"]})
    resource = (
        await editor.data(
            CREATE_RESOURCE,
            {
                "input": {
                    "title": f"{word} video",
                    "url": "https://example.com/v",
                    "kind": "VIDEO",
                    "skillIds": [skill_id],
                }
            },
        )
    )["createResource"]

    for reader in (learner, anonymous):
        hits = (await reader.data(SEARCH, {"q": word.upper()}))["searchContent"]
        ids = [h["id"] for h in hits]
        assert draft["id"] not in ids
        assert set(ids) == {live["id"], mentioned["id"], resource["id"]}
        assert ids[-1] == mentioned["id"]  # a body match ranks below title matches
    editor_hits = (await editor.data(SEARCH, {"q": word}))["searchContent"]
    assert draft["id"] in [h["id"] for h in editor_hits]
    assert len((await learner.data(SEARCH, {"q": word, "first": 1}))["searchContent"]) == 1

    skill = (await learner.data(SKILL_CONTENT, {"id": skill_id}))["skill"]
    assert {"title": f"{word} video", "url": "https://example.com/v", "kind": "VIDEO"} in skill[
        "resources"
    ]
