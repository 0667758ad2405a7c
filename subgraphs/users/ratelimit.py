"""The users subgraph's limits: logins, registrations, reset, verification and email-change
emails."""

from __future__ import annotations

from ..common.ratelimit import Limit, RateLimits
from .settings import UserSettings

REGISTER_PER_ADDRESS = Limit("register:address", 10, 3600)
RESET_PER_EMAIL = Limit("password-reset:email", 3, 3600)
RESET_PER_ADDRESS = Limit("password-reset:address", 10, 3600)
VERIFICATION_PER_USER = Limit("email-verification:user", 3, 3600)
EMAIL_CHANGE_PER_USER = Limit("email-change:user", 3, 3600)


class LoginRateLimiter:
    """Attempts per account (a correct password clears them) and failures per address.

    Only failures count against an address: a shared address (an office, a
    carrier NAT) signing in all day long is never locked out by its own
    successful logins, while guessing across many accounts still is.
    """

    def __init__(self, limits: RateLimits, settings: UserSettings) -> None:
        self.limits = limits
        window = settings.login_window_seconds
        self.per_account = Limit("login:account", settings.login_attempts_per_account, window)
        self.per_address = Limit("login:address", settings.login_attempts_per_address, window)

    async def attempt(self, account: str, address: str) -> None:
        """Before checking a password: RATE_LIMITED if either budget is spent."""
        await self.limits.check(self.per_address, address)
        await self.limits.hit(self.per_account, account)

    async def failed(self, address: str) -> None:
        await self.limits.hit(self.per_address, address)

    async def succeeded(self, account: str) -> None:
        await self.limits.clear(self.per_account, account)
