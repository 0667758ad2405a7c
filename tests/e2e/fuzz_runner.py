"""Sends fuzz cases to the gateway concurrently and judges every response."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.client import new_client_address

from .fuzz_cases import ANON, USER, Case

# Signs that a response shows internals: Python and Node stack traces, server paths.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    '.py", line',
    "Exception",
    "/work/",
    "site-packages",
    "node_modules",
    "\n    at ",
    "/usr/lib/",
    "/root/",
)
TIMEOUT = 45.0


@dataclass
class Finding:
    case: Case
    problem: str
    status: int | None
    body: str

    def describe(self) -> str:
        token = {ANON: "no token", USER: "learner token"}.get(self.case.token, self.case.token[:60])
        return (
            f"[{self.case.kind}, {token}] {self.problem}\n"
            f"  operation: {self.case.describe()[:1500]}\n"
            f"  response ({self.status}): {self.body[:1500]}"
        )


def _error_summary(text: str) -> str:
    """The errors' root path segment and message, e.g. "updateProfile: Internal server error"."""
    try:
        errors = json.loads(text).get("errors") or []
    except (ValueError, AttributeError):
        return text[:80]
    return " | ".join(
        sorted(
            {
                f"{(e.get('path') or ['-'])[0]}: {str(e.get('message'))[:80]}"
                for e in errors
                if isinstance(e, dict)
                and (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
            }
        )
    )


def distinct(findings: list[Finding]) -> list[tuple[Finding, int]]:
    """One finding per (problem, status, failing fields and messages), with how many share it."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        key = (f.problem, str(f.status), _error_summary(f.body))
        groups.setdefault(key, []).append(f)
    return [(group[0], len(group)) for group in groups.values()]


def _request_text(case: Case) -> str:
    if case.raw is not None:
        return case.raw.decode("utf-8", "replace")
    return f"{case.query} {json.dumps(case.variables)} {json.dumps(case.extra)} {case.token}"


def problems(case: Case, status: int | None, text: str) -> list[str]:
    """What is wrong with this response, whatever the input was."""
    found: list[str] = []
    if status is None:
        return [text]
    if status >= 500:
        found.append(f"HTTP {status}")
    sent = _request_text(case)
    leaked = [m for m in LEAK_MARKERS if m in text and m not in sent]
    if leaked:
        found.append(f"response leaks internals ({', '.join(map(repr, leaked))})")
    try:
        body = json.loads(text)
    except ValueError:
        return found
    errors = body.get("errors") if isinstance(body, dict) else None
    codes = [(e.get("extensions") or {}).get("code") for e in errors or [] if isinstance(e, dict)]
    if "INTERNAL_SERVER_ERROR" in codes:
        found.append("INTERNAL_SERVER_ERROR")
    return found


async def send(
    http: httpx.AsyncClient, url: str, case: Case, user_token: str
) -> tuple[int | None, str]:
    headers = {"content-type": case.content_type, "accept": "application/json"}
    # Each case from a simulated client of its own: per-address limits would
    # otherwise answer most cases with RATE_LIMITED instead of running them.
    headers["x-forwarded-for"] = new_client_address()
    if case.token == USER:
        headers["authorization"] = f"Bearer {user_token}"
    elif case.token.startswith("header:"):
        headers["authorization"] = case.token.removeprefix("header:").replace("%USER%", user_token)
    try:
        if case.method == "GET":
            params = {"query": case.query or ""}
            if case.variables:
                params["variables"] = json.dumps(case.variables)
            response = await http.get(url, params=params, headers=headers)
        else:
            if case.raw is not None:
                content = case.raw
            else:
                payload: dict[str, Any] = {"query": case.query, **case.extra}
                if case.variables is not None:
                    payload["variables"] = case.variables
                content = json.dumps(payload).encode()
            response = await http.request(case.method, url, content=content, headers=headers)
    except httpx.TimeoutException:
        return None, f"no response within {TIMEOUT:.0f} s"
    except httpx.HTTPError as exc:
        return None, f"transport error: {exc!r}"
    return response.status_code, response.text


async def run(
    url: str,
    cases: list[Case],
    user_token: str,
    concurrency: int = 8,
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """Every case sent once, at most `concurrency` at a time; the findings in case order.

    `timings` (if given) adds up the seconds spent per case kind.
    """
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=TIMEOUT, limits=limits) as http:

        async def one(case: Case) -> list[Finding]:
            async with gate:
                began = time.monotonic()
                status, text = await send(http, url, case, user_token)
                if timings is not None:
                    timings[case.kind] = timings.get(case.kind, 0.0) + time.monotonic() - began
            return [Finding(case, p, status, text) for p in problems(case, status, text)]

        results = await asyncio.gather(*(one(case) for case in cases))
    return [finding for found in results for finding in found]
