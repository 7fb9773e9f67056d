"""Write a table to CSV or XLSX in constant memory: the one writer of exports and reports.

    write_table(columns, rows, "xlsx", path, progress=None) -> number of rows written

- `columns`: the header cells, in order (labels or keys: the caller decides).
- `rows`: any iterable of sequences as long as `columns` (a generator reading a cursor page by
  page keeps memory flat); cells are None, str, bool, int, float, Decimal, date or datetime
  (aware date-times are written in the current time zone, without an offset). Format values for
  people before handing them over (picklist labels, user names): only numbers and dates are
  typed here.
- `format`: "csv" (UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; comma
  separated, CRLF line ends) or "xlsx" (xlsxwriter's constant_memory mode: each row is flushed
  to disk when the next begins, so memory stays flat at any size; numbers and dates are typed
  cells; a sheet is full at 1,048,575 data rows and the rest go on the next sheet, repeating the
  header).
- `progress(count)` is called every `PROGRESS_EVERY` rows and at the end.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return)
is written as text: with a leading apostrophe in CSV (OWASP's advice), as a string cell in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import timezone

FORMATS = ("csv", "xlsx")
PROGRESS_EVERY = 1000
#: Data rows of an XLSX sheet (the format's 1,048,576 rows less the header).
SHEET_ROWS = 1_048_575
#: Digits a spreadsheet number holds exactly (IEEE double); longer decimals are written as text.
EXACT_DIGITS = 15
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], format: str, path: str | Path,  # noqa: A002
                progress: Callable[[int], None] | None = None) -> int:
    """Write `rows` under `columns` to `path` as `format`; returns the number of data rows."""
    if format not in FORMATS:
        raise ValueError(f"unknown table format {format!r} (one of {', '.join(FORMATS)})")
    writer = _write_csv if format == "csv" else _write_xlsx
    return writer(list(columns), rows, Path(path), progress or (lambda count: None))


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _write_csv(columns: list[str], rows: Iterable[Sequence[Any]], path: Path,
               progress: Callable[[int], None]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([_csv_cell(c) for c in columns])
        for row in rows:
            writer.writerow([_csv_cell(c) for c in row])
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(count)
    progress(count)
    return count


class _Sheets:
    """The workbook's sheets, a new one (header repeated) each time one is full."""

    def __init__(self, workbook: Any, columns: list[str]) -> None:
        self.workbook = workbook
        self.columns = columns
        self.sheet: Any = None
        self.row = SHEET_ROWS
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.header = workbook.add_format({"bold": True})

    def next_row(self) -> int:
        if self.row >= SHEET_ROWS:
            self.sheet = self.workbook.add_worksheet()
            for col, title in enumerate(self.columns):
                self.sheet.write_string(0, col, str(title), self.header)
            self.sheet.freeze_panes(1, 0)
            self.row = 0
        self.row += 1
        return self.row

    def write(self, row: int, col: int, value: Any) -> None:
        sheet = self.sheet
        if value is None or value == "":
            return
        if isinstance(value, str):
            sheet.write_string(row, col, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value)
        elif isinstance(value, Decimal):
            if len(value.as_tuple().digits) <= EXACT_DIGITS:
                sheet.write_number(row, col, float(value))
            else:
                sheet.write_string(row, col, format(value, "f"))
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, _local(value), self.datetime)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.date)
        else:
            sheet.write_string(row, col, str(value))


def _write_xlsx(columns: list[str], rows: Iterable[Sequence[Any]], path: Path,
                progress: Callable[[int], None]) -> int:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    count = 0
    try:
        sheets = _Sheets(workbook, columns)
        for row in rows:
            number = sheets.next_row()
            for col, value in enumerate(row):
                sheets.write(number, col, value)
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(count)
        if sheets.sheet is None:  # no rows: still a workbook with its header
            sheets.next_row()
    finally:
        workbook.close()
    progress(count)
    return count
