"""Listing records: filters (every operator on the types it applies to, paths through lookups,
date ranges), sorting with blanks, keyset pages that visit every record exactly once, field
selection, lookup expansion, counts, the recycle bin, and a number of queries that does not grow
with the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tessera.records import service
from tests.helpers.records_api import codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/"


@pytest.fixture
def catalog(gadget, admin_a):
    """Five gadgets (A–E) and two accounts; returns {letter: id, "acme": id, "globex": id}."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    acme, globex = (r.record.id for r in service.create_records("account", [
        {"name": "Acme", "industry": "it"}, {"name": "Globex", "industry": "retail"}], admin_a))
    rows = [
        {"name": "Alpha phone", "code": "A1", "price": "10", "quantity": 1, "released": month_start.isoformat(),
         "active": True, "color": "red", "tags": ["new"], "account": acme, "checked_at": timezone.now().isoformat()},
        {"name": "Beta Phone", "code": "B2", "price": "20", "quantity": 2,
         "released": (month_start - dt.timedelta(days=1)).isoformat(), "active": False, "color": "green",
         "tags": ["hot", "new"], "account": globex, "checked_at": "2020-06-01T12:00:00Z"},
        {"name": "gamma tablet", "code": "C3", "price": "30.5", "released": "2020-03-15", "color": "blue",
         "tags": ["sale"], "account": acme},
        {"name": "Delta 100%_off", "code": "D4", "active": True},
        {"name": "epsilon", "code": "E5", "price": "20", "quantity": 0, "released": "2021-01-01", "color": "red",
         "account": globex},
    ]
    results = service.create_records("gadget", rows, admin_a)
    ids = {letter: r.record.id for letter, r in zip("ABCDE", results, strict=True)}
    return {**ids, "acme": acme, "globex": globex}


def letters(api, catalog, query: str) -> str:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 200, (query, response.json())
    by_id = {v: k for k, v in catalog.items() if len(k) == 1}
    return "".join(by_id[r["id"]] for r in response.json()["results"])


FILTERS = [
    # text
    ("name=Beta Phone", "B"), ("name__ne=epsilon", "ABCD"), ("name__contains=PHONE", "AB"),
    ("name__startswith=Beta", "B"), ("name__startswith=beta", ""), ("name__contains=100%25", "D"),
    ("name__contains=_", "D"), ("name__in=epsilon,gamma tablet", "CE"), ("code__lt=C", "AB"),
    ("code__gte=D4", "DE"), ("name__isnull=false", "ABCDE"), ("email__isnull=true", "ABCDE"),
    # currency and number
    ("price=20", "BE"), ("price__gt=10", "BCE"), ("price__gte=20", "BCE"), ("price__lt=20", "A"),
    ("price__lte=10", "A"), ("price__in=10,30.5", "AC"), ("price__range=15,25", "BE"), ("price__range=,15", "A"),
    ("price__range=25,", "C"), ("price__isnull=true", "D"), ("price__ne=20", "ACD"), ("quantity=0", "E"),
    ("price__gte=20&price__lte=20", "BE"),
    # dates and date-times
    ("released__range=this_month", "A"), ("released__range=last_month", "B"),
    ("released__range=2020-01-01,2020-12-31", "C"), ("released__lt=2021-01-01", "C"),
    ("released__isnull=true", "D"), ("released__gte=2021-01-01&released__lte=2021-01-01", "E"),
    ("checked_at__range=this_month", "A"), ("checked_at__gte=2020-06-01T00:00:00Z", "AB"),
    ("checked_at__lt=2020-06-02", "B"), ("checked_at__isnull=true", "CDE"),
    # boolean
    ("active=true", "AD"), ("active=false", "BCE"),
    # picklists
    ("color=red", "AE"), ("color__in=red,blue", "ACE"), ("color__ne=red", "BCD"), ("color__isnull=true", "D"),
    ("color__ne=red&color__ne=green", "CD"),
    ("tags__contains=new", "AB"), ("tags__in=hot,sale", "BC"), ("tags=new", "A"), ("tags__isnull=true", "DE"),
    # formula (price × quantity, blanks as zero)
    ("total__gte=20", "B"), ("total__gte=10", "AB"), ("total=0", "CDE"),
    # auto-number
    ("serial__startswith=G-", "ABCDE"),
]


def test_filters(api, catalog):
    wrong = [(query, expected, got) for query, expected in FILTERS
             if (got := letters(api, catalog, f"{query}&sort=code")) != expected]
    assert wrong == []


def test_filters_on_lookups_and_through_them(api, catalog):
    assert letters(api, catalog, f"account={catalog['acme']}&sort=code") == "AC"
    assert letters(api, catalog, f"account__in={catalog['acme']},{catalog['globex']}&sort=code") == "ABCE"
    assert letters(api, catalog, "account__isnull=true&sort=code") == "D"
    assert letters(api, catalog, "account.industry=it&sort=code") == "AC"
    assert letters(api, catalog, "account.industry__in=retail&sort=code") == "BE"
    assert letters(api, catalog, "account.name__startswith=Glob&sort=code") == "BE"
    assert letters(api, catalog, "account.industry=it&price__gt=10&sort=code") == "C"


BAD_FILTERS = [
    ("price__contains=1", "price__contains", "invalid_operator"),
    ("name__bogus=1", "name__bogus", "invalid_operator"),
    ("nope=1", "nope", "unknown_field"),
    ("account.nope=1", "account.nope", "unknown_field"),
    ("price__gte=abc", "price__gte", "invalid_number"),
    ("released__range=a,b,c", "released__range", "invalid"),
    ("released__range=someday", "released__range", "invalid_period"),
    ("released=31/31/2020", "released", "invalid_date"),
    ("active=maybe", "active", "invalid_boolean"),
    ("price__isnull=maybe", "price__isnull", "invalid"),
    ("tags__lt=a", "tags__lt", "invalid_operator"),
    ("Price=1", "Price", "invalid_filter"),
]


def test_bad_filters_are_400_named_by_the_parameter(api, catalog):
    wrong = []
    for query, key, code in BAD_FILTERS:
        response = api.get(f"{URL}?{query}")
        if response.status_code != 400 or response.json()["errors"] != {key: [
                {"code": code, "message": response.json()["errors"].get(key, [{}])[0].get("message")}]}:
            wrong.append((query, response.status_code, response.json()))
    assert wrong == []


def test_every_bad_parameter_is_reported_at_once(api, catalog):
    response = api.get(f"{URL}?nope=1&price__gte=x&color__contains=r")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"nope", "price__gte", "color__contains"}


def test_a_field_named_like_a_drf_option_is_still_a_filter(api, catalog):
    assert api.get(f"{URL}?format=json").status_code == 400  # an unknown field, not a renderer choice
    assert codes(api.get(f"{URL}?format=json"), "format") == ["unknown_field"]


# --- sorting ---------------------------------------------------------------------------------------


def test_sort_ascending_and_descending_with_blanks(api, catalog):
    # Blanks come last ascending and first descending; ties go by id (in the first term's direction).
    assert letters(api, catalog, "sort=price") == "ABECD"
    assert letters(api, catalog, "sort=-price") == "DCEBA"
    assert letters(api, catalog, "sort=price,-code") == "AEBCD"
    assert letters(api, catalog, "sort=color,-released") == "CBAED"  # blue, green, red (newest first), blank
    assert letters(api, catalog, "sort=-released") == "DABEC"
    assert letters(api, catalog, "sort=name") == "ABDEC"
    assert letters(api, catalog, "sort=-id") == "EDCBA"


def test_bad_sorts_are_400(api, catalog):
    for sort in ("nope", "notes", "tags", "-nope,price"):
        response = api.get(f"{URL}?sort={sort}")
        assert response.status_code == 400, sort
        assert codes(response, "sort") == ["invalid_sort"]


# --- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def many(gadget, admin_a):
    """120 gadgets with repeated values and blanks in every sortable column."""
    rows = []
    for i in range(120):
        rows.append({
            "name": f"G{i % 9}",
            "price": None if i % 5 == 0 else str(i % 4 * 10),
            "color": [None, "red", "green", "blue"][i % 4] if i % 7 else None,
            "released": None if i % 3 == 0 else (dt.date(2026, 1, 1) + dt.timedelta(days=i % 6)).isoformat(),
            "quantity": i % 11,
        })
    results = service.create_records("gadget", rows, admin_a)
    return [dict(row, id=result.record.id) for row, result in zip(rows, results, strict=True)]


def expected_order(rows, sort):
    """Python's idea of the order: blanks last ascending and first descending; ids break ties in
    the direction of the first term."""
    def key_of(term):
        name, descending = term.lstrip("-"), term.startswith("-")

        def key(row):
            value = row[name]
            if name == "price" and value is not None:
                value = Decimal(value)
            blank = value is None
            return (blank, value) if not blank else (blank, 0)
        return key, descending

    ordered = sorted(rows, key=lambda r: r["id"], reverse=sort[0].startswith("-"))
    for term in reversed(sort):
        key, descending = key_of(term)
        ordered = sorted(ordered, key=key, reverse=descending)
    return [r["id"] for r in ordered]


@pytest.mark.parametrize("sort", [["price"], ["-price"], ["color", "-released"], ["-name", "price"],
                                  ["released", "-quantity"]], ids=lambda s: ",".join(s))
def test_keyset_pages_walk_every_record_exactly_once_in_order(api, many, sort):
    seen = []
    cursor, pages = None, 0
    while True:
        params = {"sort": ",".join(sort), "limit": 7, "fields": "name"}
        if cursor:
            params["cursor"] = cursor
        response = api.get(f"{URL}?{urlencode(params)}")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert len(body["results"]) <= 7
        seen += [r["id"] for r in body["results"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            assert "next_url" not in body
            break
        assert body["next_url"].startswith("http://alpha.localhost/api/v1/records/gadget/?")
    assert pages == 18  # 17 full pages and 1 of one record
    assert len(seen) == len(set(seen)) == 120
    assert seen == expected_order(many, sort)


def test_next_url_continues_the_same_query(api, many):
    first = api.get(f"{URL}?price__isnull=false&sort=-price&limit=50").json()
    second = api.get(first["next_url"].replace("http://alpha.localhost", "")).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == sum(1 for r in many if r["price"] is not None)


def test_default_sort_pages_too(api, many):
    seen, url = [], f"{URL}?limit=50"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body.get("next_url", "").replace("http://alpha.localhost", "") or None
    assert sorted(seen) == sorted(r["id"] for r in many)
    assert seen == sorted(seen, reverse=True)  # -created_at (one transaction: same time), then -id


def test_cursors_cannot_be_forged_or_reused_with_another_sort(api, many):
    cursor = api.get(f"{URL}?sort=price&limit=3").json()["next"]
    tampered = api.get(f"{URL}?sort=price&limit=3&cursor={cursor[:-2]}xx")
    assert tampered.status_code == 400 and codes(tampered, "cursor") == ["invalid_cursor"]
    other_sort = api.get(f"{URL}?sort=color,-released&limit=3&cursor={cursor}")
    assert other_sort.status_code == 400 and codes(other_sort, "cursor") == ["invalid_cursor"]


def test_limit_is_checked(api, gadget):
    for limit in ("0", "201", "abc", "-1"):
        response = api.get(f"{URL}?limit={limit}")
        assert response.status_code == 400, limit
        assert codes(response, "limit") == ["invalid"]
    assert api.get(f"{URL}?limit=200").status_code == 200


# --- shape of the answer ---------------------------------------------------------------------------


def test_fields_selection(api, catalog):
    body = api.get(f"{URL}?fields=name,price&sort=code").json()
    assert [set(r) for r in body["results"]] == [{"id", "version", "category", "name", "price"}] * 5
    assert body["results"][0]["price"] == "10.00"
    computed = api.get(f"{URL}?fields=total&sort=code").json()["results"]
    assert [Decimal(r["total"]) for r in computed] == [10, 40, 0, 0, 0]
    bad = api.get(f"{URL}?fields=name,nope")
    assert bad.status_code == 400 and codes(bad, "fields") == ["unknown_field"]


def test_lookup_expansion(api, catalog):
    body = api.get(f"{URL}?expand=account&sort=code&fields=name,account").json()
    assert [r["account"] for r in body["results"]] == [
        {"id": catalog["acme"], "name": "Acme"}, {"id": catalog["globex"], "name": "Globex"},
        {"id": catalog["acme"], "name": "Acme"}, None, {"id": catalog["globex"], "name": "Globex"}]
    plain = api.get(f"{URL}?sort=code&fields=account").json()
    assert plain["results"][0]["account"] == catalog["acme"]
    bad = api.get(f"{URL}?expand=name")
    assert bad.status_code == 400 and codes(bad, "expand") == ["invalid_expand"]


def test_count_only_when_asked(api, catalog):
    body = api.get(f"{URL}?count=true&limit=2&price__isnull=false").json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    assert "count" not in api.get(f"{URL}?limit=2").json()
    assert api.get(f"{URL}?count=maybe").status_code == 400


def test_counts_are_exact_up_to_the_limit_then_capped(api, catalog, monkeypatch):
    """Exact to service.COUNT_LIMIT (10,000), then that number with count_capped: never an estimate."""
    monkeypatch.setattr(service, "COUNT_LIMIT", 3)
    exact = api.get(f"{URL}?count=true&price__gte=20").json()
    assert exact["count"] == 3 and exact["count_capped"] is False
    capped = api.get(f"{URL}?count=true&limit=1").json()
    assert capped["count"] == 3 and capped["count_capped"] is True and len(capped["results"]) == 1


def test_recycle_bin_listing(api, catalog, admin_a):
    service.delete_record("gadget", catalog["B"], admin_a)
    live = api.get(f"{URL}?sort=code&count=true").json()
    assert [r["id"] for r in live["results"]] == [catalog[x] for x in "ACDE"] and live["count"] == 4
    assert all("deleted_at" not in r for r in live["results"])
    binned = api.get(f"{URL}?deleted=only&count=true").json()
    assert [r["id"] for r in binned["results"]] == [catalog["B"]] and binned["count"] == 1
    assert binned["results"][0]["deleted_at"].endswith("Z")
    assert letters(api, catalog, "deleted=only&color=green") == "B"
    bad = api.get(f"{URL}?deleted=all")
    assert bad.status_code == 400 and codes(bad, "deleted") == ["invalid"]


def test_standard_object_list(api, catalog):
    body = api.get("/api/v1/records/account/?sort=name").json()
    assert [r["name"] for r in body["results"]] == ["Acme", "Globex"]
    assert body["results"][0]["account_number"].startswith("CUST-")


# --- queries -----------------------------------------------------------------------------------------


def _queries(api, url) -> int:
    """Queries of one request (django-tenants' `SET search_path` statements aside)."""
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET search_path"))


def test_the_number_of_queries_does_not_grow_with_the_page(api, gadget, admin_a):
    account = service.create_record("account", {"name": "Acme"}, admin_a)
    row = {"price": "1.5", "quantity": 2, "color": "red", "tags": ["new"], "account": account.id}
    url = f"{URL}?expand=account&count=true&limit=200&sort=-price&account.industry__isnull=true"

    service.create_records("gadget", [{**row, "name": f"G{i}"} for i in range(5)], admin_a)
    _queries(api, url)  # warm the metadata cache
    few = _queries(api, url)
    service.create_records("gadget", [{**row, "name": f"H{i}"} for i in range(10)], admin_a)
    many = _queries(api, url)
    assert len(api.get(url).json()["results"]) == 15
    assert few == many
    # tenant by host, session, user, metadata version, count, the page (lookups and formulas in it)
    assert many == 6
