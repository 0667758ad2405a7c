"""SMS through the provider's HTTP webhook: a JSON POST with a bearer token."""

from __future__ import annotations

import httpx

from ..domain import Delivery
from ..settings import NotificationSettings
from . import DeliveryError, PermanentFailure

_RETRYABLE_CLIENT_ERRORS = (408, 409, 425, 429)


class SmsSender:
    def __init__(self, settings: NotificationSettings, http: httpx.AsyncClient) -> None:
        self.url = settings.sms_webhook_url
        self.token = settings.sms_webhook_token
        self.http = http

    @property
    def configured(self) -> bool:
        return bool(self.url)

    async def send(self, delivery: Delivery) -> None:
        headers = {"Idempotency-Key": delivery.id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self.http.post(
                self.url,
                json={"to": delivery.address, "body": delivery.text, "reference": delivery.id},
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        failure = f"SMS provider answered {response.status_code}"
        if response.status_code < 500 and response.status_code not in _RETRYABLE_CLIENT_ERRORS:
            raise PermanentFailure(failure)
        raise DeliveryError(failure)
