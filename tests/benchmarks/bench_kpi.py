"""Benchmark (not a test): ``compute_kpis`` over tens of thousands of cases, against the
implementation it replaced (read from git at commit ``OLD``: event counts, clamped rates).

    python tests/benchmarks/bench_kpi.py [N]

The cases are the hand-built histories of ``tests/test_kpi.py`` (on time, late, reworked,
returned, parked, extended, voided, not yet due), reported across a month and copied under new
ids up to N (default 30 000); the period is the month. The new one does more (every indicator
of every role, each a set of case ids for the drill-down), so it is expected to cost more: the
ratio says how much.
"""

from __future__ import annotations

import subprocess
import sys
import types
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).parent))

from test_kpi import T0, cases  # noqa: E402
from timing import timed  # noqa: E402

from console.domain.kpi import compute_kpis, kpi_cases  # noqa: E402

OLD = "8c37a14"  # the last commit with the event-count implementation


def old_module() -> types.ModuleType:
    src = subprocess.run(
        ["git", "show", f"{OLD}:console/domain/kpi.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    mod = types.ModuleType("old_kpi")
    sys.modules["old_kpi"] = mod
    exec(compile(src, "old_kpi.py", "exec"), mod.__dict__)
    return mod


def month_of_cases(n: int) -> list[dict]:
    """``n`` cases: the templates shifted day by day through a month, then copied."""
    import test_kpi

    base: list[dict] = []
    for day in range(30):
        shifted = test_kpi.T0
        test_kpi.T0 = shifted + timedelta(days=day)
        try:
            base += [dict(c, id=f"{c['id']}-d{day}") for c in cases()]
        finally:
            test_kpi.T0 = shifted
    out = []
    for i in range(n):
        c = base[i % len(base)]
        out.append(dict(c, id=f"{c['id']}-{i // len(base)}"))
    return out


def main(argv: list[str] | None = None) -> None:
    n = int(argv[0]) if argv else 30_000
    docs = month_of_cases(n)
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=31)
    old = old_module()
    events = sum(len(c["events"]) for c in docs)
    print(f"{n} cases, {events} events, period {start:%Y-%m-%d} – {end:%Y-%m-%d}")
    for by in ("department", "street", "grid", "user"):
        ms_old, _ = timed(lambda: old.compute_kpis(docs, start, end, by), 3)  # noqa: B023
        ms_new, rows = timed(lambda: compute_kpis(docs, start, end, by), 3)  # noqa: B023
        print(
            f"  by {by:<10} old {ms_old:8.1f} ms   new {ms_new:8.1f} ms   "
            f"new/old {ms_new / ms_old:5.2f}   {len(rows)} rows"
        )
    ms, ids = timed(
        lambda: kpi_cases(docs, start, end, "department", "A", "disposal_rate", "denominator"), 3
    )
    print(f"  drill-down (A, disposal_rate, denominator) {ms:8.1f} ms, {len(ids)} ids")


if __name__ == "__main__":
    main(sys.argv[1:])
