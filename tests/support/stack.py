"""The supergraph as processes: every implemented subgraph plus a gateway.

Subgraphs run exactly as in production (`python -m subgraphs.<name>`), on
free ports, against the throwaway stores; the gateway (Hive Gateway unless
told otherwise, see tests/support/gateways.py) serves the committed supergraph
with routing URLs rewritten to those ports. More gateways can be started in
front of the same subgraphs with `Stack.start_gateway`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .gateways import Gateway, start_gateway
from .process import REPO, Process
from .servers import free_port, port_open

NO_RESPONSE_CACHE = "SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS"
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


class Stack:
    def __init__(
        self,
        stores: Mapping[str, str],
        subgraphs: list[str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        gateway_env: Mapping[str, str] | None = None,
        gateway: str = "hive-gateway",
    ) -> None:
        """`stores`: redis url, and per subgraph its database url (`users_db`, ...).

        `extra_env` goes to every subgraph, `gateway_env` to the gateway; `gateway` is
        one of tests.support.gateways.GATEWAYS.
        """
        self.dir = Path(tempfile.mkdtemp(prefix="sc-stack-"))
        self.names = subgraphs or implemented_subgraphs()
        self.ports = {name: free_port() for name in self.names}
        self.gateway_port = free_port()
        self.stores = stores
        self.extra_env = dict(extra_env or {})
        self.gateway_env = dict(gateway_env or {})
        self.subgraphs: dict[str, Process] = {}
        self.gateway_kind = gateway
        self.gateway: Gateway | None = None
        self.extra_gateways: list[Gateway] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.gateway_port}/graphql"

    def subgraph_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/graphql"

    def routing_urls(self) -> dict[str, str]:
        """Every subgraph of the supergraph; those not started here are unreachable on purpose."""
        names = yaml.safe_load((REPO / "router/supergraph.yaml").read_text())["subgraphs"]
        return {
            name: self.subgraph_url(name) if name in self.ports else "http://127.0.0.1:9/graphql"
            for name in names
        }

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
            "SKILL_CIRCLE_DOCUMENTS_URL": (
                f"http://127.0.0.1:{self.ports.get('visualization', 4005)}"
            ),
            "SKILL_CIRCLE_LOG_LEVEL": "WARNING",
            # The harness is a trusted proxy in front of the gateway (both on
            # 127.0.0.1): each test client names its own simulated address in
            # X-Forwarded-For (tests.support.client), so per-address limits apply
            # per client as in production. Other loopback addresses are clients.
            "SKILL_CIRCLE_TRUSTED_PROXIES": "127.0.0.1/32",
            # users asks a silent subgraph again after this (an account deletion's step).
            "SKILL_CIRCLE_DELETION_RETRY_SECONDS": "3",
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
        self.gateway = self.start_gateway(self.gateway_kind, port=self.gateway_port)
        return self

    def start_gateway(self, kind: str, *, port: int | None = None, **options: Any) -> Gateway:
        """`kind` in front of this stack's subgraphs (stopped with the stack). Tests read
        their own writes at once, so Hive Gateway's anonymous response cache is off unless
        `env` turns it on (SKILL_CIRCLE_RESPONSE_CACHE_TTL_MS)."""
        env = {NO_RESPONSE_CACHE: "0", **self.gateway_env, **options.pop("env", {})}
        gateway = start_gateway(
            kind, self.write_supergraph(), self.routing_urls(), self.dir, port=port, env=env,
            **options,
        )  # fmt: skip
        if port != self.gateway_port:
            self.extra_gateways.append(gateway)
        return gateway

    def gateway_of(self, kind: str) -> Gateway:
        """The running gateway of `kind` in front of this stack, started on first use."""
        for gateway in self.gateways():
            if gateway.kind == kind:
                return gateway
        return self.start_gateway(kind)

    def write_supergraph(self) -> Path:
        """The committed supergraph, routed to this stack's ports."""
        sdl = (REPO / "schema/supergraph.graphql").read_text()
        urls = self.routing_urls()

        def route(match: re.Match[str]) -> str:
            return f'name: "{match.group(1)}", url: "{urls[match.group(1)]}"'

        path = self.dir / "supergraph.graphql"
        text = re.sub(r'name: "(\w+)", url: "[^"]+"', route, sdl)
        if path.exists() and path.read_text() == text:
            return path
        # Atomically: a running Hive Gateway watches this file, and a reload that read it
        # half-written took the gateway down (every later test of the session then failed).
        written = path.with_suffix(".tmp")
        written.write_text(text)
        os.replace(written, path)
        return path

    def gateways(self) -> list[Gateway]:
        return [*([self.gateway] if self.gateway else []), *self.extra_gateways]

    def stop(self) -> None:
        for gateway in reversed(self.gateways()):
            gateway.stop()
        for process in self.subgraphs.values():
            process.stop()
        if os.environ.get("SKILL_CIRCLE_KEEP_TEST_LOGS"):
            print(f"stack logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.log_path.read_text()[-3000:]}"
            for p in [*self.subgraphs.values(), *(g.process for g in self.gateways())]
            if p.log_path.exists()
        )


__all__ = ["REPO", "Process", "Stack", "implemented_subgraphs", "port_open"]
