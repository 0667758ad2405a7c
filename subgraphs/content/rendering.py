"""Markdown to HTML that is safe to put in a page.

markdown-it-py renders (raw HTML allowed, so editors may use a `<kbd>` or a
`<details>`), then nh3 (the ammonia sanitizer) keeps only an allow-list of
tags, attributes and URL schemes: no script, no event handlers, no style, no
`javascript:`/`data:` URLs, whatever the Markdown or the raw HTML said.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

URL_SCHEMES = frozenset({"http", "https", "mailto"})
_CODE_LANGUAGE = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")

_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _attributes() -> dict[str, set[str]]:
    allowed = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    allowed["code"] = {"class"}  # fenced code's language, filtered below
    return allowed


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "code" and name == "class":
        return value if _CODE_LANGUAGE.match(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes=_attributes(),
    attribute_filter=_keep_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


@lru_cache(maxsize=512)
def render_markdown(markdown: str) -> str:
    """Sanitized HTML for `markdown` (cached: articles are read far more than written)."""
    return _cleaner.clean(_markdown.render(markdown))
