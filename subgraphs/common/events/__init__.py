"""Domain events on Redis Streams, and live pub/sub for subscriptions.

envelope: the Event and its stream form; bus: publishing; consumer: consumer
groups, reclaim and dead letters; tail: every event to every replica (in-process
read models); live: live channels for subscriptions.
"""

from .bus import EventBus
from .consumer import DONE_TTL_SECONDS, EventConsumer, Handler
from .envelope import STREAM, Event
from .live import LiveChannels
from .tail import EventTail

__all__ = [
    "DONE_TTL_SECONDS",
    "STREAM",
    "Event",
    "EventBus",
    "EventConsumer",
    "EventTail",
    "Handler",
    "LiveChannels",
]
