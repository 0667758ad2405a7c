"""Native load generators: wrk (closed loop, throughput) and oha (open loop, fixed rate).

Both send exact GraphQL-over-HTTP bodies; with tokens, every request carries the
next learner's token in turn. wrk's Lua script counts a response as bad when its
status is not 200 or its body holds GraphQL `errors`. oha runs at a fixed arrival
rate with `--latency-correction` (no coordinated omission): a request that waits
for a free connection counts from when it was due. One oha per token (oha sends
one fixed header set), each at rate/len(tokens); every request's corrected
latency comes back as CSV and the percentiles are taken over all of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def body(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}}, separators=(",", ":"))


@dataclass
class Load:
    """What to send: a URL, bodies in rotation, and tokens in rotation (none: anonymous)."""

    url: str
    bodies: Sequence[str]
    tokens: Sequence[str] = ()
    headers: Sequence[tuple[str, str]] = ()


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


WRK_SCRIPT = """
local bodies = { %(bodies)s }
local tokens = { %(tokens)s }
local path = %(path)s
local fixed = { %(headers)s }
local threads = {}
n = 0
bad = 0
sample = nil

function setup(thread)
  table.insert(threads, thread)
end

function request()
  n = n + 1
  local headers = {}
  for k, v in pairs(fixed) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1] end
  return wrk.format("POST", path, headers, bodies[(n %% #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
    if sample == nil then sample = string.sub(body, 1, 400) end
  end
end

function done(summary, latency, requests)
  local errors, first, sent = 0, nil, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    sent = sent + thread:get("n")
    first = first or thread:get("sample")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%%d,"sent":%%d,"duration_us":%%d,' ..
    '"socket_errors":%%d,"bad_responses":%%d,' ..
    '"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, sent, summary.duration, e.connect + e.read + e.write + e.timeout, errors,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
  if first then io.write("WRK_SAMPLE " .. string.gsub(first, "\\n", " ") .. "\\n") end
end
"""


def wrk_script(load: Load) -> str:
    path = "/" + load.url.split("://", 1)[1].split("/", 1)[1]
    return WRK_SCRIPT % {
        "bodies": ", ".join(_lua_string(b) for b in load.bodies),
        "tokens": ", ".join(_lua_string(t) for t in load.tokens),
        "path": _lua_string(path),
        "headers": ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in load.headers),
    }


def _origin(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk not found: apt-get install wrk")
    return found


async def wrk(load: Load, seconds: float, connections: int, threads: int = 1) -> dict[str, Any]:
    """Closed loop: `connections` connections, each sending its next request on a response."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load))
    command = [
        wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "30s", "-s", script.name, _origin(load.url),
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await process.communicate()
    os.unlink(script.name)
    text = out.decode()
    found = re.search(r"^WRK_JSON (.*)$", text, re.M)
    if process.returncode != 0 or not found:
        raise RuntimeError(
            f"wrk failed ({process.returncode}): {text[-800:]} {err.decode()[-800:]}"
        )
    raw = json.loads(found.group(1))
    seconds_run = raw["duration_us"] / 1e6
    result = {
        "tool": f"wrk -t{threads} -c{connections} -d{round(seconds)}s",
        "requests": raw["requests"],
        "sent": raw["sent"],  # answered + in flight at the deadline (the server finishes them)
        "errors": raw["bad_responses"] + raw["socket_errors"],
        "seconds": round(seconds_run, 2),
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
    }
    if sample := re.search(r"^WRK_SAMPLE (.*)$", text, re.M):
        result["error_sample"] = sample.group(1)[:300]
    return result


OHA_VERSION = "1.16.0"


def _read_csvs(work: Path) -> tuple[list[float], dict[str, int]]:
    """Every request's corrected latency (ms) and the count of each status, from oha's CSVs."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    for csv in sorted(work.glob("*.csv")):
        for line in csv.read_text().splitlines()[1:]:
            fields = line.split(",")
            latencies.append(float(fields[4]) * 1000)
            statuses[fields[6]] = statuses.get(fields[6], 0) + 1
    return latencies, statuses


def oha_binary() -> str:
    """oha from the tool cache, built with cargo (bench/build-oha.sh) the first time."""
    done = subprocess.run(
        [str(HERE / "build-oha.sh")], capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"building oha failed: {done.stderr[-1500:]}")
    return done.stdout.strip().splitlines()[-1]


async def oha_fixed_rate(
    load: Load, rate: float, seconds: float, connections: int = 32
) -> dict[str, Any]:
    """Open loop at `rate` requests/s in total for `seconds`, latencies corrected."""
    binary = await asyncio.to_thread(oha_binary)
    tokens: list[str | None] = list(load.tokens) or [None]
    share = rate / len(tokens)
    per_connections = max(2, connections // len(tokens))
    work = Path(tempfile.mkdtemp(prefix="sc-oha-"))
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    runs = []
    for n, token in enumerate(tokens):
        command = [
            binary, "--no-tui", "--latency-correction", "--worker-threads", "1", "-w",
            "-q", f"{share:g}", "-z", f"{max(1, round(seconds))}s", "-c", str(per_connections),
            "-m", "POST", "-T", "application/json", "-d", load.bodies[n % len(load.bodies)],
            "--output-format", "csv", "-o", str(work / f"{n}.csv"),
        ]  # fmt: skip
        for key, value in load.headers:
            command += ["-H", f"{key}: {value}"]
        if token:
            command += ["-H", f"Authorization: Bearer {token}"]
        runs.append(
            await asyncio.create_subprocess_exec(
                *command, load.url, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        )
    failures = []
    for run in runs:
        _, err = await run.communicate()
        if run.returncode != 0:
            failures.append(err.decode()[-400:])
    if failures:
        raise RuntimeError(f"oha failed: {failures[0]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    latencies, statuses = _read_csvs(work)
    shutil.rmtree(work, ignore_errors=True)
    expected = round(rate * max(1, round(seconds)))
    load_cpu = (usage.ru_utime + usage.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    return {
        "tool": f"oha {OHA_VERSION} --latency-correction, {len(tokens)} process(es) at "
        f"{share:g} req/s each, -c {per_connections} each",
        "rate": rate,
        "seconds": max(1, round(seconds)),
        "requests_due": expected,
        "responses": len(latencies),
        "errors": sum(v for k, v in statuses.items() if k != "200"),
        "statuses": statuses,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p90_ms": round(percentile(latencies, 90), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
        "load_generator_cpu_ms_per_request": round(load_cpu * 1000 / max(1, len(latencies)), 2),
    }
