"""The domain events the content subgraph emits."""

from __future__ import annotations

from typing import Literal

from ..common.events import EventBus
from ..common.events.contracts import ContentPublished
from .domain import Article, Course


class ContentEvents:
    """content.published, after a course or article version became what learners see."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def course_published(self, course: Course) -> None:
        content = course.current
        await self._published("course", course.id, content.slug, content.title, content.skill_ids)

    async def article_published(self, article: Article) -> None:
        content = article.current
        await self._published("article", article.id, content.slug, content.title, content.skill_ids)

    async def _published(
        self,
        kind: Literal["course", "article"],
        id: str,
        slug: str,
        title: str,
        skill_ids: tuple[str, ...],
    ) -> None:
        await self.bus.publish(
            ContentPublished(kind=kind, id=id, slug=slug, title=title, skill_ids=list(skill_ids))
        )
