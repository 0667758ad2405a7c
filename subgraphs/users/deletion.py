"""The account-deletion saga (docs/privacy.md).

1. `delete_account`: the owner proves it with their password; the account row and
   its tokens are deleted and the saga opened, with `account.deletion_requested`
   in the outbox, in one transaction; every session and live subscription ends.
2. Every subgraph of `ERASING_SUBGRAPHS` erases or anonymizes what its inventory
   lists and answers `account.data_erased` (`on_data_erased` closes its step).
3. `retry_overdue` (every few seconds, `run`) asks again the subgraphs that have
   not answered within `deletion_retry_seconds`: a subgraph that was down, or
   whose handler gave up, does its part when it can.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from ..common.auth import Viewer
from ..common.clock import utcnow
from ..common.errors import BadUserInput
from ..common.events import Received
from ..common.events.contracts import AccountDataErased
from ..common.personal_data import ERASING_SUBGRAPHS
from .deletion_store import AccountDeletionRow, DeletionStepRow, DeletionStore
from .service import UserService

log = logging.getLogger("skill_circle.users.deletion")
MAX_LISTED = 100


class AccountDeletions:
    def __init__(self, store: DeletionStore, users: UserService, retry_seconds: float) -> None:
        self.store = store
        self.users = users
        self.retry_seconds = retry_seconds
        self._stopping = asyncio.Event()

    async def delete_account(
        self, viewer: Viewer, password: str, client_address: str
    ) -> AccountDeletionRow:
        """BAD_USER_INPUT (password) and nothing deleted unless `password` is the account's;
        wrong passwords count against the login limits."""
        user = await self.users.existing(viewer.user_id)
        await self.users.check_password_of(user, password, client_address, field="password")
        deletion = await self.store.delete_account(user.id, ERASING_SUBGRAPHS, utcnow())
        await self.users.end_all_sessions(str(user.id), forget=True)
        log.info("account deletion %s started", deletion.id)
        return deletion

    async def on_data_erased(self, event: Received[AccountDataErased]) -> None:
        report = event.payload
        try:
            deletion_id = uuid.UUID(report.deletion_id)
        except ValueError:
            log.warning("account.data_erased names no deletion: %r", report.deletion_id)
            return
        await self.store.record_report(deletion_id, report.subgraph, report.erased, utcnow())

    async def retry_overdue(self) -> int:
        now = utcnow()
        return await self.store.request_again(now - timedelta(seconds=self.retry_seconds), now)

    async def run(self) -> None:
        """Retries overdue steps until stopped (every replica: the store keeps it single)."""
        interval = max(0.5, min(self.retry_seconds / 2, 30.0))
        while not self._stopping.is_set():
            try:
                retried = await self.retry_overdue()
                if retried:
                    log.info("asked again for %d account deletion(s)", retried)
            except Exception:
                log.exception("could not retry account deletions")
            try:
                await asyncio.wait_for(self._stopping.wait(), interval)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def find(
        self, user_id: str | None, pending_only: bool, first: int | None
    ) -> list[tuple[AccountDeletionRow, list[DeletionStepRow]]]:
        limit = MAX_LISTED if first is None else first
        if not 0 <= limit <= MAX_LISTED:
            raise BadUserInput("first", f"first must be between 0 and {MAX_LISTED}")
        owner = None
        if user_id is not None:
            try:
                owner = uuid.UUID(user_id)
            except ValueError as exc:
                raise BadUserInput("userId", "not a user id") from exc
        return await self.store.deletions(owner, pending_only, limit)
