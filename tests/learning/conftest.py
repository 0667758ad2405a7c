"""The learning subgraph in-process, on a throwaway PostgreSQL database and the test Redis.

Tokens are real RS256 JWTs signed with a key made for the session and
verified by the platform's own TokenVerifier; the clock is settable so that
day-based rules (streaks) can be tested.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from subgraphs.common.auth import KeySet, TokenVerifier, Viewer
from subgraphs.common.clock import utcnow
from subgraphs.common.settings import Settings, load_settings
from subgraphs.learning.app import create_app
from subgraphs.learning.deps import Deps
from tests.support.servers import PostgresServer, RedisServer
from tests.support.skills import AnySkill


class Clock:
    """Real time unless a test sets it."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or utcnow()


class Signer:
    """Signs access tokens the way the users subgraph does (RS256, kid, aud, iss)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwks = {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def verifier(self) -> TokenVerifier:
        async def fetch() -> dict[str, Any]:
            return self.jwks

        return TokenVerifier(self.settings, KeySet(fetch, refetch_interval=0))

    def token(self, user_id: str, roles: tuple[str, ...] = ("LEARNER",)) -> str:
        now = int(time.time())
        claims = {
            "sub": user_id,
            "roles": list(roles),
            "iat": now,
            "exp": now + 900,
            "aud": self.settings.jwt_audience,
            "iss": self.settings.jwt_issuer,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class Account:
    id: str
    token: str
    viewer: Viewer


class Harness:
    """The app, its wiring, and GraphQL over HTTP without a network."""

    def __init__(self, app: FastAPI, signer: Signer, clock: Clock) -> None:
        self.app = app
        self.signer = signer
        self.clock = clock
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://learning"
        )

    @property
    def deps(self) -> Deps:
        return self.app.state.deps

    def account(self, roles: tuple[str, ...] = ("LEARNER",)) -> Account:
        user_id = str(uuid.uuid4())
        return Account(
            user_id,
            self.signer.token(user_id, roles),
            Viewer(user_id=user_id, roles=frozenset(roles)),
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.execute(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> list[dict[str, Any]]:
        body = await self.execute(query, variables, token)
        assert body.get("errors"), f"expected errors, got {body}"
        return body["errors"]


@pytest.fixture(scope="session")
def learning_settings(postgres: PostgresServer, redis_server: RedisServer) -> Settings:
    # Redis database 1: its own event stream, apart from the e2e stack's consumers.
    return load_settings(
        "learning",
        environment="test",
        database_url=postgres.create_database("learning_unit"),
        redis_url=redis_server.url.rsplit("/", 1)[0] + "/1",
        gateway_url="http://127.0.0.1:9/graphql",  # nothing listens: no gateway in these tests
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def real_time(clock: Clock) -> Iterator[None]:
    yield
    clock.fixed = None


@pytest.fixture(scope="session")
async def learning(learning_settings: Settings, clock: Clock) -> AsyncIterator[Harness]:
    signer = Signer(learning_settings)
    app = create_app(
        learning_settings, verifier=signer.verifier(), clock=clock, skill_checker=AnySkill()
    )
    async with app.router.lifespan_context(app):
        harness = Harness(app, signer, clock)
        yield harness
        await harness.http.aclose()
