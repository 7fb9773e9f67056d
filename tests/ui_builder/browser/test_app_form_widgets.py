"""Walk-throughs of the form widgets that work while the user types: a formula field recomputed by the
server as the numbers change (one request for all of them), the next customer number shown on a new
customer's form without taking it, and a photo uploaded with a progress bar and saved with the
record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from tests.ui_builder.browser.app_world import build_world, drop_world

pytestmark = [pytest.mark.browser]

#: The smallest PNG (1×1): enough for the image check of the upload API.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from metadata.services import add_field

    with django_db_blocker.unblock():
        built = build_world()
        with tenant_context(built.tenant):
            add_field("opportunity", {"api_name": "quantity", "type": "number", "labels": {"en": "Quantity", "zh-hans": "数量"}},
                      built.admin)
            add_field("opportunity", {"api_name": "unit_price", "type": "currency",
                                      "labels": {"en": "Unit price", "zh-hans": "单价"}}, built.admin)
            add_field("opportunity", {"api_name": "line_total", "type": "formula",
                                      "labels": {"en": "Line total", "zh-hans": "小计"},
                                      "options": {"formula": "quantity * unit_price", "result_type": "currency"}},
                      built.admin)
            add_field("contact", {"api_name": "photo", "type": "image", "labels": {"en": "Photo", "zh-hans": "照片"}},
                      built.admin)
        yield built
        drop_world()


def test_a_formula_is_recomputed_as_the_user_types(world, base, english):
    page = english
    world.login(page, base)
    page.goto(f"{base}/app/opportunity/{world.ids['deal_proposal']}/edit/")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "formulas=1" in r.url else None)
    page.fill("#id_quantity", "3")
    page.fill("#id_unit_price", "1500")
    page.locator("#id_line_total", has_text="4,500.00").wait_for()
    page.fill("#id_unit_price", "2000")
    page.locator("#id_line_total", has_text="6,000.00").wait_for()
    assert 1 <= len(requests) <= 4  # debounced: one request per pause, not one per key
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/app/opportunity/\d+/$"))
    assert "6,000.00" in page.inner_text(".record-main")


def test_a_new_customer_shows_its_next_number_without_taking_it(world, base, english):
    from tessera.records import previews
    from tessera.security.access import SYSTEM

    page = english
    world.login(page, base)
    page.goto(f"{base}/app/account/new/?category=retail")
    shown = page.inner_text("#id_account_number")
    with tenant_context(world.tenant):
        expected = previews.next_numbers("account", SYSTEM)["account_number"]
    assert expected in shown and "next number" in shown
    page.reload()
    assert expected in page.inner_text("#id_account_number")  # looking did not take it


def test_a_photo_is_uploaded_with_progress_and_saved_with_the_contact(world, base, english, tmp_path):
    page = english
    world.login(page, base)
    page.goto(f"{base}/app/contact/{world.ids['zhang']}/edit/")
    photo = Path(tmp_path) / "zhang.png"
    photo.write_bytes(PNG)
    page.set_input_files("#id_photo", str(photo))
    page.locator(".upload-status", has_text="zhang.png").wait_for()
    assert page.locator("#field-photo progress").get_attribute("value") == "100"
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/app/contact/\d+/$"))
    assert "zhang.png" in page.inner_text(".record-main")
    not_an_image = Path(tmp_path) / "notes.png"
    not_an_image.write_text("<html>not a picture</html>")
    page.goto(f"{base}/app/contact/{world.ids['zhang']}/edit/")
    page.fill("#id_title", "采购总监")
    page.set_input_files("#id_photo", str(not_an_image))
    page.locator(".upload-status", has_text="notes.png").wait_for()
    page.click("button:has-text('Save')")
    page.locator("#field-photo.has-error").wait_for()  # refused in place when saved, nothing typed lost
    assert page.input_value("#id_title") == "采购总监"


def test_a_lookup_creates_its_record_in_a_dialog(world, base, english):
    page = english
    world.login(page, base)
    page.goto(f"{base}/app/contact/new/")
    page.wait_for_load_state()
    page.fill("#id_name", "赵六")
    page.click("#field-account button:has-text('New Account')")
    dialog = page.locator("dialog#lookup-dialog")
    dialog.locator("button:has-text('Next')").click()  # the account's category first
    dialog.locator("#dlg-id_name").wait_for()
    dialog.locator("button:has-text('Save')").click()  # no name: the error shows in the dialog
    dialog.locator("#dlg-field-name.has-error").wait_for()
    assert dialog.is_visible() and page.input_value("#id_name") == "赵六"
    dialog.locator("#dlg-id_name").fill("新客户有限公司")
    dialog.locator("button:has-text('Save')").click()
    dialog.wait_for(state="hidden")
    assert "新客户有限公司" in page.inner_text("#field-account")
    page.click("form.record-form > .form-actions button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/app/contact/\d+/$"))
    assert "新客户有限公司" in page.inner_text(".record-main")
