"""What a form shows before saving: formula fields computed from typed values (only those the user
may read, never through a record they may not read), and the next auto-number without taking it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from tessera.records import previews, service
from tessera.security.access import SYSTEM
from tessera.security.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(in_tenant_a):
    return get_user_model().objects.create_user("preview-rep@alpha.test", None, full_name="Rep",
                                                profile=Profile.objects.get(api_name="salesperson"))


def test_formulas_are_computed_from_what_is_typed(make_object, admin_a, rep):
    make_object("order_line", fields=[
        {"api_name": "quantity", "type": "number"},
        {"api_name": "price", "type": "currency"},
        {"api_name": "total", "type": "formula", "options": {"formula": "quantity * price", "result_type": "currency"}},
        {"api_name": "ratio", "type": "formula", "options": {"formula": "price / quantity", "result_type": "number"}},
    ])
    values = previews.preview_formulas("order_line", {"quantity": "3", "price": "2.50"}, rep)
    assert values["total"] == Decimal("7.50")
    assert previews.preview_formulas("order_line", {"quantity": "0", "price": "2"}, rep)["ratio"] is None
    half_typed = previews.preview_formulas("order_line", {"quantity": "three", "price": "2"}, rep)
    assert half_typed["total"] in (None, Decimal("0.00"))  # a blank reads as the formula says (zero)
    line = service.create_record("order_line", {"name": "L", "quantity": 2, "price": "10"}, rep)
    edited = previews.preview_formulas("order_line", {"quantity": "5"}, rep, record_id=line.id)
    assert edited["total"] == Decimal("50.00")


def test_no_formula_reveals_a_hidden_field_or_an_unreadable_record(make_object, admin_a, rep):
    from metadata.services import add_field
    from tessera.security.services import create_spec

    add_field("account", {"api_name": "secret", "type": "text", "labels": {"en": "Secret"}}, admin_a)
    add_field("account", {"api_name": "secret_copy", "type": "formula", "labels": {"en": "Copy"},
                          "options": {"formula": "secret", "result_type": "text"}}, admin_a)
    add_field("contact", {"api_name": "account_name", "type": "formula", "labels": {"en": "Account name"},
                          "options": {"formula": "account.name", "result_type": "text"}}, admin_a)
    spec = dict(Profile.objects.get(api_name="salesperson").spec)
    spec["objects"] = {"account": {"fields": {"secret": "hidden"}}}
    create_spec("profile", {"api_name": "preview_hidden", "spec": spec}, admin_a)
    rep.profile = Profile.objects.get(api_name="preview_hidden")
    rep.save()
    mine = service.create_record("account", {"name": "Mine", "owner": rep.pk, "secret": "s3cret"}, SYSTEM)
    theirs = service.create_record("account", {"name": "Not yours", "owner": admin_a.pk}, SYSTEM)
    assert "secret_copy" not in previews.preview_formulas("account", {}, rep, record_id=mine.id)
    assert previews.preview_formulas("contact", {"account": mine.id}, rep)["account_name"] == "Mine"
    assert previews.preview_formulas("contact", {"account": theirs.id}, rep)["account_name"] is None


def test_the_next_auto_number_is_shown_and_not_taken(rep):
    first = previews.next_numbers("account", rep)["account_number"]
    assert previews.next_numbers("account", rep)["account_number"] == first
    created = service.create_record("account", {"name": "Numbered", "owner": rep.pk}, rep)
    assert created.values["account_number"] == first
    assert previews.next_numbers("account", rep)["account_number"] != first
