"""The caller's bearer token never leaves `Viewer` through a repr or a log line."""

from __future__ import annotations

import logging

import pytest

from subgraphs.common.auth import Viewer

TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-claims.secret-signature"


def test_viewer_repr_and_str_leave_the_token_out() -> None:
    viewer = Viewer("user-1", frozenset({"EDITOR"}), token=TOKEN)
    assert viewer.token == TOKEN  # still there for the calls made on the caller's behalf
    for shown in (repr(viewer), str(viewer), f"{viewer}", repr([viewer])):
        assert "user-1" in shown
        assert TOKEN not in shown and "secret" not in shown


def test_a_logged_viewer_does_not_log_its_token(caplog: pytest.LogCaptureFixture) -> None:
    viewer = Viewer("user-2", token=TOKEN)
    with caplog.at_level(logging.INFO, logger="skill_circle.test"):
        logging.getLogger("skill_circle.test").info("caller %s / %r", viewer, viewer)
    assert "user-2" in caplog.text
    assert TOKEN not in caplog.text
