"""GraphQL over HTTP and over websockets (graphql-transport-ws), as a frontend would."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
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


# Simulated clients' addresses: the benchmarking range (RFC 2544), never a trusted proxy.
CLIENT_NETWORK = ipaddress.ip_network("198.18.0.0/15")


def new_client_address() -> str:
    return str(CLIENT_NETWORK[random.randrange(1, CLIENT_NETWORK.num_addresses - 1)])


class Client:
    """One simulated client: its own address (sent as X-Forwarded-For, as the trusted
    proxy in front of the gateway would), optionally signed in with `token`."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        address: str | None = None,
        source: str | None = None,
    ) -> None:
        """`source`: connect from this loopback address instead of 127.0.0.1 (the
        harness proxy): a client reaching the gateway directly, untrusted."""
        self.url = url
        self.token = token
        self.address = address or new_client_address()
        self.source = source
        transport = httpx.AsyncHTTPTransport(local_address=source) if source else None
        self.http = httpx.AsyncClient(timeout=30, transport=transport)

    def as_user(self, token: str | None) -> Client:
        """The same client (same address) with another token."""
        return Client(self.url, token, self.address, self.source)

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole response body: data and errors."""
        all_headers = {
            "content-type": "application/json",
            "x-forwarded-for": self.address,
            **(headers or {}),
        }
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

    async def ending(self, timeout: float = 10.0) -> list[str]:
        """The error codes the server ended the subscription with, within `timeout`:
        an `error` message, a `next` carrying errors (then `complete`), or a close
        code 4401 (as UNAUTHENTICATED). Fails on data or on a silent end."""
        try:
            while True:
                message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
                if message["type"] == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                    continue
                if message["type"] == "error":
                    return [e.get("extensions", {}).get("code") for e in message["payload"]]
                if message["type"] == "next" and message["payload"].get("errors"):
                    return [
                        e.get("extensions", {}).get("code") for e in message["payload"]["errors"]
                    ]
                raise AssertionError(f"expected the subscription to end, got {message}")
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4401, closed
            return ["UNAUTHENTICATED"]

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
    """Complete JSON parts of a multipart/mixed stream (heartbeats `{}` dropped).

    A part is complete at the next boundary, or once its JSON body and the line break after
    it have arrived: Hive Router 0.2.0 writes the boundary before each part, not after it, so
    waiting for the next boundary would hold each message until its next heartbeat (10 s)."""
    payloads = []
    *parts, rest = buffer.split(f"--{boundary}")
    _, separator, body = rest.partition("\r\n\r\n")
    if separator and body.endswith("\r\n") and _json_object(body.strip()) is not None:
        parts.append(rest)
        rest = ""
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


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


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
