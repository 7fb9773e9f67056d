"""Property tests of the record write path and the list filters: arbitrary unicode (NUL, lone
surrogates, format characters), numbers of any size, lists and objects nested at any depth, sent
to every field of an object with a field of every kind. Whatever comes in, the answer is a 201/200
or a 400 in the one error shape, and a refused write writes nothing. Fixed seed, bounded examples.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.helpers.records_api import GADGET_FIELDS

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/gadget/"
SEED = 8_2026
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(HealthCheck))

WRITABLE = ["name", *[f["api_name"] for f in GADGET_FIELDS if f["type"] not in ("auto_number", "formula")],
            "owner", "category"]
FILTERABLE = ["name", *[f["api_name"] for f in GADGET_FIELDS], "owner", "created_at"]
OPS = ["", "__ne", "__lt", "__lte", "__gt", "__gte", "__in", "__contains", "__startswith", "__isnull", "__range"]

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
texts = st.text(alphabet=st.characters(codec=None), max_size=40)  # surrogates and NUL included
scalars = st.one_of(st.none(), st.booleans(), numbers, texts,
                    st.sampled_from(["0001-01-01", "9999-12-31T23:59:59-08:00", "2026-02-30", "red", "new"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(texts, inner, max_size=3)),
                           max_leaves=12)
deep_values = st.integers(min_value=1, max_value=3000).map(lambda n: json.loads("[" * min(n, 900) + "]" * min(n, 900)))


@pytest.fixture
def raw(client_a, admin_a):
    client = Client(HTTP_HOST=client_a.defaults["HTTP_HOST"], raise_request_exception=False)
    client.force_login(admin_a)
    return client


def _json_body(payload) -> str:
    # json.dumps escapes lone surrogates as \\udXXX, as a hostile client would send them.
    return json.dumps(payload, default=str)


def _count(gadget) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{gadget.table}"')
        return cursor.fetchone()[0]


def test_any_record_body_is_created_or_refused_cleanly(raw, gadget):
    @seed(SEED)
    @PROPERTY_SETTINGS
    @given(body=st.dictionaries(st.sampled_from(WRITABLE), st.one_of(json_values, deep_values), min_size=1, max_size=5))
    def check(body):
        with transaction.atomic():
            before = _count(gadget)
            response = raw.post(URL, _json_body(body), content_type="application/json")
            assert response.status_code in (201, 400), (response.status_code, response.content[:300])
            payload = response.json()
            if response.status_code == 400:
                assert set(payload) >= {"errors", "non_field_errors"}
                assert _count(gadget) == before
            else:
                assert _count(gadget) == before + 1
            transaction.set_rollback(True)

    check()


def test_any_bulk_body_is_all_or_nothing(raw, gadget):
    @seed(SEED)
    @PROPERTY_SETTINGS
    @given(rows=st.lists(st.dictionaries(st.sampled_from(WRITABLE), json_values, max_size=4), min_size=1, max_size=4))
    def check(rows):
        with transaction.atomic():
            before = _count(gadget)
            response = raw.post(URL + "bulk/", _json_body(rows), content_type="application/json")
            assert response.status_code in (201, 400, 409), (response.status_code, response.content[:300])
            assert _count(gadget) == (before + len(rows) if response.status_code == 201 else before)
            transaction.set_rollback(True)

    check()


def test_any_filter_value_is_answered_or_refused_cleanly(raw, gadget):
    query_texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)  # a URL holds UTF-8 only
    values = st.one_of(query_texts, numbers.map(str), st.sampled_from(
        ["0001-01-01", "0001-01-01,9999-12-31", "9999-12-31T23:59:59-08:00", "1e309", ",", "true", "last_n_days:99999999"]))

    @seed(SEED)
    @PROPERTY_SETTINGS
    @given(filters=st.lists(st.tuples(st.sampled_from(FILTERABLE), st.sampled_from(OPS), values), min_size=1, max_size=3),
           sort=st.sampled_from(["", "name", "-price", "released,-checked_at", "color"]))
    def check(filters, sort):
        query = "&".join(f"{quote(name + op)}={quote(value)}" for name, op, value in filters)
        response = raw.get(f"{URL}?{query}&sort={sort}")
        assert response.status_code in (200, 400), (query, response.status_code, response.content[:300])
        assert set(response.json()) >= ({"results"} if response.status_code == 200 else {"errors", "non_field_errors"})

    check()


def test_any_update_body_changes_the_record_or_nothing(raw, gadget, admin_a):
    from tessera.records import service

    record = service.create_record("gadget", {"name": "target", "code": "T1"}, admin_a)
    keys = st.sampled_from([*WRITABLE, "version", "id"])

    @seed(SEED)
    @PROPERTY_SETTINGS
    @given(body=st.dictionaries(keys, st.one_of(json_values, deep_values), min_size=1, max_size=5))
    def check(body):
        with transaction.atomic():
            response = raw.patch(f"{URL}{record.id}/", _json_body(body), content_type="application/json")
            assert response.status_code in (200, 400, 409), (response.status_code, response.content[:300])
            version = service.get_record("gadget", record.id, admin_a).version
            if response.status_code == 200:
                assert version in (record.version, record.version + 1)  # same values: no new version
            else:
                assert version == record.version  # refused: nothing written
            transaction.set_rollback(True)

    check()
