"""The subgraph on its embedded defaults (in-process Redis stand-in, outbox instead of SMTP)."""

from __future__ import annotations

import email
import time
from pathlib import Path

from fastapi.testclient import TestClient

from subgraphs.common.events.contracts import Preferences, UserRegistered
from subgraphs.common.sealed import seal
from subgraphs.common.settings import DEV_MAIL_LINK_KEY
from subgraphs.notifications.app import create_app
from subgraphs.notifications.settings import NotificationSettings
from tests.support.mail import bodies


def test_it_runs_on_embedded_defaults_and_consumes_events(tmp_path: Path) -> None:
    settings = NotificationSettings(environment="development", data_dir=tmp_path, redis_url="")
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/ready").json()["status"] == "ready"
        body = client.post("/graphql", json={"query": "{ webPushPublicKey }"}).json()
        assert len(body["data"]["webPushPublicKey"]) == 87  # a P-256 point, base64url

        platform, deps = app.state.platform, app.state.deps
        registered = UserRegistered(
            user_id="embedded-user",
            email="embedded@example.com",
            display_name="Em",
            email_verified=False,
            roles=["LEARNER"],
            preferences=Preferences(
                locale="en",
                timezone="UTC",
                email_notifications=True,
                sms_notifications=False,
                push_notifications=False,
            ),
            sealed_link=seal(DEV_MAIL_LINK_KEY, "http://localhost:4000/verify-email?token=abc"),
        )
        client.portal.call(platform.events.publish, registered)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            counts = client.portal.call(deps.store.unread_counts, ["embedded-user"])
            if counts["embedded-user"] and list((tmp_path / "outbox").glob("*.eml")):
                break
            time.sleep(0.05)
        assert counts["embedded-user"] == 1
        saved = email.message_from_bytes(next((tmp_path / "outbox").glob("*.eml")).read_bytes())
        assert "verify-email?token=abc" in bodies(saved)["text/plain"]
