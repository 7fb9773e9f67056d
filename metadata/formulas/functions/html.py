"""HYPERLINK, IMAGE and BR: text producing the HTML Salesforce renders.

Output matches the published conformance vectors exactly, e.g. ``<a href="url">name</a>`` and
``<img src="url" alt="alt" height="30" width="30"/>``. Attribute values (URL, target, alt) have
``"``, ``<`` and ``>`` escaped so a field value cannot break out of the attribute; the link text is
NOT escaped because Salesforce allows markup there (``HYPERLINK(url, IMAGE(...))``): whoever
renders a formula result as HTML must sanitise it like any other rich text.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from .. import numeric
from ..nodes import TCall
from ..sqlfrag import func, tpl
from ..types import FormulaType as T
from .base import FormulaFunction, Overload
from .registry import FUNCTIONS


def attr(value: str) -> str:
    """Escape an HTML attribute value the same way as SQL ``tessera_f_html_attr``."""
    return value.replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _sql_attr(part: sql.Composable) -> sql.Composable:
    return func("tessera_f_html_attr", part)


@FUNCTIONS.entry
class Hyperlink(FormulaFunction):
    name = "HYPERLINK"
    overloads = (Overload((T.TEXT, T.TEXT), T.TEXT, "2"), Overload((T.TEXT, T.TEXT, T.TEXT), T.TEXT, "3"))

    def py(self, node: TCall, url: Any, label: Any, target: Any = None) -> Any:
        target_attr = f' target="{attr(target)}"' if target is not None else ""
        return f'<a href="{attr(url)}"{target_attr}>{label}</a>'

    def sql(self, node: TCall, url: sql.Composable, label: sql.Composable,
            target: sql.Composable | None = None) -> sql.Composable:
        if target is None:
            return tpl("""('<a href="' || {} || '">' || {} || '</a>')""", _sql_attr(url), label)
        return tpl("""('<a href="' || {} || '" target="' || {} || '">' || {} || '</a>')""",
                   _sql_attr(url), _sql_attr(target), label)


@FUNCTIONS.entry
class Image(FormulaFunction):
    """IMAGE(url, alt[, height, width]); blank height/width make the result blank."""

    name = "IMAGE"
    overloads = (Overload((T.TEXT, T.TEXT), T.TEXT, "2"),
                 Overload((T.TEXT, T.TEXT, T.NUMBER, T.NUMBER), T.TEXT, "4"))

    def py(self, node: TCall, url: Any, alt: Any, height: Any = None, width: Any = None) -> Any:
        size = ""
        if node.variant == "4":
            size = f' height="{numeric.to_text(height)}" width="{numeric.to_text(width)}"'
        return f'<img src="{attr(url)}" alt="{attr(alt)}"{size}/>'

    def sql(self, node: TCall, url: sql.Composable, alt: sql.Composable,
            height: sql.Composable | None = None, width: sql.Composable | None = None) -> sql.Composable:
        if height is None or width is None:
            return tpl("""('<img src="' || {} || '" alt="' || {} || '"/>')""", _sql_attr(url), _sql_attr(alt))
        return tpl("""('<img src="' || {} || '" alt="' || {} || '" height="' || trim_scale({})::text"""
                   """ || '" width="' || trim_scale({})::text || '"/>')""",
                   _sql_attr(url), _sql_attr(alt), height, width)


@FUNCTIONS.entry
class Br(FormulaFunction):
    """BR(): a line break in rich text output."""

    name = "BR"
    overloads = (Overload((), T.TEXT),)

    def py(self, node: TCall) -> Any:
        return "<br>"

    def sql(self, node: TCall) -> sql.Composable:
        return sql.SQL("'<br>'::text")
