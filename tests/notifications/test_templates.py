"""Message templates: the repository defaults in English and German, admins' edits
(checked, sandboxed, versioned, seen by every replica) and reverts, against real Redis
and a real SMTP server in this process."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput
from subgraphs.notifications.domain import Notification, PushSubscription, Recipient
from subgraphs.notifications.message_templates.catalogue import (
    LOCALES,
    NAMES,
    SAMPLE_UNSUBSCRIBE,
    TemplateKey,
    all_keys,
    needs_unsubscribe_link,
)
from subgraphs.notifications.message_templates.checks import TemplateChecks
from subgraphs.notifications.message_templates.rendering import MessageRenderer
from subgraphs.notifications.message_templates.store import TemplateStore
from tests.support.mail import SmtpServer, bodies, subject_of

from .test_inbox import event, handle, registered

ADMIN = Viewer("admin-templates", roles=frozenset({"ADMIN"}))
VERIFY_SUBJECT = TemplateKey("EMAIL", "verify_email", "en", "SUBJECT")
CERTIFICATE_TEXT = TemplateKey("EMAIL", "certificate", "en", "TEXT")


def certificate(user_id: str, skill_id: str = "s-1", code: str = "CODE-1") -> Any:
    return event(
        "certificate.issued",
        {
            "userId": user_id,
            "skillId": skill_id,
            "certificateId": f"cert-{code}",
            "verificationCode": code,
        },
    )


def test_every_message_renders_in_every_locale_and_stoppable_emails_carry_their_link() -> None:
    checks = TemplateChecks(MessageRenderer())
    for channel, names in NAMES.items():
        for name in names:
            english = checks.preview(channel, name, "en")
            german = checks.preview(channel, name, "de")
            assert english.text.strip() and german.text.strip(), (channel, name)
            if channel == "EMAIL":
                assert german.subject and german.html, name
                assert '<html lang="de">' in german.html, name
                assert german.text != english.text, f"{name}: no German text"
    stoppable = [k for k in all_keys() if needs_unsubscribe_link(k)]
    assert {k.locale for k in stoppable} == set(LOCALES)
    for key in stoppable:
        rendered = checks.preview("EMAIL", key.name, key.locale)
        body = rendered.text if key.part == "TEXT" else rendered.html
        assert body is not None and SAMPLE_UNSUBSCRIBE in body, key


async def test_the_users_locale_picks_the_language_and_an_unknown_one_gets_english(
    make_harness: Any, smtp: SmtpServer
) -> None:
    h = await make_harness(smtp_host=smtp.host, smtp_port=smtp.port)
    h.start_worker()
    await handle(h, event("skill.created", {"skillId": "s-1", "name": "Rust", "slug": "rust"}))
    for user_id, locale in (("u-de", "de"), ("u-at", "de-AT"), ("u-pt", "pt-BR")):
        await handle(h, registered(user_id, f"{user_id}@example.com", locale=locale))
        await handle(h, certificate(user_id, code=f"C-{user_id}"))

    for user_id in ("u-de", "u-at"):
        verify, issued = sorted(
            await smtp.mailbox.wait_for(f"{user_id}@example.com", count=2),
            key=subject_of,
        )
        assert subject_of(verify) == "Bestätige deine E-Mail-Adresse"
        assert "Bitte bestätige" in bodies(verify)["text/plain"]
        assert subject_of(issued) == "Dein Zertifikat für Rust ist fertig"
        text, html = bodies(issued)["text/plain"], bodies(issued)["text/html"]
        assert f"Sein Prüfcode lautet C-{user_id}." in text
        assert "Diese E-Mails abbestellen (ein Klick): http" in text
        assert '<html lang="de">' in html and "Diese E-Mails abbestellen</a>" in html
        assert issued["List-Unsubscribe"] and issued["List-Unsubscribe-Post"]

    english = await smtp.mailbox.wait_for("u-pt@example.com", count=2)
    subjects = sorted(subject_of(m) for m in english)
    assert subjects == ["Verify your email address", "Your certificate for Rust is ready"]
    issued = next(m for m in english if m["Subject"].startswith("Your certificate"))
    assert "Stop these emails (one click): http" in bodies(issued)["text/plain"]
    assert '<html lang="en">' in bodies(issued)["text/html"]


async def test_an_edit_reaches_every_replica_and_reverts_restore_any_version(
    make_harness: Any,
) -> None:
    h = await make_harness()
    replica = MessageRenderer(TemplateStore(h.platform.redis))  # another process's renderer
    admin = h.deps.templates
    edited = await admin.update(ADMIN, VERIFY_SUBJECT, "Confirm it is you, {{ display_name }}")
    assert (edited.version, edited.overridden) == (1, True)
    assert edited.default_body.strip() == "Verify your email address"

    for renderer in (h.deps.notifier.renderer, replica):
        await renderer.refresh()
        assert (
            renderer.email("verify_email", display_name="Ada").subject == "Confirm it is you, Ada"
        )
        assert renderer.email("verify_email", locale="de").subject == (
            "Bestätige deine E-Mail-Adresse"  # the German template is its own
        )

    back = await admin.revert(ADMIN, VERIFY_SUBJECT, 0)
    assert (back.version, back.overridden, back.body) == (2, False, back.default_body)
    await replica.refresh()
    assert replica.email("verify_email").subject == "Verify your email address"

    again = await admin.revert(ADMIN, VERIFY_SUBJECT, 1)
    assert (again.version, again.overridden) == (3, True)
    assert [(v.version, v.reverted_to) for v in again.history] == [(3, 1), (2, 0), (1, None)]
    assert [v.body for v in again.history] == [edited.body, None, edited.body]
    assert {v.edited_by for v in again.history} == {ADMIN.user_id}
    await replica.refresh()
    assert replica.email("verify_email", display_name="Bo").subject == "Confirm it is you, Bo"

    listed = await admin.templates("EMAIL", "verify_email", "en")
    assert [s.key.part for s in listed] == ["SUBJECT", "TEXT", "HTML"]
    assert [s.overridden for s in listed] == [True, False, False]
    listed_all = await admin.templates(None, None, None)
    assert len(listed_all) == len(all_keys())
    [subject] = [s for s in listed_all if s.key == VERIFY_SUBJECT]
    assert (subject.version, subject.overridden) == (3, True)


REFUSED = [
    (VERIFY_SUBJECT, "{% if %}", "does not parse: line 1"),
    (VERIFY_SUBJECT, "Hello {{ password }}", "unknown variables: password"),
    (VERIFY_SUBJECT, "{{ ''.__class__.__mro__ }}", "not allowed"),
    (VERIFY_SUBJECT, "{{ lipsum.__globals__['os'] }}", "not allowed"),
    (VERIFY_SUBJECT, "{{ cycler.__init__.__globals__ }}", "not allowed"),
    (VERIFY_SUBJECT, "{{ 'x' * 100000000 }}", "too large"),
    (VERIFY_SUBJECT, "{{ 9 ** 999999 }}", "too large"),
    (VERIFY_SUBJECT, "x" * 20_001, "at most 20000"),
    (VERIFY_SUBJECT, '{% include "email/secrets.txt" %}', "unknown template"),
    (VERIFY_SUBJECT, "{{ title.nope }}", "does not render with sample data"),
    (CERTIFICATE_TEXT, "{{ body }}", "must keep the unsubscribe link"),
    (
        TemplateKey("EMAIL", "base", "de", "HTML"),
        "{% block content %}{% endblock %}",
        "with it, email/notification.html must keep the unsubscribe link",
    ),
]


@pytest.mark.parametrize(("key", "body", "problem"), REFUSED)
async def test_a_refused_edit_names_its_problem_and_changes_nothing(
    make_harness: Any, key: TemplateKey, body: str, problem: str
) -> None:
    h = await make_harness()
    before = await TemplateStore(h.platform.redis).generation()
    with pytest.raises(BadUserInput) as refused:
        await h.deps.templates.update(ADMIN, key, body)
    assert refused.value.extensions["field"] == "body"
    assert problem in refused.value.message, refused.value.message
    assert await TemplateStore(h.platform.redis).generation() == before
    [state] = [s for s in await h.deps.templates.templates(None, None, None) if s.key == key]
    assert (state.overridden, state.version, state.history) == (False, 0, [])
    with pytest.raises(BadUserInput):  # nor does a preview of it render
        await h.deps.templates.preview(key.channel, key.name, key.locale, (key.part, body))


@pytest.mark.parametrize(
    ("key", "field"),
    [
        (TemplateKey("FAX", "notification", "en", "TEXT"), "channel"),
        (TemplateKey("EMAIL", "no_such", "en", "TEXT"), "name"),
        (TemplateKey("EMAIL", "certificate", "fr", "TEXT"), "locale"),
        (TemplateKey("SMS", "certificate", "en", "HTML"), "part"),
        (TemplateKey("EMAIL", "base", "en", "SUBJECT"), "part"),
    ],
)
async def test_an_unknown_template_is_refused_by_its_field(
    make_harness: Any, key: TemplateKey, field: str
) -> None:
    h = await make_harness()
    with pytest.raises(BadUserInput) as refused:
        await h.deps.templates.update(ADMIN, key, "Hello")
    assert refused.value.extensions["field"] == field


async def test_a_revert_to_a_version_that_never_was_is_refused(make_harness: Any) -> None:
    h = await make_harness()
    with pytest.raises(BadUserInput) as refused:
        await h.deps.templates.revert(ADMIN, VERIFY_SUBJECT, 4)
    assert refused.value.extensions["field"] == "version"
    assert "0 (no edits yet)" in refused.value.message


async def test_html_stays_escaped_in_an_edited_template(make_harness: Any) -> None:
    h = await make_harness()
    key = TemplateKey("EMAIL", "announcement", "en", "HTML")
    body = '{% extends "email/base.html" %}{% block content %}<h1>{{ title }}</h1>{% endblock %}'
    await h.deps.templates.update(ADMIN, key, body)
    renderer = h.deps.notifier.renderer
    await renderer.refresh()
    html = renderer.email("announcement", title="<img src=x onerror=alert(1)>").html
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in html


async def test_a_saved_template_that_fails_on_real_data_sends_the_default(
    make_harness: Any, smtp: SmtpServer
) -> None:
    h = await make_harness(smtp_host=smtp.host, smtp_port=smtp.port)
    h.start_worker()
    # Passes with the sample skill name (13 characters), divides by zero for "Java".
    key = TemplateKey("EMAIL", "certificate", "en", "SUBJECT")
    await h.deps.templates.update(ADMIN, key, "{{ 1 // (skill|length - 4) }} {{ skill }}")
    await handle(h, event("skill.created", {"skillId": "s-1", "name": "Java", "slug": "java"}))
    await handle(h, registered("u-java", "java@example.com"))
    await handle(h, certificate("u-java"))
    messages = await smtp.mailbox.wait_for("java@example.com", count=2)
    assert "Your certificate for Java is ready" in [subject_of(m) for m in messages]


async def test_every_channel_is_worded_in_the_recipients_locale(make_harness: Any) -> None:
    h = await make_harness(sms_webhook_url="http://127.0.0.1:9/sms")  # SMS on; nothing sent
    issued = Notification(
        id="n-1",
        user_id="u-1",
        kind="CERTIFICATE",
        title="Your certificate for Rust is ready",
        body="You earned a certificate for Rust. Its verification code is C-1.",
        link="https://skillcircle.test/certificates/C-1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        params={"skill": "Rust", "code": "C-1"},
    )
    recipient = Recipient(
        "u-1",
        email="u-1@example.com",
        locale="de",
        sms_notifications=True,
        phone_number="+4915112345678",
        phone_verified=True,
        push_subscriptions=(PushSubscription("https://push.example/1", "key", "auth"),),
    )
    sent = {d.channel: d for d in h.deps.notifier.deliveries(issued, recipient)}
    assert sent["EMAIL"].subject == "Dein Zertifikat für Rust ist fertig"
    assert sent["EMAIL"].unsubscribe and sent["EMAIL"].unsubscribe in sent["EMAIL"].text
    assert sent["SMS"].text == (
        "Skill Circle: Dein Zertifikat für Rust ist fertig. "
        "https://skillcircle.test/certificates/C-1"
    )
    assert sent["PUSH"].subject == "Dein Zertifikat für Rust ist fertig"
    assert sent["PUSH"].text == "Du hast ein Zertifikat für Rust erworben. Tippe, um es anzusehen."
    english = {d.channel: d for d in h.deps.notifier.deliveries(issued, Recipient(
        "u-1", email="u-1@example.com", locale="xx", push_subscriptions=recipient.push_subscriptions
    ))}  # fmt: skip
    assert english["EMAIL"].subject == english["PUSH"].subject == issued.title
