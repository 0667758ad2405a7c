"""Message bodies from Jinja2 templates: one per message, part, channel and locale.

The repository files in templates/ are the defaults (English in templates/<channel>/,
German in templates/de/<channel>/); an admin's saved edit (message_templates/store.py) overrides
one of them. Every template renders in a sandbox (an admin's template must not reach
Python internals), with StrictUndefined. HTML templates are autoescaped (titles and
bodies come from events and admins); subject, text, SMS and push templates are plain
text. A message without its own template for a channel uses that channel's
`notification` template; a locale without a template uses the English one.

Each process keeps compiled templates; before it renders a batch it compares the
generation number the store bumps on every save (one Redis GET) and reloads the
overrides when it moved: no replica renders with an older template than the newest
saved one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .catalogue import (
    DEFAULT_LOCALE,
    EXTENSIONS,
    EXTRA_VARIABLES,
    LOCALES,
    MAX_OUTPUT_CHARS,
    TemplateKey,
    supported_locale,
)
from .store import TemplateStore

TEMPLATES = Path(__file__).parent.parent / "templates"
log = logging.getLogger("skill_circle.notifications.rendering")


@dataclass(frozen=True)
class EmailBody:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Preview:
    """A message rendered with sample data: an email's three parts, or an SMS/push text."""

    text: str
    subject: str | None = None
    html: str | None = None


class Sandbox(ImmutableSandboxedEnvironment):
    """No Python internals, no mutation of values, and no multiplying a string or a
    number into something that eats the process's memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*" and _size(left) * _size(right) > MAX_OUTPUT_CHARS:
            raise SecurityError("result too large")
        return super().call_binop(context, operator, left, right)


def _size(value: Any) -> int:
    if isinstance(value, str | list | tuple):
        return max(len(value), 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return max(abs(value), 1)
    return 1


class TemplateFiles(BaseLoader):
    """One locale's templates: the override, else the file; then the English ones."""

    def __init__(self, directory: Path, locale: str, overrides: Mapping[str, str]) -> None:
        self.directory = directory
        self.locales = list(dict.fromkeys((locale, DEFAULT_LOCALE)))
        self.overrides = overrides

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        for locale in self.locales:
            override = self.overrides.get(f"{locale}/{template}")
            if override is not None:
                return override, None, _fresh
            path = file_of(self.directory, locale, template)
            if path.is_file():
                return path.read_text(encoding="utf-8"), str(path), _fresh
        raise TemplateNotFound(template)


def _fresh() -> bool:
    return True  # environments are rebuilt when the overrides change


def file_of(directory: Path, locale: str, path: str) -> Path:
    return directory / path if locale == DEFAULT_LOCALE else directory / locale / path


def default_body(key: TemplateKey, directory: Path = TEMPLATES) -> str:
    """The repository's template for `key` (falling back as rendering does)."""
    fallback = TemplateKey(key.channel, "notification", key.locale, key.part)
    for candidate in (key, fallback):
        for locale in dict.fromkeys((key.locale, DEFAULT_LOCALE)):
            path = file_of(directory, locale, candidate.path)
            if path.is_file():
                return path.read_text(encoding="utf-8")
    return ""


class MessageRenderer:
    def __init__(self, store: TemplateStore | None = None, directory: Path = TEMPLATES) -> None:
        self.store = store
        self.directory = directory
        self.generation = 0
        self.overrides: dict[str, str] = {}
        self._defaults = self.environments({})
        self.current = self._defaults

    async def refresh(self) -> None:
        """Picks up the templates admins saved since the last look (one GET when none)."""
        if self.store is None or await self.store.generation() == self.generation:
            return
        generation, found = await self.store.overrides()
        overrides = {k: v.body for k, v in found.items() if v.body is not None}
        self.current = self.environments(overrides)
        self.overrides, self.generation = overrides, generation

    # ------------------------------------------------------------ messages
    def email(self, template: str, **context: Any) -> EmailBody:
        """`template`: a kind (lower case) or an account email (verify_email, ...)."""
        return self._email(self.current, template, _values(template, context))

    def subject(self, template: str, **context: Any) -> str:
        """The email subject alone: the title of a push message in the user's locale."""
        subject = self.render(
            self.current, "email", template, "SUBJECT", _values(template, context)
        )
        return one_line(subject)

    def sms(self, template: str, **context: Any) -> str:
        values = _values(template, context)
        return self.render(self.current, "sms", template, "TEXT", values).strip()

    def push(self, template: str, **context: Any) -> str:
        values = _values(template, context)
        return self.render(self.current, "push", template, "TEXT", values).strip()

    def _email(
        self, envs: dict[str, Environment], template: str, values: dict[str, Any]
    ) -> EmailBody:
        subject = self.render(envs, "email", template, "SUBJECT", values)
        values["subject"] = one_line(subject)
        return EmailBody(
            subject=values["subject"],
            text=self.render(envs, "email", template, "TEXT", values),
            html=self.render(envs, "email", template, "HTML", values),
        )

    def render(
        self,
        envs: dict[str, Environment],
        channel: str,
        name: str,
        part: str,
        values: dict[str, Any],
        strict: bool = False,
    ) -> str:
        ext, env = EXTENSIONS[part], envs[values["locale"]]
        paths = [f"{channel}/{name}.{ext}", f"{channel}/notification.{ext}"]
        try:
            text = env.select_template(paths).render(values)
            if len(text) > MAX_OUTPUT_CHARS:
                raise SecurityError(f"renders {len(text)} characters, more than allowed")
            return text
        except Exception:
            if strict or envs is self._defaults:
                raise
            # A saved template that fails on real data: the message still goes, as the
            # repository has it.
            log.exception("template %s/%s.%s failed; using the default", channel, name, ext)
            return self.render(self._defaults, channel, name, part, values)

    def environments(self, overrides: Mapping[str, str]) -> dict[str, Environment]:
        return {
            locale: Sandbox(
                loader=TemplateFiles(self.directory, locale, overrides),
                autoescape=_autoescape,
                undefined=StrictUndefined,
                trim_blocks=True,
                keep_trailing_newline=False,
            )
            for locale in LOCALES
        }


def one_line(subject: str) -> str:
    """A subject on one line, whatever whitespace the template left, of at most 200."""
    return " ".join(subject.split())[:200]


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith(".html"))


def _values(template: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """Every variable a template of `template` may use, with the locale it renders in."""
    values: dict[str, Any] = {
        "title": "",
        "display_name": "",
        "email": "",
        "link": None,
        "body": "",
        "unsubscribe_link": None,
        "subject": "",
        **dict.fromkeys(EXTRA_VARIABLES.get(template, ()), ""),
        **context,
    }
    values["locale"] = supported_locale(context.get("locale"))
    return values
