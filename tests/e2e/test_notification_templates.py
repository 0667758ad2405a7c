"""Admin-managed message templates and locales through each shipped gateway, the emails
caught by the tests' SMTP server: an edit changes the next email and a revert restores
it; refused edits (learners, templates that do not parse, unknown variables, sandbox
escapes) change nothing; a German learner gets German, an unknown locale English."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.notifications.directory import SKILLS_KEY
from tests.conftest import register
from tests.support.client import Client
from tests.support.mail import SmtpServer, bodies, subject_of
from tests.support.stack import Stack

from .test_journeys import RECORD, accepted_once_known, new_skills, skip_without_notifications

TEMPLATES = """query($c: String, $n: String, $l: String) {
  notificationTemplates(channel: $c, name: $n, locale: $l) {
    channel name locale part body defaultBody overridden version variables
    history { version body editedBy revertedTo } } }"""
UPDATE = """mutation($t: NotificationTemplateKeyInput!, $b: String!) {
  updateNotificationTemplate(template: $t, body: $b) { version overridden body } }"""
REVERT = """mutation($t: NotificationTemplateKeyInput!, $v: Int!) {
  revertNotificationTemplate(template: $t, version: $v) {
    version overridden body history { version revertedTo } } }"""
PREVIEW = """query($c: String!, $n: String!, $l: String!, $d: NotificationTemplateDraftInput) {
  notificationTemplatePreview(channel: $c, name: $n, locale: $l, draft: $d) {
    subject text html } }"""
LOCALE = "mutation($l: String!) { updatePreferences(input: {locale: $l}) { locale } }"
VERIFY_AGAIN = "mutation { requestEmailVerification }"

SUBJECT = {"channel": "EMAIL", "name": "verify_email", "locale": "en", "part": "SUBJECT"}
TEXT = {**SUBJECT, "part": "TEXT"}
EDITED_TEXT = """{% extends "email/base.txt" %}
{% block content %}Edited by an admin: is {{ email }} yours? Open the link.{% endblock %}"""


@pytest.fixture
async def admin(gateway: Client, admin_token: str) -> AsyncIterator[Client]:
    """The admin, who puts the repository's verification email back whatever happens."""
    client = gateway.as_user(admin_token)
    yield client
    for key in (SUBJECT, TEXT):
        [state] = await templates(client, key)
        if state["overridden"]:
            await client.data(REVERT, {"t": key, "v": 0})


async def templates(admin: Client, key: dict[str, str]) -> list[dict[str, Any]]:
    variables = {"c": key["channel"], "n": key["name"], "l": key["locale"]}
    found = (await admin.data(TEMPLATES, variables))["notificationTemplates"]
    return [t for t in found if t["part"] == key["part"]]


async def verification_email(smtp: SmtpServer, account: dict[str, Any], count: int = 1) -> Any:
    """The `count`th email to the account (each one: a verification email)."""
    messages = await smtp.mailbox.wait_for(account["email"], count=count, timeout=30)
    return messages[count - 1]


def refusal(body: dict[str, Any]) -> str:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("field") == "body", error
    assert "stacktrace" not in str(body).lower()
    assert body["data"] is None or body["data"].get("updateNotificationTemplate") is None
    return str(error["message"])


async def test_an_admins_edit_changes_the_next_email_and_a_revert_restores_it(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client, admin: Client
) -> None:
    skip_without_notifications(notifications_stack)
    learner = gateway.as_user((await register(gateway, "Template Learner"))["accessToken"])
    for client, code in ((gateway, "UNAUTHENTICATED"), (learner, "FORBIDDEN")):
        assert await client.error_codes(TEMPLATES, {}) == [code]
        assert await client.error_codes(PREVIEW, {"c": "EMAIL", "n": "base", "l": "en"}) == [code]
        assert await client.error_codes(UPDATE, {"t": SUBJECT, "b": "Hi"}) == [code]
        assert await client.error_codes(REVERT, {"t": SUBJECT, "v": 0}) == [code]

    [before] = await templates(admin, SUBJECT)
    assert before["overridden"] is False and before["body"] == before["defaultBody"]
    assert set(before["variables"]) >= {"display_name", "email", "link"}
    edited = "Is this you, {{ display_name }}? Confirm {{ email }}"
    saved = (await admin.data(UPDATE, {"t": SUBJECT, "b": edited}))["updateNotificationTemplate"]
    assert saved == {"version": before["version"] + 1, "overridden": True, "body": edited}
    await admin.data(UPDATE, {"t": TEXT, "b": EDITED_TEXT})

    # Refused edits: nothing of them reaches an email.
    assert "does not parse" in refusal(await admin.execute(UPDATE, {"t": SUBJECT, "b": "{% if"}))
    unknown = refusal(await admin.execute(UPDATE, {"t": SUBJECT, "b": "{{ password_hash }}"}))
    assert "unknown variables: password_hash" in unknown
    for escape in ("{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__.os }}"):
        assert "not allowed" in refusal(await admin.execute(UPDATE, {"t": SUBJECT, "b": escape}))
    assert await learner.error_codes(UPDATE, {"t": SUBJECT, "b": "Learner's"}) == ["FORBIDDEN"]

    account = await register(gateway, "Edited Email")
    email = await verification_email(smtp, account)
    assert subject_of(email) == f"Is this you, Edited Email? Confirm {account['email']}"
    text = bodies(email)["text/plain"]
    assert f"Edited by an admin: is {account['email']} yours?" in text
    assert "/verify-email?token=" in text  # the link still comes with it

    for key in (SUBJECT, TEXT):
        reverted = (await admin.data(REVERT, {"t": key, "v": 0}))["revertNotificationTemplate"]
        assert reverted["overridden"] is False and reverted["history"][0]["revertedTo"] == 0
    account = await register(gateway, "Reverted Email")
    email = await verification_email(smtp, account)
    assert subject_of(email) == "Verify your email address"
    assert "Edited by an admin" not in bodies(email)["text/plain"]

    # Any earlier version comes back the same way, here in a preview (sent nowhere).
    again = await admin.data(REVERT, {"t": SUBJECT, "v": saved["version"]})
    assert again["revertNotificationTemplate"]["body"] == edited
    preview = await admin.data(PREVIEW, {"c": "EMAIL", "n": "verify_email", "l": "en"})
    assert (
        preview["notificationTemplatePreview"]["subject"]
        == "Is this you, Ada? Confirm ada@example.com"
    )
    [state] = await templates(admin, SUBJECT)
    assert [v["revertedTo"] for v in state["history"][:3]] == [saved["version"], 0, None]


async def test_previews_render_every_message_in_every_locale_and_check_drafts(
    notifications_stack: Stack, gateway: Client, admin: Client
) -> None:
    skip_without_notifications(notifications_stack)
    listed = (await admin.data(TEMPLATES))["notificationTemplates"]
    assert {t["locale"] for t in listed} == {"en", "de"}
    assert {t["channel"] for t in listed} == {"EMAIL", "SMS", "PUSH"}
    messages = sorted({(t["channel"], t["name"], t["locale"]) for t in listed})
    for channel, name, locale in messages:
        variables = {"c": channel, "n": name, "l": locale}
        preview = (await admin.data(PREVIEW, variables))["notificationTemplatePreview"]
        assert preview["text"].strip(), (channel, name, locale)
        if channel == "EMAIL":
            assert preview["subject"] and f'<html lang="{locale}">' in preview["html"]
        else:
            assert preview["subject"] is None and preview["html"] is None
    german = {"c": "EMAIL", "n": "certificate", "l": "de"}
    shown = (await admin.data(PREVIEW, german))["notificationTemplatePreview"]
    assert shown["subject"] == "Dein Zertifikat für Python Basics ist fertig"

    draft = {"part": "SUBJECT", "body": "Zertifikat: {{ skill }} ({{ code }})"}
    drafted = await admin.data(PREVIEW, {**german, "d": draft})
    assert (
        drafted["notificationTemplatePreview"]["subject"] == "Zertifikat: Python Basics (7KQ2-M9XD)"
    )
    bad = {**german, "d": {"part": "HTML", "body": "{{ ''.__class__ }}"}}
    assert "not allowed" in refusal(await admin.execute(PREVIEW, bad))
    for field, variables in (
        ("locale", {**german, "l": "fr"}),
        ("name", {**german, "n": "no_such_message"}),
        ("channel", {**german, "c": "FAX"}),
    ):
        [error] = (await admin.execute(PREVIEW, variables))["errors"]
        assert error["extensions"] == {
            **error["extensions"],
            "code": "BAD_USER_INPUT",
            "field": field,
        }
    # Nothing was saved by previewing.
    [certificate] = await templates(
        admin, {"channel": "EMAIL", "name": "certificate", "locale": "de", "part": "SUBJECT"}
    )
    assert certificate["overridden"] is False


async def test_a_german_learner_gets_german_and_an_unknown_locale_english(
    notifications_stack: Stack, smtp: SmtpServer, gateway: Client, editor: Client
) -> None:
    skip_without_notifications(notifications_stack)
    german, other = await register(gateway, "Greta"), await register(gateway, "Paulo")
    as_german, as_other = (
        gateway.as_user(german["accessToken"]),
        gateway.as_user(other["accessToken"]),
    )
    assert (await as_german.data(LOCALE, {"l": "de-DE"}))["updatePreferences"]["locale"] == "de-DE"
    await as_other.data(LOCALE, {"l": "pt-BR"})  # no Portuguese templates: English
    await as_german.data(VERIFY_AGAIN)
    await as_other.data(VERIFY_AGAIN)

    verify = await verification_email(smtp, german, count=2)
    assert subject_of(verify) == "Bestätige deine E-Mail-Adresse"
    text = bodies(verify)["text/plain"]
    assert (
        text.startswith("Hallo Greta,") and f"dass {german['email']} deine E-Mail-Adresse" in text
    )
    english = await verification_email(smtp, other, count=2)
    assert subject_of(english) == "Verify your email address"
    assert bodies(english)["text/plain"].startswith("Hi Paulo,")

    # A notification email too: completing a skill, with the link that stops such emails.
    [skill] = await new_skills(editor, 1)
    await heard_of(notifications_stack, skill["id"])  # else the email names "a skill"
    await accepted_once_known(as_german, RECORD, {"s": skill["id"], "p": 100})
    # Two emails, in either order: the completed skill and the achievement it unlocked.
    completed = f"Du hast {skill['name']} abgeschlossen"
    achievement = "Erfolg freigeschaltet: First skill completed"
    by_subject = await smtp.mailbox.with_subjects(german["email"], [completed, achievement])
    done = by_subject[completed]
    text, html = bodies(done)["text/plain"], bodies(done)["text/html"]
    assert f"Gut gemacht: {skill['name']} ist abgeschlossen." in text
    assert "Diese E-Mails abbestellen (ein Klick): http" in text
    assert '<html lang="de">' in html and "Deinen Fortschritt ansehen" in html
    assert "unsubscribe" in str(done["List-Unsubscribe"]) and done["List-Unsubscribe-Post"]


async def heard_of(stack: Stack, skill_id: str) -> None:
    """Waits until notifications has the skill's event (its name for the email)."""
    redis = Redis.from_url(stack.stores["redis"])
    try:
        deadline = time.monotonic() + 20
        while not await redis.hexists(SKILLS_KEY, skill_id):
            assert time.monotonic() < deadline, "notifications never heard of the skill"
            await asyncio.sleep(0.1)
    finally:
        await redis.aclose()
