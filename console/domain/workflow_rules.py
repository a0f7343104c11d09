"""Caps on what a department may ask of the centre: extensions (延期) and 缓办 due dates.

No national rule fixes them: ``resources/workflow_rules.json`` holds configurable defaults,
each with its stated reason, and a deployment edits it (docs/rules/workflow.md).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any

from resources import resource_path


def _value(section: dict[str, Any], key: str) -> float:
    """A rule's value (``{"value": ..., "reason": ...}``); a rule without a reason is refused,
    so every cap in the file says why it is what it is."""
    entry = section[key]
    if not isinstance(entry, dict) or not str(entry.get("reason") or "").strip():
        raise ValueError(f"workflow rule {key!r} needs a value and a reason")
    v = float(entry["value"])
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"workflow rule {key!r} must be a positive number, not {v!r}")
    return v


@dataclass(frozen=True)
class WorkflowRules:
    """Extension caps (count per case, hours per request, total as a share of the base
    disposal limit) and the furthest 缓办 due date."""

    max_extensions: int
    max_extension_hours: float
    max_extension_total_factor: float
    max_park_days_ahead: int

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WorkflowRules:
        ext, park = d["extension"], d["park"]
        return cls(
            max_extensions=int(_value(ext, "max_per_case")),
            max_extension_hours=_value(ext, "max_hours_per_request"),
            max_extension_total_factor=_value(ext, "max_total_factor"),
            max_park_days_ahead=int(_value(park, "max_days_ahead")),
        )

    @classmethod
    def default(cls) -> WorkflowRules:
        """The shipped rules (``resources/workflow_rules.json``), loaded once."""
        return _default_rules()


@functools.cache
def _default_rules() -> WorkflowRules:
    text = resource_path("workflow_rules.json").read_text(encoding="utf-8")
    return WorkflowRules.from_dict(json.loads(text))
