"""Hand-built ``GET /api/v1/kpis`` answers in the wire contract's shape (issue 12: rows with
per-indicator numerator/denominator/value, score, grade; ``definitions``), for the board and
report tests and the board's screenshot. Numbers are made up; their shape is the contract's."""

from __future__ import annotations

from typing import Any

DEPARTMENT_DEFS: dict[str, dict[str, Any]] = {
    "disposal_rate": {
        "zh": "处置率", "en": "Disposal rate", "formula": "已处置 / 应处置",
        "source": "GB/T 30428.7 考核评价; DOMAIN.md", "higher_is_better": True, "unit": "rate",
    },
    "on_time_disposal_rate": {
        "zh": "按期处置率", "en": "On-time disposal rate", "formula": "按期处置 / 应处置",
        "source": "GB/T 30428.7", "higher_is_better": True, "unit": "rate",
    },
    "rework_rate": {
        "zh": "返工率", "en": "Rework rate", "formula": "返工 / 应结案",
        "source": "DOMAIN.md", "higher_is_better": False, "unit": "rate",
    },
    "overdue_unhandled": {
        "zh": "超期未处置", "en": "Overdue unhandled", "formula": "期末超期未处置案件数",
        "source": "DOMAIN.md", "higher_is_better": False, "unit": "count",
    },
}  # fmt: skip

USER_DEFS: dict[str, dict[str, Any]] = {
    "valid_report_rate": {
        "zh": "有效上报率", "en": "Valid report rate", "formula": "有效上报 / 上报",
        "source": "DOMAIN.md", "higher_is_better": True, "unit": "rate",
    },
    "on_time_accept_rate": {
        "zh": "按时受理率", "en": "On-time acceptance rate", "formula": "按时受理 / 受理",
        "source": "DOMAIN.md", "higher_is_better": True, "unit": "rate",
    },
}  # fmt: skip


def ind(n: int, d: int) -> dict[str, Any]:
    return {"numerator": n, "denominator": d, "value": (n / d) if d else None}


def _grade(score: float | None) -> str | None:
    if score is None:
        return None
    return next(g for g, t in (("A", 90), ("B", 75), ("C", 60), ("D", 40), ("E", -1)) if score >= t)


def department_row(key: str, name: str, score: float | None, handled: int = 8, due: int = 10):
    return {
        "key": key,
        "name": name,
        "role": None,
        "indicators": {
            "disposal_rate": ind(handled, due),
            "on_time_disposal_rate": ind(max(handled - 1, 0), due),
            "rework_rate": ind(1, handled),
            "overdue_unhandled": ind(2, 0),
        },
        "score": score,
        "grade": _grade(score),
    }


def payload(by: str, rows: list[dict[str, Any]], start="2026-11-01T00:00:00Z",
            end="2026-11-12T02:30:00Z") -> dict[str, Any]:  # fmt: skip
    defs = USER_DEFS if by == "user" else DEPARTMENT_DEFS
    return {"from": start, "to": end, "by": by, "rows": rows, "definitions": defs}


def departments(scale: float = 1.0) -> dict[str, Any]:
    """Four departments: 91.5 (A), no score, 62 (C) twice."""
    return payload(
        "department",
        [
            department_row("hw", "环卫处", 62.0 * scale, 6, 10),
            department_row("sz", "市政园林", None, 0, 0),
            department_row("cg", "城管执法", 91.5 * scale, 19, 20),
            department_row("jt", "交警大队", 62.0 * scale, 5, 8),
        ],
    )


def user_row(key: str, name: str, role: str, score: float | None) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "role": role,
        "indicators": {"valid_report_rate": ind(9, 10), "on_time_accept_rate": ind(3, 4)},
        "score": score,
        "grade": _grade(score),
    }


def users() -> dict[str, Any]:
    return payload(
        "user",
        [
            user_row("s1", "监督员甲", "supervisor", 88.0),
            user_row("o1", "受理员乙", "operator", 95.0),
            user_row("s2", "监督员丙", "supervisor", 97.0),
            user_row("d1", "派遣员丁", "dispatcher", 70.0),
        ],
    )
