"""Roadmap rules: steps in prerequisite order, milestones, kept ordered as the graph grows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..common.errors import BadUserInput, Conflict
from ..common.events.contracts import RoadmapCreated, RoadmapUpdated
from .domain import (
    MAX_DESCRIPTION,
    MAX_LABEL,
    MAX_TITLE,
    clean_optional_text,
    clean_roadmap_slugs,
    clean_slug,
    clean_text,
)
from .events import CatalogEvents
from .graph import dependents_closure, order_by_prerequisites, prerequisite_closure
from .roadmap_store import RoadmapRecord, RoadmapStore, StepRecord
from .store import SkillStore, SlugTaken


@dataclass(frozen=True)
class Milestone:
    skill_slug: str
    label: str


@dataclass(frozen=True)
class RoadmapDraft:
    slug: str
    title: str
    description: str
    skill_slugs: list[str]
    milestones: list[Milestone] | None = None


class RoadmapService:
    def __init__(self, roadmaps: RoadmapStore, skills: SkillStore, events: CatalogEvents) -> None:
        self.store = roadmaps
        self.skills = skills
        self.events = events

    async def by_slug(self, slug: str) -> RoadmapRecord | None:
        return await self.store.by_slug(slug)

    async def all(self) -> list[RoadmapRecord]:
        return await self.store.all()

    async def using_skill(self, skill_id: str) -> list[RoadmapRecord]:
        return await self.store.using_skills([skill_id])

    async def create_roadmap(self, draft: RoadmapDraft) -> RoadmapRecord:
        """A roadmap whose steps come after every step they require (ties: given order)."""
        slug = clean_slug(draft.slug)
        title = clean_text(draft.title, "title", MAX_TITLE)
        description = clean_optional_text(draft.description, "description", MAX_DESCRIPTION)
        slugs = clean_roadmap_slugs(draft.skill_slugs)
        by_slug = {s.slug: s.id for s in await self.skills.skills_by_slugs(slugs)}
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            raise BadUserInput("skillSlugs", "Unknown skills: " + ", ".join(unknown))
        labels = _milestones(draft.milestones or [], set(slugs))
        ordered = await self.ordered([by_slug[s] for s in slugs])
        milestone_of = {by_slug[s]: label for s, label in labels.items()}
        steps = [StepRecord(skill_id, milestone_of.get(skill_id)) for skill_id in ordered]
        if await self.store.by_slug(slug) is not None:
            raise Conflict(f"A roadmap with slug {slug!r} already exists")
        try:
            roadmap = await self.store.insert(
                slug,
                title,
                description,
                steps,
                lambda r: self.events.entries(
                    RoadmapCreated(roadmap_id=r.id, slug=r.slug, skill_ids=r.skill_ids)
                ),
            )
        except SlugTaken as exc:
            raise Conflict(f"A roadmap with slug {slug!r} already exists") from exc
        self.events.committed()
        return roadmap

    async def ordered(self, skill_ids: Sequence[str]) -> list[str]:
        """`skill_ids` in prerequisite order; one query per level of the graph."""
        graph = await prerequisite_closure(self.skills, skill_ids)
        return order_by_prerequisites(list(skill_ids), graph)

    async def reorder_after_new_prerequisite(self, skill_id: str) -> list[RoadmapRecord]:
        """Re-sorts the roadmaps a new edge out of `skill_id` may have put out of order."""
        affected = {skill_id} | await dependents_closure(self.skills, [skill_id])
        changed = []
        for roadmap in await self.store.using_skills(sorted(affected)):
            ordered = await self.ordered(roadmap.skill_ids)
            if ordered == roadmap.skill_ids:
                continue
            step_of = {step.skill_id: step for step in roadmap.steps}
            steps = tuple(step_of[skill] for skill in ordered)
            reordered = RoadmapRecord(
                roadmap.id, roadmap.slug, roadmap.title, roadmap.description, steps
            )
            event = RoadmapUpdated(
                roadmap_id=roadmap.id, slug=roadmap.slug, skill_ids=reordered.skill_ids
            )
            await self.store.set_steps(roadmap.id, steps, self.events.push(event))
            self.events.committed()
            changed.append(reordered)
        return changed


def _milestones(milestones: Sequence[Milestone], slugs: set[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for milestone in milestones:
        skill_slug = milestone.skill_slug.strip()
        if skill_slug not in slugs:
            raise BadUserInput("milestones", f"Milestone skill {skill_slug!r} is not in skillSlugs")
        if skill_slug in labels:
            raise BadUserInput("milestones", f"Two milestones on {skill_slug!r}")
        labels[skill_slug] = clean_text(milestone.label, "milestones", MAX_LABEL)
    return labels
