"""Domain events on Redis Streams, and live pub/sub for subscriptions.

contracts: one type per event; envelope: the Event and its stream form; bus:
publishing; outbox: committed-but-unpublished events and their relay; handlers
and consumer: consumer groups, reclaim and dead letters; tail: every event to every
replica (in-process read models); live: live channels for subscriptions.
"""

from . import contracts
from .bus import EventBus
from .consumer import DONE_TTL_SECONDS, EventConsumer
from .contracts import Contract
from .envelope import STREAM, Event
from .handlers import Handler, Handlers, Received
from .live import LiveChannels
from .tail import EventTail

__all__ = [
    "DONE_TTL_SECONDS",
    "STREAM",
    "Contract",
    "Event",
    "EventBus",
    "EventConsumer",
    "EventTail",
    "Handler",
    "Handlers",
    "LiveChannels",
    "Received",
    "contracts",
]
