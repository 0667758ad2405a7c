"""Message bodies from the Jinja2 templates in templates/: one per kind and channel.

HTML templates are autoescaped (titles and bodies come from events and admins);
text, SMS and push templates are plain text. A kind without its own template
for a channel uses that channel's `notification` template.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class EmailBody:
    subject: str
    text: str
    html: str


class MessageRenderer:
    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            keep_trailing_newline=False,
        )

    def email(self, template: str, **context: Any) -> EmailBody:
        """`template`: a kind (lower case) or a security email (verify_email, reset_password)."""
        values = _defaults(context)
        return EmailBody(
            subject=" ".join(str(values["title"]).split())[:200],
            text=self._render("email", template, "txt", values),
            html=self._render("email", template, "html", values),
        )

    def sms(self, template: str, **context: Any) -> str:
        return self._render("sms", template, "txt", _defaults(context)).strip()

    def push(self, template: str, **context: Any) -> str:
        return self._render("push", template, "txt", _defaults(context)).strip()

    def _render(self, channel: str, name: str, extension: str, values: dict[str, Any]) -> str:
        template = self.env.select_template(
            [f"{channel}/{name}.{extension}", f"{channel}/notification.{extension}"]
        )
        return template.render(values)


def _defaults(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "display_name": "",
        "email": "",
        "link": None,
        "locale": "en",
        "body": "",
        "unsubscribe_link": None,
        **context,
    }
