"""OpenTelemetry tracing across the gateway and the subgraphs.

An OTLP/HTTP receiver runs inside the test process (POST /v1/traces with
protobuf bodies, decoded with opentelemetry-proto); a small stack (users, plus
skills when it is in router/supergraph.yaml) and the gateway export to it
through SKILL_CIRCLE_OTLP_ENDPOINT. A request through the gateway must come out
as ONE trace: the gateway's spans and, under the gateway's upstream fetch, the
server span of every subgraph it reached, with the operation span (and store
calls) nested inside. Event publishing/handling and DataLoader batches are
checked in process, on real Redis, with an SDK provider of the test's own.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from redis.asyncio import Redis

from subgraphs.common import loaders as loaders_module
from subgraphs.common.events import EventBus, EventConsumer, Handlers
from subgraphs.common.events import envelope as events_module
from subgraphs.common.loaders import one_each
from subgraphs.common.observability import Metrics
from tests.conftest import register
from tests.support.client import Client
from tests.support.contracts import Happened
from tests.support.servers import PostgresServer, RedisServer
from tests.support.stack import REPO, Stack

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP Span.SpanKind values


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    attributes: dict[str, Any] = field(hash=False)


class OtlpReceiver:
    """A tiny OTLP/HTTP collector: keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self._body()
                if self.headers.get("content-encoding", "").lower() == "gzip":
                    body = gzip.decompress(body)
                if self.path.rstrip("/") != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                receiver.add(request)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def _body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("content-length") or 0))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, request: ExportTraceServiceRequest) -> None:
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ReceivedSpan(
                            service=str(resource.get("service.name", "?")),
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=span.kind,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                        )
                    )
        with self._lock:
            self.requests += 1
            self.spans.extend(received)

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return [span for span in self.spans if span.trace_id == trace_id]

    def start(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


def _traced_subgraphs() -> list[str]:
    """users, plus skills when it is composed (whatever SKILL_CIRCLE_TEST_SUBGRAPHS says)."""
    listed = yaml.safe_load((REPO / "router/supergraph.yaml").read_text())["subgraphs"]
    return ["users", *(["skills"] if "skills" in listed else [])]


@pytest.fixture(scope="module")
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def traced_stack(
    request: pytest.FixtureRequest,
    redis_server: RedisServer,
    postgres: PostgresServer,
    otlp: OtlpReceiver,
) -> Iterator[Stack]:
    names = _traced_subgraphs()
    suffix = uuid.uuid4().hex[:8]
    stores = {
        "redis": redis_server.url,
        "users_db": postgres.create_database(f"users_tracing_{suffix}"),
    }
    if "skills" in names:
        base: str = request.getfixturevalue("mongodb_url")
        stores["skills_db"] = f"{base}/skills_tracing_{suffix}"
    tracing = {"SKILL_CIRCLE_OTLP_ENDPOINT": otlp.url, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    running = Stack(stores, names, extra_env=tracing, gateway_env=tracing)
    with running.started():
        yield running


@pytest.fixture
async def traced_gateway(traced_stack: Stack) -> AsyncIterator[Client]:
    client = Client(traced_stack.url)
    yield client
    await client.close()


async def _wait_for(
    otlp: OtlpReceiver, trace_id: str, services: set[str], timeout: float = 15
) -> list[ReceivedSpan]:
    """The spans of `trace_id` once every service in `services` has a server span in it."""
    deadline = time.monotonic() + timeout
    while True:
        spans = otlp.trace(trace_id)
        served = {s.service for s in spans if s.kind == SERVER}
        if services <= served or time.monotonic() > deadline:
            await asyncio.sleep(0.5)  # stragglers of the same batch
            return otlp.trace(trace_id)
        await asyncio.sleep(0.1)


def _assert_subgraph_hops(spans: list[ReceivedSpan], subgraphs: list[str]) -> None:
    """Each subgraph's server span is a child of a gateway span of the same trace,
    and the subgraph's operation span is a child of that server span."""
    by_id = {span.span_id: span for span in spans}
    for name in subgraphs:
        servers = [s for s in spans if s.service == name and s.kind == SERVER]
        assert servers, f"no server span from {name}: {sorted({s.service for s in spans})}"
        for server in servers:
            parent = by_id.get(server.parent_id)
            assert parent is not None, f"{name} server span's parent was not exported"
            assert parent.service == "gateway", parent
            assert parent.kind == CLIENT, parent  # the gateway's upstream fetch
        operations = [
            s
            for s in spans
            if s.service == name and s.attributes.get("graphql.operation.type") == "query"
        ]
        assert operations, f"no operation span from {name}"
        assert {by_id[op.parent_id].kind for op in operations} == {SERVER}


QUERY = """query TracedHome { me { id } %s }"""


async def test_request_through_gateway_is_one_trace(
    traced_gateway: Client, otlp: OtlpReceiver
) -> None:
    """The client's traceparent continues through the gateway into every subgraph."""
    names = _traced_subgraphs()
    account = await register(traced_gateway, "Tracer")
    skills = "skills(first: 2) { edges { node { name } } }" if "skills" in names else ""
    trace_id, client_span = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    body = await traced_gateway.as_user(account["accessToken"]).execute(
        QUERY % skills, headers={"traceparent": f"00-{trace_id}-{client_span}-01"}
    )
    assert not body.get("errors"), body
    assert body["data"]["me"]["id"] == account["user"]["id"]

    spans = await _wait_for(otlp, trace_id, set(names))
    gateway_spans = [s for s in spans if s.service == "gateway"]
    assert gateway_spans, f"no gateway span in trace {trace_id}"
    roots = [s for s in gateway_spans if s.parent_id == client_span]
    assert len(roots) == 1 and roots[0].kind == SERVER, roots  # the gateway's http span
    assert {s.service for s in spans} >= {"gateway", *names}
    _assert_subgraph_hops(spans, names)
    # Store calls made while resolving nest inside the users subgraph's trace.
    users_ids = {s.span_id for s in spans if s.service == "users"}
    database = [s for s in spans if s.service == "users" and s.kind == CLIENT]
    assert database and all(s.parent_id in users_ids for s in database)


async def test_trace_starts_at_the_gateway_without_client_context(
    traced_gateway: Client, otlp: OtlpReceiver
) -> None:
    """Without a traceparent the gateway starts the trace; subgraphs still join it."""
    names = _traced_subgraphs()
    skills = "skills(first: 1) { edges { node { name } } }" if "skills" in names else ""
    before = len(otlp.spans)
    request_id = uuid.uuid4().hex
    body = await traced_gateway.execute(QUERY % skills, headers={"x-request-id": request_id})
    assert not body.get("errors"), body
    assert body["data"]["me"] is None

    deadline = time.monotonic() + 15
    trace_id = None
    while trace_id is None and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        fresh = otlp.spans[before:]
        trace_ids = {s.trace_id for s in fresh if s.service == "users" and s.kind == SERVER}
        trace_id = next(iter(trace_ids), None)
    assert trace_id, "no users server span was exported"
    spans = await _wait_for(otlp, trace_id, set(names))
    roots = [s for s in spans if not s.parent_id]
    assert [(s.service, s.kind) for s in roots] == [("gateway", SERVER)], roots
    _assert_subgraph_hops(spans, names)


async def test_probes_and_background_calls_start_no_trace(
    traced_gateway: Client, otlp: OtlpReceiver
) -> None:
    """Health checks (polled while the stack started) and outgoing calls made
    outside any request (JWKS fetches, Redis polling) export nothing."""
    await traced_gateway.execute("{ __typename }")
    await asyncio.sleep(1)  # > OTEL_BSP_SCHEDULE_DELAY
    assert otlp.spans
    assert not [s for s in otlp.spans if "health" in s.name or "metrics" in s.name]
    assert not [s for s in otlp.spans if not s.parent_id and s.kind == CLIENT]


async def test_register_publishes_event_inside_the_request_trace(
    traced_gateway: Client, otlp: OtlpReceiver
) -> None:
    trace_id = uuid.uuid4().hex
    email = f"tracer-{trace_id[:8]}@example.com"
    await traced_gateway.execute(
        "mutation($i: RegisterInput!) { register(input: $i) { user { id } } }",
        {"i": {"email": email, "password": "correct horse battery", "displayName": "T"}},
        headers={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"},
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        published = [s for s in otlp.trace(trace_id) if s.kind == PRODUCER]
        if published:
            break
        await asyncio.sleep(0.1)
    assert [(s.service, s.name) for s in published] == [("users", "publish user.registered")]


# ------------------------------------------------------------- in process


@dataclass
class LocalTracing:
    exporter: InMemorySpanExporter
    tracer: trace.Tracer

    def finished(self, prefix: str) -> list[Any]:
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith(prefix)]


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalTracing]:
    """A private SDK provider for the common library's tracers (no global state)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(events_module, "_tracer", provider.get_tracer("test.events"))
    monkeypatch.setattr(loaders_module, "_tracer", provider.get_tracer("test.loaders"))
    yield LocalTracing(exporter, provider.get_tracer("test"))
    provider.shutdown()


async def test_event_handling_continues_the_publishers_trace(
    redis_server: RedisServer, local: LocalTracing
) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test:tracing:{uuid.uuid4().hex}"
    handled: list[str] = []

    async def handler(event: Any) -> None:
        handled.append(event.id)

    consumer = EventConsumer(
        redis, "tracing", "c1", Handlers().on(Happened, handler), stream=stream, block_ms=10
    )
    await consumer.ensure_group()
    with local.tracer.start_as_current_span("request") as request_span:
        event = await EventBus(redis, "tester", stream=stream).publish(Happened(n=1))
    # Untraced producers (and older entries) have no trace fields: still handled.
    await redis.xadd(stream, {"event": event.to_json().replace(event.id, "old-event")})
    assert await consumer.process_once() == 2
    assert handled == [event.id, "old-event"]
    await redis.aclose()

    [publish] = local.finished("publish")
    process, untraced = local.finished("process")
    assert publish.parent is not None and publish.parent.span_id == request_span.context.span_id
    assert process.context.trace_id == request_span.context.trace_id
    assert process.parent is not None and process.parent.span_id == publish.context.span_id
    assert process.kind == trace.SpanKind.CONSUMER
    assert process.attributes["skill_circle.event.outcome"] == "handled"
    assert untraced.parent is None  # a trace of its own


async def test_event_fields_stay_backwards_compatible_without_tracing(
    redis_server: RedisServer,
) -> None:
    """Not tracing (the API's no-op tracer): the entry is exactly {"event": ...}."""
    redis = Redis.from_url(redis_server.url)
    stream = f"test:tracing:{uuid.uuid4().hex}"
    await EventBus(redis, "tester", stream=stream).publish(Happened())
    [(_, fields)] = await redis.xrange(stream)
    assert set(fields) == {b"event"}
    await redis.aclose()


async def test_dataloader_batch_is_one_span_under_the_caller(local: LocalTracing) -> None:
    calls: list[list[int]] = []

    async def by_ids(ids: list[int]) -> list[int]:
        calls.append(ids)
        return ids

    loader = one_each(by_ids, key_of=lambda value: value)
    with local.tracer.start_as_current_span("operation") as operation:
        assert await asyncio.gather(*(loader.load(i) for i in (1, 2, 2, 3))) == [1, 2, 2, 3]
    assert calls == [[1, 2, 3]]
    [batch] = local.finished("dataloader")
    assert batch.name == "dataloader by_ids"
    assert batch.attributes["dataloader.batch_size"] == 3
    assert batch.parent is not None and batch.parent.span_id == operation.context.span_id


async def test_consumer_lag_gauge(redis_server: RedisServer) -> None:
    redis = Redis.from_url(redis_server.url)
    stream = f"test:lag:{uuid.uuid4().hex}"
    metrics = Metrics("tests")
    consumer = EventConsumer(redis, "lagging", "c1", Handlers(), stream=stream, metrics=metrics)
    await consumer.ensure_group()
    bus = EventBus(redis, "tester", stream=stream)
    for n in range(3):
        await bus.publish(Happened(n=n))

    def gauge() -> float | None:
        return metrics.registry.get_sample_value("events_consumer_lag", {"group": "lagging"})

    assert await consumer.measure_lag() == 3 and gauge() == 3
    # Delivered but not acknowledged (a crashed consumer): still counted.
    await redis.xreadgroup("lagging", "c2", {stream: ">"}, count=1)
    assert await consumer.measure_lag() == 3
    # Where Redis cannot tell the lag, the undelivered entries are counted.
    assert await consumer._undelivered(b"0-0") == 3
    await consumer.process_once()  # the two new entries
    assert await consumer.measure_lag() == 1  # c2's entry is still pending
    consumer.claim_idle_ms = 0
    await consumer.process_once()  # reclaims and handles it
    assert await consumer.measure_lag() == 0 and gauge() == 0
    await redis.aclose()
