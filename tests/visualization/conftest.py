"""Fixtures of the visualization tests: real Redis, the demo catalog as source, signed tokens."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from redis.asyncio import Redis

from subgraphs.common.auth import KeySet, TokenVerifier
from subgraphs.common.settings import Settings
from subgraphs.visualization.cache import SvgCache
from subgraphs.visualization.service import RenderCounts, VisualizationService
from subgraphs.visualization.source.samples import SampleSource

KID = "viz-test"


def unit_redis_url(redis_server: Any) -> str:
    """Database 3 of the session's Redis: the unit tests' own. The e2e stack's
    visualization process caches the real catalog's drawings in database 0 under the
    same keys (a roadmap by slug) as the sample catalog's here."""
    return str(redis_server.url).rsplit("/", 1)[0] + "/3"


@pytest.fixture
async def redis(redis_server: Any) -> AsyncIterator[Redis]:
    client = Redis.from_url(unit_redis_url(redis_server))
    yield client
    await client.aclose()


@pytest.fixture
def settings(redis_server: Any) -> Settings:
    return Settings(
        service="visualization", environment="test", redis_url=unit_redis_url(redis_server)
    )


@pytest.fixture
def source() -> SampleSource:
    return SampleSource(progress={})


@pytest.fixture
def counts() -> RenderCounts:
    return RenderCounts.on()


@pytest.fixture
def service(redis: Redis, source: SampleSource, counts: RenderCounts) -> VisualizationService:
    return VisualizationService(source, SvgCache(redis), counts)


def learner(source: SampleSource) -> str:
    """A new user id with the sample progress."""
    user_id = f"user-{uuid.uuid4().hex[:8]}"
    source.users[user_id] = source.sample_progress(user_id)
    return user_id


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def verifier(settings: Settings, signing_key: rsa.RSAPrivateKey) -> TokenVerifier:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))

    async def jwks() -> dict[str, Any]:
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    return TokenVerifier(settings, KeySet(jwks, refetch_interval=0))


@pytest.fixture
def token_for(settings: Settings, signing_key: rsa.RSAPrivateKey) -> Callable[..., str]:
    def sign(user_id: str, roles: tuple[str, ...] = ("LEARNER",)) -> str:
        now = int(time.time())
        claims = {
            "sub": user_id,
            "roles": list(roles),
            "iat": now,
            "exp": now + 600,
            "aud": settings.jwt_audience,
            "iss": settings.jwt_issuer,
        }
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": KID})

    return sign
