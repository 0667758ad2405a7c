"""What each subgraph holds about a user: one inventory per subgraph, used twice.

Every subgraph declares, in its own `personal_data.py`, an `Inventory`: each kind
of personal data it keeps (a `Holding`), what happens to it when the account is
deleted (`ERASE` or `ANONYMIZE`) and why. The object implementing `PersonalData`
next to it uses that one list for both uses:

* the account-deletion saga (docs/privacy.md): on `account.deletion_requested`
  it erases or anonymizes every holding, then reports `account.data_erased`
  through its own outbox (`erase_on_request` is the handler);
* `exportMyData`: its part of the document, one key per holding (checked), with
  secrets removed (`SECRET_KEYS`), served as a field of the `DataExport` entity
  (`data_export_type`); the users subgraph assembles the parts (`@requires`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

import strawberry
from strawberry.scalars import JSON

from .errors import Forbidden
from .events import Received
from .events.contracts import AccountDeletionRequested
from .permissions import require_viewer

ERASE: Literal["erase"] = "erase"
ANONYMIZE: Literal["anonymize"] = "anonymize"
KEEP: Literal["keep"] = "keep"
OnDeletion = Literal["erase", "anonymize", "keep"]

# The subgraphs users waits for when an account is deleted: every one whose inventory
# erases or anonymizes something (tests/common/test_personal_data.py checks the list).
ERASING_SUBGRAPHS: tuple[str, ...] = ("learning", "content", "notifications", "visualization")

# Who a deleted author becomes (content history keeps the edit, not the person); the users
# subgraph resolves this id to a "Deleted account" placeholder, so `editor` stays non-null.
DELETED_USER_ID = "00000000-0000-0000-0000-000000000000"

# Never exported, at any depth: credentials and keys that would let a reader act as the user.
SECRET_KEYS = frozenset(
    {"password_hash", "passwordHash", "token_hash", "tokenHash", "p256dh", "auth", "pushKeys"}
)

EXPORT_DESCRIPTION = (
    "Everything the Skill Circle subgraphs hold about one user, one field per subgraph"
    " (its part, a JSON object with one entry per kind of data of its inventory). Only the"
    " user themself reads it, through `exportMyData`."
)


@dataclass(frozen=True)
class Holding:
    """One kind of personal data a subgraph keeps."""

    name: str  # the key of its entry in the export
    what: str
    on_deletion: OnDeletion
    why: str


@dataclass(frozen=True)
class Inventory:
    subgraph: str
    holdings: tuple[Holding, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(holding.name for holding in self.holdings)

    @property
    def erases(self) -> bool:
        """Whether an account deletion changes anything here (the saga waits for it)."""
        return any(holding.on_deletion != KEEP for holding in self.holdings)

    def part(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The subgraph's part of an export: exactly one entry per holding, no secrets."""
        if set(data) != set(self.names):
            raise ValueError(
                f"{self.subgraph} exported {sorted(data)}, its inventory says {list(self.names)}"
            )
        return {name: without_secrets(data[name]) for name in self.names}


class Exporter(Protocol):
    """A subgraph's personal data of one user, exported along its inventory."""

    inventory: Inventory

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything held about the user, keyed by holding name."""
        ...


class PersonalData(Exporter, Protocol):
    """...and erased along it, by a subgraph of ERASING_SUBGRAPHS (users erases its own
    part when it opens the saga; skills holds nothing)."""

    async def erase(self, user_id: str, deletion_id: str) -> None:
        """Erases or anonymizes every holding (idempotent), then records AccountDataErased
        in this subgraph's outbox (published by its relay)."""
        ...


def without_secrets(value: Any) -> Any:
    """`value` with every SECRET_KEYS entry removed, at any depth."""
    if isinstance(value, Mapping):
        return {k: without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [without_secrets(item) for item in value]
    return value


def erase_on_request(
    data: PersonalData,
) -> Callable[[Received[AccountDeletionRequested]], Awaitable[None]]:
    """The handler of account.deletion_requested (idempotent: a retried request erases
    nothing new and reports again). A request that does not name this subgraph (it has
    already reported) is ignored."""

    async def requested(event: Received[AccountDeletionRequested]) -> None:
        if data.inventory.subgraph in event.payload.subgraphs:
            await data.erase(event.payload.user_id, event.payload.deletion_id)

    return requested


def data_export_type(inventory: Inventory) -> type:
    """This subgraph's `DataExport` entity: the key and one field, its part of the export.

    Resolvers reach the subgraph's `Exporter` as `info.context.deps.personal_data`.
    Only the user themself reads a part: FORBIDDEN for anyone else, whatever the key says.
    """
    subgraph = inventory.subgraph

    async def part(self: Any, info: strawberry.Info) -> JSON:
        viewer = require_viewer(await info.context.viewer())
        if viewer.user_id != str(self.user_id):
            raise Forbidden("Only the user themself can export their data")
        exported = await info.context.deps.personal_data.export(str(self.user_id))
        return cast(JSON, inventory.part(exported))

    def resolve_reference(cls: type, /, **representation: Any) -> Any:
        return cls(user_id=strawberry.ID(str(representation["userId"])))

    namespace: dict[str, Any] = {
        "__annotations__": {"user_id": strawberry.ID},
        "user_id": strawberry.field(description="The user whose data this is."),
        subgraph: strawberry.field(
            resolver=part,
            description=f"What the {subgraph} subgraph holds about the user: "
            + ", ".join(inventory.names or ("nothing",))
            + ". The user themself only: UNAUTHENTICATED, FORBIDDEN otherwise.",
        ),
        "resolve_reference": classmethod(resolve_reference),
    }
    return strawberry.federation.type(keys=["userId"], description=EXPORT_DESCRIPTION)(
        type("DataExport", (), namespace)
    )
