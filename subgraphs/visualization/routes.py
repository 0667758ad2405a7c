"""The same images as plain HTTP endpoints, for <img> tags: ETag, 304 and Cache-Control."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..common.auth import Viewer, bearer_token
from ..common.clients import client_address
from ..common.errors import AppError, BadUserInput
from ..common.platform import Platform
from .domain import DRAWINGS, ChartKind
from .service import VisualizationService
from .source.gateway import GatewayUnavailable

log = logging.getLogger("skill_circle.visualization")

PUBLIC = "public, max-age=300"
PRIVATE = "private, no-cache"
# Served as a document of its own, an SVG must not run anything.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
STATUS = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "RATE_LIMITED": 429,
}


def etag_of(svg: str) -> str:
    return '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'


def add_image_routes(app: FastAPI, platform: Platform, service: VisualizationService) -> None:
    async def viewer_of(request: Request) -> Viewer | None:
        token = bearer_token(request.headers.get("authorization"))
        viewer = await platform.verifier.verify(token) if token else None
        if viewer is not None and platform.sessions.is_revoked(viewer.session_id):
            return None
        return viewer

    async def limited(request: Request) -> None:
        """The same drawing budget as the SVG fields, per client address."""
        await platform.limits.hit(DRAWINGS, client_address(request, platform.trusted_proxies))

    drawing = [Depends(limited)]

    @app.get("/svg/skills/{skill_id}/tree.svg", dependencies=drawing)
    async def skill_tree(request: Request, skill_id: str, depth: str = "3") -> Response:
        return await _image(request, service.skill_tree(skill_id, _int("depth", depth)), PUBLIC)

    @app.get("/svg/roadmaps/{slug}.svg", dependencies=drawing)
    async def roadmap(request: Request, slug: str) -> Response:
        return await _image(request, service.roadmap(slug), PUBLIC)

    @app.get("/svg/users/{user_id}/progress.svg", dependencies=drawing)
    async def progress(request: Request, user_id: str, kind: str = "BAR") -> Response:
        chart = _kind(kind)
        viewer = await viewer_of(request)
        return await _image(request, service.progress_chart(viewer, user_id, chart), PRIVATE)

    @app.get("/svg/users/{user_id}/roadmaps/{slug}.svg", dependencies=drawing)
    async def user_roadmap(request: Request, user_id: str, slug: str) -> Response:
        viewer = await viewer_of(request)
        return await _image(request, service.user_roadmap(viewer, user_id, slug), PRIVATE)

    @app.get("/certificates/{code}.svg", dependencies=drawing)
    async def certificate_svg(request: Request, code: str) -> Response:
        """Public: the verification code is the capability; anyone holding it may verify."""
        return await _image(request, service.certificate_svg(code), PUBLIC)

    @app.get("/certificates/{code}.pdf", dependencies=drawing)
    async def certificate_pdf(request: Request, code: str) -> Response:
        pdf = await service.certificate_pdf(code)
        headers = {
            "Cache-Control": PUBLIC,
            "Content-Disposition": f'inline; filename="certificate-{code}.pdf"',
            "X-Content-Type-Options": "nosniff",
        }
        return Response(pdf, media_type="application/pdf", headers=headers)

    @app.exception_handler(GatewayUnavailable)
    async def unavailable(_: Request, error: GatewayUnavailable) -> JSONResponse:
        log.warning("image not rendered: %s", error)
        body = {
            "errors": [
                {
                    "message": "Temporarily unavailable",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ]
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(AppError)
    async def app_error(_: Request, error: AppError) -> JSONResponse:
        status = STATUS.get(error.code, 500)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if "retryAfter" in error.extensions:
            headers["Retry-After"] = str(error.extensions["retryAfter"])
        body = {
            "errors": [
                {"message": error.message, "extensions": {**error.extensions, "code": error.code}}
            ]
        }
        return JSONResponse(body, status_code=status, headers=headers)


async def _image(request: Request, rendering: Awaitable[str], cache_control: str) -> Response:
    svg = await rendering
    etag = etag_of(svg)
    headers = {"ETag": etag, "Cache-Control": cache_control, **SECURITY_HEADERS}
    if cache_control == PRIVATE:
        headers["Vary"] = "Authorization"
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(svg, media_type="image/svg+xml", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _int(field: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadUserInput(field, f"{field} must be an integer") from None


def _kind(value: str) -> ChartKind:
    try:
        return ChartKind(value.upper())
    except ValueError:
        names = ", ".join(k.value for k in ChartKind)
        raise BadUserInput("kind", f"kind must be one of {names}") from None
