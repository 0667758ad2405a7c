"""Account rules: registration, login, tokens, profile, preferences, roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from ..common.auth import ROLES, Viewer
from ..common.clock import utcnow
from ..common.errors import BadUserInput, Conflict, Forbidden, NotFound, Unauthenticated
from ..common.events import contracts
from ..common.events.contracts import (
    EmailVerified,
    PasswordChanged,
    PreferencesUpdated,
    RolesChanged,
)
from ..common.sealed import seal
from ..common.sessions import SessionRevocations
from ..common.settings import Settings
from .passwords import hash_password, needs_rehash, verify_password
from .ratelimit import (
    EMAIL_CHANGE_PER_USER,
    REGISTER_PER_ADDRESS,
    RESET_PER_ADDRESS,
    RESET_PER_EMAIL,
    VERIFICATION_PER_USER,
    LoginRateLimiter,
)
from .store import EmailTaken, OneTimeTokenRow, UserRow, UserStore
from .tokens import AccessTokens, RefreshTokenReused, RefreshTokens, new_family

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"
CHANGE_EMAIL = "change_email"
THEMES = ("light", "dark", "system")
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TIMEZONES = frozenset(available_timezones())


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserRow


class UserService:
    def __init__(
        self,
        settings: Settings,
        store: UserStore,
        access: AccessTokens,
        refresh: RefreshTokens,
        limiter: LoginRateLimiter,
        sessions: SessionRevocations,
    ) -> None:
        self.settings = settings
        self.store = store
        self.access = access
        self.refresh = refresh
        self.limiter = limiter
        self.sessions = sessions

    # ------------------------------------------------------------ sign-up and sign-in
    async def register(
        self, email: str, password: str, display_name: str, client_address: str
    ) -> Session:
        address = normalise_email(email, self.settings.environment == "production")
        check_password(password)
        name = check_display_name(display_name)
        # Before the Argon2 hash (64 MiB, ~0.1 s of CPU) and the welcome email.
        await self.limiter.limits.hit(REGISTER_PER_ADDRESS, client_address)
        token, link = self._one_time_link(VERIFY_EMAIL, timedelta(hours=48), "verify-email")
        try:
            user = await self.store.add(
                UserRow(
                    email=address,
                    password_hash=await hash_password(password),
                    display_name=name,
                    roles=["LEARNER"],
                ),
                token=token,
                announce=lambda user: [
                    contracts.UserRegistered(**user_fields(user), sealed_link=self._seal(link))
                ],
            )
        except EmailTaken as exc:
            raise Conflict("An account with this email already exists") from exc
        return await self._session(user)

    async def login(self, email: str, password: str, client_address: str) -> Session:
        address = email.strip().lower()
        await self.limiter.attempt(address, client_address)
        user = await self.store.by_email(address)
        if not await verify_password(user.password_hash if user else None, password):
            await self.limiter.failed(client_address)
            raise Unauthenticated("Invalid email or password")
        assert user is not None
        await self.limiter.succeeded(address)
        _require_enabled(user)
        if needs_rehash(user.password_hash):
            user = await self.store.change(user.id, password_hash=await hash_password(password))
        return await self._session(user)

    async def refresh_session(self, refresh_token: str) -> Session:
        try:
            rotated = await self.refresh.rotate(refresh_token)
        except RefreshTokenReused as exc:
            raise Unauthenticated("Refresh token was already used; please log in again") from exc
        if rotated is None:
            raise Unauthenticated("Invalid or expired refresh token")
        grant, new_token = rotated
        user = await self.store.by_id(grant.user_id)
        if user is None:
            raise Unauthenticated("Account no longer exists")
        _require_enabled(user)
        return Session(
            access_token=self.access.issue(str(user.id), user.roles, grant.family),
            refresh_token=new_token,
            expires_in=self.access.ttl,
            user=user,
        )

    async def logout(self, refresh_token: str) -> bool:
        """Ends this session: its refresh tokens, access tokens and subscriptions."""
        grant = await self.refresh.revoke(refresh_token)
        if grant is None:
            return False
        await self.sessions.revoke(grant.family)
        return True

    async def end_all_sessions(self, user_id: str, forget: bool = False) -> None:
        """Ends every session of the user, everywhere, within seconds: refresh tokens
        stop rotating, access tokens are refused and live subscriptions end with
        UNAUTHENTICATED. For password reset/change, role change, disabling, deletion."""
        await self.sessions.revoke(*await self.refresh.revoke_all(user_id, forget))

    async def _session(self, user: UserRow) -> Session:
        session_id = new_family()
        return Session(
            access_token=self.access.issue(str(user.id), user.roles, session_id),
            refresh_token=await self.refresh.issue(str(user.id), session_id),
            expires_in=self.access.ttl,
            user=user,
        )

    # ------------------------------------------------------------ verification and reset
    async def request_email_verification(self, viewer: Viewer) -> bool:
        user = await self._existing(viewer.user_id)
        if user.email_verified:
            return False
        await self.limiter.limits.hit(VERIFICATION_PER_USER, str(user.id))
        token, link = self._one_time_link(VERIFY_EMAIL, timedelta(hours=48), "verify-email")
        token.user_id = user.id
        await self.store.add_token(
            token,
            user,
            lambda user: [
                contracts.EmailVerificationRequested(
                    **user_fields(user), sealed_link=self._seal(link)
                )
            ],
        )
        return True

    async def verify_email(self, token: str) -> bool:
        user_id = await self.store.use_token(_hash(token), VERIFY_EMAIL, utcnow())
        if user_id is None:
            raise BadUserInput("token", "Invalid or expired verification token")
        await self.store.change(
            user_id, email_verified=True, announce=lambda user: [EmailVerified(**user_fields(user))]
        )
        return True

    async def request_password_reset(self, email: str, client_address: str) -> bool:
        address = email.strip().lower()
        # Per address, then per email: no mail bombing one inbox, no sweeping many.
        await self.limiter.limits.hit(RESET_PER_ADDRESS, client_address)
        await self.limiter.limits.hit(RESET_PER_EMAIL, address)
        user = await self.store.by_email(address)
        if user is not None:
            token, link = self._one_time_link(RESET_PASSWORD, timedelta(hours=1), "reset-password")
            token.user_id = user.id
            await self.store.add_token(
                token,
                user,
                lambda user: [
                    contracts.PasswordResetRequested(
                        **user_fields(user), sealed_link=self._seal(link)
                    )
                ],
            )
        return True  # the same answer for unknown emails: no account enumeration

    async def reset_password(self, token: str, new_password: str) -> bool:
        check_password(new_password, field="newPassword")
        user_id = await self.store.use_token(_hash(token), RESET_PASSWORD, utcnow())
        if user_id is None:
            raise BadUserInput("token", "Invalid or expired reset token")
        user = await self.store.change(
            user_id,
            password_hash=await hash_password(new_password),
            announce=lambda user: [PasswordChanged(**user_fields(user))],
        )
        await self.end_all_sessions(str(user.id))
        return True

    async def change_password(
        self, viewer: Viewer, current: str, new: str, client_address: str
    ) -> Session:
        """Every session of the user ends (other devices, live subscriptions); the caller
        gets a new one. The current password is rate limited like a login."""
        user = await self._existing(viewer.user_id)
        await self.check_password_of(user, current, client_address)
        check_password(new, field="newPassword")
        user = await self.store.change(
            user.id,
            password_hash=await hash_password(new),
            announce=lambda user: [PasswordChanged(**user_fields(user))],
        )
        await self.end_all_sessions(str(user.id))
        return await self._session(user)

    async def check_password_of(
        self, user: UserRow, current: str, client_address: str, field: str = "currentPassword"
    ) -> None:
        """BAD_USER_INPUT (`field`) unless `current` is the password; rate limited like a
        login."""
        await self.limiter.attempt(user.email, client_address)
        if not await verify_password(user.password_hash, current):
            await self.limiter.failed(client_address)
            raise BadUserInput(field, "The password is not correct")
        await self.limiter.succeeded(user.email)

    # ------------------------------------------------------------ email change
    async def change_email(
        self, viewer: Viewer, current_password: str, new_email: str, client_address: str
    ) -> bool:
        """Mails a confirmation link to `new_email`; the account keeps its address until the
        link is opened (confirm_email_change), so an address nobody verified never logs in."""
        user = await self._existing(viewer.user_id)
        production = self.settings.environment == "production"
        address = normalise_email(new_email, production, field="newEmail")
        await self.check_password_of(user, current_password, client_address)
        if address == user.email:
            raise BadUserInput("newEmail", "This is already the account's email address")
        if await self.store.by_email(address) is not None:
            raise Conflict("An account with this email already exists")
        await self.limiter.limits.hit(EMAIL_CHANGE_PER_USER, str(user.id))
        token, link = self._one_time_link(CHANGE_EMAIL, timedelta(hours=48), "confirm-email-change")
        token.user_id = user.id
        token.new_email = address
        await self.store.add_token(
            token,
            user,
            lambda user: [
                contracts.EmailChangeRequested(
                    **user_fields(user), new_email=address, sealed_link=self._seal(link)
                )
            ],
        )
        return True

    async def confirm_email_change(self, token: str) -> UserRow:
        """The account moves to the verified new address; the previous address is told."""
        try:
            user = await self.store.change_email(
                _hash(token),
                CHANGE_EMAIL,
                utcnow(),
                lambda user, previous: [
                    contracts.EmailChanged(**user_fields(user), previous_email=previous)
                ],
            )
        except EmailTaken as exc:
            raise Conflict("Another account took this email address meanwhile") from exc
        if user is None:
            raise BadUserInput("token", "Invalid or expired email change token")
        return user

    def _seal(self, link: str) -> str:
        return seal(self.settings.mail_link_key, link)

    def _one_time_link(
        self, purpose: str, ttl: timedelta, page: str
    ) -> tuple[OneTimeTokenRow, str]:
        """A new single-use token (stored hashed; its user set by the caller) and its link."""
        token = secrets.token_urlsafe(32)
        row = OneTimeTokenRow(token_hash=_hash(token), purpose=purpose, expires_at=utcnow() + ttl)
        return row, f"{self.settings.public_url.rstrip('/')}/{page}?token={token}"

    # ------------------------------------------------------------ profile, preferences, roles
    async def update_profile(self, viewer: Viewer, display_name: str | None) -> UserRow:
        user = await self._existing(viewer.user_id)
        if display_name is None:
            return user
        return await self.store.change(user.id, display_name=check_display_name(display_name))

    async def update_preferences(self, viewer: Viewer, changes: dict[str, Any]) -> UserRow:
        user = await self._existing(viewer.user_id)
        values = {name: value for name, value in changes.items() if value is not None}
        if "locale" in values and not LOCALE.match(values["locale"]):
            raise BadUserInput("locale", "locale must be a language tag such as en or pt-BR")
        if "timezone" in values and values["timezone"] not in _TIMEZONES:
            raise BadUserInput("timezone", "timezone must be an IANA name such as Europe/Paris")
        if "theme" in values and values["theme"] not in THEMES:
            raise BadUserInput("theme", "theme must be one of " + ", ".join(THEMES))
        if not values:
            return user
        return await self.store.change(
            user.id, announce=lambda user: [PreferencesUpdated(**user_fields(user))], **values
        )

    async def set_roles(self, user_id: str, roles: list[str]) -> UserRow:
        before = user = await self._existing(user_id)
        wanted = ["LEARNER", *sorted({r for r in roles if r != "LEARNER"}, key=ROLES.index)]
        changed = wanted != list(before.roles)
        user = await self.store.change(
            user.id, roles=wanted, announce=lambda user: [RolesChanged(**user_fields(user))]
        )
        if changed:
            await self.end_all_sessions(str(user.id))  # tokens name the old roles
        return user

    async def ensure_admin(self, email: str, password: str, force: bool = False) -> UserRow:
        """Creates the admin account, or promotes (and re-keys) an existing one.

        An existing account whose email was never verified may belong to whoever
        registered that address first: it is promoted only when `force` is given.
        Promoting or re-keying ends every session the account had.
        """
        address = normalise_email(email, self.settings.environment == "production")
        check_password(password)
        user = await self.store.by_email(address)
        if user is None:
            return await self.store.add(
                UserRow(
                    email=address,
                    password_hash=await hash_password(password),
                    display_name="Administrator",
                    roles=list(ROLES),
                    email_verified=True,
                )
            )
        if set(user.roles) >= set(ROLES) and await verify_password(user.password_hash, password):
            return user
        if not user.email_verified and not force:
            raise UnverifiedAccount(address)
        user = await self.store.change(
            user.id, roles=list(ROLES), password_hash=await hash_password(password)
        )
        await self.end_all_sessions(str(user.id))
        return user

    async def existing(self, user_id: str) -> UserRow:
        return await self._existing(user_id)

    async def _existing(self, user_id: str) -> UserRow:
        user = await self.store.by_id(user_id)
        if user is None:
            raise NotFound("User", user_id)
        return user


def _require_enabled(user: UserRow) -> None:
    if user.disabled_at is not None:
        raise Forbidden("This account is disabled; contact an administrator")


class UnverifiedAccount(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} belongs to an account whose email was never verified; "
            "refusing to make it an admin (create-admin --force does it anyway)"
        )


def user_fields(user: UserRow) -> dict[str, Any]:
    """What other subgraphs learn of an account through events (every user.* contract)."""
    return {
        "user_id": str(user.id),
        "email": user.email,
        "display_name": user.display_name,
        "email_verified": user.email_verified,
        "roles": list(user.roles),
        "preferences": contracts.Preferences(
            locale=user.locale,
            timezone=user.timezone,
            email_notifications=user.email_notifications,
            sms_notifications=user.sms_notifications,
            push_notifications=user.push_notifications,
        ),
    }


def normalise_email(email: str, public_domains_only: bool = True, field: str = "email") -> str:
    """The canonical address; outside production, `.local` domains are accepted."""
    address = email.strip()
    # email-validator refuses special-use names outright; check the rest of a dev address.
    local_domain = not public_domains_only and address.lower().endswith(".local")
    if local_domain:
        address = address[: -len(".local")] + ".example"
    try:
        normalized = validate_email(address, check_deliverability=False).normalized.lower()
        return normalized.removesuffix(".example") + ".local" if local_domain else normalized
    except EmailNotValidError as exc:
        raise BadUserInput(field, f"Invalid email address: {exc}") from exc


def check_password(password: str, field: str = "password") -> None:
    if len(password) < 8:
        raise BadUserInput(field, "Password must be at least 8 characters")
    if len(password) > 256:
        raise BadUserInput(field, "Password must be at most 256 characters")


def check_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 80:
        raise BadUserInput("displayName", "Display name must be 1 to 80 characters")
    return cleaned


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
