"""Admins' use cases for message templates: list, edit (checked), preview, history, revert.

Every save is a new version in the store (store.py); a revert saves an earlier
version's body again (or puts the repository default back), so the history only grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...common.auth import Viewer
from ...common.clock import utcnow
from ...common.errors import BadUserInput
from .catalogue import (
    CHANNELS,
    LOCALES,
    TemplateKey,
    all_keys,
    parts_of,
    problem_with_key,
    variables_of,
)
from .checks import TemplateChecks
from .rendering import MessageRenderer, Preview, default_body
from .store import TemplateStore, TemplateVersion


@dataclass(frozen=True)
class TemplateState:
    """A template as admins see it: what is used now, the default, and its versions."""

    key: TemplateKey
    body: str
    default_body: str
    overridden: bool
    history: list[TemplateVersion]  # newest first

    @property
    def version(self) -> int:
        return self.history[0].version if self.history else 0

    @property
    def variables(self) -> tuple[str, ...]:
        return variables_of(self.key)


class TemplateAdmin:
    def __init__(self, store: TemplateStore, renderer: MessageRenderer) -> None:
        self.store = store
        self.renderer = renderer
        self.checks = TemplateChecks(renderer)

    async def templates(
        self, channel: str | None, name: str | None, locale: str | None
    ) -> list[TemplateState]:
        """Every template matching the filters (each one checked: BAD_USER_INPUT)."""
        if channel is not None:
            checked_channel(channel)
        if locale is not None and locale not in LOCALES:
            raise BadUserInput("locale", f"locale must be one of {', '.join(LOCALES)}")
        keys = [
            k
            for k in all_keys()
            if channel in (None, k.channel) and name in (None, k.name)
            if locale in (None, k.locale)
        ]
        return await self._states(keys)

    async def update(self, viewer: Viewer, key: TemplateKey, body: str) -> TemplateState:
        """Saves `body` as `key`'s template once it passes every check; from the next
        message on, every replica renders with it."""
        checked_key(key)
        await self.renderer.refresh()
        self.checks.check(key, body)
        await self.store.save(key, body, viewer.user_id, utcnow())
        return await self._state(key)

    async def revert(self, viewer: Viewer, key: TemplateKey, version: int) -> TemplateState:
        """Makes version `version` current again as a new version (0: the repository default)."""
        checked_key(key)
        body: str | None = None
        if version != 0:
            [history] = await self.store.histories([key])
            found = [v for v in history if v.version == version]
            if not found:
                latest = history[0].version if history else 0
                known = f"0 (the default) to {latest}" if latest else "0 (no edits yet)"
                raise BadUserInput("version", f"version must be one of {known}")
            body = found[0].body
        if body is not None:  # what passed then must still pass (variables may have changed)
            await self.renderer.refresh()
            self.checks.check(key, body)
        await self.store.save(key, body, viewer.user_id, utcnow(), reverted_to=version)
        return await self._state(key)

    async def preview(
        self, channel: str, name: str, locale: str, draft: tuple[str, str] | None
    ) -> Preview:
        """A message rendered with sample data, with `draft` (part, body) if given, sent
        nowhere."""
        part = draft[0] if draft else parts_of(checked_channel(channel), name)[0]
        key = TemplateKey(channel, name, locale, part)
        checked_key(key)
        await self.renderer.refresh()
        return self.checks.preview(key.channel, name, locale, (key, draft[1]) if draft else None)

    async def _state(self, key: TemplateKey) -> TemplateState:
        [state] = await self._states([key])
        return state

    async def _states(self, keys: list[TemplateKey]) -> list[TemplateState]:
        _, overrides = await self.store.overrides()
        histories = await self.store.histories(keys)
        states = []
        for key, history in zip(keys, histories, strict=True):
            default = default_body(key)
            current = overrides.get(key.id)
            body = current.body if current and current.body is not None else default
            states.append(TemplateState(key, body, default, current is not None, history))
        return states


def checked_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise BadUserInput("channel", f"channel must be one of {', '.join(CHANNELS)}")
    return channel


def checked_key(key: TemplateKey) -> None:
    checked_channel(key.channel)
    problem = problem_with_key(key)
    if problem is not None:
        raise BadUserInput(*problem)
