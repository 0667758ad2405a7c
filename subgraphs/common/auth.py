"""Access-token verification against the users subgraph's JWKS.

Every subgraph verifies tokens itself (the gateway only forwards the
Authorization header), so this is the one place that decides who a caller is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from .recent import Recent
from .settings import Settings

log = logging.getLogger("skill_circle.auth")

ROLES = ("LEARNER", "EDITOR", "ADMIN")


@dataclass(frozen=True)
class Viewer:
    """The authenticated caller, as the access token describes them."""

    user_id: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"LEARNER"}))
    # The raw bearer token, forwarded when this subgraph calls the gateway for the
    # caller; a credential, so never part of a repr (and so never of a log line).
    token: str = field(default="", repr=False)
    # The login this token belongs to (its `sid` claim) and when the token expires.
    session_id: str = ""
    expires_at: float = float("inf")

    def has_role(self, role: str) -> bool:
        return role in self.roles or "ADMIN" in self.roles

    @property
    def is_admin(self) -> bool:
        return "ADMIN" in self.roles


JWKSFetcher = Callable[[], Awaitable[Mapping[str, Any]]]


class KeySet:
    """Public keys by `kid`, refetched when a token names an unknown one.

    Refetches are spaced by `refetch_interval` so that a stream of tokens with
    made-up `kid`s cannot turn into a stream of JWKS requests.
    """

    def __init__(
        self,
        fetch: JWKSFetcher,
        refetch_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._refetch_interval = refetch_interval
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    def held(self, kid: str) -> PyJWK | None:
        """The key `kid` as held now, without fetching."""
        return self._keys.get(kid)

    async def key(self, kid: str) -> PyJWK | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and self._may_refetch():
                await self._refresh()
        return self._keys.get(kid)

    def _may_refetch(self) -> bool:
        return self._clock() - self._fetched_at >= self._refetch_interval

    async def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetch_count += 1
        try:
            document = await self._fetch()
        except Exception as exc:  # JWKS down: keep the keys we have
            log.warning("JWKS fetch failed: %s", exc)
            return
        keys = {}
        for entry in document.get("keys", []):
            try:
                keys[entry["kid"]] = PyJWK(dict(entry))
            except (KeyError, jwt.PyJWTError) as exc:
                log.warning("ignoring unusable JWKS entry: %s", exc)
        self._keys = keys


def remote_jwks(url: str, timeout: float = 5.0) -> JWKSFetcher:
    async def fetch() -> Mapping[str, Any]:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
            jwks: Mapping[str, Any] = json.loads(response.content)
            return jwks

    return fetch


class TokenVerifier:
    """Turns a bearer token into a `Viewer`, or None when it is not valid.

    A token verified once is remembered (up to `REMEMBERED` tokens) until it expires:
    the same token arrives with every request of a session, at every subgraph, and its
    signature check was 13% of a small subgraph's CPU. A remembered token still counts
    as valid only while the key that signed it is held (a key dropped from the JWKS
    ends its tokens); session revocation is checked per request by the caller as before.
    """

    REMEMBERED = 10_000

    def __init__(self, settings: Settings, keys: KeySet) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self.keys = keys
        self._verified: Recent[str, tuple[Viewer, str, PyJWK]] = Recent(self.REMEMBERED)

    async def verify(self, token: str) -> Viewer | None:
        remembered = self._verified.get(token)
        if remembered is not None:
            viewer, kid, key = remembered
            if time.time() < viewer.expires_at + self.leeway and self.keys.held(kid) is key:
                return viewer
            self._verified.pop(token)
        fresh, kid, signer = await self._verify(token)
        if fresh is not None and signer is not None:
            self._verified.put(token, (fresh, kid, signer))
        return fresh

    async def _verify(self, token: str) -> tuple[Viewer | None, str, PyJWK | None]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None, "", None
        # Only the configured asymmetric algorithm: never "none", never HMAC.
        kid = header.get("kid")
        if header.get("alg") != self.algorithm or not isinstance(kid, str):
            return None, "", None
        key = await self.keys.key(kid)
        if key is None:
            return None, kid, None
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError:
            return None, kid, None
        roles = frozenset(r for r in claims.get("roles", ["LEARNER"]) if r in ROLES)
        viewer = Viewer(
            user_id=str(claims["sub"]),
            roles=roles or frozenset({"LEARNER"}),
            token=token,
            session_id=str(claims.get("sid", "")),
            expires_at=float(claims["exp"]),
        )
        return viewer, kid, key


def bearer_token(value: object) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, if it is one."""
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_from_connection_params(params: object) -> str | None:
    """The token a websocket client sent in its connection_init payload.

    Hive Gateway and browsers send {"Authorization": "Bearer ..."}; Apollo Router's
    subscription passthrough sends {"token": "Bearer ..."}.
    """
    if not isinstance(params, Mapping):
        return None
    for name in ("Authorization", "authorization", "token"):
        if name in params:
            return bearer_token(params[name])
    headers = params.get("headers")
    if isinstance(headers, Mapping):
        return token_from_connection_params(headers)
    return None
