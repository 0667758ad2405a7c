"""The gateway's in-browser IDE, in headless Chromium, with no outside network."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.stack import REPO, Stack

FIRST_SESSION = [
    "1. Register",
    "2. Log in",
    "3. Learner dashboard",
    "4. Catalog page",
    "5. Record progress",
    "6. Live: my progress",
    "7. Live: my notifications",
]


def require_chromium() -> None:
    if not Path("/usr/bin/chromium").exists() and not shutil.which("chromium"):
        pytest.fail("chromium is missing: scripts/test.sh installs Debian's chromium package")


def browse(*args: str) -> dict[str, object]:
    result = subprocess.run(
        ["node", str(REPO / "tests/e2e/browser_ide.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_the_ide_runs_a_mutation_and_shows_the_result(stack: Stack, tmp_path: Path) -> None:
    require_chromium()
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    seen = browse(stack.url, email, str(tmp_path / "ide.png"))
    assert '"Browser Tester"' in str(seen["response"])
    assert '"LEARNER"' in str(seen["response"])
    assert seen["outside"] == []  # the IDE needs nothing from the internet
    assert (tmp_path / "ide.png").stat().st_size > 10_000


def test_in_development_the_ide_opens_on_the_first_session_collection(
    stack: Stack, tmp_path: Path
) -> None:
    require_chromium()
    # The stack's own gateway runs outside development: no collection there.
    production = browse("--collection", stack.url, str(tmp_path / "plain.png"))
    assert production["collections"] == [] and production["operations"] == []

    development = stack.start_gateway(
        "hive-gateway", env={"SKILL_CIRCLE_ENVIRONMENT": "development"}
    )
    try:
        seen = browse("--collection", development.url, str(tmp_path / "collection.png"))
    finally:
        development.stop()
    assert seen["collections"] == ["Skill Circle: first session"]
    assert seen["operations"] == FIRST_SESSION
    # "1. Register" runs as shipped, straight from the collection.
    response = json.loads(str(seen["response"]))
    assert "errors" not in response, response
    assert response["data"]["register"]["user"]["displayName"] == "Ada"
    assert response["data"]["register"]["accessToken"]
    assert seen["outside"] == []
