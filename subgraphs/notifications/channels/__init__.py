"""Delivery channels: email (SMTP or a local outbox), SMS (provider webhook), web push;
the worker that drains the delivery queue."""

from __future__ import annotations


class DeliveryError(Exception):
    """A delivery that failed and may work if tried again later."""


class PermanentFailure(DeliveryError):
    """A delivery that will never work as it is (bad address, refused): no retry."""


class AddressGone(PermanentFailure):
    """The address no longer exists (an expired push subscription): forget it."""
