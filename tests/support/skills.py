"""A skill checker for tests without a gateway."""

from __future__ import annotations

from collections.abc import Sequence


class AnySkill:
    """For tests of other rules: every skill id exists (no gateway here)."""

    async def missing(self, skill_ids: Sequence[str]) -> list[str]:
        return []

    async def require_existing(self, skill_ids: Sequence[str]) -> None:
        return None
