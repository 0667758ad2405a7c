"""Input checks that need no store: URLs, slugs, lesson durations."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.content import inputs as validation
from tests.content.conftest import course_draft


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.python.org/3/tutorial/",
        "http://example.com",
        "https://example.com:8443/path?q=1#frag",
        "HTTPS://EXAMPLE.COM/x",
    ],
)
def test_http_urls_are_accepted(url: str) -> None:
    assert validation.web_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com",
        "/relative/path",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "data:text/html,hi",
        "https://",
        "http:///nohost",
        "https://exa mple.com",
        'https://example.com/"onmouseover="x',
        "https://example.com:99999/",
        "https://example.com/" + "a" * 3000,
    ],
)
def test_other_urls_are_bad_user_input_on_url(url: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        validation.web_url(url)
    assert raised.value.extensions["field"] == "url"


@pytest.mark.parametrize("slug", ["Has Caps", "trailing-", "double--hyphen", "", "a/b"])
def test_bad_slugs(slug: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        validation.course_content(course_draft(slug=slug))
    assert raised.value.extensions["field"] == "slug"


def test_negative_lesson_duration_is_refused() -> None:
    draft = course_draft()
    module = draft.modules[0]
    bad = validation.ModuleDraft(module.title, [validation.LessonDraft("t", "b", -5)])
    with pytest.raises(BadUserInput) as raised:
        validation.course_content(
            validation.CourseDraft(
                draft.slug, draft.title, draft.summary, draft.skill_ids, None, [bad]
            )
        )
    assert raised.value.extensions["field"] == "durationMinutes"


def test_skill_ids_are_deduplicated_in_order() -> None:
    content = validation.course_content(course_draft(skill_ids=["b", "a", "b"]))
    assert content.skill_ids == ("b", "a")
