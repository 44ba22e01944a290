"""What the machine spent during a phase: CPU of the servers, PostgreSQL, Redis and the whole machine, and RSS.

All through psutil (Linux: /proc underneath). CPU figures are seconds used so far; a phase's share is the
difference between two readings.
"""

from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path

import psutil

# The services whose CPU a phase is charged with, by process-name prefix.
SERVICES = {"postgres": "postgres", "redis": "redis"}


def system_cpu() -> tuple[float, float, float]:
    """(busy, total, steal) CPU seconds of the whole machine so far.

    Steal is time the hypervisor gave this VM's CPUs to someone else: a run with much of it measured a
    slower machine than a quiet one.
    """
    times = psutil.cpu_times()
    values = list(times)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(values) - idle, sum(values), getattr(times, "steal", 0.0)


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages now (runnable processes; above the core count, work queued)."""
    return [round(x, 2) for x in psutil.getloadavg()]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far; 0 if it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return times.user + times.system


def service_cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU used so far by each of the machine's PostgreSQL and Redis processes: pid -> (service, seconds)."""
    found = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        name = process.info["name"] or ""
        times = process.info["cpu_times"]
        key = next((service for prefix, service in SERVICES.items() if name.startswith(prefix)), None)
        if key and times is not None:
            found[process.pid] = (key, times.user + times.system)
    return found


def service_cpu_delta(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each service used between two ``service_cpu_seconds`` readings."""
    # Per process, so that a backend that exits meanwhile (the seeding connection) does not count negative;
    # a backend that both starts and exits within the phase is missed (PostgreSQL's CPU is a lower bound).
    totals = dict.fromkeys(SERVICES.values(), 0.0)
    for pid, (key, seconds) in after.items():
        previous = before.get(pid)
        totals[key] += seconds - (previous[1] if previous and previous[0] == key else 0.0)
    return totals


def rss(pids: list[int]) -> dict[int, int]:
    """Resident memory in bytes of each of ``pids`` still alive."""
    sizes = {}
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            sizes[pid] = psutil.Process(pid).memory_info().rss
    return sizes


def _cpu_model() -> str:
    # psutil does not name the processor; Linux says it in /proc/cpuinfo ("" elsewhere).
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def machine() -> dict:
    """The machine the run measured: cores, processor, memory, Python and the load average at the start."""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mb": psutil.virtual_memory().total // (1024 * 1024),
        "python": platform.python_version(),
        "load_average_at_start": load_average(),
    }
