"""Wiring of the notifications subgraph: Redis stores, channels, workers, schema."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.platform import Platform
from ..common.settings import Settings
from .channels.email import EmailSender
from .channels.push import PushSender, load_vapid
from .channels.sms import SmsSender
from .deliveries import DeliveryWorker
from .directory import UserDirectory
from .events import NotificationEvents
from .loaders import loaders_for
from .notifier import Notifier
from .queue import DeliveryQueue
from .rendering import MessageRenderer
from .schema import build_schema
from .service import NotificationService
from .settings import NotificationSettings, notification_settings
from .store import InboxStore


@dataclass
class Notifications:
    """Everything the notifications resolvers reach through `info.context.deps`."""

    settings: NotificationSettings
    store: InboxStore
    directory: UserDirectory
    queue: DeliveryQueue
    service: NotificationService
    notifier: Notifier
    events: NotificationEvents
    worker: DeliveryWorker
    push: PushSender
    http: httpx.AsyncClient


def build(settings: NotificationSettings) -> tuple[Platform, Notifications]:
    platform = Platform(settings)
    redis = platform.redis
    queue = DeliveryQueue(redis, settings.delivery_lease_seconds, settings.dead_letter_limit)
    store = InboxStore(redis, queue, settings.inbox_retention)
    directory = UserDirectory(redis)
    http = httpx.AsyncClient(timeout=settings.channel_timeout_seconds)
    sms = SmsSender(settings, http)
    push = PushSender(settings, load_vapid(settings))
    worker = DeliveryWorker(
        settings,
        queue,
        {"EMAIL": EmailSender(settings).send, "SMS": sms.send, "PUSH": push.send},
        directory,
    )
    notifier = Notifier(
        store,
        directory,
        platform.live,
        MessageRenderer(),
        worker.wake,
        sms_enabled=sms.configured,
        push_enabled=push.configured,
        batch_size=settings.announcement_batch_size,
    )
    service = NotificationService(settings, store, directory, queue, platform.events)
    events = NotificationEvents(
        notifier, directory, settings.public_url, settings.announcement_batch_size
    )
    deps = Notifications(
        settings, store, directory, queue, service, notifier, events, worker, push, http
    )
    return platform, deps


def create_app(settings: Settings | None = None) -> FastAPI:
    own = notification_settings(settings)
    platform, deps = build(own)

    async def start() -> None:
        platform.run_in_background(platform.consumer(deps.events.handlers()).run())
        platform.run_in_background(deps.worker.run())

    async def stop() -> None:
        # Tasks first: they use the HTTP client closed below.
        await platform.stop_background()
        await deps.http.aclose()

    return create_subgraph_app(
        platform,
        build_schema(own),
        deps=deps,
        make_loaders=loaders_for,
        on_startup=[start],
        on_shutdown=[stop],
    )
