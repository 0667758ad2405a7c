"""`scripts/dev.sh --reload`: editing a resolver restarts its subgraph, no manual restart.

Runs scripts/dev.py from a temporary copy of the repository (the edit must not
touch the checkout), with the notifications subgraph only and every port moved
by a free offset, edits a resolver in the copy and waits for the running
subgraph to answer with the new code.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from subgraphs.common.settings import SERVICE_PORTS

REPO = Path(__file__).resolve().parents[2]
RESOLVER = "subgraphs/notifications/schema.py"
ORIGINAL = "return info.context.deps.push.public_key or None"
EDITED = 'return "edited while running"'


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def free_offset() -> int:
    """An offset that frees every dev port (gateway, subgraphs, embedded Redis)."""
    for offset in range(21_000, 40_000, 137):
        ports = [4000, 6390, *SERVICE_PORTS.values()]
        if all(port_free(port + offset) for port in ports):
            return offset
    raise RuntimeError("no free port range")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The tracked files of the checkout, with its node_modules linked in."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    target = tmp_path / "repo"
    for name in filter(None, files):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    (target / "node_modules").symlink_to(REPO / "node_modules")
    return target


@pytest.fixture
def dev_stack(copy: Path) -> Iterator[tuple[Path, int, Path]]:
    offset = free_offset()
    log = copy / "dev.log"
    command = [sys.executable, "scripts/dev.py", "--reload", "--port-offset", str(offset)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "notifications"],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy), "SKILL_CIRCLE_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300
        while "is up" not in log.read_text():
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        yield copy, offset, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def web_push_public_key(port: int) -> object:
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql", json={"query": "{ webPushPublicKey }"}, timeout=5
    )
    return response.json()["data"]["webPushPublicKey"]


def test_an_edited_resolver_is_served_without_a_manual_restart(
    dev_stack: tuple[Path, int, Path],
) -> None:
    copy, offset, log = dev_stack
    port = SERVICE_PORTS["notifications"] + offset
    before = web_push_public_key(port)
    assert before != "edited while running"

    resolver = copy / RESOLVER
    source = resolver.read_text()
    assert ORIGINAL in source
    resolver.write_text(source.replace(ORIGINAL, EDITED))

    deadline, seen = time.monotonic() + 240, before
    while seen != "edited while running" and time.monotonic() < deadline:
        time.sleep(1)
        try:
            seen = web_push_public_key(port)
        except httpx.HTTPError:  # restarting
            continue
    assert seen == "edited while running", log.read_text()[-3000:]
    assert "reload: notifications" in log.read_text()
    # The checkout itself is untouched.
    assert ORIGINAL in (REPO / RESOLVER).read_text()
