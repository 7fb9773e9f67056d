"""Micro benchmark of the formula pipeline (parse + check, evaluate, compile) on a typical formula.

Run: .venv/bin/python bench/formulas_eval.py
"""

from __future__ import annotations

import datetime as dt
import timeit
from decimal import Decimal
from zoneinfo import ZoneInfo

from metadata.formulas import FieldInfo, FormulaType, check, compile_sql, evaluate, parse

T = FormulaType
SOURCE = ('IF(AND(Amount > 10000, ISPICKVAL(Stage, "Won")), ROUND(Amount * Discount, 2), '
          'CASE(Region, "EU", Amount / 1.2, "US", Amount, 0)) + (CloseDate - DATE(2020, 1, 1))')
TYPES = {"amount": T.CURRENCY, "stage": T.PICKLIST, "discount": T.PERCENT, "region": T.TEXT,
         "closedate": T.DATE}
VALUES = {("amount",): Decimal("12500.50"), ("stage",): "Won", ("discount",): Decimal(15),
          ("region",): "EU", ("closedate",): dt.date(2024, 5, 1)}


class Scope:
    def resolve(self, path: tuple[str, ...]) -> FieldInfo:
        key = path[0].lower()
        return FieldInfo(TYPES[key], path=(key,))


class Values:
    def get(self, path: tuple[str, ...]) -> object:
        return VALUES.get(path)


class Refs:
    def sql_for(self, path: tuple[str, ...]):  # noqa: ANN201
        from psycopg2 import sql

        return sql.SQL("(data->>{})").format(sql.Literal(path[0]))


def main() -> None:
    now, tz = dt.datetime.now(dt.UTC), ZoneInfo("Europe/Paris")
    checked = check(parse(SOURCE), Scope())
    n = 2000
    for label, fn in [
        ("parse+check", lambda: check(parse(SOURCE), Scope())),
        ("evaluate", lambda: evaluate(checked, Values(), now=now, tz=tz)),
        ("compile_sql", lambda: compile_sql(checked, Refs())),
    ]:
        seconds = timeit.timeit(fn, number=n)
        print(f"{label:12s} {seconds / n * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
