"""The per-request GraphQL context every resolver receives, typed by its subgraph.

Each subgraph names its context once, e.g. in its types.py:
    Info = strawberry.Info[Context[Deps, Loaders], None]
so that `info.context.deps` and `info.context.loaders` are typed in resolvers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

from starlette.websockets import WebSocket
from strawberry.fastapi import BaseContext

from .auth import Viewer, bearer_token, token_from_connection_params
from .clients import client_address
from .platform import Platform
from .ratelimit import Limit

DepsT = TypeVar("DepsT")
LoadersT = TypeVar("LoadersT")


class Context(BaseContext, Generic[DepsT, LoadersT]):
    """Platform resources, the subgraph's own wiring (`deps`), loaders and viewer."""

    def __init__(
        self, platform: Platform, deps: DepsT, make_loaders: Callable[[DepsT], LoadersT]
    ) -> None:
        super().__init__()
        self.platform = platform
        self.settings = platform.settings
        self.metrics = platform.metrics
        self.deps = deps
        self._make_loaders = make_loaders
        self._loaders: LoadersT | None = None
        self._viewer: Viewer | None = None
        self._viewer_token: str | None = None
        self._trusted = platform.trusted_proxies

    @property
    def loaders(self) -> LoadersT:
        """This request's DataLoaders, made on first use."""
        if self._loaders is None:
            self._loaders = self._make_loaders(self.deps)
        return self._loaders

    def fresh_loaders(self) -> LoadersT:
        """New loaders, for each event of a long-lived subscription."""
        self._loaders = None
        return self.loaders

    def client_address(self) -> str:
        """The caller's address: the first hop that is not a trusted proxy."""
        return client_address(self.request, self._trusted)

    async def limit(self, limit: Limit, key: str | None = None) -> None:
        """Counts one use of `limit` by `key` (default: the caller's address);
        RATE_LIMITED with retryAfter once the budget is spent."""
        await self.platform.limits.hit(limit, key or self.client_address())

    def token(self) -> str | None:
        if isinstance(self.request, WebSocket):
            return token_from_connection_params(self.connection_params) or bearer_token(
                self.request.headers.get("authorization")
            )
        if self.request is None:
            return None
        return bearer_token(self.request.headers.get("authorization"))

    async def viewer(self) -> Viewer | None:
        """The authenticated caller, or None; verified once per token."""
        token = self.token()
        if token is None:
            return None
        if token != self._viewer_token:
            self._viewer = await self.platform.verifier.verify(token)
            self._viewer_token = token
        if self._viewer is not None and self.platform.sessions.is_revoked(self._viewer.session_id):
            return None  # logged out, password reset, roles changed, disabled or deleted
        return self._viewer

    def listen(self, viewer: Viewer, channel: str) -> AsyncIterator[dict[str, Any]]:
        """A live channel for `viewer`'s subscription: it ends with UNAUTHENTICATED
        when the viewer's token expires or their session is revoked."""
        return self.platform.sessions.guard(viewer, self.platform.live.listen(channel))
