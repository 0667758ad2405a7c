"""The per-request GraphQL context every resolver receives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket
from strawberry.fastapi import BaseContext

from .auth import Viewer, bearer_token, token_from_connection_params
from .platform import Platform


class Context(BaseContext):
    """Platform resources, the subgraph's own wiring (`deps`), loaders and viewer."""

    def __init__(
        self, platform: Platform, deps: Any, make_loaders: Callable[[Context], Any] | None
    ) -> None:
        super().__init__()
        self.platform = platform
        self.settings = platform.settings
        self.metrics = platform.metrics
        self.deps = deps
        self._make_loaders = make_loaders
        self._loaders: Any = None
        self._viewer: Viewer | None = None
        self._viewer_token: str | None = None

    @property
    def loaders(self) -> Any:
        """This request's DataLoaders, made on first use."""
        if self._loaders is None and self._make_loaders is not None:
            self._loaders = self._make_loaders(self)
        return self._loaders

    def fresh_loaders(self) -> Any:
        """New loaders, for each event of a long-lived subscription."""
        self._loaders = None
        return self.loaders

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
        return self._viewer
