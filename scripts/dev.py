"""Run every implemented subgraph and the gateway on embedded defaults; Ctrl-C stops all.

No database server is needed: SQL subgraphs use SQLite files under .data/,
MongoDB subgraphs an in-process stand-in, and one embedded Redis (fakeredis
speaking the Redis protocol on a local port) carries events and live
subscriptions between the subgraph processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import yaml
from fakeredis import TcpFakeServer

from subgraphs.common.settings import DEV_ADMIN_PASSWORD, SERVICE_PORTS

REPO = Path(__file__).resolve().parents[1]
REDIS_PORT = int(os.environ.get("SKILL_CIRCLE_DEV_REDIS_PORT", "6390"))


def wait_healthy(
    name: str, url: str, process: subprocess.Popen[bytes], timeout: float = 90
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


def main() -> None:
    names = list(yaml.safe_load((REPO / "router/supergraph.yaml").read_text())["subgraphs"])
    redis = TcpFakeServer(("127.0.0.1", REDIS_PORT), server_type="redis")
    threading.Thread(target=redis.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "SKILL_CIRCLE_ENVIRONMENT": "development",
        "SKILL_CIRCLE_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "SKILL_CIRCLE_DATA_DIR": str(REPO / ".data"),
    }
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        redis.shutdown()
        print("\nSkill Circle stopped.")
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    for name in sorted(names, key=lambda n: n != "users"):  # users first: it serves the JWKS
        child = subprocess.Popen(
            [sys.executable, "-m", f"subgraphs.{name}"],
            cwd=REPO,
            env={**env, "SKILL_CIRCLE_SERVICE": name},
        )
        children.append(child)
        wait_healthy(name, f"http://127.0.0.1:{SERVICE_PORTS[name]}/health", child)
    gateway = subprocess.Popen(
        [
            str(REPO / "node_modules/.bin/hive-gateway"),
            "supergraph",
            "--config-path",
            str(REPO / "router/gateway.config.ts"),
        ],
        cwd=REPO,
        env=env,
    )
    children.append(gateway)
    wait_healthy("gateway", "http://127.0.0.1:4000/healthcheck", gateway)
    print(
        "\n  Skill Circle is up.\n"
        "  GraphQL + GraphiQL:  http://localhost:4000/graphql\n"
        + "".join(f"  {n:<14} http://localhost:{SERVICE_PORTS[n]}/graphql\n" for n in names)
        + f"  Admin login:        {env.get('SKILL_CIRCLE_ADMIN_EMAIL', 'admin@skillcircle.local')}"
        f" / {env.get('SKILL_CIRCLE_ADMIN_PASSWORD', DEV_ADMIN_PASSWORD)}\n"
        "  Data:               .data/ (delete it to start afresh)\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"a process exited with code {child.returncode}; stopping", flush=True)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
