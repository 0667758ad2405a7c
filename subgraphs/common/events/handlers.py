"""What a consumer group handles: one handler per contract type, given the validated payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from .contracts import Contract
from .envelope import Event

C = TypeVar("C", bound=Contract)
P = TypeVar("P", bound=Contract, covariant=True)


@dataclass(frozen=True)
class Received(Generic[P]):
    """An event as a handler sees it: the envelope's id and time, and the typed payload."""

    id: str
    time: datetime
    producer: str
    payload: P


Handler = Callable[[Received[Any]], Awaitable[None]]


class Handlers:
    """Handlers by contract type: `Handlers().on(SkillCreated, remember).on(...)`."""

    def __init__(self) -> None:
        self._by_name: dict[str, tuple[type[Contract], Handler]] = {}

    def on(self, contract: type[C], handler: Callable[[Received[C]], Awaitable[None]]) -> Handlers:
        if contract.NAME in self._by_name:
            raise ValueError(f"two handlers for {contract.NAME}")
        self._by_name[contract.NAME] = (contract, handler)
        return self

    def get(self, name: str) -> tuple[type[Contract], Handler] | None:
        return self._by_name.get(name)

    def contracts(self) -> Iterator[type[Contract]]:
        return (contract for contract, _ in self._by_name.values())

    def then(self, after: Handler) -> Handlers:
        """The same handlers, each followed by `after(event)` once it succeeded."""
        followed = Handlers()
        for name, (contract, handler) in self._by_name.items():

            async def run(event: Received[Any], handler: Handler = handler) -> None:
                await handler(event)
                await after(event)

            followed._by_name[name] = (contract, run)
        return followed


def received(event: Event, contract: type[C]) -> Received[C]:
    """The payload validated into `contract` (pydantic.ValidationError if it does not fit)."""
    return Received(event.id, event.time, event.producer, contract.model_validate(event.payload))
