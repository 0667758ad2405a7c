"""Every gateway the project ships, as a process in front of a stack's subgraphs.

One interface for all of them: `start_gateway(kind, supergraph, subgraph_urls, log_dir)`
runs the committed configuration of that gateway (router/gateway.config.ts,
router/hive-router.yaml, router/router.yaml) on free ports and returns a `Gateway`
with its GraphQL, websocket, health and metrics URLs. Only what differs between a
laptop and a cluster is set from outside: listen ports, the supergraph file and the
subgraph URLs, through the same environment variables compose and the chart use.

The Rust routers are built by tests/infra/build-tools.sh into the tool cache, at the
versions compose.yaml pins (`cargo install --root <cache>/cargo/<crate>-<version>`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .process import REPO, Process
from .servers import free_port

CACHE = Path(os.environ.get("SKILL_CIRCLE_CACHE_DIR", Path.home() / ".cache/skill-circle"))

# Every gateway the project ships; the journeys run through each of them.
GATEWAYS = ("hive-gateway", "hive-router", "apollo-router")
# Hive Gateway with Hive's Rust query planner (@graphql-hive/router-runtime): measured only.
HIVE_GATEWAY_RUST_PLANNER = "hive-gateway-rust-planner"

APOLLO_UNLICENSED = (
    "Apollo Router serves subscriptions only with a GraphOS licence "
    "(router/router.licensed.yaml), and then over multipart HTTP only"
)
# Subscription transports each gateway serves to clients, as shipped (no licence).
# A transport missing here is skipped by name in the journeys, with this reason.
SUBSCRIPTION_TRANSPORTS: dict[str, dict[str, str | None]] = {
    "hive-gateway": {
        "websocket": None,
        "sse": None,
        "multipart": "Hive Gateway refuses multipart subscriptions (HTTP 406)",
    },
    "hive-router": {"websocket": None, "sse": None, "multipart": None},
    "apollo-router": {
        "websocket": APOLLO_UNLICENSED,
        "sse": APOLLO_UNLICENSED,
        "multipart": APOLLO_UNLICENSED,
    },
}


def pinned_versions() -> dict[str, str]:
    """Rust router versions, from the image tags compose.yaml pins (one source of truth)."""
    text = (REPO / "compose.yaml").read_text()
    apollo = re.search(r"ghcr\.io/apollographql/router:v([\d.]+)", text)
    hive = re.search(r"ghcr\.io/graphql-hive/router:([\d.]+)", text)
    assert apollo and hive, "compose.yaml pins no Apollo Router / Hive Router image"
    return {"apollo-router": apollo.group(1), "hive-router": hive.group(1)}


def router_missing(kind: str) -> str | None:
    """Why `kind` cannot run here (its cargo-built binary is absent), or None."""
    if kind not in ("apollo-router", "hive-router"):
        return None
    try:
        router_binary(kind)
    except FileNotFoundError as exc:
        return f"{exc} (built unless SKILL_CIRCLE_BUILD_ROUTERS=0)"
    return None


def router_binary(kind: str) -> Path:
    """The cargo-built binary of a Rust router; fails clearly when it was not built."""
    crate, binary = {"apollo-router": ("apollo-router", "router"),
                     "hive-router": ("hive-router", "hive_router")}[kind]  # fmt: skip
    version = pinned_versions()[kind]
    path = CACHE / "cargo" / f"{crate}-{version}" / "bin" / binary
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: run tests/infra/build-tools.sh (builds {crate} {version} with cargo)"
        )
    return path


@dataclass
class Gateway:
    """A running gateway: where it answers and the process behind it."""

    kind: str
    process: Process
    port: int
    health_url: str
    metrics_url: str
    config: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def unsupported(self, transport: str) -> str | None:
        """Why this gateway does not serve subscriptions over `transport` (None: it does)."""
        return SUBSCRIPTION_TRANSPORTS.get(self.kind, {}).get(transport)

    def skip_unless_serves(self, transport: str) -> None:
        """Skips a subscription step, by name and with the reason, where it cannot be served."""
        reason = self.unsupported(transport)
        if reason:
            pytest.skip(f"{transport} subscriptions through {self.kind}: {reason}")

    def stop(self) -> None:
        self.process.stop()


def deep_merge(base: Any, overlay: Any) -> Any:
    """yq's `*` (and Helm's mergeOverwrite): maps merge recursively, the rest is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return overlay


def subgraph_url_env(subgraph_urls: Mapping[str, str]) -> dict[str, str]:
    """SKILL_CIRCLE_<NAME>_URL: what every gateway config reads to reach the subgraphs."""
    return {f"SKILL_CIRCLE_{name.upper()}_URL": url for name, url in subgraph_urls.items()}


def start_gateway(
    kind: str,
    supergraph: Path,
    subgraph_urls: Mapping[str, str],
    log_dir: Path,
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    dedupe: bool = False,
) -> Gateway:
    """Starts `kind` on `port` (a free one by default) and waits until it is healthy.

    `dedupe`: merge identical in-flight subgraph requests (each gateway's own
    switch); off by default so tests and benchmarks see every request.
    `overrides` are deep-merged over a Rust router's committed YAML config.
    """
    port = port or free_port()
    builders = {
        "hive-gateway": _hive_gateway,
        HIVE_GATEWAY_RUST_PLANNER: _hive_gateway,
        "hive-router": _hive_router,
        "apollo-router": _apollo_router,
    }
    gateway = builders[kind](kind, port, supergraph, log_dir, dict(overrides or {}), dedupe)
    gateway.process.env.update(subgraph_url_env(subgraph_urls))
    gateway.process.env.update(env or {})
    gateway.process.start(timeout=180)  # a loaded 2-core machine may need that long
    return gateway


def _hive_gateway(
    kind: str, port: int, supergraph: Path, log_dir: Path, _: dict[str, Any], dedupe: bool
) -> Gateway:
    env = {
        "SKILL_CIRCLE_SUPERGRAPH": str(supergraph),
        "SKILL_CIRCLE_GATEWAY_PORT": str(port),
        "SKILL_CIRCLE_GATEWAY_DEDUPE": str(dedupe).lower(),
        "NODE_ENV": "production",
    }
    if kind == HIVE_GATEWAY_RUST_PLANNER:
        env["SKILL_CIRCLE_GATEWAY_QUERY_PLANNER"] = "rust"
    command = [
        str(REPO / "node_modules/.bin/hive-gateway"),
        "supergraph",
        "--config-path",
        str(REPO / "router/gateway.config.ts"),
    ]
    base = f"http://127.0.0.1:{port}"
    process = Process(kind, command, env, f"{base}/healthcheck", log_dir)
    return Gateway(kind, process, port, f"{base}/healthcheck", f"{base}/metrics")


def _hive_router(
    kind: str,
    port: int,
    supergraph: Path,
    log_dir: Path,
    overrides: dict[str, Any],
    dedupe: bool,
) -> Gateway:
    config = REPO / "router/hive-router.yaml"
    overrides = deep_merge({"traffic_shaping": {"all": {"dedupe_enabled": dedupe}}}, overrides)
    written = log_dir / f"{kind}-{port}.yaml"
    written.write_text(yaml.safe_dump(deep_merge(yaml.safe_load(config.read_text()), overrides)))
    env = {
        # No command-line flags: the router reads its settings from these.
        "ROUTER_CONFIG_FILE_PATH": str(written),
        "SUPERGRAPH_FILE_PATH": str(supergraph),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ROUTER_HTTP_WORKERS": os.environ.get("SKILL_CIRCLE_HIVE_ROUTER_WORKERS", "2"),
        "LOG_LEVEL": "warn",
    }
    base = f"http://127.0.0.1:{port}"
    process = Process(kind, [str(router_binary(kind))], env, f"{base}/health", log_dir)
    return Gateway(kind, process, port, f"{base}/health", f"{base}/metrics", written)


def _apollo_router(
    kind: str,
    port: int,
    supergraph: Path,
    log_dir: Path,
    overrides: dict[str, Any],
    dedupe: bool,
) -> Gateway:
    health, metrics = free_port(), free_port()
    listen = {
        "supergraph": {"listen": f"127.0.0.1:{port}"},
        "health_check": {"listen": f"127.0.0.1:{health}"},
        "telemetry": {"exporters": {"metrics": {"prometheus": {"listen": f"127.0.0.1:{metrics}"}}}},
        "traffic_shaping": {"all": {"deduplicate_query": dedupe}},
    }
    config = yaml.safe_load((REPO / "router/router.yaml").read_text())
    written = log_dir / f"{kind}-{port}.yaml"
    written.write_text(yaml.safe_dump(deep_merge(deep_merge(config, listen), overrides)))
    command = [str(router_binary(kind)), "--config", str(written), "--supergraph", str(supergraph)]
    env = {
        "APOLLO_TELEMETRY_DISABLED": "true",
        "APOLLO_ROUTER_LOG": "warn",
        # Nothing listens there: spans are dropped, as with no collector deployed.
        "SKILL_CIRCLE_ROUTER_OTLP_ENDPOINT": f"http://127.0.0.1:{free_port()}",
    }
    health_url = f"http://127.0.0.1:{health}/health"
    process = Process(kind, command, env, health_url, log_dir)
    return Gateway(kind, process, port, health_url, f"http://127.0.0.1:{metrics}/metrics", written)
