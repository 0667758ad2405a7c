"""The domain events the content subgraph emits, and its outbox.

Events travel in the changed document itself (`pendingEvents`, written by the
same update as the change) until the relay has published them.
"""

from __future__ import annotations

from typing import Any, Literal

from ..common.events.contracts import (
    ContentPublished,
    ContentWithdrawn,
    PublishedLesson,
    PublishedModule,
)
from ..common.events.outbox import MongoOutbox, pending_events
from .domain import Article, ArticleContent, Course, CourseContent


class ContentEvents:
    """content.published, when a course or article version becomes what learners see, and
    content.withdrawn, when learners stop seeing it (unpublished or archived)."""

    def __init__(self, producer: str, outbox: MongoOutbox) -> None:
        self.producer = producer
        self.outbox = outbox

    def course_published(self, course: Course) -> dict[str, Any]:
        """The `$push` that records content.published with the publishing update."""
        return self._published("course", course.id, course.current, course.state.version)

    def article_published(self, article: Article) -> dict[str, Any]:
        return self._published("article", article.id, article.current, article.state.version)

    def withdrawn(self, kind: Literal["course", "article"], id: str, status: str) -> dict[str, Any]:
        """The `$push` that records content.withdrawn with the withdrawing update."""
        assert status in ("DRAFT", "ARCHIVED")
        event = ContentWithdrawn(kind=kind, id=id, status=status)  # type: ignore[arg-type]
        return pending_events(self.producer, [event])

    def committed(self) -> None:
        self.outbox.wake()

    def _published(
        self,
        kind: Literal["course", "article"],
        id: str,
        content: CourseContent | ArticleContent,
        version: int,
    ) -> dict[str, Any]:
        event = ContentPublished(
            kind=kind,
            id=id,
            slug=content.slug,
            title=content.title,
            skill_ids=list(content.skill_ids),
            version=version,
            modules=outline(content) if isinstance(content, CourseContent) else None,
        )
        return pending_events(self.producer, [event])


def outline(content: CourseContent) -> list[PublishedModule]:
    """A course's modules and lesson ids, as the event carries them (no bodies)."""
    return [
        PublishedModule(
            title=module.title,
            lessons=[
                PublishedLesson(id=lesson.id, title=lesson.title) for lesson in module.lessons
            ],
        )
        for module in content.modules
    ]
