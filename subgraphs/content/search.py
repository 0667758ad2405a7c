"""Ranking of content search hits, computed in Python.

FerretDB 1.x has no `$text`, so the store narrows candidates with a
case-insensitive `$regex` and the ranking happens here: a title match beats
any match in the summary or body, more matched terms beat fewer, then the
most recently published (or created) item comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..common.errors import BadUserInput
from .domain import ArticleView, CourseView, Resource

MAX_QUERY = 200
MAX_TERMS = 8
_WORD = re.compile(r"\w[\w+#.'-]*", re.UNICODE)

Item = CourseView | ArticleView | Resource


@dataclass(frozen=True)
class SearchHit:
    item: Item
    rank: tuple[int, int, int, int, int]
    recency: datetime


def query_terms(query: str) -> list[str]:
    """The distinct lowercase words of `query`; BAD_USER_INPUT when there are none."""
    if len(query) > MAX_QUERY:
        raise BadUserInput("query", f"query must be at most {MAX_QUERY} characters")
    terms = list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))
    if not terms:
        raise BadUserInput("query", "query must contain at least one word")
    return terms[:MAX_TERMS]


def _rank(title: str, text: str, terms: list[str]) -> tuple[int, int, int, int, int]:
    title, text = title.lower(), text.lower()
    phrase = " ".join(terms)
    return (
        int(title == phrase),
        int(phrase in title),
        sum(term in title for term in terms),
        int(phrase in text),
        sum(term in text for term in terms),
    )


def hit(item: Item, terms: list[str]) -> SearchHit | None:
    """`item` as a search hit, or None when it does not match at all."""
    if isinstance(item, CourseView):
        text = item.content.summary
        recency = item.record.state.published_at or item.record.state.updated_at
        title = item.content.title
    elif isinstance(item, ArticleView):
        text = item.content.body
        recency = item.record.state.published_at or item.record.state.updated_at
        title = item.content.title
    else:
        text, recency, title = "", item.created_at, item.title
    rank = _rank(title, text, terms)
    if not any(rank):
        return None
    return SearchHit(item=item, rank=rank, recency=recency)


def best(items: list[Item], terms: list[str], first: int) -> list[Item]:
    """The `first` best-ranked items that match."""
    hits = [h for h in (hit(item, terms) for item in items) if h is not None]
    hits.sort(key=lambda h: (h.rank, h.recency), reverse=True)
    return [h.item for h in hits[:first]]
