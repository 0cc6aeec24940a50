"""Shared by the benchmark scripts: timing a piece of work and describing the machine."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def _times(repeats: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest of `repeats` runs, in seconds (the least disturbed by the rest of the machine)."""
    return min(_times(repeats, work))


def median_of(repeats: int, work: Callable[[], object]) -> float:
    """Median of `repeats` runs, in seconds (for whole processes, whose start-up varies)."""
    return statistics.median(_times(repeats, work))


def cpu() -> str:
    """CPU model and cores, from /proc/cpuinfo where there is one."""
    model = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
