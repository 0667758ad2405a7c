"""A child process with its output in a log file: a subgraph or a gateway of a test stack."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

import httpx

from .servers import wait_until

REPO = Path(__file__).resolve().parents[2]


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Process:
    """A child process with its output in a log file; stop, kill, start again."""

    def __init__(
        self, name: str, command: list[str], env: Mapping[str, str], health_url: str, log_dir: Path
    ) -> None:
        self.name = name
        self.command = command
        self.env = {**os.environ, **env}
        self.health_url = health_url
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> Process:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(self._ready, timeout, self.name)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; log:\n{self.log_path.read_text()[-4000:]}") from exc
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}; log:\n"
                + self.log_path.read_text()[-4000:]
            )
        return _healthy(self.health_url)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
