"""A minimal GraphQL-over-HTTP client: setting up the world, and the websocket scenarios."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.client import new_client_address


class GraphQL:
    """A minimal GraphQL-over-HTTP client for load (one pooled connection set)."""

    def __init__(self, url: str, connections: int = 32) -> None:
        self.url = url
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = httpx.AsyncClient(timeout=60, limits=limits)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        # Many simulated clients: each request from an address of its own (the
        # harness is the stack's trusted proxy), so per-address limits stay per client.
        headers = {"x-forwarded-for": new_client_address()}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        return dict(response.json())

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.post(query, variables, token)
        if body.get("errors"):
            raise RuntimeError(f"{query.strip()[:60]}...: {body['errors']}")
        return dict(body["data"])

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> bool:
        body = await self.post(query, variables, token)
        return not body.get("errors") and body.get("data") is not None

    async def close(self) -> None:
        await self.http.aclose()
