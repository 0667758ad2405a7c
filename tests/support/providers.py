"""A stand-in for the delivery providers notifications talks to over HTTP: a web push
service (`/push/...`) and an SMS provider's webhook (anything else). It records every
request and answers like the real ones; it runs in a thread, so the in-process tests
and the subgraph processes of a stack can both send to it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from multidict import CIMultiDict

from .servers import free_port


@dataclass
class Provider:
    url: str = ""
    received: list[tuple[str, Mapping[str, str], bytes]] = field(default_factory=list)
    push_status: int = 201
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Provider:
        port = free_port()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the http.server hook's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = CIMultiDict(self.headers.items())  # as aiohttp: any case
                provider.received.append((self.path, headers, body))
                if self.path.startswith("/push/"):
                    self.send_response(provider.push_status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = json.dumps({"id": f"sms-{len(provider.received)}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def requests_to(self, path: str) -> list[tuple[Mapping[str, str], bytes]]:
        return [(headers, body) for p, headers, body in self.received if p.startswith(path)]

    def sms_to(self, number: str) -> list[str]:
        """The texts of the SMS sent to `number`, oldest first."""
        messages = [json.loads(body) for _, body in self.requests_to("/sms")]
        return [m["body"] for m in messages if m["to"] == number]

    async def wait_for_sms(self, number: str, count: int = 1, timeout: float = 15) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(found := self.sms_to(number)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} SMS to {number} expected; got {found}")
            await asyncio.sleep(0.05)
        return found
