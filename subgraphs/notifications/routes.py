"""The one-click unsubscribe route (RFC 8058), a plain HTTP page on this subgraph.

GET shows what the link stops and a button; only POST stops anything, so that link
scanners and previews, which follow links with GET, unsubscribe nobody. Mail clients
POST `List-Unsubscribe=One-Click` to the same URL (the `List-Unsubscribe` header).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from ..common.errors import BadUserInput
from ..common.platform import Platform
from .deps import Deps

KIND_NAMES = {
    "PROGRESS": "progress",
    "ACHIEVEMENT": "achievement",
    "CERTIFICATE": "certificate",
    "CONTENT": "new content",
    "ANNOUNCEMENT": "announcement",
}
# The token is in the URL: never sent on as a Referer, never cached.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
INVALID = "This unsubscribe link is invalid. Change your notification preferences in Skill "
INVALID += "Circle instead."


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:Helvetica,Arial,sans-serif;max-width:560px;margin:48px auto;'
        f'padding:0 24px;color:#1f2933"><h1 style="font-size:22px">{escape(title)}</h1>'
        f"{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def add_unsubscribe_routes(app: FastAPI, deps: Deps, platform: Platform) -> None:
    service = deps.service

    @app.get("/unsubscribe", include_in_schema=False)
    async def confirm(token: str = "") -> HTMLResponse:
        try:
            kind = service.unsubscribe_kind(token)
        except BadUserInput:
            return page("Invalid link", f"<p>{INVALID}</p>", 400)
        action = escape("?" + urlencode({"token": token}))
        return page(
            f"Stop {KIND_NAMES[kind]} emails?",
            f"<p>You will no longer get {KIND_NAMES[kind]} emails from Skill Circle. Other "
            "emails and your in-app notifications stay as they are.</p>"
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit" style="padding:10px 18px">Unsubscribe</button></form>',
        )

    @app.post("/unsubscribe", include_in_schema=False)
    async def unsubscribe(token: str = "") -> HTMLResponse:
        try:
            kind = await service.unsubscribe(token)
        except BadUserInput:
            return page("Invalid link", f"<p>{INVALID}</p>", 400)
        # Not a GraphQL mutation: answers kept in memory (preferences) are forgotten here.
        await platform.answers_changed(True)
        return page(
            "Unsubscribed",
            f"<p>You will no longer get {KIND_NAMES[kind]} emails from Skill Circle. You can "
            "turn them on again in your notification preferences.</p>",
        )
