"""Loads the Salesforce conformance vectors (tests/metadata/formulas/conformance, from leifg/formulon, MIT).

Each suite becomes a :class:`Case`: the formula, typed inputs keyed by canonical path, field types
(a field given as ``null`` in one suite takes its type from the other suites of the same example),
and the expected typed result.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from metadata.formulas import FormulaType

from .support import canonical

T = FormulaType
CONFORMANCE_DIR = Path(__file__).resolve().parents[2] / "metadata" / "formulas" / "conformance"
_TYPES = {"number": T.NUMBER, "text": T.TEXT, "picklist": T.PICKLIST, "checkbox": T.BOOLEAN,
          "date": T.DATE, "datetime": T.DATETIME}
_PY_TYPES = {"number": Decimal, "text": str, "checkbox": bool, "date": dt.date,
             "datetime": dt.datetime, "null": type(None)}


@dataclass(frozen=True)
class Case:
    id: str
    formula: str
    types: dict[tuple[str, ...], FormulaType]
    values: dict[tuple[str, ...], Any]
    expected_type: str
    expected: Any

    @property
    def expected_python_type(self) -> type:
        return _PY_TYPES[self.expected_type]


def _value(data_type: str, raw: Any) -> Any:
    if raw is None or data_type == "null":
        return None
    if data_type == "number":
        return Decimal(str(raw))
    if data_type == "date":
        return dt.date.fromisoformat(raw)
    if data_type == "datetime":
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if data_type == "checkbox":
        return bool(raw)
    return str(raw)


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CONFORMANCE_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        for ex_index, example in enumerate(doc["examples"]):
            types: dict[tuple[str, ...], FormulaType] = {}
            for suite in example["suites"]:
                for name, ident in suite["identifiers"].items():
                    if ident["dataType"] in _TYPES:
                        types[canonical(tuple(name.split(".")))] = _TYPES[ident["dataType"]]
            for suite_index, suite in enumerate(example["suites"]):
                values = {}
                for name, ident in suite["identifiers"].items():
                    key = canonical(tuple(name.split(".")))
                    types.setdefault(key, T.TEXT)
                    values[key] = _value(ident["dataType"], ident.get("value"))
                expected = suite["expectedResult"]
                case_id = f"{path.stem}/{ex_index}:{example['name']}/{suite_index}:{suite.get('context', '')}"
                cases.append(Case(case_id, example["formula"], dict(types), values,
                                  expected["dataType"], _value(expected["dataType"], expected.get("value"))))
    return cases
