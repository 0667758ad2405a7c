"""CPU time per process, from /proc: where a scenario's time went.

A measured process counts with its whole tree: every living descendant's
utime+stime, plus each one's cutime+cstime, which the kernel adds to a parent
when it reaps a child. So PostgreSQL's short-lived backends (children of the
postmaster) count, alive or exited, and so do a gateway's forked workers.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children), None once gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the command name may hold spaces
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17.
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / TICKS


def _processes() -> dict[int, tuple[int, float]]:
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            table[int(entry.name)] = found
    return table


def tree_seconds(roots: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree."""
    table = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _) in table.items():
        children[ppid].append(pid)
    totals = {}
    for name, root in roots.items():
        seconds, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            if pid in table:
                seconds += table[pid][1]
                stack.extend(children[pid])
        totals[name] = seconds
    return totals


class CpuMeter:
    """CPU milliseconds per request of each named process tree over one measured window.

    `settle()` before `start()` and before `stop()`: it waits until the processes are
    nearly idle, so that no earlier request is still being worked on when the window
    opens, and every measured request has been finished when it closes.
    """

    def __init__(self, roots: Mapping[str, int]) -> None:
        self.roots = dict(roots)
        self.before: dict[str, float] = {}
        self.idle_cores = 0.0

    async def settle(self, idle_cores: float = 0.25, limit: float = 15.0) -> float:
        """Wait (at most `limit` s) until all processes together use < `idle_cores`."""
        deadline = time.monotonic() + limit
        last, at = sum(tree_seconds(self.roots).values()), time.monotonic()
        while True:
            await asyncio.sleep(0.5)
            now, then = sum(tree_seconds(self.roots).values()), time.monotonic()
            rate = (now - last) / (then - at)
            if rate < idle_cores or then > deadline:
                return rate
            last, at = now, then

    async def start(self) -> None:
        self.idle_cores = await self.settle()
        self.before = tree_seconds(self.roots)

    async def stop(self, requests: int) -> dict[str, Any]:
        await self.settle()
        after = tree_seconds(self.roots)
        spent = {name: (after[name] - self.before[name]) * 1000 for name in self.roots}
        per = {n: round(ms / requests, 2) for n, ms in spent.items()} if requests else {}
        ordered = dict(sorted(per.items(), key=lambda item: -item[1]))
        return {
            "cpu_ms_per_request": ordered,
            "cpu_ms_per_request_total": round(sum(per.values()), 2) if requests else None,
            "cpu_ms_total": {n: round(ms) for n, ms in spent.items()},
            "idle_cores_before": round(self.idle_cores, 3),
        }


def machine() -> dict[str, Any]:
    """Cores and CPU model of this machine (from /proc/cpuinfo)."""
    model, mhz = "unknown", None
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model == "unknown":
            model = value.strip()
        if key.strip() == "cpu MHz" and mhz is None:
            mhz = float(value)
    return {"cores": os.cpu_count(), "cpu_model": model, "cpu_mhz": mhz}


def postmaster_pid(data_dir: Path) -> int:
    """The postmaster's pid, from the first line of `<data>/postmaster.pid`."""
    return int((data_dir / "postmaster.pid").read_text().split()[0])
