"""The background worker that sends queued deliveries, with retries and dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from ..directory import UserDirectory
from ..domain import Delivery
from ..queue import DeliveryQueue
from ..settings import NotificationSettings
from . import AddressGone, PermanentFailure

log = logging.getLogger("skill_circle.notifications.deliveries")

Send = Callable[[Delivery], Awaitable[None]]


class DeliveryWorker:
    """Claims due deliveries, sends each on its channel, retries with backoff. Users
    take turns (queue.py): one user's backlog does not hold up everyone else's.

    Emails go `email_concurrency` (1) at a time. SMTP has no idempotency key the
    server honours: a crash after the server accepted an email and before the
    worker recorded it resends it (same Message-ID) after the lease. One email in
    flight bounds that to one per crash. An email is claimed only when it can start
    at once, so no lease runs out while it waits for its turn.
    """

    def __init__(
        self,
        settings: NotificationSettings,
        queue: DeliveryQueue,
        senders: Mapping[str, Send],
        directory: UserDirectory,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.senders = senders
        self.directory = directory
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._emails: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """New deliveries were queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before looking: a wake-up while looking is kept
            try:
                started = await self.process_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker failed; retrying")
                started = 0
            if started == 0:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.delivery_poll_seconds):
                        await self._wake.wait()

    async def process_due(self) -> int:
        """Starts every due delivery it can claim (up to the concurrency), users taking
        turns within each lane (queue.py); returns how many."""
        free = self.settings.delivery_concurrency - len(self._running)
        if free <= 0:
            await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
            return 1
        await self.queue.promote_due()
        # An email is claimed only when it can start at once: its lease runs while it waits.
        emails = min(free, self.settings.email_concurrency - len(self._emails))
        claimed = await self.queue.claim_next("email", emails)
        claimed += await self.queue.claim_next("other", free - len(claimed))
        for delivery in claimed:
            task = asyncio.create_task(self._attempt_logged(delivery))
            self._running.add(task)
            task.add_done_callback(self._finished)
            if delivery.channel == "EMAIL":
                self._emails.add(task)
        return len(claimed)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if task in self._emails:
            self._emails.discard(task)
            self.wake()  # the next email can go

    async def _attempt_logged(self, delivery: Delivery) -> None:
        try:
            await self.attempt(delivery)
        except Exception:  # Redis trouble: the lease runs out and the delivery is retried
            log.exception("delivery %s could not be settled", delivery.id)

    async def attempt(self, delivery: Delivery) -> None:
        """One try of one delivery, ending in done, a later retry, or the dead letters."""
        delivery.attempts += 1
        try:
            async with asyncio.timeout(self.settings.channel_timeout_seconds * 2):
                await self.senders[delivery.channel](delivery)
        except AddressGone as exc:
            log.info("dropping %s address of user %s: %s", delivery.channel, delivery.user_id, exc)
            await self.directory.remove_push_subscription(delivery.user_id, delivery.address)
            await self.queue.complete(delivery)
        except Exception as exc:
            await self._failed(delivery, exc)
        else:
            await self.queue.complete(delivery)

    async def _failed(self, delivery: Delivery, exc: Exception) -> None:
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        permanent = isinstance(exc, PermanentFailure)
        if permanent or delivery.attempts >= self.settings.delivery_max_attempts:
            log.warning(
                "delivery %s (%s) dead-lettered after %d attempts: %s",
                delivery.id,
                delivery.channel,
                delivery.attempts,
                delivery.last_error,
            )
            await self.queue.dead_letter(delivery)
            return
        delay = self.backoff(delivery.attempts)
        log.info("delivery %s failed (%s); retry in %.1fs", delivery.id, exc, delay)
        await self.queue.retry_later(delivery, delay)

    def backoff(self, attempts: int) -> float:
        base = self.settings.delivery_retry_base_seconds * 2 ** (attempts - 1)
        return float(min(base, self.settings.delivery_retry_max_seconds))
