"""Generates casemap.py (the UPPER()/LOWER() tables) and the matching translate() calls of
tessera_f_upper / tessera_f_lower in sql_functions.sql, from this Python's unicodedata.

The mapping: every code point whose str.upper() (str.lower()) is ONE other character, that
character; anything else (no mapping, or a mapping that changes the length, such as "ß" -> "SS")
is left unchanged. Run it when the Python the project targets moves to a new Unicode version:

    python metadata/formulas/casemap_generate.py

tests/metadata/formulas/test_casemap.py checks that casemap.py is what this script writes.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
CASEMAP = HERE / "casemap.py"
SQL_FUNCTIONS = HERE / "sql_functions.sql"
WIDTH = 90  # characters of escaped text per source line

HEADER = '''"""Case mapping tables for UPPER()/LOWER(), shared by Python and SQL (GENERATED, do not edit).

Why a table: PostgreSQL's upper()/lower() depend on the database collation (ASCII-only under "C",
libc- or ICU-specific otherwise) and Python's str.upper() uses full Unicode mappings that change
lengths ("ß" -> "SS"). To give the same answer everywhere, both back ends apply this fixed
one-to-one mapping (Unicode simple case mappings, from Python {python}'s
unicodedata {unicode}): Python via str.translate, SQL via translate() in
``sql_functions.sql`` (tessera_f_upper/tessera_f_lower), which a unit test keeps identical.
Characters without a one-to-one mapping are left unchanged. Written by casemap_generate.py.
"""

from __future__ import annotations

'''

FOOTER = '''
UPPER_TABLE = str.maketrans(UPPER_FROM, UPPER_TO)
LOWER_TABLE = str.maketrans(LOWER_FROM, LOWER_TO)


def upper(text: str) -> str:
    return text.translate(UPPER_TABLE)


def lower(text: str) -> str:
    return text.translate(LOWER_TABLE)
'''


def mapping(convert: Callable[[str], str]) -> tuple[str, str]:
    """(from, to): each character whose conversion is one other character, in code point order."""
    source, target = [], []
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF:  # surrogates are not characters
            continue
        char = chr(code_point)
        converted = convert(char)
        if len(converted) == 1 and converted != char:
            source.append(char)
            target.append(converted)
    return "".join(source), "".join(target)


def _escaped(char: str) -> str:
    if char.isascii() and char.isalpha():
        return char
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _constant(name: str, text: str) -> str:
    lines, line = [], ""
    for piece in map(_escaped, text):
        if len(line) + len(piece) > WIDTH:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    return f"{name} = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")\n"


def casemap_source() -> str:
    """The text of casemap.py for this Python."""
    upper_from, upper_to = mapping(str.upper)
    lower_from, lower_to = mapping(str.lower)
    version = ".".join(map(str, sys.version_info[:2]))
    return (HEADER.format(python=version, unicode=unicodedata.unidata_version)
            + _constant("UPPER_FROM", upper_from) + _constant("UPPER_TO", upper_to)
            + _constant("LOWER_FROM", lower_from) + _constant("LOWER_TO", lower_to) + FOOTER)


def sql_functions_source(text: str) -> str:
    """sql_functions.sql with the translate() tables of tessera_f_upper/lower replaced."""
    for function, convert in (("tessera_f_upper", str.upper), ("tessera_f_lower", str.lower)):
        source, target = mapping(convert)
        pattern = re.compile(rf"({function}.*?translate\(t, )'[^']*', '[^']*'(\))", re.S)
        match = pattern.search(text)
        if match is None:
            raise ValueError(f"no translate() call in {function}")
        text = text[:match.start()] + f"{match.group(1)}'{source}', '{target}'{match.group(2)}" + text[match.end():]
    return text


def main() -> None:
    CASEMAP.write_text(casemap_source(), encoding="utf-8")
    SQL_FUNCTIONS.write_text(sql_functions_source(SQL_FUNCTIONS.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
