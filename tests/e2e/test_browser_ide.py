"""The gateway's in-browser IDE, in headless Chromium, with no outside network."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.stack import REPO, Stack


def test_the_ide_runs_a_mutation_and_shows_the_result(stack: Stack, tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists() and not shutil.which("chromium"):
        pytest.fail("chromium is missing: scripts/test.sh installs Debian's chromium package")
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    result = subprocess.run(
        [
            "node",
            str(REPO / "tests/e2e/browser_ide.mjs"),
            stack.url,
            email,
            str(tmp_path / "ide.png"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert '"Browser Tester"' in seen["response"]
    assert '"LEARNER"' in seen["response"]
    assert seen["outside"] == []  # the IDE needs nothing from the internet
    assert (tmp_path / "ide.png").stat().st_size > 10_000
