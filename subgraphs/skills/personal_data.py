"""What the skills subgraph holds about a user: nothing.

The catalog (skills, categories, prerequisites, roadmaps) records no author or
editor. The declaration is here so that the inventory covers every subgraph and
a field added later that names a user is added to it (docs/privacy.md).
"""

from __future__ import annotations

from typing import Any

from ..common.personal_data import Inventory

INVENTORY = Inventory("skills", ())


class SkillsPersonalData:
    inventory = INVENTORY

    async def export(self, user_id: str) -> dict[str, Any]:
        return {}
