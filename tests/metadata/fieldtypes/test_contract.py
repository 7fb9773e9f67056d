"""The contract every registered field type keeps, run over all of them.

Each type gives its own sample options and values (`FieldType.contract_samples`), so a new type is
covered by these tests as soon as it is registered, and fails them until it gives samples that keep
the contract:

- coerce → validate → to_storage, written as the runtime writes `data` (records.jsonio), read back
  in PostgreSQL through `json_sql` (usable in an expression index, so IMMUTABLE) equals the Python
  read (`from_storage`, as the projection holds it), and the Python read equals the coerced value;
  `unique_sql` and `normalise_for_unique` agree;
- import text round trip: parse_text(format_text(v)) == v (types that import text);
- the options schema is a valid JSON Schema and the sample options satisfy it;
- the OpenAPI schema (as read and as written) is a valid JSON Schema and the API value, blank
  included, validates against it;
- every filter operator of the type parses a value (or refuses text that is none with a
  FieldValueError, a 400) and runs in PostgreSQL, finding the record exactly when it should.

Types computed on read (formula, roll-up) have no stored value: they are covered through records of
a real tenant (test_computed_types_in_a_tenant).
"""

from __future__ import annotations

from types import MappingProxyType

import pytest
from django.conf import settings
from django.db import connection
from django.urls import get_urlconf, set_urlconf
from django.utils import timezone
from jsonschema import Draft202012Validator
from psycopg2 import sql

from metadata import schemas
from metadata.fieldtypes import ContractSamples, FieldValueError, field_types
from metadata.meta import FieldMeta, freeze
from tessera.records.api.openapi import _shared_schemas
from tessera.records.filters import filter_ops
from tessera.records.jsonio import dumps, loads
from tessera.records.serialize import api_value

TYPES = sorted(field_types)
STORED = [key for key in TYPES if not field_types.get(key).computed_on_read]
#: The filter operators a record holding the sample value must (True) or must not (False) match
#: when the filter is given that same value; contains/startswith only have to run.
MATCHES = {"eq": True, "ne": False, "in": True, "range": True, "lte": True, "gte": True, "lt": False,
           "gt": False, "isnull": False}


def samples(key: str) -> ContractSamples:
    given = field_types.get(key).contract_samples()
    assert isinstance(given, ContractSamples), f"field type {key!r} gives no contract_samples()"
    assert given.values, f"field type {key!r}: contract_samples() gives no values"
    return given


def sample_field(key: str) -> FieldMeta:
    return FieldMeta(id=990_001, object_id=1, object_api_name="contract", api_name="sample", key="f990001",
                     type=field_types.get(key), labels=freeze({"en": "Sample", "zh-hans": "样例"}),
                     help_text=MappingProxyType({}), options=freeze(dict(samples(key).options)))


def coerced_values(key: str) -> list:
    field = sample_field(key)
    values = []
    for raw in samples(key).values:
        value = field.type.coerce(raw, field)
        assert value is not None and not field.type.is_blank(value), (key, raw)
        field.type.validate(value, field)
        values.append(value)
    return values


@pytest.mark.parametrize("key", TYPES)
def test_every_type_gives_samples_and_a_valid_options_schema(key):
    field_type = field_types.get(key)
    Draft202012Validator.check_schema(field_type.options_schema)
    errors = list(schemas.options_validator(field_type).iter_errors(dict(samples(key).options)))
    assert not errors, [e.message for e in errors]
    coerced_values(key)


@pytest.mark.parametrize("key", TYPES)
def test_import_text_round_trip(key):
    field = sample_field(key)
    for language in ("en", "zh-hans", None):
        for value in coerced_values(key):
            text = field.type.format_text(value, field, language)
            assert isinstance(text, str) and text
            if field.type.imports_text:
                assert field.type.equal(field.type.parse_text(text, field), value), (key, language, text)
            else:  # never a wrong value from a cell that cannot say it
                with pytest.raises(FieldValueError):
                    field.type.parse_text(text, field)
    assert field.type.format_text(None, field) == ""


@pytest.fixture
def tenant_urls():
    """URLs as a tenant's request resolves them (file values carry a download URL), whatever
    urlconf an earlier request left in this thread."""
    previous = get_urlconf()
    set_urlconf(settings.ROOT_URLCONF)
    yield
    set_urlconf(previous)


@pytest.mark.parametrize("key", TYPES)
def test_openapi_schema_is_valid_and_describes_the_api_value(key, tenant_urls):
    field = sample_field(key)
    components = {"schemas": _shared_schemas()}
    for for_input in (False, True):
        schema = field.type.openapi_schema(field, for_input=for_input)
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator({**schema, "components": components})
        for value in [*coerced_values(key), None]:
            shown = api_value(field, value)
            errors = list(validator.iter_errors(shown))
            assert not errors, (key, for_input, shown, [e.message for e in errors])
        for op in filter_ops(field):
            Draft202012Validator.check_schema(field.type.filter_parameter_schema(op, field))


@pytest.fixture
def contract_table(db):
    """A temporary table with the record table's `data` column, rolled back with the test."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE field_contract (id integer PRIMARY KEY, data jsonb NOT NULL)")
    return sql.Identifier("field_contract")


def _write(table, field, value) -> None:
    stored = field.type.to_storage(value, field)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DELETE FROM {}").format(table))
        cursor.execute(sql.SQL("INSERT INTO {} (id, data) VALUES (1, %s::jsonb)").format(table),
                       [dumps({field.key: stored})])


def _select(table, expression, where=None):
    statement = sql.SQL("SELECT {} FROM {}").format(expression, table)
    if where is not None:
        statement = sql.SQL("{} WHERE {}").format(statement, where)
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


@pytest.mark.parametrize("key", STORED)
def test_storage_and_sql_read_agree(key, contract_table):
    field = sample_field(key)
    expression = field.type.json_sql(sql.Identifier("data"), field.key)
    with connection.cursor() as cursor:  # the expression can be indexed: IMMUTABLE, as the docs require
        cursor.execute(sql.SQL("CREATE INDEX ON {} (({}))").format(contract_table, expression))
        cursor.execute(sql.SQL("CREATE INDEX ON {} (({}))").format(contract_table, field.type.unique_sql(expression)))
    for value in coerced_values(key):
        _write(contract_table, field, value)
        [(stored_json,)] = _select(contract_table, sql.SQL("data::text"))
        python = field.type.from_storage(loads(stored_json)[field.key], field)
        assert field.type.equal(python, value), (key, python, value)
        [(in_sql,)] = _select(contract_table, expression)
        if field.type.sql_type == "jsonb":  # Django's connection hands jsonb over as its text
            in_sql = loads(in_sql)
        assert in_sql == field.type.to_projection(python, field), (key, in_sql, python)
        if field.type.supports_unique:  # the batch check and the unique index compare the same form
            [(unique,)] = _select(contract_table, field.type.unique_sql(expression))
            [(literal,)] = _select(contract_table, field.type.unique_sql(field.type.sql_literal(value)))
            assert unique == literal == field.type.normalise_for_unique(in_sql), (key, unique, literal)
    with connection.cursor() as cursor:  # a blank value is no key at all: SQL reads NULL
        cursor.execute(sql.SQL("UPDATE {} SET data = '{{}}'::jsonb").format(contract_table))
    assert _select(contract_table, expression) == [(None,)]


def _filter_raw(field, value, op):
    shown = api_value(field, value)
    if op == "isnull":
        return "true"
    if op == "in":
        return [shown]
    if op == "range":
        return [shown, shown]
    if op in ("contains", "startswith"):
        return field.type.format_text(value, field, None)
    return shown


@pytest.mark.parametrize("key", STORED)
def test_every_filter_operator_parses_and_runs(key, contract_table):
    field = sample_field(key)
    expression = field.type.json_sql(sql.Identifier("data"), field.key)
    ops = filter_ops(field)
    assert ops, key
    for value in coerced_values(key):
        _write(contract_table, field, value)
        for op in sorted(ops):
            raw = _filter_raw(field, value, op)
            try:
                parsed = field.type.value_type(field).filter_value(op, raw, field)
            except FieldValueError:  # a 400 naming the parameter, fine for text that is no value
                assert op not in MATCHES, (key, op, raw)
                continue
            found = bool(_select(contract_table, sql.SQL("id"), field.type.compile_filter(op, expression, parsed, field)))
            if op in MATCHES:
                assert found is MATCHES[op], (key, value, op, parsed)
        not_blank = field.type.filter_value("isnull", "false", field)
        assert _select(contract_table, sql.SQL("id"), field.type.compile_filter("isnull", expression, not_blank, field))


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_text_round_trip_in_any_time_zone(zone):
    """Dates and date-times are exported and imported in the tenant's time zone."""
    with timezone.override(zone):
        for key in TYPES:
            field = sample_field(key)
            if field.type.imports_text:
                for value in coerced_values(key):
                    text = field.type.format_text(value, field)
                    assert field.type.equal(field.type.parse_text(text, field), value), (zone, key, text)


# --- types computed on read, through records of a real tenant --------------------------------------

COMPUTED = {"formula", "rollup"}


def test_computed_types_are_all_covered_here():
    """A new type computed on read has no stored value to check above: extend the test below."""
    assert {key for key in TYPES if field_types.get(key).computed_on_read} == COMPUTED


@pytest.fixture
def computed(make_object, admin_a):
    from metadata.services import add_field
    from tessera.records import service

    make_object("contract_parent", fields=[{"api_name": "amount", "type": "number", "options": {"scale": 2}}])
    add_field("contract_parent", {"api_name": "doubled", "type": "formula", "labels": {"en": "Doubled"},
                                  "options": {"formula": "amount * 2 + 0.005", "result_type": "currency"}}, admin_a)
    add_field("contract_parent", {"api_name": "kept", "type": "formula", "labels": {"en": "Kept"},
                                  "options": {"formula": "amount - 1", "result_type": "number", "scale": 2,
                                              "materialized": True}}, admin_a)
    make_object("contract_child", fields=[
        {"api_name": "parent", "type": "lookup", "options": {"target": "contract_parent"}},
        {"api_name": "qty", "type": "number"},
    ])
    for name, function in (("children", "count"), ("total_qty", "sum")):
        add_field("contract_parent", {"api_name": name, "type": "rollup", "labels": {"en": name}, "options": {
            "child_object": "contract_child", "child_field": "parent", "function": function, "value_field": "qty"}},
            admin_a)
    parents = [r.record for r in service.create_records(
        "contract_parent", [{"name": "P1", "amount": "10.25"}, {"name": "P2"}], admin_a)]
    service.create_records("contract_child", [{"name": "c1", "parent": parents[0].id, "qty": 2},
                                              {"name": "c2", "parent": parents[0].id, "qty": 5},
                                              {"name": "c3", "parent": parents[1].id}], admin_a)
    return {"P1": (parents[0].id, 2, 7), "P2": (parents[1].id, 1, 0)}


def test_computed_types_in_a_tenant(computed, admin_a):
    """The SQL read of every computed field equals its Python value (a formula evaluated on the
    record's values, a roll-up counted and summed here), and every filter operator runs over it."""
    from metadata.cache import get_meta
    from metadata.formula_scope import checked_formula
    from metadata.formulas import evaluate
    from tessera.records import service
    from tessera.records.formula_values import DraftValues

    tenant = get_meta()
    obj = tenant.objects["contract_parent"]
    fields = [f for f in obj.fields if f.type.computed_on_read]
    assert {f.type.key for f in fields} == COMPUTED and any(f.type.materialized(f) for f in fields)
    records = service.list_records("contract_parent", admin_a).records
    assert len(records) == 2
    for record in records:
        record_id, count, total = computed[record.values["name"]]
        for field in fields:
            value = record.values.get(field.api_name)
            formula = field.type.formula(field)
            if formula is not None:
                checked = checked_formula(tenant, obj, formula.source, formula.result_type, formula.blank_as)
                python = field.type.finish(evaluate(checked, DraftValues(tenant, obj, record.values),
                                                    now=timezone.now(), tz=timezone.get_current_timezone()), field)
            else:
                python = count if field.type.depends_on(field) and field.options["function"] == "count" else total
            assert value == python, (record.values["name"], field.api_name, value, python)
            assert field.type.equal(field.type.from_storage(field.type.value_type(field).to_storage(value, field),
                                                            field), value)
            for op in sorted(filter_ops(field)):
                raw = _filter_raw(field, value, op) if value is not None else "1"
                found = {r.id for r in service.list_records(
                    "contract_parent", admin_a, filters=[(f"{field.api_name}__{op}", raw)]).records}
                if op in MATCHES and value is not None:
                    assert (record_id in found) is MATCHES[op], (field.api_name, op, raw, found)
