"""Files as people have them: GBK from Chinese Windows, UTF-8 with and without a BOM, UTF-16 text
from Excel, XLSX with a title row, several sheets, dates as serials and as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from tessera.errors import ValidationFailed
from tessera.transfer.readers import (
    SourceOptions,
    count_rows,
    detect_encoding,
    file_format,
    open_table,
    preview,
)
from tessera.transfer.values import parse_date

ROWS = [["客户名称", "等级", "年收入", "成立日期"], ["华为技术有限公司", "A 级", "￥1,054.50", "2024年3月5日"],
        ["小米科技", "B 级", "3.5万", "2024/3/5"]]


def _csv(path, rows, encoding, delimiter=","):
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding, detected", [("gbk", "gb18030"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("utf-16", "utf-16")])
def test_a_csv_is_read_in_the_encoding_it_was_written_in(tmp_path, encoding, detected):
    path = _csv(tmp_path / "accounts.csv", ROWS, encoding, "\t" if encoding == "utf-16" else ",")
    shown = preview(path, SourceOptions())
    assert shown.encoding == detected
    assert shown.headers == ROWS[0]
    assert shown.rows == ROWS[1:]


def test_a_short_gbk_file_reads_as_gb18030_and_the_encoding_can_be_overridden(tmp_path):
    path = _csv(tmp_path / "short.csv", [["名称"], ["张三"]], "gbk")
    assert detect_encoding(path.read_bytes()) == "gb18030"
    latin = preview(path, SourceOptions(encoding="latin-1"))
    assert latin.headers != ["名称"]  # what the user sees when the guess is wrong, and then fixes
    assert preview(path, SourceOptions(encoding="gbk")).headers == ["名称"]


def test_a_file_in_another_encoding_than_chosen_says_which_line(tmp_path):
    path = _csv(tmp_path / "gbk.csv", [["name"], *[["abc"]] * 3, ["华为"]], "gbk")
    with pytest.raises(ValidationFailed) as caught, open_table(path, SourceOptions(encoding="utf-8")) as table:
        list(table.rows())
    assert "Line 5" in str(caught.value.field_errors["encoding"][0].message)


def test_semicolon_csv_blank_rows_and_short_rows(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("a;b;c\n1;2;3\n\n;;\n4\n", encoding="utf-8")
    with open_table(path, SourceOptions()) as table:
        assert table.delimiter == ";"
        assert list(table.rows()) == [["1", "2", "3"], ["4", None, None]]


def _workbook(path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "说明"
    sheet.append(["这是一个说明页"])
    data = workbook.create_sheet("客户")
    data.append(["客户导出 2024"])  # a title row: the header is row 2
    data.append(["客户名称", "成立日期", "员工数"])
    data.append(["华为", dt.datetime(2024, 3, 5), 1200])
    data.append(["小米", "2024年3月5日", 300.0])
    data.append(["联想", 45356, None])  # a date typed as its serial number
    workbook.save(path)
    return path


@pytest.mark.parametrize("calamine", [True, False])
def test_an_xlsx_sheet_and_header_row_are_chosen(tmp_path, monkeypatch, calamine):
    if not calamine:
        monkeypatch.setattr("tessera.transfer.readers.CALAMINE_MAX_BYTES", 0)  # openpyxl's streaming reader
    path = _workbook(tmp_path / "book.xlsx")
    assert file_format("book.xlsx", path.read_bytes()[:4]) == "xlsx"
    shown = preview(path, SourceOptions(format="xlsx", sheet="客户", header_row=2))
    assert shown.sheets == ["说明", "客户"]
    assert shown.headers == ["客户名称", "成立日期", "员工数"]
    assert shown.rows[0][0] == "华为" and parse_date(shown.rows[0][1]) == dt.date(2024, 3, 5)
    assert shown.rows[1][1] == "2024年3月5日"
    assert shown.rows[2][1] == 45356
    assert count_rows(path, SourceOptions(format="xlsx", sheet="客户", header_row=2)) == 3
    with pytest.raises(ValidationFailed):
        preview(path, SourceOptions(format="xlsx", sheet="nope"))
