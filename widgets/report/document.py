"""The handover report (交接班报告) as a document: self-contained HTML, or an A4 PDF.

One HTML text serves both: the browser file carries its charts as PNG data URIs, the PDF is
that same HTML laid out by QTextDocument, with the charts handed over as image resources
(QTextDocument does not read data URIs). So the CSS stays within what QTextDocument knows
(tables with cellpadding, colours, font sizes, no flex or grid).

Charts are painted with QPainter into QImages at twice their layout size, so they stay sharp
on paper and on high-density screens. Chinese needs a CJK font in the PDF: the first CJK
family installed (``widgets.common.style.cjk_family``) after a Latin one (``font_families``), else
Qt's default (glyphs may then be missing, but the report is still written).

Only QtCore and QtGui are used: the report is made by a command-line tool with no window.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QLineF,
    QMarginsF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from console import CommandError
from console.labels import Labels, local_time
from console.paths import data_dir
from console.replay.logfiles import open_logs
from console.replay.report import Bar, CaseLine, HandoverReport, ReportInputError, build_report
from widgets.common.offscreen import ensure_gui_app
from widgets.common.style import cjk_family

FORMATS = (".html", ".pdf")
NOWRAP = ' style="white-space: nowrap"'  # Qt's rich text ignores the nowrap attribute
LATIN_FAMILIES = ("Noto Sans", "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica")
CHART_WIDTH = 680  # layout pixels: the A4 text width at 96 dpi with 15 mm margins
SCALE = 2  # device pixels per layout pixel in the chart images
INK, DIM, GRID, BAR, ACCENT = "#1d2533", "#5b6577", "#dde3ea", "#2f6fde", "#1f3b64"
LIGHT_RED, LIGHT_YELLOW = "#d9363e", "#b8860b"

#: The report's own words (the domain's codes are named by console.labels).
WORDS: dict[str, tuple[str, str]] = {
    "title": ("交接班报告", "Shift handover report"),
    "period": ("时段", "Period"),
    "hangzhou": ("杭州时间", "Hangzhou time"),
    "operator": ("值班人员", "On duty"),
    "backend": ("服务器", "Backend"),
    "changes": ("变更记录", "Changes"),
    "created": ("新增案件", "New cases"),
    "closed": ("结案", "Closed"),
    "voided": ("作废", "Voided"),
    "callbacks": ("回访", "Callbacks"),
    "overdue": ("超期案件", "Overdue cases"),
    "at_risk": ("临期案件", "Cases at risk"),
    "on_hold": ("挂账/暂停计时", "Parked / clock stopped"),
    "overdue_short": ("超期案件", "Overdue"),
    "at_risk_short": ("临期案件", "At risk"),
    "on_hold_short": ("挂账/暂停", "On hold"),
    "alerts_open": ("未解除报警", "Open alerts"),
    "my_actions": ("本人操作", "My actions"),
    "cases": ("案件情况", "Cases"),
    "at_end": ("期末案件数", "Cases held at the end"),
    "by_state": ("按状态", "By state"),
    "by_queue": ("按环节", "By stage"),
    "count": ("数量", "Count"),
    "chart_hours": ("每小时新增案件", "New cases per hour"),
    "chart_categories": ("高发问题 前10", "Top 10 categories"),
    "chart_grids": ("高发网格 前10", "Top 10 grids"),
    "axis_hour": ("时段（杭州时间）", "Hour (Hangzhou time)"),
    "axis_cases": ("案件数", "Cases"),
    "no_data": ("无数据", "No data"),
    "none": ("无", "None"),
    "id": ("案件编号", "Case"),
    "category": ("问题类别", "Category"),
    "address": ("位置", "Location"),
    "grid": ("网格", "Grid"),
    "department": ("处置部门", "Department"),
    "state": ("状态", "State"),
    "time_left": ("剩余/超时", "Left / overdue"),
    "since": ("起始", "Since"),
    "hold": ("原因", "Why"),
    "parked": ("挂账", "Parked"),
    "request_pending": ("延期/缓办待批", "Extension or parking awaiting approval"),
    "paused": ("暂停", "Stopped"),
    "alerts": ("报警", "Alerts"),
    "kind": ("类型", "Kind"),
    "raised": ("新发", "Raised"),
    "acknowledged": ("已确认", "Acknowledged"),
    "resolved": ("已解除", "Resolved"),
    "open": ("期末未解除", "Open at end"),
    "supervised": ("督办", "Supervision"),
    "vehicles": ("环卫车辆作业", "Sanitation vehicles"),
    "plate": ("车牌", "Plate"),
    "type": ("车型", "Type"),
    "fixes": ("定位点", "Fixes"),
    "distance": ("里程(km)", "Distance (km)"),
    "working": ("作业占比", "Working"),
    "coverage": ("作业覆盖率", "Coverage"),
    "segments": ("完成路段", "Segments done"),
    "incidents": ("异常", "Incidents"),
    "bookmarks": ("书签", "Bookmarks"),
    "time": ("时间", "Time"),
    "label": ("内容", "Label"),
    "actions": ("本人操作", "My actions"),
    "action": ("操作", "Action"),
    "total": ("合计", "Total"),
    "pending": ("待发送", "Pending"),
    "failed": ("失败", "Failed"),
    "status": ("结果", "Result"),
    "minutes_left": ("剩余 {}", "{} left"),
    "minutes_over": ("超时 {}", "{} overdue"),
}

CSS = """
body { font-family: %(fonts)ssans-serif; font-size: 10pt; color: #1d2533; }
h1 { font-size: 20pt; color: #1f3b64; margin: 0 0 4px 0; }
h2 { font-size: 13pt; color: #1f3b64; margin: 16px 0 6px 0; }
p.meta { color: #5b6577; margin: 0 0 8px 0; }
table.data { border-collapse: collapse; margin: 0 0 6px 0; }
table.data th { background-color: #e6ebf2; text-align: left; font-weight: bold; }
table.data td, table.data th { border: 1px solid #c9d2de; padding: 3px 6px; }
td.num, th.num { text-align: right; }
table.tiles td { background-color: #eef2f7; text-align: center; padding: 6px; }
span.big { font-size: 18pt; font-weight: bold; color: #1f3b64; }
span.red { color: #d9363e; font-weight: bold; }
span.yellow { color: #b8860b; font-weight: bold; }
img { margin: 4px 0 8px 0; }
"""


# ---- the command ----------------------------------------------------------------------------
def report_command(paths: list[str], out: str, lang: str = "zh") -> int:
    """``main.py report LOG... --out FILE``: build the report of the shift logs (several
    consecutive ones as one) and write it. Returns 0; raises CommandError when an input
    cannot be read or the output format is not known."""
    try:
        _check_format(out)
        report = build_report(open_logs(paths, data_dir() / "replays"))
    except (ValueError, OSError) as e:
        raise CommandError(str(e)) from e
    ensure_gui_app()
    write_report(report, out, lang)
    return 0


def font_families() -> list[str]:
    """A Latin family, then the CJK one: Noto Sans CJK's own Latin digits lose their Unicode
    mapping in Qt's PDF output (they print, but cannot be searched or copied), so Latin text
    takes a Latin font and 汉字 fall through to the CJK family."""
    installed = set(QFontDatabase.families())
    latin = [f for f in LATIN_FAMILIES if f in installed][:1]
    return latin + [f for f in (cjk_family(),) if f] or [QFont().defaultFamily()]


def _check_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ReportInputError(
            f"{out}: unsupported report format {suffix or '(none)'!r}; use {' or '.join(FORMATS)}"
        )
    return suffix


# ---- writing --------------------------------------------------------------------------------
def write_report(report: HandoverReport, out_path: str | Path, lang: str = "zh") -> Path:
    """Write ``report`` as .html (charts as data URIs) or .pdf (A4), by the file's suffix."""
    out = Path(out_path)
    suffix = _check_format(out)
    families = font_families()
    charts = render_charts(report, lang, families)
    if suffix == ".html":
        images = {k: _data_uri(img) for k, img in charts.items()}
        out.write_text(report_html(report, lang, families, images), encoding="utf-8")
    else:
        _write_pdf(report, out, lang, families, charts)
    return out


def _write_pdf(
    report: HandoverReport, out: Path, lang: str, families: list[str], charts: dict[str, QImage]
) -> None:
    html_text = report_html(report, lang, families, {k: k for k in charts})
    write_pdf(html_text, out, _w("title", lang), families, charts)


def write_pdf(
    html_text: str,
    out: Path,
    title: str,
    families: list[str],
    charts: dict[str, QImage],
    landscape: bool = False,
) -> None:
    """Lay out an HTML text (its ``<img src>`` naming ``charts``) on A4 pages as a PDF: the
    handover report's and the monthly 考核 report's one way to paper (``landscape`` for
    tables too wide for a portrait page)."""
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if landscape:
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator("zhcg console")
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(families)
    font.setPointSize(10)
    doc.setDefaultFont(font)
    # Lay out on the page's text area in 96-dpi pixels, the size the charts are drawn for;
    # without a page size, print_ adds its own 2 cm margins inside ours.
    text = writer.pageLayout().paintRect(QPageLayout.Unit.Millimeter)
    doc.setPageSize(QSizeF(text.width() / 25.4 * 96, text.height() / 25.4 * 96))
    doc.setDocumentMargin(0)
    for name, img in charts.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
    doc.setHtml(html_text)
    doc.print_(writer)


def _data_uri(img: QImage) -> str:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes str
    return "data:image/png;base64," + base64.b64encode(data.data()).decode()


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh


# ---- HTML -----------------------------------------------------------------------------------
def report_html(
    report: HandoverReport, lang: str, families: list[str], images: dict[str, str]
) -> str:
    """The report as one HTML text; ``images`` maps each chart's name to its ``src``."""
    sections = [
        _header(report, lang),
        _tiles(report, lang),
        _cases_section(report, lang, images),
        _case_table(report.overdue, "overdue", lang, with_left=True),
        _case_table(report.at_risk, "at_risk", lang, with_left=True),
        _case_table(report.on_hold, "on_hold", lang, with_left=False),
        _alerts_section(report, lang),
        _vehicles_section(report, lang),
        _bookmarks_section(report, lang),
        _actions_section(report, lang),
    ]
    title = html.escape(_w("title", lang))
    css = CSS % {"fonts": "".join(f"'{f}', " for f in families)}
    return (
        f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{title}</title>'
        f"<style>{css}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _e(x) -> str:
    return html.escape(str(x))


def _table(head: list[str], rows: list[list[str]], num_cols: frozenset = frozenset()) -> str:
    """A data table; cells are HTML already escaped; ``num_cols`` are right-aligned; the
    first column (a case number, a plate) never wraps; the head (``thead``: Qt's header rows)
    is repeated at the top of every page the table continues on."""

    def cells(tag: str, values: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=num' if i in num_cols else ''}{NOWRAP if i == 0 else ''}>{v}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return (
        '<table class="data" border="1" cellspacing="0" cellpadding="4">'
        f"<thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"
    )


def _header(report: HandoverReport, lang: str) -> str:
    p = report.period
    start = local_time(p.start, "%Y-%m-%d %H:%M:%S")
    end_fmt = "%H:%M:%S" if start[:10] == local_time(p.end, "%Y-%m-%d") else "%Y-%m-%d %H:%M:%S"
    who = f"{p.user_name} ({p.user})" if p.user_name else p.user
    return (
        f"<h1>{_e(_w('title', lang))}</h1>"
        f'<p class="meta">{_e(_w("period", lang))}: <b>{_e(start)} — '
        f"{_e(local_time(p.end, end_fmt))}</b> ({_e(_w('hangzhou', lang))})<br>"
        f"{_e(_w('operator', lang))}: {_e(who)} · {_e(_w('backend', lang))}: {_e(p.backend)}"
        f" · {_e(_w('changes', lang))}: {p.changes} (seq {p.first_seq}–{p.last_seq})</p>"
    )


def _tiles(report: HandoverReport, lang: str) -> str:
    """The handful of numbers the next shift reads first."""
    failed = len(report.actions.failed)
    mine = f"{report.actions.total}" + (f' <span class="red">✘{failed}</span>' if failed else "")
    tiles = [
        ("created", str(report.created)),
        ("closed", str(report.closed)),
        ("overdue_short", f'<span class="red">{len(report.overdue)}</span>'),
        ("at_risk_short", f'<span class="yellow">{len(report.at_risk)}</span>'),
        ("on_hold_short", str(len(report.on_hold))),
        ("alerts_open", str(sum(a.open for a in report.alerts))),
        ("my_actions", mine),
    ]
    cells = "".join(
        f'<td width="14%"><span class="big">{v}</span><br>{_e(_w(k, lang))}</td>' for k, v in tiles
    )
    return f'<table class="tiles" width="100%" cellspacing="4"><tr>{cells}</tr></table>'


def _img(images: dict[str, str], name: str, alt: str) -> str:
    return f'<p><img src="{_e(images[name])}" width="{CHART_WIDTH}" alt="{_e(alt)}"></p>'


def _cases_section(report: HandoverReport, lang: str, images: dict[str, str]) -> str:
    lb = Labels(lang)
    states = {lb.name("state", k): n for k, n in report.by_state.items() if n}
    queues = {lb.name("queue", k): n for k, n in report.by_queue.items()}
    return (
        f"<h2>{_e(_w('cases', lang))}</h2>"
        f"<p>{_e(_w('at_end', lang))}: <b>{report.cases_at_end}</b> · "
        f"{_e(_w('created', lang))}: <b>{report.created}</b> · "
        f"{_e(_w('closed', lang))}: <b>{report.closed}</b> · "
        f"{_e(_w('voided', lang))}: <b>{report.voided}</b></p>"
        + _count_row(_w("by_state", lang), states, lang)
        + _count_row(_w("by_queue", lang), queues, lang)
        + _count_row(
            _w("callbacks", lang),
            {lb.name("satisfaction", k): n for k, n in report.callbacks.items()},
            lang,
        )
        + _img(images, "chart_hours", _w("chart_hours", lang))
        + _img(images, "chart_categories", _w("chart_categories", lang))
        + _img(images, "chart_grids", _w("chart_grids", lang))
        + _top_table(report, lang)
    )


def _top_table(report: HandoverReport, lang: str) -> str:
    """The two top-10 lists as text beside their charts: exact codes, searchable names."""
    cats, grids = _bars(report.top_categories, lang), _bars(report.top_grids, lang)
    codes = [b.key for b in report.top_categories]
    rows = []
    for i in range(max(len(cats), len(grids))):
        cat = [f"{codes[i]} {cats[i][0]}", str(cats[i][1])] if i < len(cats) else ["", ""]
        grid = [grids[i][0], str(grids[i][1])] if i < len(grids) else ["", ""]
        rows.append([str(i + 1)] + [_e(x) for x in cat + grid])
    head = ["#"] + [_e(_w(k, lang)) for k in ("category", "count", "grid", "count")]
    return _table(head, rows, frozenset({0, 2, 4})) if rows else ""


def _count_row(title: str, counts: dict[str, int], lang: str) -> str:
    """Counts as header rows over rows of numbers: a dozen states in Chinese fit the page
    width in one pair of rows; English names are longer, so they wrap into pairs of seven."""
    per_row = 13 if lang == "zh" else 7
    items = list(counts.items())
    chunks = [items[i : i + per_row] for i in range(0, len(items), per_row)] or [[]]
    rows = []
    for chunk in chunks:
        head = "".join(f"<th>{_e(k)}</th>" for k, _ in chunk)
        cells = "".join(f'<td class="num">{n}</td>' for _, n in chunk)
        rows.append(f"<tr>{head}</tr><tr>{cells}</tr>")
    rows[0] = f'<tr><th rowspan="{2 * len(chunks)}">{_e(title)}</th>' + rows[0][4:]
    return (
        '<table class="data" border="1" cellspacing="0" cellpadding="4">'
        + "".join(rows)
        + "</table>"
    )


def _minutes(m: float | None, lang: str) -> str:
    """Working minutes left (negative: overdue) as the centre says it: 剩余 1:05 / 超时 12′."""
    if m is None:
        return _w("paused", lang)
    v = int(abs(m))
    text = f"{v // 60}:{v % 60:02d}" if v >= 60 else f"{v}′"
    return _w("minutes_over" if m < 0 else "minutes_left", lang).format(text)


def _case_table(lines: list[CaseLine], key: str, lang: str, *, with_left: bool) -> str:
    lb = Labels(lang)
    head = [_w(k, lang) for k in ("id", "category", "address", "department", "state")]
    head += [_w("time_left", lang)] if with_left else [_w("hold", lang), _w("since", lang)]
    rows = []
    for c in lines:
        row = [c.id, c.category_en if lang == "en" else c.category_zh, c.address, c.department]
        row.append(lb.name("state", c.state))
        if with_left:
            row.append(_minutes(c.minutes_left, lang))
        else:
            row += [_w(c.hold, lang), local_time(c.since, "%m-%d %H:%M")]
        rows.append([_e(x) for x in row])
    body = _table([_e(h) for h in head], rows) if rows else f"<p>{_e(_w('none', lang))}</p>"
    return f"<h2>{_e(_w(key, lang))} ({len(lines)})</h2>{body}"


def _alerts_section(report: HandoverReport, lang: str) -> str:
    lb = Labels(lang)
    cols = ("raised", "acknowledged", "resolved", "open", "supervised")
    rows = [
        [_e(lb.name("alert_kind", a.kind))] + [str(getattr(a, k)) for k in cols]
        for a in report.alerts
    ]
    head = [_e(_w(k, lang)) for k in ("kind", *cols)]
    body = _table(head, rows, frozenset(range(1, 6))) if rows else f"<p>{_e(_w('none', lang))}</p>"
    return f"<h2>{_e(_w('alerts', lang))}</h2>{body}"


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _vehicles_section(report: HandoverReport, lang: str) -> str:
    lb = Labels(lang)
    keys = ("plate", "type", "fixes", "distance", "working", "coverage", "segments", "incidents")
    rows = [
        [
            _e(v.plate),
            _e(lb.name("vehicle_type", v.type)),
            str(v.fixes),
            f"{v.distance_km:.1f}",
            _percent(v.working_share),
            _percent(v.coverage),
            f"{v.segments_done}/{v.segments}" if v.segments else "—",
            _e("、".join(f"{lb.name('alert_kind', k)}×{n}" for k, n in v.incidents.items())),
        ]
        for v in report.vehicles
    ]
    table = _table([_e(_w(k, lang)) for k in keys], rows, frozenset(range(2, 7)))
    return f"<h2>{_e(_w('vehicles', lang))} ({len(rows)})</h2>{table}"


def _bookmarks_section(report: HandoverReport, lang: str) -> str:
    rows = [
        [_e(local_time(b.at, "%m-%d %H:%M:%S")), _e(b.label), str(b.seq)] for b in report.bookmarks
    ]
    head = [_e(_w("time", lang)), _e(_w("label", lang)), "seq"]
    body = _table(head, rows) if rows else f"<p>{_e(_w('none', lang))}</p>"
    return f"<h2>{_e(_w('bookmarks', lang))} ({len(rows)})</h2>{body}"


def _actions_section(report: HandoverReport, lang: str) -> str:
    lb = Labels(lang)
    a = report.actions
    counts = [[_e(lb.name("action", k)), str(n)] for k, n in a.by_action.items()]
    counts.append([f"<b>{_e(_w('total', lang))}</b>", f"<b>{a.total}</b>"])
    parts = [
        f"<h2>{_e(_w('actions', lang))}</h2>",
        _table([_e(_w("action", lang)), _e(_w("count", lang))], counts, frozenset({1})),
        f"<p>{_e(_w('pending', lang))}: {a.pending} · {_e(_w('failed', lang))}: {len(a.failed)}</p>",
    ]
    if a.failed:
        rows = [
            [
                _e(f["case_id"]),
                _e(lb.name("action", f["action"])),
                _e(f"{f['status'] or ''} {f['error']}".strip()),
            ]
            for f in a.failed
        ]
        head = [_e(_w(k, lang)) for k in ("id", "action", "status")]
        parts.append(_table(head, rows))
    return "".join(parts)


# ---- charts ---------------------------------------------------------------------------------
def render_charts(report: HandoverReport, lang: str, families: list[str]) -> dict[str, QImage]:
    """The three charts, by the names the HTML refers to them with."""
    hours = [(b.en if lang == "en" else b.zh, b.count) for b in report.cases_per_hour]
    return {
        "chart_hours": column_chart(
            _w("chart_hours", lang), hours, _w("axis_hour", lang), _w("axis_cases", lang), families, lang
        ),
        "chart_categories": bar_chart(
            _w("chart_categories", lang), _bars(report.top_categories, lang),
            _w("axis_cases", lang), families, lang,
        ),
        "chart_grids": bar_chart(
            _w("chart_grids", lang), _bars(report.top_grids, lang),
            _w("axis_cases", lang), families, lang,
        ),
    }  # fmt: skip


def _bars(bars: list[Bar], lang: str) -> list[tuple[str, int]]:
    return [(b.en if lang == "en" else b.zh, b.count) for b in bars]


def nice_ticks(top: float, want: int = 5) -> list[int]:
    """Whole-number axis ticks from 0 past ``top`` with a step of 1, 2 or 5 × 10^k."""
    raw = max(top, 1) / want
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(1, int(step))
    return list(range(0, int(math.ceil(max(top, 1) / step)) * step + 1, step))


def _canvas(width: int, height: int) -> tuple[QImage, QPainter]:
    img = QImage(width * SCALE, height * SCALE, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(SCALE)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    return img, p


def _font(families: list[str], px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(families)
    f.setPixelSize(round(px))
    f.setBold(bold)
    return f


def _title(p: QPainter, families: list[str], text: str, width: int) -> float:
    """Draw the chart's title; returns the height it took."""
    p.setFont(_font(families, 15, bold=True))
    p.setPen(QColor(ACCENT))
    p.drawText(
        QRectF(0, 4, width, 24), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, text
    )
    return 34.0


def _no_data(p: QPainter, families: list[str], rect: QRectF, lang: str) -> None:
    p.setFont(_font(families, 13))
    p.setPen(QColor(DIM))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, _w("no_data", lang))


def column_chart(
    title: str,
    data: list[tuple[str, int]],
    x_label: str,
    y_label: str,
    families: list[str],
    lang: str,
    height: int = 250,
) -> QImage:
    """Vertical bars (cases per hour): y ticks with grid lines, a value on each bar."""
    width = CHART_WIDTH
    img, p = _canvas(width, height)
    top = _title(p, families, title, width)
    plot = QRectF(58, top + 14, width - 72, height - top - 14 - 46)
    if not data or not any(n for _, n in data):
        _no_data(p, families, plot, lang)
        p.end()
        return img
    ticks = nice_ticks(max(n for _, n in data))
    _y_axis(p, families, plot, ticks, y_label)
    slot = plot.width() / len(data)
    bar_w = min(56.0, slot * 0.7)
    label_every = max(1, math.ceil(len(data) * 44 / plot.width()))
    p.setFont(_font(families, 12))
    for i, (label, n) in enumerate(data):
        h = plot.height() * n / ticks[-1]
        x = plot.left() + slot * i + (slot - bar_w) / 2
        p.fillRect(QRectF(x, plot.bottom() - h, bar_w, h), QColor(BAR))
        p.setPen(QColor(INK))
        if n:
            p.drawText(
                QRectF(x - 10, plot.bottom() - h - 18, bar_w + 20, 16),
                Qt.AlignmentFlag.AlignCenter,
                str(n),
            )
        if i % label_every == 0:
            p.setPen(QColor(DIM))
            p.drawText(
                QRectF(x - 12, plot.bottom() + 4, bar_w + 24, 16),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
    p.setPen(QColor(DIM))
    p.drawText(
        QRectF(plot.left(), height - 22, plot.width(), 18), Qt.AlignmentFlag.AlignCenter, x_label
    )
    p.end()
    return img


def _y_axis(p: QPainter, families: list[str], plot: QRectF, ticks: list[int], label: str) -> None:
    """Horizontal grid lines at the ticks, their values at the left, the axis name rotated."""
    p.setFont(_font(families, 12))
    for t in ticks:
        y = plot.bottom() - plot.height() * t / ticks[-1]
        p.setPen(QColor(GRID if t else DIM))
        p.drawLine(QLineF(plot.left(), y, plot.right(), y))
        p.setPen(QColor(DIM))
        p.drawText(
            QRectF(plot.left() - 40, y - 8, 34, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(t),
        )
    p.save()
    p.translate(14, plot.center().y())
    p.rotate(-90)
    p.drawText(
        QRectF(-plot.height() / 2, -8, plot.height(), 16), Qt.AlignmentFlag.AlignCenter, label
    )
    p.restore()


def bar_chart(
    title: str, data: Sequence[tuple[str, float]], x_label: str, families: list[str], lang: str
) -> QImage:
    """Horizontal bars, largest first (top categories, top grids): names at the left, the
    count at each bar's end, x ticks and the axis name below."""
    width, row = CHART_WIDTH, 24
    height = int(34 + 8 + max(len(data), 2) * row + 44)
    img, p = _canvas(width, height)
    top = _title(p, families, title, width)
    label_font = _font(families, 13)
    fm = QFontMetricsF(label_font)
    label_w = min(width * 0.42, max((fm.horizontalAdvance(t) for t, _ in data), default=0) + 12)
    # room at the right for the widest value (a score's "100.0" is wider than a count)
    value_fm = QFontMetricsF(_font(families, 12, bold=True))
    value_w = max([36.0] + [value_fm.horizontalAdvance(str(n)) + 8 for _, n in data])
    plot = QRectF(label_w + 8, top + 8, width - label_w - 8 - value_w, len(data) * row)
    if not data:
        _no_data(p, families, QRectF(0, top, width, height - top), lang)
        p.end()
        return img
    ticks = nice_ticks(max(n for _, n in data))
    _x_axis(p, families, plot, ticks, x_label)
    for i, (label, n) in enumerate(data):
        y = plot.top() + i * row
        w = plot.width() * n / ticks[-1]
        p.fillRect(QRectF(plot.left(), y + 4, w, row - 8), QColor(BAR))
        p.setFont(label_font)
        p.setPen(QColor(INK))
        text = fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8)
        p.drawText(
            QRectF(0, y, label_w, row),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        p.setFont(_font(families, 12, bold=True))
        p.drawText(
            QRectF(plot.left() + w + 4, y, value_w, row),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            str(n),
        )
    p.end()
    return img


def _x_axis(p: QPainter, families: list[str], plot: QRectF, ticks: list[int], label: str) -> None:
    """Vertical grid lines at the ticks, their values below, the axis name under them."""
    p.setFont(_font(families, 12))
    for t in ticks:
        x = plot.left() + plot.width() * t / ticks[-1]
        p.setPen(QColor(GRID if t else DIM))
        p.drawLine(QLineF(x, plot.top(), x, plot.bottom()))
        p.setPen(QColor(DIM))
        p.drawText(QRectF(x - 20, plot.bottom() + 4, 40, 16), Qt.AlignmentFlag.AlignCenter, str(t))
    p.drawText(
        QRectF(plot.left(), plot.bottom() + 22, plot.width(), 18),
        Qt.AlignmentFlag.AlignCenter,
        label,
    )
