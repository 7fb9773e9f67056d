"""Two-factor sign-in: set-up with a QR code and recovery codes, the code asked after the password
(browser and API), no replay, and the tenant's policy requiring it of administrators."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers.security import codes
from tests.helpers.tenants import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "Two-factor-person-1!"


@pytest.fixture
def boss(in_tenant_a):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_admin("boss@alpha.test", PASSWORD, full_name="Boss")


@pytest.fixture
def seller(in_tenant_a):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("seller2@alpha.test", PASSWORD, full_name="Seller")


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + offset)


def _login(client, email, password=PASSWORD):
    return client.post("/login/", {"username": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def _enrol(user) -> tuple[str, list[str]]:
    from tessera.security import services

    device = services.start_enrolment(user)
    return device.secret, services.confirm_enrolment(user, _code(device.secret))


def test_set_up_by_a_logged_in_user_shows_a_qr_code_and_recovery_codes_once(seller, client_a):
    client_a.force_login(seller)
    page = client_a.get("/login/two-factor/set-up/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    assert "<svg" in html and "otpauth://totp/Tessera%20Alpha" in html and f"secret={secret}" in html
    wrong = client_a.post("/login/two-factor/set-up/", {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "This code is not valid" in wrong.content.decode()
    assert secret in wrong.content.decode()  # the same key: nothing to scan again
    done = client_a.post("/login/two-factor/set-up/", {"code": _code(secret)}, HTTP_ACCEPT_LANGUAGE="en")
    recovery = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.content.decode())
    assert done.status_code == 200 and len(recovery) == 10
    assert client_a.get("/login/two-factor/set-up/").status_code == 302  # on: no second set-up


def test_the_login_asks_for_the_code_after_the_password(seller, client_a):
    from tessera.security.models import TwoFactorDevice

    secret, _recovery = _enrol(seller)
    TwoFactorDevice.objects.filter(user=seller).update(last_step=0)
    response = _login(client_a, seller.email)
    assert response.status_code == 302 and response.url == "/login/two-factor/"
    assert "_auth_user_id" not in client_a.session  # not logged in yet
    assert client_a.get("/api/v1/security/me/").status_code == 403
    wrong = client_a.post("/login/two-factor/", {"code": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "This code is not valid" in wrong.content.decode()
    right = client_a.post("/login/two-factor/", {"code": _code(secret)})
    assert right.status_code == 302 and client_a.get("/api/v1/security/me/").status_code == 200


def test_a_code_works_once_and_a_recovery_code_once(seller):
    from tessera.security import services

    secret, recovery = _enrol(seller)
    assert not services.verify_code(seller, _code(secret))  # the step its set-up used: no replay
    assert services.verify_code(seller, _code(secret, 1))
    assert not services.verify_code(seller, _code(secret, 1))
    assert services.verify_code(seller, recovery[0].upper())
    assert not services.verify_code(seller, recovery[0])
    assert not services.verify_code(seller, "")


def test_five_wrong_codes_send_the_login_back_to_the_password(seller, client_a):
    _enrol(seller)
    _login(client_a, seller.email)
    for _ in range(4):
        assert client_a.post("/login/two-factor/", {"code": "000000"}).status_code == 400
    assert client_a.post("/login/two-factor/", {"code": "000000"}).url == "/login/"
    assert client_a.get("/login/two-factor/").url == "/login/"


def test_wrong_codes_count_as_failed_logins(seller, client_a):
    from tessera.security.models import LoginThrottle

    secret, _recovery = _enrol(seller)
    _login(client_a, seller.email)
    for _ in range(4):  # with the password, the fifth attempt on this account from this address
        client_a.post("/login/two-factor/", {"code": "000000"})
    assert LoginThrottle.objects.get(scope="pair").locked_until > timezone.now()
    refused = client_a.post("/login/two-factor/", {"code": _code(secret, 1)})
    assert refused.url == "/login/" and "_auth_user_id" not in client_a.session
    api = client_a.post("/api/v1/security/session/", {"email": seller.email, "password": PASSWORD,
                                                      "code": _code(secret, 1)}, content_type="application/json")
    assert api.status_code == 403 and codes(api) == ["login_locked"]


def test_the_api_login_asks_for_the_code_too(seller, client_a):
    secret, _recovery = _enrol(seller)
    url = "/api/v1/security/session/"
    without = client_a.post(url, {"email": seller.email, "password": PASSWORD}, content_type="application/json")
    assert without.status_code == 403 and codes(without) == ["two_factor_required"]
    wrong = client_a.post(url, {"email": seller.email, "password": PASSWORD, "code": "000000"},
                          content_type="application/json")
    assert wrong.status_code == 403 and codes(wrong) == ["invalid_code"]
    right = client_a.post(url, {"email": seller.email, "password": PASSWORD, "code": _code(secret, 1)},
                          content_type="application/json")
    assert right.status_code == 200


def test_a_tenant_can_require_it_of_administrators(boss, seller, admin_a, client_a):
    admin = Client(HTTP_HOST="alpha.localhost")
    admin.force_login(admin_a)
    assert admin.get("/api/v1/security/settings/").json() == {"require_two_factor_for_admins": False}
    bad = admin.patch("/api/v1/security/settings/", {"require_two_factor_for_admins": "yes"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert admin.patch("/api/v1/security/settings/", {"require_two_factor_for_admins": True},
                       content_type="application/json").json() == {"require_two_factor_for_admins": True}
    seller_client = Client(HTTP_HOST="alpha.localhost")
    seller_client.force_login(seller)
    refused = seller_client.patch("/api/v1/security/settings/", {"require_two_factor_for_admins": False},
                                  content_type="application/json")
    assert refused.status_code == 403

    # A salesperson is not an administrator: logged in with the password alone.
    assert _login(Client(HTTP_HOST="alpha.localhost"), seller.email).url == "/app/"
    # An administrator without an authenticator sets one up before getting in.
    response = _login(client_a, boss.email)
    assert response.url == "/login/two-factor/set-up/" and "_auth_user_id" not in client_a.session
    html = client_a.get("/login/two-factor/set-up/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your organisation requires" in html
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    assert client_a.post("/login/two-factor/set-up/", {"code": _code(secret)}).status_code == 200
    assert client_a.get("/api/v1/security/me/").status_code == 200
    api = client_a.post("/api/v1/security/session/", {"email": seller.email, "password": PASSWORD},
                        content_type="application/json")
    assert api.status_code == 200  # the policy is for administrators only
    enrol_first = Client(HTTP_HOST="alpha.localhost").post(
        "/api/v1/security/session/", {"email": "admin@alpha.test", "password": ADMIN_PASSWORD},
        content_type="application/json")
    assert enrol_first.status_code == 403 and codes(enrol_first) == ["two_factor_enrolment_required"]


def test_a_user_manager_turns_it_off_for_a_lost_phone(seller, admin_a):
    from tessera.security import services

    _enrol(seller)
    admin = Client(HTTP_HOST="alpha.localhost")
    admin.force_login(admin_a)
    listed = {u["email"]: u["two_factor"] for u in admin.get("/api/v1/security/users/").json()["results"]}
    assert listed[seller.email] is True and listed[admin_a.email] is False
    assert admin.delete(f"/api/v1/security/users/{seller.pk}/two-factor/").status_code == 204
    assert admin.get(f"/api/v1/security/users/{seller.pk}/").json()["two_factor"] is False
    assert not services.has_two_factor(seller)
    assert admin.delete(f"/api/v1/security/users/{seller.pk}/two-factor/").status_code == 400
    other = Client(HTTP_HOST="alpha.localhost")
    other.force_login(seller)
    _enrol(seller)
    assert other.delete(f"/api/v1/security/users/{admin_a.pk}/two-factor/").status_code == 403
