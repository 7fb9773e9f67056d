"""Formula fields, default values and validation rules in the record runtime: the value a formula
gives is the same in Python (forms, validation) and in SQL (lists, filters, sorts)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from metadata.cache import get_meta
from metadata.formula_scope import MetaScope
from metadata.formulas import FormulaType, compile_formula, evaluate
from metadata.services import add_field, update_object
from tessera.errors import ValidationFailed
from tessera.records import service
from tessera.records.formula_values import DraftValues

pytestmark = pytest.mark.django_db

FORMULAS = {
    "total": ("number", "amount * quantity * (1 - discount)"),
    "label": ("text", 'UPPER(LEFT(name, 3)) & "-" & TEXT(stage)'),
    "quarter": ("number", "CEILING(MONTH(close_date) / 3)"),
    "late": ("boolean", "close_date < DATE(2026, 6, 1)"),
    "days_open": ("number", "close_date - DATE(2026, 1, 1)"),
    "industry": ("text", "TEXT(account.industry)"),
    "big": ("boolean", "AND(NOT(ISBLANK(amount)), amount > 1000)"),
}


@pytest.fixture
def deal(make_object, admin_a):
    make_object("deal", fields=[
        {"api_name": "amount", "type": "currency"},
        {"api_name": "quantity", "type": "number", "options": {"scale": 0}},
        {"api_name": "discount", "type": "percent"},
        {"api_name": "close_date", "type": "date"},
        {"api_name": "stage", "type": "picklist", "options": {"values": [
            {"key": "open", "labels": {"en": "Open"}}, {"key": "won", "labels": {"en": "Won"}}]}},
        {"api_name": "account", "type": "lookup", "options": {"target": "account"}},
    ])
    for name, (result_type, formula) in FORMULAS.items():
        add_field("deal", {"api_name": name, "type": "formula", "labels": {"en": name},
                           "options": {"formula": formula, "result_type": result_type}}, admin_a)
    accounts = [service.create_record("account", {"name": f"Acct {i}", "industry": industry}, admin_a).id
                for i, industry in enumerate(["it", "retail", None])]
    rows = [
        {"name": "alpha deal", "amount": "1200.50", "quantity": 3, "discount": "10", "close_date": "2026-02-14",
         "stage": "open", "account": accounts[0]},
        {"name": "beta", "amount": "99.99", "quantity": 1, "discount": "0", "close_date": "2026-11-30",
         "stage": "won", "account": accounts[1]},
        {"name": "gamma", "amount": None, "quantity": 5, "close_date": "2026-06-01", "stage": "open",
         "account": accounts[2]},
        {"name": "delta", "amount": "5000", "quantity": None, "discount": "25", "close_date": None},
        {"name": "épsilon ünï", "amount": "0.01", "quantity": 7, "discount": "33.33", "close_date": "2026-05-31",
         "stage": "won"},
    ]
    service.create_records("deal", rows, admin_a)
    return get_meta().objects["deal"]


def _python_value(obj, record, name):
    tenant = get_meta()
    field = obj.fields_by_name[name]
    checked = compile_formula(field.options["formula"], MetaScope(tenant, obj),
                              result_type=FormulaType(field.options["result_type"]))
    return evaluate(checked, DraftValues(tenant, obj, record.values), now=timezone.now(),
                    tz=timezone.get_current_timezone())


def test_sql_values_equal_python_evaluation(deal, admin_a):
    page = service.list_records("deal", admin_a, limit=50)
    assert len(page.records) == 5
    for record in page.records:
        for name in FORMULAS:
            assert record.values.get(name) == _python_value(deal, record, name), (record.values["name"], name)
    by_name = {r.values["name"]: r for r in page.records}
    assert by_name["alpha deal"].values["total"] == Decimal("3241.35")
    assert by_name["alpha deal"].values["label"] == "ALP-open"
    assert by_name["alpha deal"].values["industry"] == "it"
    assert by_name["gamma"].values["quarter"] == 2 and by_name["gamma"].values["late"] is False


@pytest.mark.parametrize(("key", "raw"), [("total__gte", "100"), ("quarter", "2"), ("late", "true"),
                                          ("label__startswith", "ALP"), ("big", "false"),
                                          ("days_open__range", "40,200"), ("total__isnull", "true")])
def test_filtering_on_a_formula_matches_python(deal, admin_a, key, raw):
    everything = service.list_records("deal", admin_a, limit=50).records
    name, _, op = key.partition("__")
    op = op or "eq"
    field = deal.fields_by_name[name]
    result_type = field.type.result_field_type(field)

    def matches(record):
        value = _python_value(deal, record, name)
        if op == "isnull":
            return value is None
        if value is None:
            return False
        if op == "range":
            low, high = (result_type.coerce(part, field) for part in raw.split(","))
            return low <= value <= high
        target = result_type.coerce(raw, field)
        return {"eq": value == target, "gte": value is not None and value >= target,
                "startswith": str(value).startswith(raw)}[op]

    expected = {r.id for r in everything if matches(r)}
    got = {r.id for r in service.list_records("deal", admin_a, filters=[(key, raw)], limit=50).records}
    assert got == expected and (expected or op == "isnull")


@pytest.mark.parametrize("sort", ["total", "-total", "label", "-days_open"])
def test_sorting_on_a_formula_matches_python(deal, admin_a, sort):
    name = sort.lstrip("-")
    records = service.list_records("deal", admin_a, sort=[sort], limit=50).records
    values = [_python_value(deal, r, name) for r in records]
    present = [v for v in values if v is not None]
    descending = sort.startswith("-")
    assert present == sorted(present, reverse=descending)
    # PostgreSQL's order: NULLs last ascending, first descending
    nulls = [i for i, v in enumerate(values) if v is None]
    if nulls:
        assert nulls == (list(range(len(nulls))) if descending else list(range(len(values) - len(nulls), len(values))))


def test_keyset_pages_through_a_formula_sort(deal, admin_a):
    seen, cursor = [], None
    while True:
        page = service.list_records("deal", admin_a, sort=["-total"], limit=2, cursor=cursor)
        seen += [r.id for r in page.records]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5


def test_a_validation_rule_blocks_with_its_message_on_its_field(deal, admin_a):
    update_object("deal", {"validation_rules": [
        {"api_name": "discount_cap", "formula": "discount > 0.5", "field": "discount",
         "message": {"en": "Discounts above 50% need approval.", "zh-hans": "折扣超过50%需要审批。"}},
        {"api_name": "close_after_start", "formula": "close_date < DATE(2020, 1, 1)",
         "message": {"en": "Too early."}},
    ]}, admin_a)
    with pytest.raises(ValidationFailed) as caught, translation.override("en"):
        service.create_record("deal", {"name": "x", "discount": "60", "close_date": "2019-05-01"}, admin_a)
    errors = caught.value
    assert [d.message for d in errors.field_errors["discount"]] == ["Discounts above 50% need approval."]
    assert [d.message for d in errors.non_field_errors] == ["Too early."]
    assert service.create_record("deal", {"name": "y", "discount": "40"}, admin_a).id


def test_a_validation_rule_through_the_api(deal, admin_a, client_a):
    update_object("deal", {"validation_rules": [
        {"api_name": "discount_cap", "formula": "discount > 0.5", "field": "discount",
         "message": {"en": "Discounts above 50% need approval.", "zh-hans": "折扣超过50%需要审批。"}}]}, admin_a)
    client_a.force_login(admin_a)
    response = client_a.post("/api/v1/records/deal/", {"name": "z", "discount": "80"}, content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["errors"]["discount"][0]["message"] == "折扣超过50%需要审批。"


def test_validation_rules_are_checked_when_saved(deal, admin_a):
    with pytest.raises(ValidationFailed) as caught:
        update_object("deal", {"validation_rules": [{"api_name": "bad", "formula": "amount + ", "message": {"en": "x"}}]},
                      admin_a)
    assert "validation_rules.0.formula" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        update_object("deal", {"validation_rules": [{"api_name": "bad", "formula": "amount", "message": {"en": "x"}}]},
                      admin_a)
    assert "validation_rules.0.formula" in caught.value.field_errors  # not a checkbox


@pytest.mark.parametrize(("formula", "result_type", "code_part"), [
    ("data->>'x'", "text", "formula"),
    ("amount; DROP TABLE record", "number", "formula"),
    ("(" * 10000 + "1" + ")" * 10000, "number", "formula"),
    ("nosuchfield + 1", "number", "formula"),
    ("evil + 1", "number", "formula"),  # refers to itself
    ("amount & 'x'", "text", "formula"),  # type error caught when saved
    ("x" * 5000, "text", "options.formula"),
])
def test_malicious_or_broken_formulas_are_refused_when_saved(deal, admin_a, formula, result_type, code_part):
    with pytest.raises(ValidationFailed) as caught:
        add_field("deal", {"api_name": "evil", "type": "formula", "labels": {"en": "Evil"},
                           "options": {"formula": formula, "result_type": result_type}}, admin_a)
    assert any(key.startswith("options") for key in caught.value.field_errors), caught.value.field_errors
    assert get_meta().objects["deal"].field("evil") is None


def test_sql_in_a_formula_string_is_just_text(deal, admin_a):
    add_field("deal", {"api_name": "quoted", "type": "formula", "labels": {"en": "Q"},
                       "options": {"formula": "\"'; DROP TABLE record; --\" & name", "result_type": "text"}}, admin_a)
    records = service.list_records("deal", admin_a, filters=[("quoted__startswith", "';")], limit=50).records
    assert len(records) == 5 and records[0].values["quoted"].startswith("'; DROP TABLE record; --")


def test_cycles_between_formula_fields_are_refused(deal, admin_a):
    add_field("deal", {"api_name": "f_one", "type": "formula", "labels": {"en": "1"},
                       "options": {"formula": "total + 1", "result_type": "number"}}, admin_a)
    from metadata.services import update_field

    with pytest.raises(ValidationFailed) as caught:
        update_field("deal", "total", {"options": {"formula": "f_one * 2", "result_type": "number"}}, admin_a)
    assert "cycle" in str(caught.value.field_errors["options.formula"][0].code)


def test_today_in_a_formula_uses_the_tenant_day(deal, admin_a):
    add_field("deal", {"api_name": "age", "type": "formula", "labels": {"en": "Age"},
                       "options": {"formula": "TODAY() - close_date", "result_type": "number"}}, admin_a)
    record = service.list_records("deal", admin_a, filters=[("name", "beta")], limit=1).records[0]
    expected = (timezone.localdate() - dt.date(2026, 11, 30)).days
    assert record.values["age"] == expected == _python_value(get_meta().objects["deal"], record, "age")


def _stored_total(admin_a):
    return add_field("deal", {"api_name": "stored_total", "type": "formula", "labels": {"en": "Stored total"},
                              "options": {"formula": "amount * quantity * (1 - discount)", "result_type": "number",
                                          "materialized": True}}, admin_a)


def test_a_stored_formula_is_computed_for_existing_records_and_kept_current(deal, admin_a):
    field = _stored_total(admin_a)
    assert field.slot and field.slot.startswith("n") and field.slot_ready
    records = service.list_records("deal", admin_a, limit=50).records
    for record in records:
        assert record.values["stored_total"] == record.values["total"]
    alpha = next(r for r in records if r.values["name"] == "alpha deal")
    updated = service.update_record("deal", alpha.id, {"quantity": 10}, admin_a)
    assert updated.values["stored_total"] == Decimal("10804.50") == updated.values["total"]
    created = service.create_record("deal", {"name": "new", "amount": "10", "quantity": 2, "discount": "50"}, admin_a)
    assert created.values["stored_total"] == Decimal("10")


def test_filters_and_sorts_on_a_stored_formula_use_its_indexed_column(deal, admin_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    field = _stored_total(admin_a)
    with CaptureQueriesContext(connection) as queries:
        page = service.list_records("deal", admin_a, filters=[("stored_total__gte", "100")], sort=["-stored_total"])
    statement = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "LIMIT 51" in q["sql"])
    assert f'"r"."{field.slot}" >=' in statement and "tessera_f_" not in statement.split("WHERE")[1]
    expected = service.list_records("deal", admin_a, filters=[("total__gte", "100")], sort=["-total"]).records
    assert [r.id for r in page.records] == [r.id for r in expected]


@pytest.mark.parametrize(("formula", "why"), [
    ("TODAY() - close_date", "NOW() or TODAY()"),
    ("TEXT(account.industry)", "own fields"),
    ("IF(ISBLANK(account), 0, 1)", "account"),
    ("days_open + 1", None),  # a formula over a formula over own fields: fine
])
def test_only_formulas_over_the_records_own_fields_can_be_stored(deal, admin_a, formula, why):
    spec = {"api_name": "stored", "type": "formula", "labels": {"en": "S"},
            "options": {"formula": formula, "result_type": "number" if why != "own fields" else "text",
                        "materialized": True}}
    if why is None:
        assert add_field("deal", spec, admin_a).slot
        return
    with pytest.raises(ValidationFailed) as caught:
        add_field("deal", spec, admin_a)
    assert why in caught.value.field_errors["options.materialized"][0].message


def test_numeric_results_are_rounded_to_the_field_scale_in_both_back_ends(deal, admin_a):
    add_field("deal", {"api_name": "third", "type": "formula", "labels": {"en": "Third"},
                       "options": {"formula": "amount / 3", "result_type": "currency"}}, admin_a)
    add_field("deal", {"api_name": "third_stored", "type": "formula", "labels": {"en": "Third stored"},
                       "options": {"formula": "amount / 3", "result_type": "number", "scale": 3,
                                   "materialized": True}}, admin_a)
    obj = get_meta().objects["deal"]
    for record in service.list_records("deal", admin_a, limit=50).records:
        python = DraftValues(get_meta(), obj, record.values)
        assert record.values["third"] == python.get(("third",))
        assert record.values["third_stored"] == python.get(("third_stored",))
        if record.values["name"] == "beta":
            assert str(record.values["third"]) == "33.33" and str(record.values["third_stored"]) == "33.330"


def test_a_hidden_field_stays_off_the_form(deal, admin_a):
    from metadata.services import update_field
    from tessera.records.forms import form_descriptor

    update_field("deal", "quantity", {"hidden": True}, admin_a)
    names = {f["api_name"] for s in form_descriptor("deal", admin_a)["sections"] for f in s["fields"]}
    assert "quantity" not in names and "amount" in names
