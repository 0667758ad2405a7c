"""Logs on stderr carrying the service, the request id (X-Request-ID) and the trace.

Production and tests: one JSON object per line (what the `logging` compose
profile ships to Elasticsearch). Development: one readable, coloured line per
record, prefixed with the service name, so six interleaved processes stay legible.
"""

from __future__ import annotations

import logging
import sys
import uuid
from contextvars import ContextVar
from typing import TextIO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "x-request-id"


def current_request_id() -> str:
    return _request_id.get()


class _RequestIdFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        record.service = self.service
        span = trace.get_current_span().get_span_context()
        if span.is_valid:  # inside a traced request or event: join the logs to the trace
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
        return True


# ANSI colours of the readable development format.
_RESET, _DIM, _BOLD = "\033[0m", "\033[2m", "\033[1m"
_SERVICE_COLOURS = {
    "users": "\033[36m",
    "skills": "\033[32m",
    "learning": "\033[33m",
    "content": "\033[35m",
    "visualization": "\033[34m",
    "notifications": "\033[91m",
}
_LEVEL_COLOURS = {"DEBUG": _DIM, "WARNING": "\033[33m", "ERROR": "\033[31m", "CRITICAL": "\033[41m"}
_SERVICE_WIDTH = max(map(len, _SERVICE_COLOURS))


class ReadableFormatter(logging.Formatter):
    """`users         12:03:04 INFO  POST /graphql 200  req=1f2e3d4c`: one line per record.

    An access-log record (uvicorn.access) becomes method, path and status; colours
    only when `colour` (a terminal).
    """

    def __init__(self, service: str, colour: bool) -> None:
        super().__init__()
        self.service = service
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname
        line = " ".join(
            [
                self._paint(
                    f"{self.service:<{_SERVICE_WIDTH}}", _SERVICE_COLOURS.get(self.service)
                ),
                self._paint(self.formatTime(record, "%H:%M:%S"), _DIM),
                self._paint(f"{level:<5}", _LEVEL_COLOURS.get(level)),
                self._message(record),
            ]
        )
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line += self._paint(f"  req={request_id[:8]}", _DIM)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line

    def _message(self, record: logging.LogRecord) -> str:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            _, method, path, _, status = args
            code = int(str(status))
            colour = "\033[31m" if code >= 500 else "\033[33m" if code >= 400 else "\033[32m"
            return f"{method} {path} {self._paint(str(status), colour)}"
        return record.getMessage()

    def _paint(self, text: str, colour: str | None) -> str:
        return f"{colour}{text}{_RESET}" if self.colour and colour else text


def configure_logging(
    service: str, level: str, *, readable: bool = False, stream: TextIO | None = None
) -> None:
    """Log lines on stderr (or `stream`), each carrying the service, the request id and,
    inside a trace, trace_id/span_id: JSON objects, or `readable` coloured lines."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    if readable:
        handler.setFormatter(ReadableFormatter(service, colour=stream.isatty()))
    else:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    handler.addFilter(_RequestIdFilter(service))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID (or makes one) and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given[:64] if given.isprintable() and given else uuid.uuid4().hex
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
