"""The SLA traffic light: green below 80 % of the limit used, yellow to 100 %, red beyond.

Boundaries: exactly 80 % is yellow, exactly 100 % is still yellow (the limit is met at the
deadline itself); red means the limit was exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GREEN, YELLOW, RED = 0, 1, 2
NAMES = ("green", "yellow", "red")


@dataclass(frozen=True)
class LightThresholds:
    yellow: float = 0.8
    red: float = 1.0


DEFAULT = LightThresholds()


def light(used_fraction: float, t: LightThresholds = DEFAULT) -> str:
    if used_fraction > t.red:
        return "red"
    if used_fraction >= t.yellow:
        return "yellow"
    return "green"


def lights(used: np.ndarray, t: LightThresholds = DEFAULT) -> np.ndarray:
    """Vectorised ``light`` for the console: int8 codes GREEN/YELLOW/RED."""
    used = np.asarray(used, dtype=float)
    out = np.zeros(used.shape, dtype=np.int8)
    out[used >= t.yellow] = YELLOW
    out[used > t.red] = RED
    return out
