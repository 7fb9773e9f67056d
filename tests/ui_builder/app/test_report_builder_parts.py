"""The report builder's forms for what reaches beyond the object's own fields: a field picker that
walks lookups to any depth, cross filters with / without related records, columns aggregated over
related records, filter logic, buckets and sharing with roles or departments. Each is driven by
the requests the page's buttons send: what is saved is what the engine receives, and bad input is
shown beside the part it is about, nothing saved, nothing typed lost."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from metadata.services import add_field
from reports_engine import services as reports
from reports_engine.models import Report
from tessera.records import service
from tessera.security.access import SYSTEM
from tessera.security.models import Department, Profile, Role
from tests.helpers.tenants import host_of

pytestmark = pytest.mark.django_db
PREVIEW = "/app/reports/preview/opportunity/"
NEW = "/app/reports/new/"


@pytest.fixture
def world(in_tenant_a, admin_a):
    rep = get_user_model().objects.create_user("parts-rep@alpha.test", None, full_name="Parts Rep",
                                               profile=Profile.objects.get(api_name="salesperson"))
    add_field("account", {"api_name": "parent", "type": "lookup", "labels": {"en": "Parent account"},
                          "options": {"target": "account"}}, admin_a)
    ids = {}
    ids["hq"] = service.create_record("account", {"name": "HQ Group"}, SYSTEM).id
    ids["east"] = service.create_record("account", {"name": "Branch East", "parent": ids["hq"]}, SYSTEM).id
    ids["solo"] = service.create_record("account", {"name": "Solo Shop"}, SYSTEM).id
    for name, account, amount, stage in [("o-small", "east", "500", "prospecting"), ("o-mid", "solo", "5000", "proposal"),
                                         ("o-big", "east", "20000", "closed_won")]:
        ids[name] = service.create_record("opportunity", {"name": name, "account": ids[account], "amount": amount,
                                                          "stage": stage, "close_date": "2026-03-01"}, SYSTEM).id
    for subject, account, opportunity, kind in [("call 1", "east", "o-small", "call"), ("call 2", "east", None, "call"),
                                                ("visit", "solo", "o-mid", "visit")]:
        service.create_record("activity", {"name": subject, "account": ids[account], "type": kind,
                                           **({"opportunity": ids[opportunity]} if opportunity else {})}, SYSTEM)
    clients = {}
    for who, user in (("admin", admin_a), ("rep", rep)):
        clients[who] = Client(HTTP_HOST=host_of(in_tenant_a), HTTP_ACCEPT_LANGUAGE="en")
        clients[who].force_login(user)
    return clients, admin_a, rep, ids


def post(client, url, data, hx=True):
    response = client.post(url, data, **({"HTTP_HX_REQUEST": "true"} if hx else {}))
    return response, response.content.decode()


def saved(client, admin, form) -> dict:
    response = client.post(NEW, {**form, "op": "save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return reports.get_report(response["Location"].rstrip("/").rsplit("/", 1)[1], admin)


def rows_of(html: str) -> list[str]:
    """The preview table's rows as text (cells joined by |)."""
    return [" | ".join(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("<tbody", 1)[-1], re.S)]


def test_the_picker_walks_lookups_to_a_two_step_parent_column(world):
    client, admin = world[0]["admin"], world[1]
    base = {"object": "opportunity", "name": "By parent", "shape": "tabular", "column": ["name"]}
    _r, html = post(client, NEW, {**base, "op": "noop"})
    assert re.search(r'<option value="account"[^>]*>Opportunity › Account</option>', html)  # where to walk
    assert 'value="account.parent.name"' not in html  # two steps away: not offered before walking
    _r, html = post(client, NEW, {**base, "op": "noop", "walk": "account"})
    assert '<option value="account.parent.name">Account › Parent account › Account name</option>' in html
    assert re.search(r'<option value="account.parent"[^>]*>[^<]*Account › Parent account</option>', html)
    _r, html = post(client, NEW, {**base, "op": "add:column", "walk": "account", "add_column": "account.parent.name"})
    assert 'name="column" value="account.parent.name"' in html
    assert "Account › Parent account › Account name" in html  # the chip names the whole path
    form = {**base, "column": ["name", "account.parent.name"]}
    _r, html = post(client, PREVIEW, form)
    rows = rows_of(html)
    assert "o-small | HQ Group" in rows and "o-big | HQ Group" in rows and "o-mid | " in rows
    spec = saved(client, admin, form)
    assert spec["columns"] == [{"field": "name"}, {"field": "account.parent.name"}]
    edit = client.get(f"/app/reports/{spec['api_name']}/edit/").content.decode()
    assert 'name="column" value="account.parent.name"' in edit and "Account › Parent account › Account name" in edit


def test_a_cross_filter_without_related_records_with_its_own_condition(world):
    client, admin = world[0]["admin"], world[1]
    base = {"object": "opportunity", "name": "No calls", "shape": "tabular", "column": ["name"]}
    _r, html = post(client, NEW, {**base, "op": "add_cross"})
    assert re.search(r'<option value="activity:opportunity" selected>Activities</option>', html)
    assert re.search(r'<option value="0" selected>Have no</option>', html)
    # "Add a condition" points the filter builder at the cross filter; its fields are the activity's.
    form = {**base, "cross_relation": ["activity:opportunity"], "cross_with": ["0"]}
    _r, html = post(client, NEW, {**form, "op": "target:x0"})
    assert re.search(r'<option value="x0" selected>Cross filter 1: Activities</option>', html)
    assert "/app/activity/filter-inputs/" in html or "activity" in re.search(r'id="fb-field"[^>]*', html).group(0)
    _r, html = post(client, NEW, {**form, "fb_target": "x0", "op": "add_filter", "fb_field": "type", "fb_op": "in",
                                  "fb_value": "call"})
    assert 'name="cross_cond" value="0|type__in=call"' in html
    without_calls = {**form, "cross_cond": ["0|type__in=call"]}
    _r, html = post(client, PREVIEW, without_calls)
    assert {r.split(" | ")[0] for r in rows_of(html)} == {"o-mid", "o-big"}  # o-small has a call
    _r, html = post(client, PREVIEW, {**without_calls, "cross_with": ["1"]})
    assert {r.split(" | ")[0] for r in rows_of(html)} == {"o-small"}
    spec = saved(client, admin, without_calls)
    assert spec["cross_filters"] == [{"object": "activity", "via": "opportunity", "with": False,
                                      "filters": [{"field": "type", "op": "in", "value": "call"}]}]
    edit = client.get(f"/app/reports/{spec['api_name']}/edit/").content.decode()
    assert 'name="cross_cond" value="0|type__in=call"' in edit and re.search(r'<option value="0" selected>Have no', edit)


def test_filter_logic_combines_the_numbered_filters(world):
    client, admin = world[0]["admin"], world[1]
    form = {"object": "opportunity", "name": "Logic", "shape": "tabular", "column": ["name"],
            "filter": ["amount__gte=1000", "stage__in=closed_won", "name=o-mid"], "filter_logic": "1 AND (2 OR NOT 3)"}
    _r, html = post(client, NEW, {**form, "op": "noop"})
    assert re.search(r'<span class="chip-number">1</span>', html) and 'id="filter-logic"' in html
    _r, html = post(client, NEW, {**form, "filter": ["amount__range=40000,"], "op": "noop"})
    assert "Amount ≥ ¥40,000.00" in html  # one bound of a range, said as such, as the amount reads
    _r, html = post(client, PREVIEW, form)
    assert {r.split(" | ")[0] for r in rows_of(html)} == {"o-big"}
    _r, html = post(client, PREVIEW, {**form, "filter_logic": "1 AND (2 OR 3)"})
    assert {r.split(" | ")[0] for r in rows_of(html)} == {"o-mid", "o-big"}
    spec = saved(client, admin, form)
    assert spec["filter_logic"] == "1 AND (2 OR NOT 3)" and len(spec["filters"]) == 3


def test_bad_filter_logic_is_shown_beside_the_box_and_nothing_is_saved(world):
    client = world[0]["admin"]
    form = {"object": "opportunity", "name": "Bad logic", "shape": "tabular", "column": ["name"],
            "filter": ["amount__gte=1000", "stage__in=closed_won"], "filter_logic": "1 AND ("}
    _r, html = post(client, PREVIEW, form)
    slot = re.search(r'<div id="slot-logic"[^>]*hx-swap-oob="true">(.*?)</div>', html, re.S).group(1)
    assert "Use filter numbers, AND, OR, NOT and brackets." in slot
    _r, html = post(client, PREVIEW, {**form, "filter_logic": "1"})
    assert "leaves out filter 2" in re.search(r'<div id="slot-logic".*?</div>', html, re.S).group(0)
    _r, html = post(client, PREVIEW, {**form, "filter_logic": "1 OR 2"})
    assert re.search(r'<div id="slot-logic"[^>]*hx-swap-oob="true"></div>', html)  # fixed: the message goes away
    before = Report.objects.count()
    response, html = post(client, NEW, {**form, "op": "save"}, hx=False)
    assert response.status_code == 400 and Report.objects.count() == before
    assert "Use filter numbers" in re.search(r'<div id="slot-logic".*?</div>', html, re.S).group(0)
    assert 'value="1 AND ("' in html and 'value="Bad logic"' in html  # nothing typed is lost


def test_a_column_over_related_records_counts_and_adds_them_up(world):
    client, admin = world[0]["admin"], world[1]
    base = {"object": "account", "name": "Activity count", "shape": "tabular", "column": ["name"]}
    _r, html = post(client, NEW, {**base, "op": "add_child"})
    assert re.search(r'<select id="child-relation-0" name="child_relation"', html)
    assert '<option value="account:parent" selected>Accounts (Parent account)</option>' in html  # the first
    assert '<option value="activity:account">Activities</option>' in html
    form = {**base, "child_relation": ["activity:account"], "child_function": ["count"], "child_field": [""],
            "child_label": ["Activities"]}
    rows = rows_of(client.post("/app/reports/preview/account/", form).content.decode())
    assert "Branch East | 2" in rows and "Solo Shop | 1" in rows and "HQ Group | 0" in rows
    # Only the related records matching a condition: calls.
    _r, html = post(client, NEW, {**form, "fb_target": "k0", "op": "add_filter", "fb_field": "type", "fb_op": "in",
                                  "fb_value": "call"})
    assert 'name="child_cond" value="0|type__in=call"' in html
    calls = {**form, "child_cond": ["0|type__in=call"]}
    rows = rows_of(client.post("/app/reports/preview/account/", calls).content.decode())
    assert "Branch East | 2" in rows and "Solo Shop | 0" in rows
    response = client.post(NEW, {**calls, "op": "save"})
    spec = reports.get_report(response["Location"].rstrip("/").rsplit("/", 1)[1], admin)
    assert spec["columns"] == [{"field": "name"}, {"key": "child1", "labels": {"en": "Activities"}, "child": {
        "object": "activity", "via": "account", "function": "count",
        "filters": [{"field": "type", "op": "in", "value": "call"}]}}]
    # A summary sums the child column as a value.
    summary = {**form, "shape": "summary", "group": ["rating"], "group_period": [""], "agg_function": ["sum"],
               "agg_of": ["child1"]}
    _r, html = post(client, NEW, {**summary, "op": "noop"})
    assert '<option value="child1" selected>Activities</option>' in html
    assert "Sum: Activities" in client.post("/app/reports/preview/account/", summary).content.decode()


def test_bucket_fields_group_values_into_ranges_and_lists(world):
    client, admin = world[0]["admin"], world[1]
    base = {"object": "opportunity", "name": "Deal sizes", "shape": "summary", "agg_function": ["count"], "agg_of": [""]}
    _r, html = post(client, NEW, {**base, "op": "add_bucket", "add_bucket_field": "amount"})
    assert 'name="bucket_field" value="amount"' in html and 'name="bk0_range_below"' in html
    assert '<option value="bucket1">Bucket: Amount</option>' in html  # offered as a group
    _r, html = post(client, NEW, {**base, "op": "add_bucket", "add_bucket_field": "stage"})
    assert 'name="bk0_l0" value="closed_won"' in html  # a picklist's values to tick
    sizes = {**base, "bucket_field": ["amount"], "bucket_label": ["Size"], "bucket_other": ["Unknown"],
             "bk0_range_label": ["Small", "", "Large"], "bk0_range_below": ["1000", "10000", ""],
             "group": ["bucket1"], "group_period": [""]}
    html = client.post(PREVIEW, sizes).content.decode()
    assert "Small" in html and "1000 – 10000" in html and "Large" in html and "cannot run" not in html
    spec = saved(client, admin, sizes)
    assert spec["buckets"] == [{"key": "bucket1", "field": "amount", "labels": {"en": "Size"}, "other": "Unknown",
                                "ranges": [{"label": "Small", "below": "1000"}, {"label": "1000 – 10000", "below": "10000"},
                                           {"label": "Large"}]}]
    assert spec["groups"] == [{"field": "bucket1"}]
    result = reports.run_report(spec["api_name"], admin)
    assert {g.label: g.count for g in result.groups} == {"Small": 1, "1000 – 10000": 1, "Large": 1}
    assert [c.label for c in result.columns if c.kind == "group"] == ["Size"]  # the bucket's name heads it
    stages = {**base, "bucket_field": ["stage"], "bucket_label": [""], "bucket_other": ["Open"],
              "bk0_list_label": ["Won"], "bk0_l0": ["closed_won"], "colgroup": ["bucket1"], "colgroup_period": [""],
              "group": ["account"], "group_period": [""], "shape": "matrix"}
    spec = saved(client, admin, stages)
    assert spec["buckets"][0]["lists"] == [{"label": "Won", "values": ["closed_won"]}]
    assert spec["column_groups"] == [{"field": "bucket1"}]
    assert "Open" in client.post(PREVIEW, stages).content.decode()
    # Removing a bucket takes the groups by it along.
    _r, html = post(client, NEW, {**stages, "op": "remove:buckets:0"})
    assert 'name="colgroup" value="bucket1"' not in html and 'name="bucket_field"' not in html


def test_sharing_with_roles_and_departments_needs_the_share_right(world):
    clients, admin, _rep, _ids = world
    role = Role.objects.create(name="East sales")
    department = Department.objects.create(name="Field team")
    form = {"object": "opportunity", "name": "Shared", "shape": "summary", "group": ["stage"], "group_period": [""],
            "share_role": [str(role.id)], "share_department": [str(department.id)]}
    page = clients["admin"].get("/app/reports/new/?object=opportunity").content.decode()
    assert f'name="share_role" value="{role.id}"' in page and f'name="share_department" value="{department.id}"' in page
    spec = saved(clients["admin"], admin, form)
    assert spec["shared"] == {"roles": [role.id], "departments": [department.id]}
    edit = clients["admin"].get(f"/app/reports/{spec['api_name']}/edit/").content.decode()
    assert re.search(rf'name="share_role" value="{role.id}" checked', edit)
    # A salesperson creates reports but may not share them: no pickers, and a forged share is refused.
    rep_page = clients["rep"].get("/app/reports/new/?object=opportunity").content.decode()
    assert 'name="share_role"' not in rep_page and "Share with roles" not in rep_page
    before = Report.objects.count()
    response, html = post(clients["rep"], NEW, {**form, "op": "save"}, hx=False)
    assert response.status_code == 400 and Report.objects.count() == before
    assert "share reports" in html and 'value="Shared"' in html


def test_a_table_with_a_number_column_gets_a_chart(world):
    client, admin, ids = world[0]["admin"], world[1], world[3]
    names_only = {"object": "opportunity", "name": "Deals", "shape": "tabular", "column": ["name", "stage"]}
    _r, html = post(client, NEW, {**names_only, "op": "noop"})
    assert 'id="chart-kind"' not in html and "once it has a number column" in html
    deals = {**names_only, "column": ["name", "amount"], "chart_kind": "bar"}
    _r, html = post(client, NEW, {**deals, "op": "noop"})
    assert 'id="chart-kind"' in html
    chart = json.loads(re.search(r'<script id="chart-preview" type="application/json">(.*?)</script>',
                                 client.post(PREVIEW, deals).content.decode(), re.S).group(1))
    assert chart["kind"] == "bar" and set(chart["categories"]) == {"o-small", "o-mid", "o-big"}
    by_name = dict(zip(chart["categories"], chart["series"][0]["values"], strict=True))
    assert by_name == {"o-small": 500.0, "o-mid": 5000.0, "o-big": 20000.0}
    assert f"/app/opportunity/{ids['o-big']}/" in chart["series"][0]["urls"]  # a bar opens its record
    spec = saved(client, admin, deals)
    assert spec["chart"] == {"kind": "bar"}
    assert 'data-chart="chart-report"' in client.get(f"/app/reports/{spec['api_name']}/").content.decode()


def test_the_parts_add_no_query_to_a_preview(world, django_assert_max_num_queries):
    """Each change re-renders the preview: the parts are read from metadata already in memory, so a
    report with a walked parent column, a bucket, a cross filter, a child column and filter logic
    costs the preview no more queries than a plain one (the report itself stays one statement)."""
    client = world[0]["admin"]
    plain = {"object": "opportunity", "name": "Plain", "shape": "summary", "group": ["stage"], "group_period": [""],
             "agg_function": ["sum"], "agg_of": ["amount"]}
    client.post(PREVIEW, plain)  # warm the metadata cache and the session
    with django_assert_max_num_queries(1000) as baseline:
        client.post(PREVIEW, plain)
    plain_queries = len(baseline.captured_queries)
    assert plain_queries > 0
    full = {**plain, "walk": "account", "group": ["bucket1", "account.parent.name"], "group_period": ["", ""],
            "bucket_field": ["amount"], "bucket_label": ["Size"], "bucket_other": [""],
            "bk0_range_label": ["Small", "Large"], "bk0_range_below": ["1000", ""],
            "cross_relation": ["activity:opportunity"], "cross_with": ["0"], "cross_cond": ["0|type__in=call"],
            "child_relation": ["activity:opportunity"], "child_function": ["count"], "child_field": [""],
            "child_label": ["Activities"], "filter": ["amount__gte=100", "stage__in=closed_won"], "filter_logic": "1 OR 2"}
    client.post(PREVIEW, full)
    with django_assert_max_num_queries(plain_queries):
        html = client.post(PREVIEW, full).content.decode()
    assert "HQ Group" in html and "cannot run" not in html
