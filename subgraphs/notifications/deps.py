"""What the notifications resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..common.platform import Platform
from .channels.deliveries import DeliveryWorker
from .channels.email import EmailSender
from .channels.push import PushSender, load_vapid
from .channels.sms import SmsSender
from .directory import UserDirectory
from .events import NotificationEvents
from .message_templates.admin import TemplateAdmin
from .message_templates.rendering import MessageRenderer
from .message_templates.store import TemplateStore
from .notifier import Notifier
from .personal_data import NotificationsPersonalData
from .queue import DeliveryQueue
from .service import NotificationService
from .settings import NotificationSettings
from .sms_numbers import SmsCodes
from .store import InboxStore
from .unsubscribe import UnsubscribeLinks


@dataclass
class Deps:
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
    personal_data: NotificationsPersonalData
    templates: TemplateAdmin


def build(settings: NotificationSettings, platform: Platform) -> Deps:
    redis = platform.redis
    queue = DeliveryQueue(redis, settings.delivery_lease_seconds, settings.dead_letter_limit)
    store = InboxStore(redis, queue, settings.inbox_retention)
    directory = UserDirectory(redis)
    unsubscribe = UnsubscribeLinks(settings.mail_link_key, settings.unsubscribe_url)
    http = httpx.AsyncClient(timeout=settings.channel_timeout_seconds)
    renderer = MessageRenderer(TemplateStore(redis))
    sms = SmsSender(settings, http, directory)
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
        renderer,
        unsubscribe,
        worker.wake,
        sms_enabled=sms.configured,
        push_enabled=push.configured,
        batch_size=settings.announcement_batch_size,
    )
    codes = SmsCodes(
        redis, settings.secret_key, settings.sms_code_ttl_seconds, settings.sms_code_attempts
    )
    service = NotificationService(
        settings, store, directory, queue, platform.events, unsubscribe, notifier, codes,
        platform.limits,
    )  # fmt: skip
    personal_data = NotificationsPersonalData(store, directory, queue, platform.events)
    events = NotificationEvents(
        personal_data,
        notifier,
        directory,
        settings.public_url,
        settings.announcement_batch_size,
        settings.mail_link_key,
    )
    return Deps(
        settings, store, directory, queue, service, notifier, events, worker, push, http,
        personal_data, TemplateAdmin(TemplateStore(redis), renderer),
    )  # fmt: skip
