"""Live delivery of notifications to open subscriptions, on the shared LiveChannels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ..common.events import LiveChannels


def channel_of(user_id: str) -> str:
    """Where a user's new notifications are published; every replica listens there."""
    return f"notifications:{user_id}"


async def notifications_of(live: LiveChannels, user_id: str) -> AsyncIterator[dict[str, Any]]:
    async for message in live.listen(channel_of(user_id)):
        yield message
