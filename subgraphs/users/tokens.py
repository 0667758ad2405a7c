"""Signing keys (JWKS), access tokens, and rotating refresh tokens in Redis."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from redis.asyncio import Redis

from .settings import UserSettings

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: PrivateKey
    public_jwk: dict[str, Any]


class KeyRing:
    """The active signing key first, then older keys kept only for verification.

    Rotation: put a new key file first in SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES and
    keep the old one after it until every token it signed has expired.
    """

    def __init__(self, keys: Sequence[SigningKey], algorithm: str) -> None:
        if not keys:
            raise ValueError("at least one signing key is required")
        self.keys = list(keys)
        self.algorithm = algorithm

    @property
    def active(self) -> SigningKey:
        return self.keys[0]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk for key in self.keys]}

    @classmethod
    def from_settings(cls, settings: UserSettings) -> KeyRing:
        paths = list(settings.jwt_private_key_files)
        if not paths:
            paths = [development_key(settings)]
        keys = [load_key(path, settings.jwt_algorithm) for path in paths]
        return cls(keys, settings.jwt_algorithm)


def development_key(settings: UserSettings) -> Path:
    """A key generated once into the data directory; production refuses it."""
    path = settings.data_dir / f"jwt-dev-{settings.jwt_algorithm.lower()}.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = generate_private_key(settings.jwt_algorithm)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return path


def generate_private_key(algorithm: str) -> PrivateKey:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def load_key(path: Path, algorithm: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return signing_key(private_key, algorithm)  # type: ignore[arg-type]


def signing_key(private_key: PrivateKey, algorithm: str) -> SigningKey:
    public = private_key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    kid = thumbprint(jwk)
    return SigningKey(kid, private_key, {**jwk, "kid": kid, "alg": algorithm, "use": "sig"})


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a stable `kid` derived from the public key."""
    required = {
        "RSA": ("e", "kty", "n"),
        "EC": ("crv", "kty", "x", "y"),
        "OKP": ("crv", "kty", "x"),
    }
    members = {name: jwk[name] for name in required[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class AccessTokens:
    def __init__(self, keys: KeyRing, settings: UserSettings) -> None:
        self.keys = keys
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.ttl = settings.access_token_ttl_seconds

    def issue(self, user_id: str, roles: Sequence[str], session_id: str) -> str:
        """An access token of the session (refresh family) `session_id`: its `sid` claim."""
        now = int(time.time())
        claims = {
            "sub": user_id,
            "sid": session_id,
            "roles": list(roles),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
        }
        key = self.keys.active
        return jwt.encode(
            claims, key.private_key, algorithm=self.keys.algorithm, headers={"kid": key.kid}
        )


@dataclass(frozen=True)
class RefreshGrant:
    user_id: str
    family: str


class RefreshTokenReused(Exception):
    """An already rotated refresh token came back: its whole family is revoked."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RefreshTokens:
    """Opaque refresh tokens, stored hashed in Redis, rotated on every use.

    Each login starts a family. A used token stays on record (marked used)
    until it expires, so presenting it again is detected as reuse and revokes
    the family: the thief and the victim both have to log in again.
    """

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    async def issue(self, user_id: str, family: str) -> str:
        """A refresh token of `family` (a session: one per login, see `new_family`)."""
        token = secrets.token_urlsafe(32)
        key = f"refresh:{token_hash(token)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"user": user_id, "family": family})
            pipe.expire(key, self.ttl)
            pipe.sadd(f"refresh-families:{user_id}", family)
            pipe.expire(f"refresh-families:{user_id}", self.ttl)
            # Every token of the user, so that erasing them leaves none behind (`forget`).
            pipe.sadd(f"refresh-tokens:{user_id}", key)
            pipe.expire(f"refresh-tokens:{user_id}", self.ttl)
            await pipe.execute()
        return token

    async def rotate(self, token: str) -> tuple[RefreshGrant, str] | None:
        """The grant and a new token of the same family; None if unknown or revoked."""
        key = f"refresh:{token_hash(token)}"
        record = await self.redis.hgetall(key)
        if not record:
            return None
        grant = _grant(record)
        if await self.redis.exists(f"refresh-revoked:{grant.family}"):
            return None
        if not await self.redis.hsetnx(key, "used", "1"):
            await self.revoke_family(grant)
            raise RefreshTokenReused(grant.family)
        return grant, await self.issue(grant.user_id, grant.family)

    async def revoke(self, token: str) -> RefreshGrant | None:
        """Ends the token's family; its grant, or None for an unknown token."""
        record = await self.redis.hgetall(f"refresh:{token_hash(token)}")
        if not record:
            return None
        grant = _grant(record)
        await self.revoke_family(grant)
        return grant

    async def revoke_family(self, grant: RefreshGrant) -> None:
        await self.redis.set(f"refresh-revoked:{grant.family}", "1", ex=self.ttl)

    async def families(self, user_id: str) -> list[str]:
        """The ids of the user's sessions (refresh-token families), ended or not."""
        return [_text(f) for f in await self.redis.smembers(f"refresh-families:{user_id}")]

    async def revoke_all(self, user_id: str, forget: bool = False) -> list[str]:
        """Ends every family of the user; their ids (the sessions to end). `forget`: the
        user's tokens and the list of their families go too (a deleted account)."""
        families = await self.families(user_id)
        for family in families:
            await self.revoke_family(RefreshGrant(user_id, family))
        if forget:
            tokens = [_text(key) for key in await self.redis.smembers(f"refresh-tokens:{user_id}")]
            await self.redis.delete(
                f"refresh-families:{user_id}", f"refresh-tokens:{user_id}", *tokens
            )
        return families


def new_family() -> str:
    """A new session id: one refresh-token family, the `sid` of its access tokens."""
    return uuid.uuid4().hex


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _grant(record: Mapping[Any, Any]) -> RefreshGrant:
    return RefreshGrant(_text(record[b"user"]), _text(record[b"family"]))
