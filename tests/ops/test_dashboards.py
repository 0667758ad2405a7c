"""The Grafana dashboard and the Prometheus config match what the code exports.

Every PromQL expression of deploy/grafana/skill-circle.json must name only
series that a subgraph's /metrics really has (the registry of
subgraphs.common.observability.Metrics), every label it groups or filters by
must exist on them, and Prometheus must scrape every subgraph with the
`subgraph` label the dashboard groups by. docs/metrics.md must document every
series.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from subgraphs.common.observability import Metrics
from subgraphs.common.settings import SERVICE_PORTS

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy/grafana/skill-circle.json"
PROMETHEUS = REPO / "deploy/compose/prometheus.yml"
DOCS = REPO / "docs/metrics.md"

# Labels Prometheus adds at scrape time (deploy/compose/prometheus.yml) or
# that a histogram's buckets carry.
SCRAPE_LABELS = {"subgraph", "job", "instance", "le"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}


def exported_series() -> dict[str, set[str]]:
    """Sample name -> its label names, for every series of a subgraph's registry."""
    metrics = Metrics("probe")
    # Touch every labelled family once, so that each one has samples.
    metrics.operations("Probe", "query").inc()
    metrics.errors("Probe", "BAD_USER_INPUT").inc()
    metrics.latency("Probe").observe(0.01)
    metrics.events_handled("thing.happened", "handled").inc()
    metrics.consumer_lag("probe").set(0)
    series: dict[str, set[str]] = {}
    for family in metrics.registry.collect():
        for sample in family.samples:
            series.setdefault(sample.name, set()).update(sample.labels)
    return series


def dashboard_exprs() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                found.append((panel["title"], target["expr"]))

    walk(dashboard["panels"])
    return found


def metric_names(expr: str) -> set[str]:
    """The series an expression selects: identifiers that are not functions,
    keywords, label names, strings, durations or Grafana variables."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals
    labels_used = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", text))
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"[A-Za-z_:][\w:]*", text):
        rest = text[match.end() :].lstrip()
        word = match.group()
        if rest.startswith("(") or word in PROMQL_WORDS or word in labels_used:
            continue
        names.add(word)
    return names


def grouping_labels(expr: str) -> set[str]:
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    labels = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", text))
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", text):
        labels.update(label.strip() for label in group.split(",") if label.strip())
    return labels


def test_dashboard_parses_with_unique_panel_ids() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert variables == {"datasource", "subgraph"}


@pytest.mark.parametrize(("title", "expr"), dashboard_exprs())
def test_every_expression_uses_exported_series_and_labels(title: str, expr: str) -> None:
    series = exported_series()
    names = metric_names(expr)
    assert names, f"{title}: no metric in {expr}"
    assert names <= set(series), f"{title}: not exported: {names - set(series)}"
    known_labels = set().union(*(series[name] for name in names)) | SCRAPE_LABELS
    assert grouping_labels(expr) <= known_labels, f"{title}: {expr}"
    assert expr.count("(") == expr.count(")") and expr.count("{") == expr.count("}")


def test_dashboard_has_the_operations_panels() -> None:
    exprs = [expr for _, expr in dashboard_exprs()]
    assert any(metric_names(e) == {"graphql_operations_total"} and "rate(" in e for e in exprs)
    assert any("graphql_errors_total" in e and "by (code)" in e for e in exprs)
    assert any(
        e.startswith("histogram_quantile(0.99,")
        and "operation" in grouping_labels(e)
        and metric_names(e) == {"graphql_operation_duration_seconds_bucket"}
        for e in exprs
    )
    assert any(metric_names(e) == {"events_consumer_lag"} for e in exprs)


def test_metric_name_extraction() -> None:
    assert metric_names(
        'histogram_quantile(0.99, sum by (subgraph, operation, le) (rate(x_bucket{subgraph=~"$subgraph"}[$__rate_interval])))'
    ) == {"x_bucket"}
    assert metric_names("sum by (code) (rate(a_total[5m])) / sum(rate(b_total[5m]))") == {
        "a_total",
        "b_total",
    }


def test_prometheus_scrapes_every_subgraph_with_its_label() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "subgraphs"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    scraped = {
        group["labels"]["subgraph"]: target
        for group in job["static_configs"]
        for target in group["targets"]
    }
    assert scraped == {name: f"{name}:{port}" for name, port in SERVICE_PORTS.items()}


def test_docs_describe_every_series() -> None:
    docs = DOCS.read_text()
    for family in Metrics("probe").registry.collect():
        assert f"`{family.name}" in docs, family.name
