"""The supergraph as processes: every implemented subgraph plus Hive Gateway.

Subgraphs run exactly as in production (`python -m subgraphs.<name>`), on
free ports, against the throwaway stores; the gateway serves the committed
supergraph with routing URLs rewritten to those ports.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from .servers import free_port, port_open, wait_until

REPO = Path(__file__).resolve().parents[2]
SQL_SUBGRAPHS = ("users", "learning")
MONGO_SUBGRAPHS = ("skills", "content")


def implemented_subgraphs() -> list[str]:
    """The subgraphs in router/supergraph.yaml (SKILL_CIRCLE_TEST_SUBGRAPHS narrows them)."""
    config = yaml.safe_load((REPO / "router/supergraph.yaml").read_text())
    names = list(config["subgraphs"])
    wanted = os.environ.get("SKILL_CIRCLE_TEST_SUBGRAPHS")
    if wanted:
        names = [n for n in names if n in wanted.split(",")]
    return names


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


class Stack:
    def __init__(
        self,
        stores: Mapping[str, str],
        subgraphs: list[str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        gateway_env: Mapping[str, str] | None = None,
    ) -> None:
        """`stores`: redis url, and per subgraph its database url (`users_db`, ...).

        `extra_env` goes to every subgraph, `gateway_env` to the gateway.
        """
        self.dir = Path(tempfile.mkdtemp(prefix="sc-stack-"))
        self.names = subgraphs or implemented_subgraphs()
        self.ports = {name: free_port() for name in self.names}
        self.gateway_port = free_port()
        self.stores = stores
        self.extra_env = dict(extra_env or {})
        self.gateway_env = dict(gateway_env or {})
        self.subgraphs: dict[str, Process] = {}
        self.gateway: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.gateway_port}/graphql"

    def subgraph_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/graphql"

    def subgraph_env(self, name: str, port: int | None = None) -> dict[str, str]:
        env = {
            "SKILL_CIRCLE_SERVICE": name,
            "SKILL_CIRCLE_ENVIRONMENT": "test",
            "SKILL_CIRCLE_PORT": str(port or self.ports[name]),
            "SKILL_CIRCLE_DATA_DIR": str(self.dir / "data"),
            "SKILL_CIRCLE_REDIS_URL": self.stores["redis"],
            "SKILL_CIRCLE_JWKS_URL": (
                f"http://127.0.0.1:{self.ports.get('users', 4001)}/.well-known/jwks.json"
            ),
            "SKILL_CIRCLE_GATEWAY_URL": self.url,
            "SKILL_CIRCLE_PUBLIC_URL": "http://localhost:4000",
            "SKILL_CIRCLE_LOG_LEVEL": "WARNING",
            # Every test client reaches the users subgraph from 127.0.0.1; the
            # per-address limit has its own test (tests/users/test_rate_limits.py).
            "SKILL_CIRCLE_LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
        }
        if name in SQL_SUBGRAPHS:
            env["SKILL_CIRCLE_DATABASE_URL"] = self.stores[f"{name}_db"]
        if name in MONGO_SUBGRAPHS:
            env["SKILL_CIRCLE_MONGODB_URL"] = self.stores[f"{name}_db"]
        env.update(self.extra_env)
        return env

    def subgraph_process(
        self, name: str, port: int | None = None, label: str | None = None
    ) -> Process:
        port = port or self.ports[name]
        return Process(
            label or name,
            [sys.executable, "-m", f"subgraphs.{name}"],
            self.subgraph_env(name, port),
            f"http://127.0.0.1:{port}/health",
            self.dir,
        )

    @contextmanager
    def started(self) -> Iterator[Stack]:
        """Started for the block, stopped after; its logs are printed if it fails to start."""
        try:
            self.start()
        except Exception:
            print(self.logs())
            self.stop()
            raise
        try:
            yield self
        finally:
            self.stop()

    def start(self) -> Stack:
        # users first: the others fetch its JWKS.
        for name in sorted(self.names, key=lambda n: n != "users"):
            self.subgraphs[name] = self.subgraph_process(name).start()
        self.gateway = self.gateway_process(self.gateway_port).start(timeout=90)
        return self

    def gateway_process(
        self, port: int, env: Mapping[str, str] | None = None, label: str = "gateway"
    ) -> Process:
        """A Hive Gateway in front of this stack's subgraphs (`env` over `gateway_env`).
        Tests read their own writes at once, so the anonymous response cache is off unless
        `env` turns it on."""
        return Process(
            label,
            [
                str(REPO / "node_modules/.bin/hive-gateway"),
                "supergraph",
                "--config-path",
                str(REPO / "router/gateway.config.ts"),
            ],
            {
                "SKILL_CIRCLE_SUPERGRAPH": str(self.write_supergraph()),
                "SKILL_CIRCLE_GATEWAY_PORT": str(port),
                "SKILL_CIRCLE_GATEWAY_DEDUPE": "false",
                "SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS": "0",
                "NODE_ENV": "production",
                **self.gateway_env,
                **(env or {}),
            },
            f"http://127.0.0.1:{port}/healthcheck",
            self.dir,
        )

    def write_supergraph(self) -> Path:
        """The committed supergraph, routed to this stack's ports."""
        sdl = (REPO / "schema/supergraph.graphql").read_text()

        def route(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.ports:  # not started in this stack: unreachable on purpose
                return f'name: "{name}", url: "http://127.0.0.1:9/graphql"'
            return f'name: "{name}", url: "{self.subgraph_url(name)}"'

        path = self.dir / "supergraph.graphql"
        path.write_text(re.sub(r'name: "(\w+)", url: "[^"]+"', route, sdl))
        return path

    def stop(self) -> None:
        if self.gateway:
            self.gateway.stop()
        for process in self.subgraphs.values():
            process.stop()
        if os.environ.get("SKILL_CIRCLE_KEEP_TEST_LOGS"):
            print(f"stack logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.log_path.read_text()[-3000:]}"
            for p in [*self.subgraphs.values(), *([self.gateway] if self.gateway else [])]
            if p.log_path.exists()
        )


__all__ = ["Process", "Stack", "implemented_subgraphs", "port_open"]
