"""The checks an admin's template passes before it is saved, and previews: renders with
sample data (catalogue.py) in the same sandbox messages render in, whose
failures are BAD_USER_INPUT (field body) naming the problem."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, TemplateNotFound, meta
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

from ...common.errors import BadUserInput
from .catalogue import (
    MAX_TEMPLATE_CHARS,
    NAMES,
    SAMPLE_UNSUBSCRIBE,
    TemplateKey,
    needs_unsubscribe_link,
    parts_of,
    samples,
    variables_of,
)
from .rendering import MessageRenderer, Preview, one_line


class TemplateChecks:
    def __init__(self, renderer: MessageRenderer) -> None:
        self.renderer = renderer

    def check(self, key: TemplateKey, body: str) -> None:
        """BAD_USER_INPUT (field body) unless `body` may replace `key`'s template: short
        enough, parses, uses only `key`'s variables, and renders in the sandbox with sample
        data, as does every message of its channel and part that may include it."""
        if len(body) > MAX_TEMPLATE_CHARS:
            raise _refused(f"body has {len(body)} characters; at most {MAX_TEMPLATE_CHARS}")
        env = self.renderer.current[key.locale]
        try:
            parsed = env.parse(body)
        except TemplateSyntaxError as exc:
            raise _refused(f"body does not parse: line {exc.lineno}: {exc.message}") from None
        unknown = sorted(meta.find_undeclared_variables(parsed) - set(variables_of(key)))
        if unknown:
            known = ", ".join(variables_of(key))
            raise _refused(f"body uses unknown variables: {', '.join(unknown)}; known: {known}")
        envs = self.renderer.environments({**self.renderer.overrides, key.id: body})
        for name in NAMES[key.channel]:  # the layout and the fallback reach the others
            if name == "base" or key.part not in parts_of(key.channel, name):
                continue
            other = TemplateKey(key.channel, name, key.locale, key.part)
            text = self._sample(envs, other)
            if needs_unsubscribe_link(other) and SAMPLE_UNSUBSCRIBE not in text:
                where = "" if other == key else f"with it, {other.path} "
                raise _refused(
                    f"{where}must keep the unsubscribe link ({{{{ unsubscribe_link }}}})"
                )

    def preview(
        self, channel: str, name: str, locale: str, draft: tuple[TemplateKey, str] | None = None
    ) -> Preview:
        """`name` rendered with sample data (and `draft` in place of its template)."""
        envs = self.renderer.current
        if draft is not None:
            self.check(*draft)
            envs = self.renderer.environments({**self.renderer.overrides, draft[0].id: draft[1]})
        values = {**samples(name, locale), "locale": locale}

        def part(part: str) -> str:
            return self._strict(envs, TemplateKey(channel, name, locale, part), values)

        if channel != "EMAIL":
            return Preview(part("TEXT").strip())
        values["subject"] = one_line(part("SUBJECT"))
        return Preview(subject=values["subject"], text=part("TEXT"), html=part("HTML"))

    def _sample(self, envs: dict[str, Environment], key: TemplateKey) -> str:
        values = {**samples(key.name, key.locale), "locale": key.locale, "subject": "Sample"}
        return self._strict(envs, key, values)

    def _strict(
        self, envs: dict[str, Environment], key: TemplateKey, values: dict[str, Any]
    ) -> str:
        """A render whose failure is the admin's to fix: BAD_USER_INPUT naming it."""
        channel = key.channel.lower()
        try:
            return self.renderer.render(envs, channel, key.name, key.part, values, strict=True)
        except SecurityError as exc:
            raise _refused(f"body is not allowed in a template: {exc}") from None
        except UndefinedError as exc:
            raise _refused(f"body does not render with sample data: {exc}") from None
        except TemplateSyntaxError as exc:
            raise _refused(f"{exc.name or 'a template'} does not parse: {exc.message}") from None
        except TemplateNotFound as exc:
            raise _refused(f"body includes an unknown template: {exc.name}") from None
        except Exception as exc:
            raise _refused(f"body fails with sample data: {type(exc).__name__}: {exc}") from None


def _refused(message: str) -> BadUserInput:
    return BadUserInput("body", message)
