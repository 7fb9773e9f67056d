"""A batch of new records is read field by field (pipeline.read_new_inputs: one call of each
type's column coercer per field), and must read exactly as each record read on its own would
(pipeline.read_input): the same values, the same fields changed, the same errors — whatever the
payloads hold, whichever keys each gives. Fixed seed, bounded examples."""

from __future__ import annotations

import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from tessera.records import pipeline
from tessera.records.draft import Draft
from tessera.security.access import access_for
from tests.tessera.records.api.test_input_properties import PROPERTY_SETTINGS, SEED, WRITABLE, json_values

pytestmark = pytest.mark.django_db

#: Values of each kind the write path takes, valid ones included, so columns are read both ways.
likely = st.sampled_from(["", " x ", "A-1", "12.50", "1,054.499", "-3", "2024-03-05", "2016-02-30", "2024-03-05T09:30:00",
                          "a@b.test", "+86 21 1234-5678", "example.com", "true", "no", "new", "New", "red", 7, 0, True,
                          None, ["new"], {"id": 1}, {"name": "Acme"}, {"email": "x@y.test"}])
payloads = st.lists(
    st.one_of(st.dictionaries(st.sampled_from([*WRITABLE, "version", "id", "nope"]), st.one_of(likely, json_values),
                              max_size=6),
              st.just([]), st.just("x")),
    min_size=1, max_size=8)


def _read_alone(obj, batch, access):
    fields = pipeline.InputFields(obj, access)
    drafts = [Draft(index=i) for i in range(len(batch))]
    for draft in drafts:
        pipeline.read_input(obj, batch[draft.index], draft, access, fields)
    return drafts


def _read_together(obj, batch, access):
    drafts = [Draft(index=i) for i in range(len(batch))]
    pipeline.read_new_inputs(obj, drafts, batch, access, pipeline.InputFields(obj, access))
    return drafts


def _state(draft):
    errors = {name: sorted((d.code, str(d.message)) for d in details) for name, details in draft.errors.field_errors.items()}
    return (draft.values, draft.changed, draft.category, draft.category_changed, draft.expected_version, errors,
            sorted((d.code, str(d.message)) for d in draft.errors.non_field_errors))


def test_a_batch_reads_as_its_records_read_one_by_one(gadget, admin_a):
    access = access_for(admin_a)

    @seed(SEED)
    @PROPERTY_SETTINGS
    @given(batch=payloads)
    def check(batch):
        alone, together = _read_alone(gadget, batch, access), _read_together(gadget, batch, access)
        assert [_state(d) for d in together] == [_state(d) for d in alone], batch

    check()


def test_a_column_with_a_refused_value_refuses_only_that_record(gadget, admin_a):
    batch = [{"name": "a", "quantity": "5"}, {"name": "b", "quantity": "5000"}, {"name": "c", "quantity": 7}]
    drafts = _read_together(gadget, batch, access_for(admin_a))
    assert [d.values.get("quantity") for d in drafts] == [5, None, 7]
    assert [d.errors.has("quantity") for d in drafts] == [False, True, False]
    assert ["quantity" in d.changed for d in drafts] == [True, False, True]
