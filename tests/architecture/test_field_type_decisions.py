"""No decisions on a field's type key outside the field-type registry (metadata/fieldtypes/).

The runtime asks the type (flags and hooks on `FieldType`: computed_on_read, value_type, target,
holds_files, choice_keys…) instead of testing its name, so a new type that behaves like a reference,
a file or a computed value is one new class, not edits in a dozen modules. This test reads the
source of every runtime package and fails on any comparison (==, !=, in, not in), `match`, table
lookup or isinstance check that decides on a type: an operand that is a type's key
(`field.type.key`, `value_type.key`, `.type_key`), a literal equal to a registered type key, a
constant collection of type keys, or a field-type class. Reading the key to show it (API output, a
CSS class) is not a decision and passes.

Run it alone: `.venv/bin/tessera test tests/architecture/test_field_type_decisions.py`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from metadata.fieldtypes import FieldType, field_types

ROOT = Path(__file__).resolve().parents[2]
#: The runtime packages; tests are free to name types.
SCANNED = ("platform", "metadata", "tenants", "ui_builder", "reports_engine")
#: The registry itself: the one place that knows which type is which.
REGISTRY = ROOT / "metadata" / "fieldtypes"
#: The formula language: its strings are formula types and overload variants ("text", "date"),
#: a type system of its own that never sees a field type (test_formula_language_never_sees_field_types),
#: so only literals are not held against it; keys of field types still are.
FORMULA_LANGUAGE = ROOT / "metadata" / "formulas"


@dataclass(frozen=True)
class Decision:
    path: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}"


def _is_type_key(node: ast.AST) -> bool:
    """`<x>.type.key`, `<x>_type.key`, `<x>.type_key`, `<call>_type(...).key`, `field_types.get(...).key`."""
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr == "type_key":
        return True
    if node.attr != "key":
        return False
    owner = node.value
    if isinstance(owner, ast.Attribute):
        return owner.attr == "type" or owner.attr.endswith("_type")
    if isinstance(owner, ast.Name):
        return owner.id == "type" or owner.id.endswith("_type")
    if isinstance(owner, ast.Call):
        func = owner.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        registry = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "field_types"
        return name.endswith("_type") or registry
    return False


def _strings(node: ast.AST) -> list[ast.AST] | None:
    """The elements of a literal tuple/list/set (or frozenset/set/tuple of one), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") \
            and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return list(node.elts)
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, type_keys: frozenset[str], type_classes: frozenset[str], *, literals: bool):
        self.path = path
        self.type_keys = type_keys
        self.type_classes = type_classes
        self.literals = literals
        self.found: list[Decision] = []
        self.depth = 0  # inside function bodies; module and class constants are checked

    def add(self, node: ast.AST, why: str) -> None:
        self.found.append(Decision(self.path, node.lineno, why))

    def is_key_literal(self, node: ast.AST) -> bool:
        return self.literals and isinstance(node, ast.Constant) and node.value in self.type_keys

    def operand_problem(self, node: ast.AST) -> str | None:
        if _is_type_key(node):
            return f"compares a field type's key ({ast.unparse(node)})"
        elements = _strings(node)
        literals = [node] if elements is None else elements
        keys = sorted({e.value for e in literals if self.is_key_literal(e)})
        if keys:
            return f"compares with type key literal(s) {', '.join(keys)}"
        return None

    def visit_Compare(self, node: ast.Compare) -> None:
        if any(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops):
            for operand in (node.left, *node.comparators):
                problem = self.operand_problem(operand)
                if problem:
                    self.add(node, problem)
                    break
        self.generic_visit(node)

    def visit_Match(self, node: ast.Match) -> None:
        if _is_type_key(node.subject):
            self.add(node, f"matches on a field type's key ({ast.unparse(node.subject)})")
        for case in node.cases:
            for sub in ast.walk(case.pattern):
                if isinstance(sub, ast.MatchValue) and self.is_key_literal(sub.value):
                    self.add(sub, f"matches type key literal {sub.value.value!r}")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _is_type_key(node.slice):
            self.add(node, f"looks up a table by a field type's key ({ast.unparse(node.slice)})")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("isinstance", "issubclass") and len(node.args) == 2:
            classes = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
            for cls in classes:
                name = cls.attr if isinstance(cls, ast.Attribute) else getattr(cls, "id", "")
                if name in self.type_classes:
                    self.add(node, f"tests the class of a field type ({name})")
        self.generic_visit(node)

    def check_constant(self, node: ast.Assign | ast.AnnAssign) -> None:
        value = node.value
        if self.depth or value is None:
            return
        if isinstance(value, ast.Dict):
            elements = [k for k in value.keys if k is not None]
        else:
            elements = _strings(value) or []
        if elements and all(self.is_key_literal(e) for e in elements):
            self.add(node, "defines a constant collection of type keys")

    def visit_Assign(self, node: ast.Assign) -> None:
        self.check_constant(node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.check_constant(node)
        self.generic_visit(node)

    def visit_function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_function


def find_decisions(source: str, path: str, type_keys: Iterable[str], type_classes: Iterable[str] = (), *,
                   literals: bool = True) -> list[Decision]:
    finder = _Finder(path, frozenset(type_keys), frozenset(type_classes), literals=literals)
    finder.visit(ast.parse(source, filename=path))
    return finder.found


def _registered() -> tuple[frozenset[str], frozenset[str]]:
    types = [field_types.get(key) for key in field_types]
    classes = {cls.__name__ for t in types for cls in type(t).__mro__ if issubclass(cls, FieldType)}
    return frozenset(t.key for t in types), frozenset(classes)


def _runtime_modules() -> list[Path]:
    modules = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if REGISTRY not in path.parents:
                modules.append(path)
    return modules


def test_no_decisions_on_type_keys_outside_the_registry():
    type_keys, type_classes = _registered()
    modules = _runtime_modules()
    assert len(modules) > 100  # the scan really reads the runtime
    found = []
    for path in modules:
        found += find_decisions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), type_keys,
                                type_classes, literals=FORMULA_LANGUAGE not in path.parents)
    assert not found, "Ask the field type (a flag or hook on FieldType) instead:\n" + "\n".join(map(str, found))


#: Tessera modules that know nothing of field types, which the formula language may use.
GENERIC = frozenset({"tessera.registry"})


def test_formula_language_never_sees_field_types():
    """What lets the scan above skip type-name literals in metadata/formulas/: that package imports
    nothing from Tessera outside itself but generic helpers (neither the field types nor the
    metadata snapshot), so a "date" there is a formula type or an overload variant, never a field type."""
    for path in sorted(FORMULA_LANGUAGE.rglob("*.py")):
        package = list(path.relative_to(ROOT).parent.parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                names = [".".join([*base, node.module or ""]).strip(".")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                ours = name.split(".")[0] in ("metadata", "tessera", "platform", "tenants")
                allowed = name.startswith("metadata.formulas") or name in GENERIC
                assert not ours or allowed, f"{path}: imports {name}"


# --- the finder catches what it must (the code this test replaced), and only that ----------------

CAUGHT = {
    "computed, not auto-number": 'if f.type.computed and f.type.key != "auto_number": pass',
    "formula/rollup ladder": 'value_type = f.type.result_field_type(f) if f.type.key in ("formula", "rollup") else f.type',
    "value type key": 'if value_type.key == "multi_picklist" and len(value) == 1: pass',
    "key read first": 'key = field.type.key\nif key == "formula": pass',
    "spec literal": 'if spec["type"] == "auto_number": pass',
    "literal on the left": 'if "lookup" == field.type.key: pass',
    "membership in a literal set": 'ok = name_type in {"picklist", "boolean"}',
    "file types constant": 'FILE_TYPES = frozenset({"file", "image"})',
    "picklists constant": 'PICKLISTS = ("picklist", "multi_picklist")',
    "annotated constant": 'PICKLISTS: tuple[str, ...] = ("picklist", "multi_picklist")',
    "class constant": 'class View:\n    TYPES = ["lookup", "user"]',
    "table keyed by type": 'WIDGETS = {"date": "calendar", "datetime": "clock"}',
    "lookup in a table": 'widget = WIDGETS[field.type.key]',
    "registry lookup then key": 'if field_types.get(name).key == "email": pass',
    "type_key property": 'if field.type_key in TYPES: pass',
    "match on the key": 'match field.type.key:\n    case "lookup":\n        pass',
    "match a literal": 'match kind:\n    case "formula":\n        pass',
    "isinstance": 'if isinstance(field.type, LookupFieldType): pass',
    "isinstance tuple": 'if isinstance(t, (FileFieldType, ImageFieldType)): pass',
}

PASSES = {
    "showing the key": 'data = {"type": field.type.key}',
    "css class": 'css = f"field-{field.type.key}"',
    "storage key": 'if field.key == other.key: pass',
    "registry lookup": 'field_type = field_types.get(spec["type"])',
    "asking the type": 'if field.type.computed_on_read and field.type.target(field) is not None: pass',
    "unrelated literal": 'if op in ("contains", "startswith"): pass',
    "local collection": 'def f():\n    keys = ("text", "number")\n    return keys',
    "mixed constant": 'SQL_TYPES = {"text", "numeric", "date", "timestamptz"}',
    "dict value": 'FAMILIES = {"t": ("text", 16)}',
}


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_the_finder_catches(name):
    type_keys, type_classes = _registered()
    assert find_decisions(CAUGHT[name], "snippet.py", type_keys, type_classes), CAUGHT[name]


@pytest.mark.parametrize("name", sorted(PASSES))
def test_the_finder_lets_pass(name):
    type_keys, type_classes = _registered()
    assert find_decisions(PASSES[name], "snippet.py", type_keys, type_classes) == [], PASSES[name]


def test_formula_language_literals_are_its_own_but_type_keys_are_not():
    type_keys, type_classes = _registered()
    assert find_decisions('if node.variant == "date": pass', "f.py", type_keys, literals=False) == []
    assert find_decisions('if field.type.key == "date": pass', "f.py", type_keys, literals=False)
