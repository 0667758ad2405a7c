"""The one GraphQL-over-HTTP client a subgraph may use to read through the gateway.

One timeout (SKILL_CIRCLE_GATEWAY_TIMEOUT_SECONDS), one error policy: no GraphQL
answer (unreachable, timed out, not JSON, not a GraphQL body) raises
`GatewayUnavailable`; a GraphQL answer, errors included, is returned for the
caller to judge. A caller's token is sent as a bearer header and never appears
in an exception message or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx

from .settings import Settings

MISSING_CODES = frozenset({"NOT_FOUND", "BAD_USER_INPUT"})  # "no such thing" for one id
LOOKUP_BATCH = 20  # ids per lookup request: well under the per-operation alias limit


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

    async def lookup(
        self,
        field: str,
        ids: Sequence[str],
        selection: str,
        *,
        fragments: str = "",
        name: str = "Lookup",
        batch: int = LOOKUP_BATCH,
    ) -> dict[str, dict[str, Any]]:
        """`field(id:)` for every id, `selection` of each, as aliased lookups (one request
        per `batch` ids, in parallel): id -> what the gateway answered, ids that name
        nothing left out. GatewayUnavailable when it could not say for some id (no
        answer, or an error other than NOT_FOUND / BAD_USER_INPUT on its alias)."""
        chunks = [list(ids[start : start + batch]) for start in range(0, len(ids), batch)]
        answers = await asyncio.gather(
            *(self._lookup(field, chunk, selection, fragments, name) for chunk in chunks)
        )
        return {key: found for answer in answers for key, found in answer.items()}

    async def _lookup(
        self, field: str, ids: list[str], selection: str, fragments: str, name: str
    ) -> dict[str, dict[str, Any]]:
        variables = {f"k{i}": key for i, key in enumerate(ids)}
        params = ", ".join(f"${alias}: ID!" for alias in variables)
        fields = " ".join(
            f"{alias}: {field}(id: ${alias}) {{ {selection} }}" for alias in variables
        )
        body = await self.query(f"query {name}({params}) {{ {fields} }} {fragments}", variables)
        data: dict[str, Any] = body.get("data") or {}
        failed = {
            str((error.get("path") or ["*"])[0])
            for error in body.get("errors") or []
            if (error.get("extensions") or {}).get("code") not in MISSING_CODES
        }
        found: dict[str, dict[str, Any]] = {}
        for alias, key in variables.items():
            answer = data.get(alias)
            if alias in failed or "*" in failed or alias not in data:
                raise GatewayUnavailable(f"{field}({key}) failed: {body.get('errors')}")
            if isinstance(answer, dict):
                found[key] = answer
        return found

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
