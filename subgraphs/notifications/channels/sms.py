"""SMS through the provider's HTTP webhook: a JSON POST with a bearer token, only to
numbers their owner verified (the verification code itself goes to the registered number)."""

from __future__ import annotations

import httpx

from ..directory import UserDirectory
from ..domain import Delivery
from ..settings import NotificationSettings
from . import DeliveryError, PermanentFailure

_RETRYABLE_CLIENT_ERRORS = (408, 409, 425, 429)


class SmsSender:
    def __init__(
        self, settings: NotificationSettings, http: httpx.AsyncClient, directory: UserDirectory
    ) -> None:
        self.url = settings.sms_webhook_url
        self.token = settings.sms_webhook_token
        self.http = http
        self.directory = directory

    @property
    def configured(self) -> bool:
        return bool(self.url)

    async def send(self, delivery: Delivery) -> None:
        await self._check_number(delivery)
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

    async def _check_number(self, delivery: Delivery) -> None:
        """Checked at send time too: the number may have changed since it was queued."""
        registered = await self.directory.sms_number(delivery.user_id)
        if registered is None or registered.number != delivery.address:
            raise PermanentFailure("not the user's SMS number (any more)")
        if delivery.kind != "SECURITY" and not registered.verified:
            raise PermanentFailure("SMS number not verified")
