"""DataLoaders of the learning subgraph: one query per batch, whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from ..common.loaders import many_each, one_each, scalar_each
from .courses import CourseStanding
from .deps import Deps
from .service import LearningService
from .skills import SkillDetails, SkillDirectory
from .store import LearningStore, Pair
from .tables import (
    AchievementRow,
    AssessmentRow,
    AttemptRow,
    CertificateRow,
    CourseProgressRow,
    PathRow,
    ProgressRow,
    StatsRow,
)


@dataclass
class Loaders:
    progress: DataLoader[str, ProgressRow | None]
    progress_of_user: DataLoader[str, list[ProgressRow]]
    progress_by_pair: DataLoader[Pair, ProgressRow | None]  # (user id, skill id)
    learner_count: DataLoader[str, int]
    stats: DataLoader[str, StatsRow | None]
    assessment: DataLoader[str, AssessmentRow | None]
    assessments_of_skill: DataLoader[str, list[AssessmentRow]]
    attempt: DataLoader[str, AttemptRow | None]
    attempts_of_user: DataLoader[str, list[AttemptRow]]  # newest first
    assessment_version_questions: DataLoader[tuple[str, int], list[dict[str, Any]]]
    certificate: DataLoader[str, CertificateRow | None]
    certificates_of_user: DataLoader[str, list[CertificateRow]]
    achievement: DataLoader[str, AchievementRow | None]
    achievements_of_user: DataLoader[str, list[AchievementRow]]
    path: DataLoader[str, PathRow | None]
    paths_of_user: DataLoader[str, list[PathRow]]
    path_by_pair: DataLoader[Pair, PathRow | None]  # (user id, roadmap id)
    skill: DataLoader[str, SkillDetails | None]  # name, level, category (event-fed projection)
    course_progress_of_user: DataLoader[str, list[CourseProgressRow]]  # latest first
    course_standing: DataLoader[Pair, CourseStanding | None]  # (user id, course id)


def make_loaders(store: LearningStore, skills: SkillDirectory, service: LearningService) -> Loaders:
    return Loaders(
        progress=one_each(store.progress_by_ids, key_of=lambda row: row.id),
        progress_of_user=many_each(store.progress_of_users),
        progress_by_pair=one_each(
            store.progress_by_pairs, key_of=lambda row: (row.user_id, row.skill_id)
        ),
        learner_count=scalar_each(store.learner_counts, default=0),
        stats=one_each(store.stats_of_users, key_of=lambda row: row.user_id),
        assessment=one_each(store.assessments_by_ids, key_of=lambda row: row.id),
        assessments_of_skill=many_each(store.assessments_of_skills),
        attempt=one_each(store.attempts_by_ids, key_of=lambda row: row.id),
        attempts_of_user=many_each(store.attempts_of_users),
        assessment_version_questions=scalar_each(store.questions_of_versions, default=[]),
        certificate=one_each(store.certificates_by_ids, key_of=lambda row: row.id),
        achievement=one_each(store.achievements_by_ids, key_of=lambda row: row.id),
        certificates_of_user=many_each(store.certificates_of_users),
        achievements_of_user=many_each(store.achievements_of_users),
        path=one_each(store.paths_by_ids, key_of=lambda row: row.id),
        paths_of_user=many_each(store.paths_of_users),
        path_by_pair=one_each(
            store.paths_by_pairs, key_of=lambda row: (row.user_id, row.roadmap_id)
        ),
        skill=one_each(skills.details, key_of=lambda details: details.id),
        course_progress_of_user=many_each(store.course_progress_of_users),
        course_standing=scalar_each(service.standings, default=None),
    )


def loaders_for(deps: Deps) -> Loaders:
    return make_loaders(deps.store, deps.skills, deps.service)
