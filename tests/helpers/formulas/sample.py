"""The sample record the formula function tests evaluate against: each canonical path's type
(TYPES) and value (RECORD), blanks included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from metadata.formulas import FormulaType

T = FormulaType
UTC = dt.UTC

TYPES = {
    ("num",): T.NUMBER, ("neg",): T.NUMBER, ("zero",): T.NUMBER, ("blank_num",): T.NUMBER,
    ("pct",): T.PERCENT, ("cur",): T.CURRENCY, ("txt",): T.TEXT, ("empty",): T.TEXT,
    ("blank_txt",): T.TEXT, ("d",): T.DATE, ("blank_d",): T.DATE, ("dt",): T.DATETIME,
    ("flag",): T.BOOLEAN, ("blank_flag",): T.BOOLEAN, ("pick",): T.PICKLIST,
    ("blank_pick",): T.PICKLIST, ("multi",): T.MULTIPICKLIST, ("blank_multi",): T.MULTIPICKLIST,
    ("account", "name"): T.TEXT,
}
RECORD = {
    ("num",): D(10), ("neg",): D("-2.5"), ("zero",): D(0), ("blank_num",): None, ("pct",): D(15),
    ("cur",): D("100.50"), ("txt",): "Hello World", ("empty",): "", ("blank_txt",): None,
    ("d",): dt.date(2020, 2, 29), ("blank_d",): None, ("dt",): dt.datetime(2020, 3, 9, 22, 34, tzinfo=UTC),
    ("flag",): True, ("blank_flag",): None, ("pick",): "Hot", ("blank_pick",): None,
    ("multi",): frozenset({"a", "b"}), ("blank_multi",): None, ("account", "name"): "Acme",
}
