"""A table (a header and rows of text, numbers and datetimes) as CSV or XLSX, streamed.

CSV: UTF-8 with a byte-order mark, which is how Excel (Windows, zh-CN) recognises UTF-8; without
it Excel opens the file as GBK and the Chinese is mojibake. Datetimes as ``YYYY-MM-DD
HH:MM:SS``, which Excel and LibreOffice read as dates.

XLSX: openpyxl's write-only mode (rows go to disk as they come: 100,000 rows do not build a
workbook in memory); a bold, frozen header row, column widths from the header and the first
``WIDTH_SAMPLE`` rows (East Asian characters count double), datetimes as real Excel dates.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = (".csv", ".xlsx")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
WIDTH_SAMPLE = 200  # rows that size the columns (write-only sheets size them before any row)
MAX_WIDTH = 60
#: Excel's sheet names: at most 31 characters, none of these.
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def check_table_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{out}: unsupported format {suffix or '(none)'!r}; use .csv or .xlsx")
    return suffix


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


def _width(v: Any) -> int:
    s = _text(v)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def write_table(
    out: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = ""
) -> int:
    """Write by the suffix (.csv or .xlsx); the number of rows written."""
    if check_table_format(out) == ".csv":
        return write_csv(out, headers, rows)
    return write_xlsx(out, headers, rows, title)


def write_csv(out: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for row in rows:
            w.writerow([_text(v) for v in row])
            n += 1
    return n


def sheet_title(title: str) -> str:
    return (title.translate(_SHEET_FORBIDDEN).strip("'") or "Sheet")[:31]


def write_xlsx(
    out: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = ""
) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))
    it = iter(rows)
    sample = list(islice(it, WIDTH_SAMPLE))
    for col, header in enumerate(headers, start=1):
        widest = max([_width(header), *(_width(r[col - 1]) for r in sample if len(r) >= col)])
        ws.column_dimensions[get_column_letter(col)].width = min(widest + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        return cell

    ws.append([header_cell(h) for h in headers])
    date_cells: dict[int, WriteOnlyCell] = {}
    n = 0
    for row in chain(sample, it):
        out_row: list[Any] = []
        for col, v in enumerate(row):
            if isinstance(v, datetime):
                cell = date_cells.get(col)
                if cell is None:
                    cell = date_cells[col] = WriteOnlyCell(ws)
                    cell.number_format = DATE_FORMAT
                cell.value = v
                out_row.append(cell)
            else:
                out_row.append(v)
        ws.append(out_row)
        n += 1
    wb.save(out)
    return n
