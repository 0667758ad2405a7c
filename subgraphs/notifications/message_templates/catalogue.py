"""Which message templates exist, what each may use, and the sample data previews and
checks render them with (plain values, no Jinja2, no Redis).

A template is one part (subject, text, html) of one message (`name`) on one channel in
one locale. The repository files under templates/ are the defaults: English in
templates/<channel>/, other locales in templates/<locale>/<channel>/. An admin's edit
overrides one of them at run time (store.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
PARTS = ("SUBJECT", "TEXT", "HTML")
EXTENSIONS = {"SUBJECT": "subject", "TEXT": "txt", "HTML": "html"}
MAX_TEMPLATE_CHARS = 20_000  # an admin's template body
MAX_OUTPUT_CHARS = 200_000  # what one render may produce

# The messages of each channel. A kind without its own file renders its channel's
# `notification` template; `base` is the email layout the others extend.
KIND_NAMES = ("progress", "achievement", "certificate", "content", "announcement")
SECURITY_EMAILS = ("verify_email", "reset_password", "change_email", "email_changed")
NAMES = {
    "EMAIL": ("base", "notification", "welcome", *KIND_NAMES, *SECURITY_EMAILS),
    "SMS": ("notification", *KIND_NAMES, "verify_number"),
    "PUSH": ("notification", *KIND_NAMES),
}
CHANNELS = tuple(NAMES)

# Every message has these (rendering.py fills in the ones a message lacks).
COMMON_VARIABLES = ("title", "body", "link", "display_name", "email", "locale")
# What each message has on top: the parts of its title and body, so that a locale can
# word them itself (the in-app title and body are English).
EXTRA_VARIABLES: dict[str, tuple[str, ...]] = {
    "progress": ("name",),
    "achievement": ("achievement", "description"),
    "certificate": ("skill", "code"),
    "content": ("content_kind", "content_title"),
    "email_changed": ("new_email",),
    "verify_number": ("code", "minutes"),
}
EMAIL_BODY_VARIABLES = ("subject", "unsubscribe_link")  # text and html of an email


@dataclass(frozen=True)
class TemplateKey:
    """One editable template: a part of a message on a channel in a locale."""

    channel: str  # EMAIL, SMS, PUSH
    name: str
    locale: str
    part: str  # SUBJECT, TEXT, HTML (SMS and PUSH: TEXT only)

    @property
    def path(self) -> str:
        """Its name among the templates of its locale: `email/certificate.html`."""
        return f"{self.channel.lower()}/{self.name}.{EXTENSIONS[self.part]}"

    @property
    def id(self) -> str:
        """Its name in storage and in messages: `de/email/certificate.html`."""
        return f"{self.locale}/{self.path}"

    @classmethod
    def from_id(cls, key_id: str) -> TemplateKey:
        locale, channel, file = key_id.split("/")
        name, extension = file.rsplit(".", 1)
        part = next(p for p, e in EXTENSIONS.items() if e == extension)
        return cls(channel.upper(), name, locale, part)


def parts_of(channel: str, name: str) -> tuple[str, ...]:
    if channel != "EMAIL":
        return ("TEXT",)
    return ("TEXT", "HTML") if name == "base" else PARTS


def all_keys(locales: tuple[str, ...] = LOCALES) -> list[TemplateKey]:
    """Every editable template, in a stable order."""
    return [
        TemplateKey(channel, name, locale, part)
        for locale in locales
        for channel, names in NAMES.items()
        for name in names
        for part in parts_of(channel, name)
    ]


def problem_with_key(key: TemplateKey) -> tuple[str, str] | None:
    """(field, message) when `key` names no editable template."""
    if key.locale not in LOCALES:
        return "locale", f"locale must be one of {', '.join(LOCALES)}"
    if key.name not in NAMES[key.channel]:
        known = ", ".join(NAMES[key.channel])
        return "name", f"{key.channel} has no template {key.name!r}; known: {known}"
    if key.part not in parts_of(key.channel, key.name):
        parts = ", ".join(parts_of(key.channel, key.name))
        return "part", f"{key.channel} {key.name} has the parts {parts}"
    return None


def variables_of(key: TemplateKey) -> tuple[str, ...]:
    """The variables `key` may use (base: only those every email has)."""
    found = COMMON_VARIABLES + EXTRA_VARIABLES.get(key.name, ())
    if key.channel == "EMAIL" and key.part != "SUBJECT":
        found += EMAIL_BODY_VARIABLES
    return found


def supported_locale(locale: str | None) -> str:
    """The template locale for a user's language tag: `de-AT` -> `de`; unknown -> `en`."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def needs_unsubscribe_link(key: TemplateKey) -> bool:
    """Emails that a preference can stop carry the link that stops them (account emails
    go whatever the preferences, and have none)."""
    return key.channel == "EMAIL" and key.part != "SUBJECT" and key.name not in SECURITY_EMAILS


SAMPLE_UNSUBSCRIBE = "https://skillcircle.example/unsubscribe?token=sample"


def samples(name: str, locale: str) -> dict[str, Any]:
    """The sample values previews and checks render `name` with."""
    values: dict[str, Any] = {
        "title": _TITLES.get(name, "Something new on Skill Circle"),
        "body": _BODIES.get(name, "Here is what happened on Skill Circle."),
        "link": "https://skillcircle.example/skills/python-basics",
        "display_name": "Ada",
        "email": "ada@example.com",
        "locale": locale,
        "unsubscribe_link": SAMPLE_UNSUBSCRIBE,
        "name": "Python Basics",
        "achievement": "First steps",
        "description": "You completed your first skill.",
        "skill": "Python Basics",
        "code": "7KQ2-M9XD",
        "content_kind": "course",
        "content_title": "Python for data work",
        "new_email": "ada.lovelace@example.com",
        "minutes": 10,
    }
    if name == "verify_number":
        values["code"] = "482913"
    return values


_TITLES = {
    "welcome": "Welcome to Skill Circle, Ada!",
    "progress": "You completed Python Basics",
    "achievement": "Achievement unlocked: First steps",
    "certificate": "Your certificate for Python Basics is ready",
    "content": "New course: Python for data work",
    "announcement": "New courses this month",
    "verify_email": "Verify your email address",
    "reset_password": "Reset your password",
    "change_email": "Confirm your new email address",
    "email_changed": "Your Skill Circle email address was changed",
}
_BODIES = {
    "welcome": "Pick a skill or follow a roadmap to start learning.",
    "progress": "Well done: Python Basics is complete.",
    "achievement": "You completed your first skill.",
    "certificate": "You earned a certificate for Python Basics. Its verification code is "
    "7KQ2-M9XD.",
    "content": "A new course on a skill you are learning was just published.",
    "announcement": "Three new courses on data work are open.\nHave a look!",
}
