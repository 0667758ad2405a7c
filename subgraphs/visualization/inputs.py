"""Progress as it arrives by @requires or in a gateway answer, as domain values."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from .domain import ProgressEntry, SkillInfo, UserProgress

log = logging.getLogger("skill_circle.visualization.inputs")

# What User.progressChartSvg requires of User.progress (answered by the learning subgraph).
PROGRESS_REQUIRES = (
    "progress { percent status startedAt updatedAt completedAt"
    " skill { id name level category { name } } }"
)


def skill_info(node: dict[str, Any]) -> SkillInfo:
    category = node.get("category") or {}
    return SkillInfo(
        str(node["id"]),
        node.get("slug") or "",
        node["name"],
        node["level"],
        category.get("name", ""),
    )


def user_progress(user_id: str, items: list[dict[str, Any]] | None) -> UserProgress:
    """The entries whose skill resolved, as domain values."""
    entries = [
        ProgressEntry(
            skill=skill_info(item["skill"]),
            percent=float(item["percent"]),
            status=item["status"],
            started_at=datetime.fromisoformat(item["startedAt"]),
            updated_at=datetime.fromisoformat(item["updatedAt"]),
            completed_at=(
                datetime.fromisoformat(item["completedAt"]) if item.get("completedAt") else None
            ),
        )
        for item in items or []
        if _complete_skill(item)
    ]
    return UserProgress(user_id, entries)


def _complete_skill(item: dict[str, Any] | None) -> bool:
    """Whether a progress entry's skill resolved (a gateway may leave a failed one null)."""
    skill = (item or {}).get("skill")
    if skill is None or any(skill.get(f) is None for f in ("id", "name", "level")):
        log.warning("dropping a progress entry whose skill did not resolve: %s", item)
        return False
    return True
