"""GraphQL over HTTP and over websockets (graphql-transport-ws), as a frontend would."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets


class GraphQLError(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(json.dumps(errors, indent=1))
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


class Client:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token
        self.http = httpx.AsyncClient(timeout=30)

    def as_user(self, token: str | None) -> Client:
        return Client(self.url, token)

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole response body: data and errors."""
        all_headers = {"content-type": "application/json", **(headers or {})}
        if self.token:
            all_headers["authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code < 500, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = await self.execute(query, variables)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        return body["data"]

    async def error_codes(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        body = await self.execute(query, variables)
        assert body.get("errors"), f"expected errors, got {body}"
        return [e.get("extensions", {}).get("code") for e in body["errors"]]

    async def close(self) -> None:
        await self.http.aclose()


class Subscription:
    def __init__(self, socket: Any) -> None:
        self.socket = socket

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next `next` payload; raises on error/complete or after `timeout`."""
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] == "next":
                return message["payload"]
            if message["type"] == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            raise AssertionError(f"subscription ended: {message}")

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await asyncio.wait_for(self.socket.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected nothing, got {message}")


@asynccontextmanager
async def subscribe(
    ws_url: str, query: str, token: str | None = None, variables: dict[str, Any] | None = None
) -> AsyncIterator[Subscription]:
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await socket.send(
            json.dumps(
                {
                    "id": uuid.uuid4().hex,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )
        yield Subscription(socket)


class StreamedSubscription:
    """A subscription over one HTTP response (SSE or multipart), read as `Subscription` is."""

    def __init__(self, payloads: asyncio.Queue[dict[str, Any]]) -> None:
        self.payloads = payloads

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.payloads.get(), timeout)


ACCEPT = {
    "sse": "text/event-stream",
    "multipart": 'multipart/mixed;subscriptionSpec="1.0", application/json',
}


def _sse_payloads(buffer: str) -> tuple[list[dict[str, Any]], str]:
    """Complete `event: next` messages of an SSE stream; the unfinished rest."""
    payloads = []
    *events, rest = re.split(r"\r?\n\r?\n", buffer)
    for event in events:
        lines = event.splitlines()
        kind = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "next")
        data = "\n".join(ln[5:].lstrip() for ln in lines if ln.startswith("data:"))
        if kind == "next" and data:
            payloads.append(json.loads(data))
    return payloads, rest


def _multipart_payloads(buffer: str, boundary: str) -> tuple[list[dict[str, Any]], str]:
    """Complete JSON parts of a multipart/mixed stream (heartbeats `{}` dropped)."""
    payloads = []
    *parts, rest = buffer.split(f"--{boundary}")
    for part in parts:
        _, _, body = part.partition("\r\n\r\n")
        body = body.strip()
        if not body or body == "--":
            continue
        message = json.loads(body)
        payload = message["payload"] if "payload" in message else message
        if payload and set(payload) != {"hasNext"}:
            payloads.append(payload)
    return payloads, rest


@asynccontextmanager
async def subscribe_http(
    url: str,
    query: str,
    token: str | None = None,
    transport: str = "sse",
    variables: dict[str, Any] | None = None,
) -> AsyncIterator[StreamedSubscription]:
    """A subscription over SSE (`text/event-stream`) or multipart HTTP, as browsers do it."""
    headers = {"accept": ACCEPT[transport], "content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    payloads: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as http:
        body = {"query": query, "variables": variables or {}}
        async with http.stream("POST", url, json=body, headers=headers) as response:
            content_type = response.headers.get("content-type", "")
            if response.status_code != 200 or not content_type.startswith(ACCEPT[transport][:9]):
                await response.aread()
                raise AssertionError(f"{transport} refused: {response.status_code} {response.text}")
            boundary = re.search(r'boundary="?([^";]+)"?', content_type)
            delimiter = boundary.group(1) if boundary else "-"

            async def read() -> None:
                buffer = ""
                async for chunk in response.aiter_text():
                    buffer += chunk
                    if transport == "sse":
                        found, buffer = _sse_payloads(buffer)
                    else:
                        found, buffer = _multipart_payloads(buffer, delimiter)
                    for payload in found:
                        payloads.put_nowait(payload)

            reader = asyncio.create_task(read())
            try:
                yield StreamedSubscription(payloads)
            finally:
                reader.cancel()
