"""The per-subgraph inventories: one per subgraph, in one shape, and the saga waits for
exactly the subgraphs whose inventory erases or anonymizes something."""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.common.personal_data import ERASING_SUBGRAPHS, KEEP, Inventory, without_secrets
from subgraphs.content.personal_data import INVENTORY as CONTENT
from subgraphs.learning.personal_data import INVENTORY as LEARNING
from subgraphs.notifications.personal_data import INVENTORY as NOTIFICATIONS
from subgraphs.skills.personal_data import INVENTORY as SKILLS
from subgraphs.users.personal_data import INVENTORY as USERS
from subgraphs.visualization.personal_data import INVENTORY as VISUALIZATION
from tests.support.stack import implemented_subgraphs

INVENTORIES = (USERS, SKILLS, LEARNING, CONTENT, VISUALIZATION, NOTIFICATIONS)


def test_every_subgraph_declares_one_inventory() -> None:
    assert sorted(i.subgraph for i in INVENTORIES) == sorted(implemented_subgraphs())


def test_the_saga_waits_for_every_subgraph_that_erases_and_only_those() -> None:
    # users erases its own part when it opens the saga: it never waits for itself.
    erasing = {i.subgraph for i in INVENTORIES if i.erases and i.subgraph != "users"}
    assert erasing == set(ERASING_SUBGRAPHS)


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda i: i.subgraph)
def test_every_holding_says_what_happens_to_it_and_why(inventory: Inventory) -> None:
    assert len(set(inventory.names)) == len(inventory.names)
    for holding in inventory.holdings:
        assert holding.what and holding.why and holding.on_deletion in ("erase", "anonymize", KEEP)


def test_a_part_has_exactly_the_inventory_s_entries_and_no_secret() -> None:
    exported: dict[str, Any] = {name: [] for name in VISUALIZATION.names}
    exported["drawings"] = [{"key": "k", "p256dh": "secret", "nested": [{"auth": "x"}]}]
    assert VISUALIZATION.part(exported) == {
        **{name: [] for name in VISUALIZATION.names},
        "drawings": [{"key": "k", "nested": [{}]}],
    }
    with pytest.raises(ValueError, match="inventory"):
        VISUALIZATION.part({**exported, "undeclared": 1})
    with pytest.raises(ValueError, match="inventory"):
        VISUALIZATION.part({})
    assert without_secrets({"password_hash": "h", "token_hash": "t", "a": 1}) == {"a": 1}
