"""Access-token verification: forged, expired, not-yet-valid, alg none, wrong key, unknown kid."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from subgraphs.common.auth import KeySet, TokenVerifier
from subgraphs.users.settings import UserSettings
from subgraphs.users.tokens import AccessTokens, KeyRing, generate_private_key, signing_key
from tests.conftest import register
from tests.support.client import Client

SETTINGS = UserSettings(service="skills", environment="test")
LEEWAY = SETTINGS.jwt_leeway_seconds


def key_ring() -> KeyRing:
    return KeyRing([signing_key(generate_private_key("RS256"), "RS256")], "RS256")


class CountingJWKS:
    """A JWKS endpoint stand-in that serves a key ring and counts fetches."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.fetches = 0

    async def __call__(self) -> dict[str, Any]:
        self.fetches += 1
        return self.ring.jwks()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": "user-1",
        "roles": ["LEARNER"],
        "iss": "skill-circle",
        "aud": "skill-circle-api",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        **overrides,
    }


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def sign(ring: KeyRing, payload: dict[str, Any], **headers: Any) -> str:
    key = ring.active
    return jwt.encode(
        payload, key.private_key, algorithm="RS256", headers={"kid": key.kid, **headers}
    )


@pytest.fixture
def ring() -> KeyRing:
    return key_ring()


@pytest.fixture
def verifier(ring: KeyRing) -> TokenVerifier:
    return TokenVerifier(SETTINGS, KeySet(CountingJWKS(ring), refetch_interval=60))


async def test_a_valid_token_names_the_viewer(ring: KeyRing, verifier: TokenVerifier) -> None:
    viewer = await verifier.verify(
        AccessTokens(ring, SETTINGS).issue("user-1", ["LEARNER", "EDITOR"], "session-1")
    )
    assert viewer is not None
    assert viewer.user_id == "user-1" and viewer.has_role("EDITOR") and not viewer.is_admin


# Claims are built inside each test (from its own clock reading): built at import
# time, a full run reaches them after they expired, and every case would pass for
# that reason alone, whatever the check under test.
INVALID_CLAIMS: dict[str, Callable[[int], dict[str, Any]]] = {
    "expired": lambda now: claims(exp=now - LEEWAY - 30),
    "not-yet-valid": lambda now: claims(nbf=now + LEEWAY + 300),
    "issued-in-the-future": lambda now: claims(iat=now + LEEWAY + 300),
    "wrong-audience": lambda now: claims(aud="another-api"),
    "wrong-issuer": lambda now: claims(iss="someone-else"),
    "no-exp": lambda now: {k: v for k, v in claims().items() if k != "exp"},
    "no-audience": lambda now: {k: v for k, v in claims().items() if k != "aud"},
    "no-issuer": lambda now: {k: v for k, v in claims().items() if k != "iss"},
}


@pytest.mark.parametrize("case", list(INVALID_CLAIMS))
async def test_invalid_claims_are_rejected(
    ring: KeyRing, verifier: TokenVerifier, case: str
) -> None:
    payload = INVALID_CLAIMS[case](int(time.time()))
    # The same token with only the claim under test repaired is accepted: the
    # refusal is about that claim, not about a stale clock or a broken key.
    assert await verifier.verify(sign(ring, claims())) is not None
    assert await verifier.verify(sign(ring, payload)) is None


@pytest.mark.parametrize(
    "skew", [{"nbf": 10}, {"iat": 10}, {"exp": -10}], ids=["nbf", "iat", "exp"]
)
async def test_a_few_seconds_of_clock_skew_are_tolerated(
    ring: KeyRing, verifier: TokenVerifier, skew: dict[str, int]
) -> None:
    """Another host's clock a few seconds ahead or behind (within the leeway)."""
    now = int(time.time())
    shifted = {claim: now + seconds for claim, seconds in skew.items()}
    assert await verifier.verify(sign(ring, claims(**shifted))) is not None


async def test_alg_none_is_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    unsigned = f"{_segment({'alg': 'none', 'kid': ring.active.kid})}.{_segment(claims())}."
    assert await verifier.verify(unsigned) is None


async def test_hmac_with_the_public_key_is_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    # The classic confusion attack: HS256 "signed" with the public key as secret.
    secret = json.dumps(ring.active.public_jwk).encode()
    signing_input = f"{_segment({'alg': 'HS256', 'kid': ring.active.kid})}.{_segment(claims())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    assert await verifier.verify(forged) is None


async def test_a_token_signed_by_another_key_with_our_kid_is_rejected(
    ring: KeyRing, verifier: TokenVerifier
) -> None:
    intruder = key_ring()
    forged = jwt.encode(
        claims(), intruder.active.private_key, algorithm="RS256", headers={"kid": ring.active.kid}
    )
    assert await verifier.verify(forged) is None


async def test_tampered_payload_is_rejected(ring: KeyRing, verifier: TokenVerifier) -> None:
    header, _, signature = sign(ring, claims()).split(".")
    admin = _segment(claims(roles=["ADMIN"]))
    assert await verifier.verify(f"{header}.{admin}.{signature}") is None


async def test_unknown_kid_triggers_exactly_one_refetch(ring: KeyRing) -> None:
    jwks = CountingJWKS(ring)
    now = [1000.0]
    verifier = TokenVerifier(SETTINGS, KeySet(jwks, refetch_interval=60, clock=lambda: now[0]))
    tokens = AccessTokens(ring, SETTINGS)
    assert await verifier.verify(tokens.issue("u", ["LEARNER"], "s")) is not None
    assert jwks.fetches == 1

    # Later, the users subgraph rotates: a new active key, the old one kept for verification.
    now[0] += 3600
    rotated = KeyRing([signing_key(generate_private_key("RS256"), "RS256"), ring.active], "RS256")
    jwks.ring = rotated
    fresh = AccessTokens(rotated, SETTINGS).issue("u", ["LEARNER"], "s")
    assert await verifier.verify(fresh) is not None
    assert jwks.fetches == 2  # one refetch for the unknown kid
    assert (
        await verifier.verify(tokens.issue("u", ["LEARNER"], "s")) is not None
    )  # old key still trusted
    assert await verifier.verify(fresh) is not None
    assert jwks.fetches == 2

    # A flood of made-up kids costs no further fetches within the refetch interval.
    stranger = key_ring()
    for _ in range(20):
        assert await verifier.verify(AccessTokens(stranger, SETTINGS).issue("u", [], "s")) is None
    assert jwks.fetches == 2


async def test_the_live_jwks_verifies_real_tokens_and_ignores_forgeries(gateway: Client) -> None:
    account = await register(gateway)
    forged = jwt.encode(
        claims(sub=account["user"]["id"]),
        key_ring().active.private_key,
        algorithm="RS256",
        headers={"kid": "made-up"},
    )
    assert (await gateway.as_user(forged).data("{ me { id } }"))["me"] is None
    assert (await gateway.as_user(account["accessToken"]).data("{ me { id } }"))["me"][
        "id"
    ] == account["user"]["id"]
    assert (await gateway.as_user("garbage").data("{ me { id } }"))["me"] is None


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValueError, match="refusing to start in production"):
        UserSettings(service="users", environment="production")
    UserSettings(  # a properly configured production process starts
        service="users",
        environment="production",
        secret_key="x" * 40,
        admin_password="a-real-admin-password",
        mail_link_key="m" * 40,
        jwt_private_key_files=["/run/secrets/jwt.pem"],
    )
