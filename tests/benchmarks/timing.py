"""The benchmarks' one timer: the median of repeated runs, which a noisy machine disturbs less
than a mean or a single run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(
    fn: Callable[[], T], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, T]:
    """Median time in ms over ``repeat`` runs, and the last result; wall time unless
    ``clock`` says otherwise (``time.process_time``: this process's CPU time)."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    times: list[float] = []
    for _ in range(repeat):
        t = clock()
        out = fn()
        times.append((clock() - t) * 1000)
    return statistics.median(times), out
