"""The one HTTP client this subgraph has: GraphQL queries to the gateway (reference data)."""

from __future__ import annotations

from typing import Any

import httpx


class GatewayError(Exception):
    """The gateway could not be reached or did not answer with GraphQL."""


class GatewayClient:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response body ({data, errors}); GatewayError when there is no GraphQL answer."""
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url, json={"query": query, "variables": variables or {}}
                )
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise GatewayError(f"not a GraphQL response (HTTP {response.status_code})")
        return body
