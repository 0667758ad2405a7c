"""Log lines: JSON in production and tests (with request and trace ids, the fields
the `logging` compose profile ships), one readable coloured line in development."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from subgraphs.common.observability import configure_logging
from subgraphs.common.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'  # uvicorn.access


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level


def test_json_lines_carry_service_request_and_trace_ids() -> None:
    out = io.StringIO()
    configure_logging("learning", "INFO", stream=out)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("recordProgress") as span:
        logging.getLogger("skill_circle.test").info("progress recorded")
    logging.getLogger("skill_circle.test").info("outside any trace")
    inside, outside = (json.loads(line) for line in out.getvalue().splitlines())
    context = span.get_span_context()
    assert inside["trace_id"] == trace.format_trace_id(context.trace_id)
    assert inside["span_id"] == trace.format_span_id(context.span_id)
    assert inside["service"] == "learning" and inside["message"] == "progress recorded"
    assert inside["request_id"] == "-" and inside["level"] == "INFO"
    assert "trace_id" not in outside


def test_json_lines_have_every_field_filebeat_maps() -> None:
    config = yaml.safe_load((REPO / "deploy/compose/filebeat.yml").read_text())
    processors = {name: spec for p in config["processors"] for name, spec in p.items()}
    prefix = processors["decode_json_fields"]["target"] + "."
    mapped = {r["from"].removeprefix(prefix) for r in processors["rename"]["fields"]}
    out = io.StringIO()
    configure_logging("users", "INFO", stream=out)
    with TracerProvider().get_tracer("test").start_as_current_span("login"):
        logging.getLogger("skill_circle.test").warning("login refused")
    assert mapped <= set(json.loads(out.getvalue()))


def test_development_lines_are_one_readable_line_per_request() -> None:
    out = io.StringIO()
    configure_logging("notifications", "INFO", readable=True, stream=out)
    access = logging.getLogger("uvicorn.access")
    access.info(ACCESS_FORMAT, "127.0.0.1:5000", "POST", "/graphql", "1.1", 200)
    logging.getLogger("skill_circle.test").error("delivery failed")
    first, second = out.getvalue().splitlines()
    assert first.startswith("notifications ") and first.endswith("POST /graphql 200")
    assert "ERROR delivery failed" in second
    assert "\033[" not in out.getvalue()  # not a terminal: no colour codes


def test_development_lines_are_coloured_on_a_terminal() -> None:
    out = Terminal()
    configure_logging("users", "INFO", readable=True, stream=out)
    logging.getLogger("uvicorn.access").info(
        ACCESS_FORMAT, "127.0.0.1:5000", "POST", "/graphql", "1.1", 500
    )
    line = out.getvalue().rstrip("\n")
    assert "\n" not in line
    assert "\033[36musers" in line  # the service's colour
    assert "\033[31m500\033[0m" in line  # a 5xx in red


@pytest.mark.parametrize(
    ("environment", "log_format", "readable"),
    [
        ("development", "auto", True),
        ("test", "auto", False),
        ("development", "json", False),
        ("test", "text", True),
    ],
)
def test_readable_logs_only_in_development_unless_asked(
    environment: str, log_format: str, readable: bool
) -> None:
    settings = Settings(environment=environment, log_format=log_format)  # type: ignore[arg-type]
    assert settings.readable_logs is readable
