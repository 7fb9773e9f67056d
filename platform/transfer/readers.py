"""Spreadsheet files in: CSV in whatever encoding Excel or WPS wrote it, and XLSX, read as streams.

- CSV: the encoding is detected from the first bytes (a byte-order mark: UTF-8 or UTF-16, which
  Excel's "Unicode text" writes, tab-separated; otherwise strict UTF-8; otherwise GB18030, the
  superset of GBK and GB2312 that Chinese Windows writes, when it decodes the sample into Chinese
  text; otherwise charset-normalizer's best guess). Short GBK files are where detection errs, so
  the importer can override it. The delimiter is sniffed among `,`, `;`, tab and `|`. Rows are read
  one at a time: memory does not grow with the file.
- XLSX: openpyxl in read-only mode streams the sheet's XML row by row (memory stays flat at any
  size). python-calamine is several times faster but parses the whole sheet into memory (its cell
  range, about 30-60 bytes a cell in Rust, plus the Python row being handed out), so it reads
  files up to `CALAMINE_MAX_BYTES` and openpyxl the larger ones. Both give numbers, dates and
  booleans as such, so a date cell is never re-read through text.

A file has a header row (chosen by the importer: exports with a title line put it on row 2 or 3);
the rows after it are data. Rows are lists of cells (str, int, float, bool, date, datetime or
None), as long as the header.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import openpyxl
from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from tessera.errors import ValidationFailed

#: Bytes of a CSV read to detect its encoding and delimiter.
SAMPLE_BYTES = 256 * 1024
#: XLSX files up to this size are read with python-calamine (whole sheet in memory, fast); larger
#: ones are streamed by openpyxl's read-only mode.
CALAMINE_MAX_BYTES = 16 * 1024 * 1024
#: The most rows a sheet holds in XLSX (the format's limit).
XLSX_MAX_ROWS = 1_048_576
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030", "utf-16", "big5", "latin-1")
DELIMITERS = ",;\t|"
#: A data row longer than this many cells is cut (a damaged file must not exhaust memory).
MAX_COLUMNS = 500

csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class SourceOptions:
    """How to read a file: its format, encoding (None: detect), sheet (None: the first) and the
    1-based number of its header row."""

    format: str = "csv"
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    delimiter: str | None = None


@dataclass
class Preview:
    format: str
    headers: list[str]
    rows: list[list[Any]]
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None


def file_format(filename: str, head: bytes = b"") -> str:
    """"xlsx" for a workbook (by its zip signature or name), else "csv"."""
    if head.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV from its first bytes (see the module's docstring)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8"):
        return "utf-8"
    if _decodes(sample, "gb18030") and any("\u4e00" <= ch <= "\u9fff" for ch in sample.decode("gb18030", "ignore")):
        return "gb18030"
    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def _decodes(sample: bytes, encoding: str) -> bool:
    """Whether `sample` decodes, allowing a character cut at its end."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _check_options(options: SourceOptions) -> None:
    if options.header_row < 1:
        raise ValidationFailed.single("header_row", "invalid", _("The header row is 1 or more."))
    if options.encoding:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise ValidationFailed.single("encoding", "invalid", _("Unknown encoding “%(name)s”.")
                                          % {"name": options.encoding}) from None


class Table:
    """An open file: its header and an iterator over its data rows. Use as a context manager."""

    def __init__(self, path: str | Path, options: SourceOptions) -> None:
        _check_options(options)
        self.path = Path(path)
        self.options = options
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.sheets: list[str] = []
        self.sheet: str | None = None
        self._closers: list[Any] = []
        self._rows = self._open_csv() if options.format == "csv" else self._open_xlsx()
        self.headers = self._read_header()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for closer in self._closers:
            closer.close()
        self._closers.clear()

    def rows(self) -> Iterator[list[Any]]:
        """The data rows, each padded or cut to the header's width; wholly blank rows skipped."""
        width = len(self.headers)
        for row in self._rows:
            if not any(cell is not None and cell != "" for cell in row):
                continue
            cells = list(row[:width])
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            yield cells

    def _read_header(self) -> list[str]:
        header: list[Any] = []
        for _number in range(self.options.header_row):
            row: list[Any] | None = next(self._rows, None)
            header = row or []
        headers = [("" if cell is None else str(cell)).strip() for cell in header[:MAX_COLUMNS]]
        while headers and not headers[-1]:
            headers.pop()
        if not headers:
            raise ValidationFailed.single("header_row", "no_header", _("Row %(row)d holds no column names.")
                                          % {"row": self.options.header_row})
        return headers

    # --- CSV ---------------------------------------------------------------------------------
    def _open_csv(self) -> Iterator[list[Any]]:
        with self.path.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
        self.encoding = self.options.encoding or detect_encoding(sample)
        text_sample = sample.decode(self.encoding, errors="ignore")
        self.delimiter = self.options.delimiter or ("\t" if self.encoding == "utf-16" else _sniff_delimiter(text_sample))
        handle = self.path.open(encoding=self.encoding, errors="strict", newline="")
        self._closers.append(handle)
        return self._csv_rows(handle)

    def _csv_rows(self, handle: TextIO) -> Iterator[list[Any]]:
        reader = csv.reader(handle, delimiter=self.delimiter or ",")
        try:
            for row in reader:
                yield [cell.strip() or None for cell in row[:MAX_COLUMNS]]
        except UnicodeDecodeError:
            raise ValidationFailed.single("encoding", "wrong_encoding", _(
                "Line %(line)d is not in %(encoding)s: choose the file's encoding (GB18030 for files saved by "
                "Excel on Chinese Windows).") % {"line": self._bad_line(), "encoding": self.encoding}) from None

    def _bad_line(self) -> int:
        """The first line that does not decode (text is decoded in blocks, so the reader cannot say)."""
        decoder = codecs.getincrementaldecoder(self.encoding or "utf-8")()
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    decoder.decode(line)
                except UnicodeDecodeError:
                    return number
        return 1

    # --- XLSX --------------------------------------------------------------------------------
    def _open_xlsx(self) -> Iterator[list[Any]]:
        if self.path.stat().st_size <= CALAMINE_MAX_BYTES:
            try:
                return self._calamine_rows()
            except CalamineError:
                pass
        return self._openpyxl_rows()

    def _calamine_rows(self) -> Iterator[list[Any]]:
        workbook = CalamineWorkbook.from_path(str(self.path))
        self._closers.append(workbook)
        self.sheets = list(workbook.sheet_names)
        self.sheet = self._chosen_sheet()
        sheet = workbook.get_sheet_by_name(self.sheet)
        return (list(_calamine_cell(c) for c in row) for row in sheet.iter_rows())

    def _openpyxl_rows(self) -> Iterator[list[Any]]:
        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise ValidationFailed.single("file", "unreadable", _("This is not an XLSX workbook.")) from None
        self._closers.append(workbook)
        self.sheets = list(workbook.sheetnames)
        self.sheet = self._chosen_sheet()
        return (list(row) for row in workbook[self.sheet].iter_rows(values_only=True))

    def _chosen_sheet(self) -> str:
        if not self.sheets:
            raise ValidationFailed.single("sheet", "no_sheet", _("The workbook has no sheet."))
        if self.options.sheet is None:
            return self.sheets[0]
        if self.options.sheet not in self.sheets:
            raise ValidationFailed.single("sheet", "unknown_sheet", _("No sheet named “%(name)s”.")
                                          % {"name": self.options.sheet})
        return self.options.sheet


def _calamine_cell(cell: Any) -> Any:
    """calamine gives every number as a float: 2500000.0 and 13800138000.0 are integers people typed."""
    if cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2**53:
        return int(cell)
    return cell


def open_table(path: str | Path, options: SourceOptions) -> Table:
    return Table(path, options)


def preview(path: str | Path, options: SourceOptions, limit: int = 10) -> Preview:
    """The header and the first `limit` data rows, with what was detected (encoding, sheets)."""
    with open_table(path, options) as table:
        rows = []
        for row in table.rows():
            rows.append(row)
            if len(rows) >= limit:
                break
        return Preview(format=options.format, headers=table.headers, rows=rows, encoding=table.encoding,
                       delimiter=table.delimiter, sheets=table.sheets, sheet=table.sheet)


def count_rows(path: str | Path, options: SourceOptions) -> int:
    with open_table(path, options) as table:
        return sum(1 for _row in table.rows())
