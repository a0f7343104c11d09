"""The monthly 考核 report (月度考核报告): for each assessed group (departments, streets,
communities, grids, supervisors, operators, dispatchers, shift leads) the ranking with grades,
the score against the previous month, every indicator as value and numerator/denominator, a
chart of the scores; then each indicator's formula and source.

Two forms of the same numbers (``console.kpiboard.Board``s): a PDF made the handover report's
way (``document.write_pdf``, its tables and its painted bar chart), and an Excel workbook
(openpyxl) with a sheet per group holding the table and a native Excel bar chart, so the
centre can sort and re-chart the numbers it is judged by.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from console import CommandError
from console.domain.china_time import CST
from console.kpiboard import GROUPS, Board, BoardError, BoardRow, Period, fetch_boards, month_period
from widgets.common.offscreen import ensure_gui_app
from widgets.common.style import GRADE_COLORS
from widgets.report.document import (
    CSS,
    _table,
    bar_chart,
    font_families,
    write_pdf,
)

FORMATS = (".pdf", ".xlsx")
#: The chart shows a group's top 15 (the table lists them all): 15 bars are as tall as a
#: landscape A4 page allows under the report's header, so the first group's chart is on page 1.
CHART_ROWS = 15

WORDS: dict[str, tuple[str, str]] = {
    "title": ("月度考核报告", "Monthly performance evaluation"),
    "period": ("考核时段", "Period"),
    "previous": ("对比上期", "Compared with"),
    "hangzhou": ("杭州时间", "Hangzhou time"),
    "rank": ("排名", "Rank"),
    "name": ("对象", "Assessed"),
    "grade": ("等级", "Grade"),
    "score": ("综合指标值", "Score"),
    "trend": ("较上期", "Δ previous"),
    "chart": ("%s 综合指标值", "%s: score"),
    "no_data": ("本期无数据", "No data in this period"),
    "definitions": ("指标说明", "Indicators"),
    "indicator": ("指标", "Indicator"),
    "formula": ("公式", "Formula"),
    "source": ("来源", "Source"),
    "grades": (
        "等级：A ≥ 90，B 75–90，C 60–75，D 40–60，E < 40",
        "Grades: A ≥ 90, B 75–90, C 60–75, D 40–60, E < 40",
    ),  # fmt: skip
    "department": ("专业部门", "Departments"),
    "street": ("街道", "Streets"),
    "community": ("社区", "Communities"),
    "grid": ("网格", "Grids"),
    "supervisor": ("监督员", "Supervisors"),
    "operator": ("受理员", "Operators"),
    "dispatcher": ("派遣员", "Dispatchers"),
    "shift_lead": ("值班长", "Shift leads"),
    "duty": ("人员在岗（街道）", "On duty (streets)"),
    "river": ("河段", "River segments"),
}


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh


def group_name(group: str, lang: str) -> str:
    """A board grouping's name in the report's words (``kpiboard.GROUPS`` keys)."""
    return _w(group, lang)


def _span(p: Period) -> str:
    a, b = p.start.astimezone(CST), p.end.astimezone(CST)
    return f"{a:%Y-%m-%d %H:%M} — {b:%Y-%m-%d %H:%M}"


def _name(board: Board, ind: str, lang: str) -> str:
    d = board.definitions.get(ind) or {}
    return str(d.get("en" if lang == "en" else "zh") or ind)


def _value(board: Board, row: BoardRow, ind: str) -> str:
    c = row.cells.get(ind)
    if c is None:
        return ""
    if (board.definitions.get(ind) or {}).get("unit") == "count":
        return str(c.numerator)
    shown = "—" if c.value is None else f"{100 * c.value:.1f}%"
    return f"{shown} ({c.numerator}/{c.denominator})"


def _pdf_value(board: Board, row: BoardRow, ind: str) -> str:
    """The value, and under it numerator/denominator in small grey type (a rate's cell)."""
    c = row.cells.get(ind)
    if c is None or (board.definitions.get(ind) or {}).get("unit") == "count":
        return _e(_value(board, row, ind))
    shown = "—" if c.value is None else f"{100 * c.value:.1f}%"
    return f'{shown}<br><span style="color: #5b6577; font-size: 8pt">{c.numerator}/{c.denominator}</span>'


def _delta(row: BoardRow) -> str:
    d = row.delta
    return "—" if d is None else ("＝ 0.0" if d == 0 else f"{'▲' if d > 0 else '▼'} {abs(d):.1f}")


def _score(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


# ---- the command ----------------------------------------------------------------------------
def kpi_report_command(
    backend: str, user: str, password: str, month: str, out: str, lang: str = "zh"
) -> int:
    """``main.py kpi-report --backend URL --month YYYY-MM --out FILE``: ask the backend for
    the month's KPIs of every group and write the report."""
    from console.sync.client import ApiError, RestClient

    try:
        check_format(out)
        month_period(month)  # the month's form, before asking anyone
        client = RestClient(backend, user, password)
        # A month still running ends now, on the district clock (as the board's export does):
        # work due later this month is not yet due and must not count as late.
        now = datetime.fromisoformat(client.get("/api/v1/clock")["server_time"])
        p = month_period(month, now)
        boards = fetch_boards(lambda path, params: client.get(path, params=params), GROUPS, p)
    except BoardError as e:
        raise CommandError(str(e)) from e
    except (ApiError, OSError) as e:  # refused, or not there (requests' errors are OSErrors)
        raise CommandError(f"{backend}: {e}") from e
    ensure_gui_app()
    write_kpi_report(boards, out, lang)
    print(f"{out}: {sum(len(b.rows) for b in boards)} rows in {len(boards)} groups")
    return 0


def check_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise BoardError(f"{out}: unsupported format {suffix or '(none)'!r}; use .pdf or .xlsx")
    return suffix


def write_kpi_report(boards: list[Board], out_path: str | Path, lang: str = "zh") -> Path:
    """Write the boards (one per group, same period) as .pdf or .xlsx, by the suffix."""
    out = Path(out_path)
    if check_format(out) == ".xlsx":
        _write_xlsx(boards, out, lang)
    else:
        families = font_families()
        charts = {
            f"chart_{b.group}": bar_chart(
                _w("chart", lang) % _w(b.group, lang),
                [(r.name, r.score) for r in b.rows[:CHART_ROWS] if r.score is not None],
                _w("score", lang),
                families,
                lang,
            )
            for b in boards
        }
        html_text = report_html(boards, lang, families)
        # landscape: a group's table has a dozen indicator columns
        write_pdf(html_text, out, _w("title", lang), families, charts, landscape=True)
    return out


# ---- PDF (HTML laid out by QTextDocument) ---------------------------------------------------
def _e(x: object) -> str:
    return html.escape(str(x))


def report_html(boards: list[Board], lang: str, families: list[str]) -> str:
    p = boards[0].period if boards else None
    prev = boards[0].previous if boards else None
    head = f"<h1>{_e(_w('title', lang))}</h1>"
    if p is not None:
        head += (
            f'<p class="meta">{_e(_w("period", lang))}: <b>{_e(_span(p))}</b> '
            f"({_e(_w('hangzhou', lang))})"
            + (f"<br>{_e(_w('previous', lang))}: {_e(_span(prev))}" if prev else "")
            + f"<br>{_e(_w('grades', lang))}</p>"
        )
    sections = (
        [head]
        + [_group_html(b, lang, i > 0) for i, b in enumerate(boards)]
        + [_definitions_html(boards, lang)]
    )
    css = CSS % {"fonts": "".join(f"'{f}', " for f in families)}
    return (
        f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{_e(_w("title", lang))}</title>'
        f"<style>{css}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _group_html(b: Board, lang: str, new_page: bool) -> str:
    # each group on its own page: its chart and the head of its table stay together
    brk = ' style="page-break-before: always"' if new_page else ""
    title = f"<h2{brk}>{_e(_w(b.group, lang))} ({len(b.rows)})</h2>"
    if not b.rows:
        return title + f"<p>{_e(_w('no_data', lang))}</p>"
    head = [_e(_w(k, lang)) for k in ("rank", "name", "grade", "score", "trend")]
    head += [_e(_name(b, i, lang)) for i in b.indicators]
    rows = []
    for r in b.rows:
        color = GRADE_COLORS.get(r.grade or "")
        grade = (
            f'<span style="color: {color}; font-weight: bold">{_e(r.grade)}</span>'
            if color
            else "—"
        )
        cells = [str(r.rank), _e(r.name), grade, _score(r.score), _e(_delta(r))]
        rows.append(cells + [_pdf_value(b, r, i) for i in b.indicators])
    numeric = frozenset({0, 3, 4, *range(5, 5 + len(b.indicators))})
    img = f'<p><img src="chart_{b.group}" width="680" alt="{_e(_w(b.group, lang))}"></p>'
    return title + img + _table(head, rows, numeric)


def _definitions_html(boards: list[Board], lang: str) -> str:
    defs: dict[str, dict] = {}
    for b in boards:
        for i in b.indicators:
            defs.setdefault(i, b.definitions.get(i) or {})
    rows = [
        [_e(d.get("en" if lang == "en" else "zh") or i), _e(d.get("formula") or "—"),
         _e(d.get("source") or "—")]
        for i, d in defs.items()
    ]  # fmt: skip
    head = [_e(_w(k, lang)) for k in ("indicator", "formula", "source")]
    return f"<h2>{_e(_w('definitions', lang))}</h2>" + _table(head, rows)


# ---- Excel ------------------------------------------------------------------------------------
def _write_xlsx(boards: list[Board], out: Path, lang: str) -> None:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = _w("definitions", lang)[:31]
    summary.append([_w("title", lang)])
    summary["A1"].font = Font(bold=True, size=16)
    if boards:
        summary.append([_w("period", lang), _span(boards[0].period), _w("hangzhou", lang)])
        if boards[0].previous is not None:
            summary.append([_w("previous", lang), _span(boards[0].previous)])
    summary.append([_w("grades", lang)])
    summary.append([])
    summary.append([_w(k, lang) for k in ("indicator", "formula", "source")] + ["id"])
    seen: set[str] = set()
    for b in boards:
        for i in b.indicators:
            if i not in seen:
                seen.add(i)
                d = b.definitions.get(i) or {}
                summary.append([_name(b, i, lang), d.get("formula"), d.get("source"), i])
    for col, width in zip("ABCD", (22, 60, 60, 28), strict=True):
        summary.column_dimensions[col].width = width
    for b in boards:
        _group_sheet(wb, b, lang)
    wb.properties.title = _w("title", lang)
    wb.properties.created = datetime.now(UTC).replace(tzinfo=None)
    wb.save(out)


def _group_sheet(wb: Workbook, b: Board, lang: str) -> None:
    ws = wb.create_sheet(_w(b.group, lang)[:31])
    head = [_w(k, lang) for k in ("rank", "name", "grade", "score", "trend")]
    head += [_name(b, i, lang) for i in b.indicators]
    # numerator and denominator beside each rate, as numbers a spreadsheet can sum
    head += [f"{_name(b, i, lang)} {p}" for i in b.indicators for p in ("n", "d")]
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for r in b.rows:
        values: list[object] = [r.rank, r.name, r.grade, r.score, r.delta]
        values += [r.cells[i].value if i in r.cells else None for i in b.indicators]
        for i in b.indicators:
            c = r.cells.get(i)
            values += [c.numerator, c.denominator] if c else [None, None]
        ws.append(values)
        row = ws.max_row
        color = GRADE_COLORS.get(r.grade or "")
        if color:
            g = ws.cell(row=row, column=3)
            g.fill = PatternFill("solid", fgColor=color.lstrip("#").upper())
            g.font = Font(bold=True, color="FFFFFF")
            g.alignment = Alignment(horizontal="center")
        for k, i in enumerate(b.indicators):
            if (b.definitions.get(i) or {}).get("unit") != "count":
                ws.cell(row=row, column=6 + k).number_format = "0.0%"
    ws.freeze_panes = "C2"
    ws.column_dimensions["B"].width = 24
    for k in range(len(head)):
        if k != 1:
            ws.column_dimensions[get_column_letter(k + 1)].width = 12
    if not b.rows:
        ws.append([_w("no_data", lang)])
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = _w("chart", lang) % _w(b.group, lang)
    chart.y_axis.title = _w("score", lang)
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    n = min(len(b.rows), CHART_ROWS)
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=1 + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=1 + n))
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
    chart.legend = None
    chart.height, chart.width = max(7.5, 0.6 * n), 18
    ws.add_chart(chart, f"{get_column_letter(len(head) + 2)}2")
