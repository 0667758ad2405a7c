"""Contracts that exist only in tests (registered like the platform's own)."""

from __future__ import annotations

from subgraphs.common.events import Contract


class Work(Contract):
    """A unit of test work; `crash_once` makes the crash-test worker die on it once."""

    NAME = "test.work"
    n: int = 0
    crash_once: bool = False


class Happened(Contract):
    NAME = "thing.happened"
    n: int = 0
