"""The one GraphQL-over-HTTP client a subgraph may use to read through the gateway.

One timeout (SKILL_CIRCLE_GATEWAY_TIMEOUT_SECONDS), one error policy: no GraphQL
answer (unreachable, timed out, not JSON, not a GraphQL body) raises
`GatewayUnavailable`; a GraphQL answer, errors included, is returned for the
caller to judge. A caller's token is sent as a bearer header and never appears
in an exception message or a log line.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from .settings import Settings


class GatewayUnavailable(Exception):
    """The gateway could not be reached or did not answer with GraphQL."""


class GatewayClient:
    """POSTs GraphQL operations to the gateway on one pooled HTTP client."""

    def __init__(self, url: str, timeout: float, *, http: httpx.AsyncClient | None = None) -> None:
        """`http` replaces the pooled client (tests pass one on a mock transport)."""
        self.url = url
        self.timeout = timeout
        self._http = http

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> GatewayClient:
        return cls(url or settings.gateway_url, settings.gateway_timeout_seconds)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The response body ({data, errors}); GatewayUnavailable without a GraphQL answer."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        payload = {"query": query, "variables": variables or {}}
        try:
            response = await self._client().post(self.url, json=payload, headers=headers)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # The exception's text names the URL, never the request headers.
            raise GatewayUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise GatewayUnavailable(f"not a GraphQL response (HTTP {response.status_code})")
        return body

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def _client(self) -> httpx.AsyncClient:
        # Made on first use, inside the event loop that will use it.
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        return self._http
