"""Permission checks that resolvers call before doing anything."""

from __future__ import annotations

from .auth import Viewer
from .errors import Forbidden, Unauthenticated


def require_viewer(viewer: Viewer | None) -> Viewer:
    """The caller, who must be authenticated."""
    if viewer is None:
        raise Unauthenticated()
    return viewer


def require_role(viewer: Viewer | None, role: str) -> Viewer:
    """The caller, who must hold `role` (ADMIN holds every role)."""
    caller = require_viewer(viewer)
    if not caller.has_role(role):
        raise Forbidden(f"{role} role required")
    return caller


def require_self_or_admin(viewer: Viewer | None, user_id: str) -> Viewer:
    """The caller, who must be the user `user_id` or an ADMIN."""
    caller = require_viewer(viewer)
    if caller.user_id != str(user_id) and not caller.is_admin:
        raise Forbidden("Only the user themself or an admin may see this")
    return caller
