"""The domain events the content subgraph emits, and its outbox.

Events travel in the changed document itself (`pendingEvents`, written by the
same update as the change) until the relay has published them.
"""

from __future__ import annotations

from typing import Any, Literal

from ..common.events.contracts import ContentPublished
from ..common.events.outbox import MongoOutbox, pending_events
from .domain import Article, Course


class ContentEvents:
    """content.published, when a course or article version becomes what learners see."""

    def __init__(self, producer: str, outbox: MongoOutbox) -> None:
        self.producer = producer
        self.outbox = outbox

    def course_published(self, course: Course) -> dict[str, Any]:
        """The `$push` that records content.published with the publishing update."""
        return self._published("course", course.id, course.current)

    def article_published(self, article: Article) -> dict[str, Any]:
        return self._published("article", article.id, article.current)

    def committed(self) -> None:
        self.outbox.wake()

    def _published(
        self, kind: Literal["course", "article"], id: str, content: Any
    ) -> dict[str, Any]:
        event = ContentPublished(
            kind=kind,
            id=id,
            slug=content.slug,
            title=content.title,
            skill_ids=list(content.skill_ids),
        )
        return pending_events(self.producer, [event])
