"""compose.yaml, the Dockerfile and the gateway configs, checked offline.

No Docker engine runs here, so the files are checked with the same libraries
the real tools use, built by tests/infra/build-tools.sh into the tool cache:
`opscheck compose` loads compose.yaml with compose-go (the loader inside
`docker compose`), `opscheck dockerfile` parses the Dockerfile with BuildKit's
parser and linter, and `opscheck jsonschema` validates the router configs
against the configuration schema shipped in the apollo-router crate of the
pinned router version, and router/hive-router.yaml against the schema Hive
Router's own `config_schema_generator` prints. A missing tool fails the test; nothing is skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.gateways import deep_merge

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SKILL_CIRCLE_CACHE_DIR", Path.home() / ".cache" / "skill-circle"))
BIN_DIR = Path(os.environ.get("SKILL_CIRCLE_BIN_DIR", CACHE / "bin"))

SUBGRAPH_PORTS = {
    "users": 4001,
    "skills": 4002,
    "learning": 4003,
    "content": 4004,
    "visualization": 4005,
    "notifications": 4006,
}
STORES = {"postgres", "mongo", "redis"}
# Stores each subgraph owns; every subgraph also needs Redis (event bus).
SUBGRAPH_STORES = {
    "users": {"postgres", "redis"},
    "skills": {"mongo", "redis"},
    "learning": {"postgres", "redis"},
    "content": {"mongo", "redis"},
    "visualization": {"redis"},
    "notifications": {"redis"},
}
MIGRATIONS = {"users": "users-migrate", "learning": "learning-migrate"}
GATEWAYS = {
    "hive-router": "hive-router",
    "apollo": "router",
    "hive": "hive-gateway",
    "licensed": "router-licensed",
}
ALWAYS_ON = {*SUBGRAPH_PORTS, *MIGRATIONS.values(), *STORES, "mailpit", "jaeger", "prometheus"}
LOGGING = {"elasticsearch", "kibana", "filebeat"}  # the opt-in `logging` profile
# Config keys Apollo Router refuses without a GraphOS license (see NOTES-gateway.md).
LICENSE_GATED_KEYS = {
    "subscription",
    "authentication",
    "authorization",
    "persisted_queries",
    "limits",
    "demand_control",
    "coprocessor",
    "batching",
    "preview_entity_cache",
    "response_cache",
}
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|APOLLO_KEY)")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
ROUTER_ENV = re.compile(r"\$\{env\.([A-Za-z0-9_]+)(?::-([^}]*))?\}")


def tool(name: str) -> Path:
    """A binary from the tool cache (or SKILL_CIRCLE_<NAME>); fails clearly when missing."""
    override = os.environ.get(f"SKILL_CIRCLE_{name.upper()}")
    path = Path(override) if override else BIN_DIR / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{name} not found at {path}: run tests/infra/build-tools.sh "
            f"(or set SKILL_CIRCLE_{name.upper()} to the binary)",
            pytrace=False,
        )
    return path


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def expand_router_env(text: str) -> str:
    """What the router does at start-up with no variable set: every ${env.X:-d} becomes d."""
    unresolved = [m.group(1) for m in ROUTER_ENV.finditer(text) if m.group(2) is None]
    assert not unresolved, f"router config needs env vars without defaults: {unresolved}"
    return ROUTER_ENV.sub(lambda m: m.group(2), text)


def env_example() -> dict[str, str]:
    values = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolations() -> list[re.Match[str]]:
    """The ${...} expressions of compose.yaml, comment lines left out."""
    lines = (REPO / "compose.yaml").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return list(INTERPOLATION.finditer(text))


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not name.endswith("_FILE")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(REPO / "compose.yaml")


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the compose project with a .env made from .env.example, secrets filled in."""
    directory = tmp_path_factory.mktemp("compose")
    shutil.copy(REPO / "compose.yaml", directory / "compose.yaml")
    required = {m.group(1) for m in interpolations() if m.group(2) in (":?", "?")}
    lines = []
    for key, value in env_example().items():
        if (key in required or is_secret(key)) and not value:
            value = f"test-{key.lower()}"
        lines.append(f"{key}={value}")
    (directory / ".env").write_text("\n".join(lines) + "\n")
    return directory


def resolved(project_dir: Path, *profiles: str) -> dict[str, Any]:
    result = run(tool("opscheck"), "compose", project_dir, "compose.yaml", *profiles)
    assert result.returncode == 0, f"compose-go rejected compose.yaml: {result.stderr}"
    return json.loads(result.stdout)


# ------------------------------------------------------------------ compose


def test_compose_loads_with_compose_go_and_runs_one_gateway_per_profile(project_dir: Path) -> None:
    for profile, gateway in GATEWAYS.items():
        project = resolved(project_dir, profile)
        running = set(project["services"])
        assert ALWAYS_ON <= running, f"profile {profile} misses {ALWAYS_ON - running}"
        gateways = running & set(GATEWAYS.values())
        assert gateways == {gateway}, f"profile {profile} runs gateways {gateways}"
        published = [
            port["published"]
            for service in project["services"].values()
            for port in service.get("ports", [])
        ]
        assert published.count("4000") == 1, f"profile {profile} binds 4000: {published}"


def test_profiles_select_the_gateway(services: dict[str, Any]) -> None:
    assert services["hive-router"]["profiles"] == ["hive-router"]
    assert services["router"]["profiles"] == ["apollo"]
    assert services["hive-gateway"]["profiles"] == ["hive"]
    assert services["router-licensed"]["profiles"] == ["licensed"]
    assert services["router-config"]["profiles"] == ["licensed"]
    # The default delivers the whole contract, subscriptions included, without a licence.
    assert env_example()["COMPOSE_PROFILES"] == "hive-router"
    for name in ALWAYS_ON:
        assert "profiles" not in services[name], f"{name} must run in every profile"


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    one_shots = {name for name, s in services.items() if s.get("restart") == "no"}
    assert one_shots == {*MIGRATIONS.values(), "router-config"}
    for name, service in services.items():
        if name in one_shots:
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name}: no healthcheck"


def test_no_image_is_latest_or_untagged(project_dir: Path) -> None:
    for profile in GATEWAYS:
        for name, service in resolved(project_dir, profile, "logging")["services"].items():
            image = service.get("image", "")
            repository, _, tag = image.rpartition(":")
            assert repository and "/" not in tag, f"{name}: image {image!r} has no tag"
            assert tag != "latest", f"{name}: image {image!r} uses latest"


def test_apollo_router_image_is_a_pinned_v2_release(services: dict[str, Any]) -> None:
    image = services["router"]["image"]
    assert re.fullmatch(r"ghcr\.io/apollographql/router:v2\.\d+\.\d+", image), image
    assert services["router-licensed"]["image"] == image


def test_subgraphs_depend_on_their_stores_and_migrations(services: dict[str, Any]) -> None:
    for name, stores in SUBGRAPH_STORES.items():
        depends = services[name]["depends_on"]
        for store in stores:
            assert depends.get(store, {}).get("condition") == "service_healthy", (name, store)
        if name in MIGRATIONS:
            migration = depends.get(MIGRATIONS[name], {})
            assert migration.get("condition") == "service_completed_successfully", name
        assert services[name]["environment"]["SUBGRAPH"] == name
        assert services[name]["environment"]["SKILL_CIRCLE_PORT"] == str(SUBGRAPH_PORTS[name])


def test_migration_services_run_migrate_before_the_stores_are_used(
    services: dict[str, Any],
) -> None:
    for subgraph, migration in MIGRATIONS.items():
        service = services[migration]
        assert service["command"] == ["migrate"]
        assert service["environment"]["SUBGRAPH"] == subgraph
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        url = service["environment"]["SKILL_CIRCLE_DATABASE_URL"]
        assert url == services[subgraph]["environment"]["SKILL_CIRCLE_DATABASE_URL"]
        assert url.endswith(f"@postgres:5432/{subgraph}")
        # The subgraph itself must not race the migration service.
        assert services[subgraph]["environment"]["SKILL_CIRCLE_AUTO_MIGRATE"] == "false"


def test_secrets_have_no_defaults_and_are_required() -> None:
    seen_required = set()
    for match in interpolations():
        name, operator, _ = match.groups()
        if not is_secret(name):
            continue
        assert operator not in (":-", "-"), f"secret {name} has a default: {match.group(0)}"
        if name.startswith("APOLLO_"):
            continue  # licensed profile only; see the comment at router-licensed
        assert operator in (":?", "?"), f"secret {name} is not marked required: {match.group(0)}"
        seen_required.add(name)
    assert {"SKILL_CIRCLE_SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"} <= seen_required


def test_env_example_lists_every_variable_and_holds_no_secret_values() -> None:
    example = env_example()
    referenced = {m.group(1) for m in interpolations()}
    missing = referenced - set(example)
    assert not missing, f".env.example lacks {sorted(missing)}"
    filled = [k for k, v in example.items() if is_secret(k) and v]
    assert not filled, f".env.example must leave secrets empty: {filled}"
    documented = (REPO / ".env.example").read_text()
    for setting in (
        "SKILL_CIRCLE_JWKS_URL",
        "SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES",
        "SKILL_CIRCLE_DATABASE_URL",
        "SKILL_CIRCLE_MONGODB_URL",
        "SKILL_CIRCLE_PORT",
    ):
        assert setting in documented, f"{setting} is not mentioned in .env.example"


def test_compose_refuses_to_start_without_a_secret(project_dir: Path, tmp_path: Path) -> None:
    shutil.copy(project_dir / "compose.yaml", tmp_path / "compose.yaml")
    env = (project_dir / ".env").read_text()
    (tmp_path / ".env").write_text(re.sub(r"(?m)^POSTGRES_PASSWORD=.*$", "POSTGRES_PASSWORD=", env))
    result = run(tool("opscheck"), "compose", tmp_path, "compose.yaml", "apollo")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_router_mounts_the_free_config_and_the_supergraph(services: dict[str, Any]) -> None:
    volumes = services["router"]["volumes"]
    assert "./router/router.yaml:/dist/config/router.yaml:ro" in volumes
    assert "./schema/supergraph.graphql:/dist/schema/supergraph.graphql:ro" in volumes
    env = services["router"]["environment"]
    assert env["APOLLO_ROUTER_SUPERGRAPH_PATH"] == "/dist/schema/supergraph.graphql"
    # The licensed router reads the merged config that router-config writes.
    licensed = services["router-licensed"]
    assert "router-merged-config:/dist/config:ro" in licensed["volumes"]
    assert licensed["depends_on"]["router-config"]["condition"] == "service_completed_successfully"


def test_prometheus_scrapes_the_router_and_every_subgraph(services: dict[str, Any]) -> None:
    mount = "./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in services["prometheus"]["volumes"]
    config = load_yaml(REPO / "deploy/compose/prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {
        target
        for job in jobs.values()
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    for name, port in SUBGRAPH_PORTS.items():
        assert f"{name}:{port}" in targets
    router = jobs["apollo-router"]
    assert router["metrics_path"] == "/metrics"
    assert router["dns_sd_configs"][0]["port"] == 9090
    for gateway in ("router", "router-licensed"):
        assert "apollo-router" in services[gateway]["networks"]["default"]["aliases"]


def test_logging_profile_is_opt_in_and_adds_elasticsearch_kibana_filebeat(
    project_dir: Path, services: dict[str, Any]
) -> None:
    assert not LOGGING & set(resolved(project_dir, "apollo")["services"])
    project = resolved(project_dir, "apollo", "logging")
    assert LOGGING <= set(project["services"])
    assert ALWAYS_ON <= set(project["services"])
    for name in LOGGING:
        assert services[name]["profiles"] == ["logging"], name
    # Kibana on loopback only; Elasticsearch only inside the compose network.
    assert services["kibana"]["ports"] == ["127.0.0.1:5601:5601"]
    assert "ports" not in services["elasticsearch"]
    for name in ("kibana", "filebeat"):
        condition = services[name]["depends_on"]["elasticsearch"]["condition"]
        assert condition == "service_healthy", name
    versions = {services[name]["image"].rpartition(":")[2] for name in LOGGING}
    assert len(versions) == 1, f"Elastic images must share one version: {versions}"


def filebeat_config() -> dict[str, Any]:
    config: dict[str, Any] = load_yaml(REPO / "deploy/compose/filebeat.yml")
    return config


def test_filebeat_ships_this_projects_container_logs_to_elasticsearch(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    volumes = services["filebeat"]["volumes"]
    assert "./deploy/compose/filebeat.yml:/usr/share/filebeat/filebeat.yml:ro" in volumes
    assert "/var/lib/docker/containers:/var/lib/docker/containers:ro" in volumes
    config = filebeat_config()
    [source] = config["filebeat.inputs"]
    assert source["paths"] == ["/var/lib/docker/containers/*/*.log"]
    assert config["output.elasticsearch"]["hosts"] == ["http://elasticsearch:9200"]
    processors = {name: spec for p in config["processors"] for name, spec in p.items()}
    project = processors["drop_event"]["when"]["not"]["equals"]
    assert project == {"container.labels.com_docker_compose_project": compose["name"]}


def test_filebeat_turns_request_and_trace_ids_into_fields() -> None:
    processors = {name: spec for p in filebeat_config()["processors"] for name, spec in p.items()}
    decode = processors["decode_json_fields"]
    assert decode["fields"] == ["message"]
    renamed = {r["from"]: r["to"] for r in processors["rename"]["fields"]}
    prefix = decode["target"] + "."
    assert renamed[prefix + "request_id"] == "http.request.id"
    assert renamed[prefix + "trace_id"] == "trace.id"
    assert renamed[prefix + "message"] == "message"


def test_postgres_init_creates_both_databases(services: dict[str, Any]) -> None:
    volumes = services["postgres"]["volumes"]
    assert "./deploy/compose/postgres-init:/docker-entrypoint-initdb.d:ro" in volumes
    scripts = sorted((REPO / "deploy/compose/postgres-init").glob("*.sh"))
    assert scripts, "no init script"
    for script in scripts:
        assert run("sh", "-n", script).returncode == 0, f"{script} has a shell syntax error"
    sql = "".join(s.read_text() for s in scripts)
    for database in MIGRATIONS:
        assert f"CREATE DATABASE {database} OWNER {database}_app" in sql


# ------------------------------------------------------------------ router


@pytest.fixture(scope="module")
def router_schema(services: dict[str, Any]) -> Path:
    version = services["router"]["image"].rpartition(":v")[2]
    path = CACHE / "router-schema" / f"apollo-router-{version}.json"
    if not path.is_file():
        pytest.fail(
            f"{path} missing: run tests/infra/build-tools.sh (its router_version must match "
            f"the router image tag v{version} in compose.yaml)",
            pytrace=False,
        )
    return path


def validate_router_config(router_schema: Path, config: Any, tmp_path: Path, name: str) -> None:
    document = tmp_path / name
    document.write_text(expand_router_env(yaml.safe_dump(config)))
    result = run(tool("opscheck"), "jsonschema", router_schema, document)
    assert result.returncode == 0, f"{name} is not a valid router config:\n{result.stdout}"


def test_free_router_config_uses_no_license_gated_feature() -> None:
    config = load_yaml(REPO / "router/router.yaml")
    assert not LICENSE_GATED_KEYS & set(config), LICENSE_GATED_KEYS & set(config)
    assert "redis" not in json.dumps(config.get("apq", {}))
    assert "redis" not in json.dumps(config["supergraph"].get("query_planning", {}))
    assert not config.get("plugins"), "plugins may include restricted ones"


def test_free_router_config_has_the_required_settings() -> None:
    config = load_yaml(REPO / "router/router.yaml")
    assert config["supergraph"]["listen"] == "0.0.0.0:4000"
    assert config["supergraph"]["introspection"] is False
    assert config["health_check"]["listen"] == "0.0.0.0:8088"
    errors = config["include_subgraph_errors"]["all"]
    assert errors["redact_message"] is False  # subgraphs mask their own unexpected errors
    assert {"code", "field", "retryAfter"} <= set(errors["allow_extensions_keys"])
    assert config["homepage"]["enabled"] is True
    assert config["sandbox"]["enabled"] is False
    assert config["csrf"]["unsafe_disabled"] is False
    assert all(policy["origins"] for policy in config["cors"]["policies"])
    operations = config["headers"]["all"]["request"]["operations"]
    assert {"propagate": {"named": "authorization"}} in operations
    assert config["traffic_shaping"]["router"]["timeout"]
    assert config["traffic_shaping"]["all"]["timeout"]
    prometheus = config["telemetry"]["exporters"]["metrics"]["prometheus"]
    assert prometheus == {"enabled": True, "listen": "0.0.0.0:9090", "path": "/metrics"}
    assert "jaeger" in config["telemetry"]["exporters"]["tracing"]["otlp"]["endpoint"]
    assert set(config["override_subgraph_url"]) == set(SUBGRAPH_PORTS)


def test_licensed_overlay_adds_subscriptions_auth_and_limits() -> None:
    overlay = load_yaml(REPO / "router/router.licensed.yaml")
    assert {"subscription", "authentication", "limits"} <= set(overlay)
    subscription = overlay["subscription"]
    assert subscription["enabled"] is True
    websocket = subscription["mode"]["passthrough"]["all"]
    assert websocket == {"path": "/graphql", "protocol": "graphql_ws"}
    jwks = overlay["authentication"]["router"]["jwt"]["jwks"][0]["url"]
    assert expand_router_env(jwks) == "http://users:4001/.well-known/jwks.json"
    header = (REPO / "router/router.licensed.yaml").read_text().split("\n\n")[0]
    for needle in ("APOLLO_KEY", "APOLLO_GRAPH_REF", "ireduce"):
        assert needle in header


def test_hive_router_mounts_its_config_and_the_supergraph(services: dict[str, Any]) -> None:
    router = services["hive-router"]
    assert "./router/hive-router.yaml:/dist/config/router.yaml:ro" in router["volumes"]
    assert "./schema/supergraph.graphql:/dist/schema/supergraph.graphql:ro" in router["volumes"]
    assert router["environment"]["ROUTER_CONFIG_FILE_PATH"] == "/dist/config/router.yaml"
    assert router["environment"]["SUPERGRAPH_FILE_PATH"] == "/dist/schema/supergraph.graphql"
    assert router["build"]["target"] == "hive-router"
    assert "/health" in " ".join(router["healthcheck"]["test"])


def test_router_versions_are_in_step() -> None:
    """build-tools.sh builds (and the tests run) the versions compose, Docker and Helm deploy."""
    tools = (REPO / "tests/infra/build-tools.sh").read_text()
    built = {
        "apollo": re.search(r'^router_version="([\d.]+)"', tools, re.M),
        "hive": re.search(r'^hive_router_version="([\d.]+)"', tools, re.M),
    }
    assert built["apollo"] and built["hive"], "build-tools.sh pins no router versions"
    compose = (REPO / "compose.yaml").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    values = load_yaml(REPO / "deploy/helm/skill-circle/values.yaml")
    apollo, hive = built["apollo"].group(1), built["hive"].group(1)
    assert f"ghcr.io/apollographql/router:v{apollo}" in compose
    assert f"ghcr.io/graphql-hive/router:{hive}" in compose
    assert f"ARG HIVE_ROUTER_IMAGE=ghcr.io/graphql-hive/router:{hive}" in dockerfile
    assert values["router"]["apollo"]["image"]["tag"] == f"v{apollo}"
    assert values["router"]["hive"]["image"]["tag"] == hive


@pytest.fixture(scope="module")
def hive_router_schema() -> Path:
    tools = (REPO / "tests/infra/build-tools.sh").read_text()
    version = re.search(r'^hive_router_version="([\d.]+)"', tools, re.M)
    assert version
    path = CACHE / "router-schema" / f"hive-router-{version.group(1)}.json"
    if not path.is_file():
        pytest.skip(
            f"{path} missing: Hive Router not built (SKILL_CIRCLE_BUILD_ROUTERS=0? "
            "tests/infra/build-tools.sh writes it)"
        )
    return path


def test_hive_router_config_is_valid_for_the_pinned_router(
    hive_router_schema: Path, tmp_path: Path
) -> None:
    # Written as JSON (a YAML subset): a YAML 1.1 reader (the checker's, Helm's) takes a
    # bare `n` key for the boolean false, and PyYAML would write the limits' `n` bare.
    document = tmp_path / "hive-router.yaml"
    document.write_text(json.dumps(load_yaml(REPO / "router/hive-router.yaml")))
    result = run(tool("opscheck"), "jsonschema", hive_router_schema, document)
    assert result.returncode == 0, f"not a valid Hive Router config:\n{result.stdout}"
    broken = deep_merge(load_yaml(REPO / "router/hive-router.yaml"), {"http": {"prot": 1}})
    document.write_text(json.dumps(broken))
    result = run(tool("opscheck"), "jsonschema", hive_router_schema, document)
    assert result.returncode != 0 and "prot" in result.stdout


def test_hive_router_config_has_the_production_settings() -> None:
    config = load_yaml(REPO / "router/hive-router.yaml")
    assert config["http"] == {"host": "0.0.0.0", "port": 4000, "graphql_endpoint": "/graphql"}
    assert config["laboratory"]["enabled"] is False
    assert config["introspection"] is False
    assert config["websocket"]["enabled"] is True
    assert config["websocket"]["headers"]["source"] == "connection"
    assert config["subscriptions"]["enabled"] is True
    assert config["subscriptions"]["websocket"]["all"]["path"] == "/graphql"
    assert config["csrf"]["enabled"] is True and config["csrf"]["required_headers"]
    assert config["cors"]["enabled"] is True
    assert all(policy["origins"] for policy in config["cors"]["policies"])
    propagated = config["headers"]["all"]["request"][0]["propagate"]["named"]
    assert {"authorization", "x-forwarded-for", "x-request-id"} <= set(propagated)
    keys = config["error_masking"]["all"]["extensions"]["keys"]
    assert {"code", "field", "retryAfter"} <= set(keys)
    overrides = config["override_subgraph_urls"]["subgraphs"]
    assert set(overrides) == set(SUBGRAPH_PORTS)
    for name, port in SUBGRAPH_PORTS.items():
        url = overrides[name]["url"]
        # A VRL expression: the environment's URL, else the compose service name.
        assert url == {
            "expression": f'get_env_var("SKILL_CIRCLE_{name.upper()}_URL")'
            f' ?? "http://{name}:{port}/graphql"'
        }


def test_router_configs_are_valid_for_the_pinned_router(
    router_schema: Path, tmp_path: Path
) -> None:
    base = load_yaml(REPO / "router/router.yaml")
    overlay = load_yaml(REPO / "router/router.licensed.yaml")
    validate_router_config(router_schema, base, tmp_path, "router.yaml")
    validate_router_config(router_schema, deep_merge(base, overlay), tmp_path, "router.merged.yaml")


def test_router_schema_check_catches_a_wrong_key(router_schema: Path, tmp_path: Path) -> None:
    broken = deep_merge(load_yaml(REPO / "router/router.yaml"), {"supergraph": {"lisen": "x"}})
    document = tmp_path / "broken.yaml"
    document.write_text(expand_router_env(yaml.safe_dump(broken)))
    result = run(tool("opscheck"), "jsonschema", router_schema, document)
    assert result.returncode != 0 and "lisen" in result.stdout


# -------------------------------------------------------------- Dockerfile


@pytest.fixture(scope="module")
def dockerfile() -> dict[str, Any]:
    result = run(tool("opscheck"), "dockerfile", REPO / "Dockerfile")
    assert result.returncode == 0, f"BuildKit rejects the Dockerfile:\n{result.stderr}"
    return json.loads(result.stdout)


def test_dockerfile_builds_one_non_root_image_for_every_subgraph(
    dockerfile: dict[str, Any],
) -> None:
    stages = {stage["name"]: stage for stage in dockerfile["stages"]}
    final = dockerfile["stages"][-1]
    assert final["name"] == "subgraph", "the default (last) stage must be the subgraph image"
    assert dockerfile["meta_args"]["PYTHON_IMAGE"] == "python:3.11-slim"
    assert dockerfile["meta_args"]["NODE_IMAGE"] == "node:20-slim"
    deps = "\n".join(stages["python-deps"]["instructions"])
    assert "pip install uv==0.13.9" in deps
    assert "uv sync --frozen --no-dev" in deps
    body = "\n".join(final["instructions"])
    assert "COPY subgraphs/ subgraphs/" in body and "COPY schema/ schema/" in body
    user = [line for line in final["instructions"] if line.startswith("USER ")][-1]
    assert user.split()[1].split(":")[0] not in ("0", "root")
    healthcheck = next(line for line in final["instructions"] if line.startswith("HEALTHCHECK"))
    assert "/health" in healthcheck and "SKILL_CIRCLE_PORT" in healthcheck
    assert "curl" not in healthcheck
    entrypoint = next(line for line in final["instructions"] if line.startswith("ENTRYPOINT"))
    assert "subgraphs.${SUBGRAPH" in entrypoint


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    rules = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*", "expected an allowlist"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert {"pyproject.toml", "uv.lock", "subgraphs", "schema"} <= allowed
    assert not allowed & {".env", "secrets", ".venv", ".git", "node_modules", "tests"}
