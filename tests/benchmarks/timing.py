"""The benchmarks' one timer: the median of repeated runs, which a noisy machine disturbs less
than a mean or a single run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    times: list[float] = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out
