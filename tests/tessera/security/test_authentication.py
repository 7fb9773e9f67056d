"""Logging in: throttling after repeated failures (browser and API, per account and per address),
personal API tokens, invitations."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.helpers.security import codes, field_codes
from tests.helpers.tenants import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "Tessera-sales-2026!"


@pytest.fixture
def seller(in_tenant_a):
    from django.contrib.auth import get_user_model

    from tessera.security.models import AuditEntry, LoginThrottle

    # Tests that commit (browser tests against a live server) may leave failures of 127.0.0.1 behind.
    LoginThrottle.objects.all().delete()
    AuditEntry.objects.all().delete()
    return get_user_model().objects.create_user("seller@alpha.test", PASSWORD, full_name="Seller")


def _browser_login(client, email, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def _audit(action):
    from tessera.security.models import AuditEntry

    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- throttling --------------------------------------------------------------------------------


def _end_delays():
    """The account's growing delay has run out (as if its seconds had passed)."""
    from tessera.security.models import LoginThrottle

    LoginThrottle.objects.filter(scope="account").update(locked_until=timezone.now() - timezone.timedelta(seconds=1))


def test_five_failures_lock_that_address_even_for_the_right_password(seller, client_a):
    for _ in range(5):
        response = _browser_login(client_a, "seller@alpha.test", "wrong", ip="10.0.0.1")
        assert response.status_code == 200 and "_auth_user_id" not in client_a.session
    _end_delays()
    locked = _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.0.0.1")
    assert locked.status_code == 200 and "_auth_user_id" not in client_a.session
    failed = _audit("login.failed")
    assert len(failed) == 5 and {e.actor_email for e in failed} == {"seller@alpha.test"}
    assert failed[0].ip == "10.0.0.1" and failed[0].target_id == str(seller.pk)
    assert _audit("login.locked")
    assert "Too many failed attempts" in client_a.post(
        "/login/", {"username": "seller@alpha.test", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    other = _browser_login(client_a, "admin@alpha.test", ADMIN_PASSWORD, ip="10.0.0.1")
    assert other.status_code == 302  # the lock is the pair's, not the address's for everyone


def test_an_attacker_cannot_lock_the_person_out_from_their_own_address(seller, client_a):
    for _ in range(5):
        _browser_login(client_a, "seller@alpha.test", "wrong", ip="203.0.113.66")
    from tessera.security.models import LoginThrottle

    account = LoginThrottle.objects.get(scope="account", key="seller@alpha.test")
    assert account.locked_until > account.last_attempt_at  # a delay (1 s after the 5th failure), no lock
    _end_delays()
    assert _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_accounts_delay_grows_with_failures_from_any_address(seller, client_a, settings):
    from tessera.security.models import LoginThrottle

    settings.TESSERA_LOGIN_MAX_DELAY_SECONDS = 60
    delays = []
    for n in range(12):
        _end_delays()
        _browser_login(client_a, "seller@alpha.test", "wrong", ip=f"198.51.100.{n}")
        row = LoginThrottle.objects.get(scope="account", key="seller@alpha.test")
        delays.append(round((row.locked_until - row.last_attempt_at).total_seconds()) if row.locked_until else 0)
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert len(_audit("login.failed")) == 12  # each was checked: every delay had run out
    _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="198.51.100.99")  # refused: still delayed
    assert len(_audit("login.failed")) == 12 and "_auth_user_id" not in client_a.session


def test_the_same_email_in_another_tenant_is_counted_apart(seller, client_a, tenant_b):
    from django.contrib.auth import get_user_model
    from django.test import Client

    for _ in range(5):
        _browser_login(client_a, "seller@alpha.test", "wrong", ip="10.0.0.1")
    assert _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.0.0.1").status_code == 200  # locked
    with tenant_context(tenant_b):
        get_user_model().objects.create_user("seller@alpha.test", PASSWORD)
    client_b = Client(HTTP_HOST="beta.localhost")
    assert _browser_login(client_b, "seller@alpha.test", PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lock_ends_after_its_time(seller, client_a):
    from tessera.security.models import LoginThrottle

    for _ in range(5):
        _browser_login(client_a, "seller@alpha.test", "wrong")
    LoginThrottle.objects.update(locked_until=timezone.now() - timezone.timedelta(seconds=1),
                                 last_attempt_at=timezone.now() - timezone.timedelta(hours=1))
    ok = _browser_login(client_a, "seller@alpha.test", PASSWORD)
    assert ok.status_code == 302 and _audit("login")
    assert not LoginThrottle.objects.exclude(scope="client").exists()  # a success forgets the failures


def test_many_failures_from_one_address_over_any_accounts_lock_the_address(seller, client_a, settings):
    settings.TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT = 8
    for n in range(8):
        _browser_login(client_a, f"nobody{n}@alpha.test", "wrong", ip="10.9.9.9")
    assert _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.9.9.9").status_code == 200
    assert _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.9.9.8").status_code == 302


def test_successful_logins_do_not_use_up_an_offices_shared_address(seller, client_a, settings):
    settings.TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT = 3
    for _ in range(5):
        assert _browser_login(client_a, "seller@alpha.test", PASSWORD, ip="10.1.1.1").status_code == 302
        client_a.logout()


def test_the_api_login_is_throttled_too(seller, client_a):
    url = "/api/v1/security/session/"
    answers = [client_a.post(url, {"email": "seller@alpha.test", "password": "nope"}, content_type="application/json")
               for _ in range(5)]
    assert {r.status_code for r in answers} == {403}
    assert [codes(r)[0] for r in answers] == ["invalid_login"] * 4 + ["login_locked"]  # the 5th locks
    response = client_a.post(url, {"email": "seller@alpha.test", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 403 and codes(response) == ["login_locked"]


def test_api_login_starts_a_session(seller, client_a):
    response = client_a.post("/api/v1/security/session/", {"email": "Seller@Alpha.test", "password": PASSWORD},
                             content_type="application/json")
    assert response.status_code == 200 and response.json()["email"] == "seller@alpha.test"
    assert client_a.get("/api/v1/security/me/").json()["user"]["id"] == seller.pk
    assert client_a.delete("/api/v1/security/session/").status_code == 204
    assert client_a.get("/api/v1/security/me/").status_code == 403


def test_forwarded_address_is_used_only_behind_a_configured_proxy(seller, client_a, settings):
    client_a.post("/login/", {"username": "seller@alpha.test", "password": "wrong"}, REMOTE_ADDR="10.0.0.1",
                  HTTP_X_FORWARDED_FOR="203.0.113.7")
    settings.TESSERA_TRUSTED_PROXIES = 1
    client_a.post("/login/", {"username": "seller@alpha.test", "password": "wrong"}, REMOTE_ADDR="10.0.0.1",
                  HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert [e.ip for e in _audit("login.failed")] == ["10.0.0.1", "203.0.113.7"]


# --- API tokens --------------------------------------------------------------------------------


def test_token_create_list_use_revoke(seller, client_a):
    client_a.force_login(seller)
    created = client_a.post("/api/v1/security/tokens/", {"name": "My script"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    listed = client_a.get("/api/v1/security/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["My script"] and "key" not in listed[0]
    assert key not in client_a.get("/api/v1/security/tokens/").content.decode()

    from tessera.security.models import ApiToken

    assert not ApiToken.objects.filter(key_hash=key).exists()  # stored hashed

    from django.test import Client

    api = Client(HTTP_HOST="alpha.localhost")
    assert api.get("/api/v1/security/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["user"]["id"] == seller.pk
    assert api.get("/api/v1/records/account/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert api.get("/api/v1/records/account/", HTTP_AUTHORIZATION="Token tsr_not-a-real-key").status_code == 401
    assert api.get("/api/v1/records/account/").status_code == 403  # no credentials at all: as before

    token_id = created.json()["id"]
    assert client_a.delete(f"/api/v1/security/tokens/{token_id}/").status_code == 204
    revoked = api.get("/api/v1/records/account/", HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.status_code == 401
    assert [e.action for e in _audit("token.create")] == ["token.create"] and _audit("token.revoke")


def test_tokens_are_personal(seller, client_a, admin_a):
    from tessera.security.services import create_token

    token, _key = create_token(admin_a, "admin's")
    client_a.force_login(seller)
    assert client_a.get("/api/v1/security/tokens/").json()["results"] == []
    assert client_a.delete(f"/api/v1/security/tokens/{token.pk}/").status_code == 404


def test_a_deactivated_users_tokens_stop_working(seller, admin_a):
    from django.test import Client

    from tessera.security.services import create_token, deactivate_user

    _token, key = create_token(seller, "cli")
    deactivate_user(seller.pk, admin_a, transfer_to=admin_a.pk)
    response = Client(HTTP_HOST="alpha.localhost").get("/api/v1/records/account/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_deactivating_a_user_ends_their_sessions_and_revokes_their_tokens_at_once(seller, admin_a):
    from django.contrib.sessions.models import Session
    from django.test import Client

    from tessera.security.services import create_token

    laptop, phone, admin = (Client(HTTP_HOST="alpha.localhost") for _ in range(3))
    for device in (laptop, phone):
        assert _browser_login(device, "seller@alpha.test", PASSWORD).status_code == 302
        assert device.get("/api/v1/security/me/").status_code == 200
    keys = [laptop.session.session_key, phone.session.session_key]
    _token, key = create_token(seller, "cli")
    admin.force_login(admin_a)

    response = admin.post(f"/api/v1/security/users/{seller.pk}/deactivate/", {"transfer_to": admin_a.pk},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert laptop.get("/api/v1/security/me/").status_code == 403
    assert phone.get("/", follow=False).status_code == 302  # to the login page
    token_client = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/v1/security/me/").status_code == 401
    detail = _audit("user.deactivate")[-1].detail
    assert (detail["sessions_ended"], detail["tokens_revoked"]) == (2, 1)

    assert admin.post(f"/api/v1/security/users/{seller.pk}/reactivate/").status_code == 200
    assert laptop.get("/api/v1/security/me/").status_code == 403  # nothing comes back with the user
    assert token_client.get("/api/v1/security/me/").status_code == 401


def test_logging_out_forgets_the_session(seller, client_a):
    from tessera.security.models import UserSession

    _browser_login(client_a, "seller@alpha.test", PASSWORD)
    assert UserSession.objects.filter(user=seller).count() == 1
    client_a.post("/logout/")
    assert not UserSession.objects.filter(user=seller).exists()


def test_token_input_is_checked(seller, client_a):
    client_a.force_login(seller)
    response = client_a.post("/api/v1/security/tokens/", {"name": ""}, content_type="application/json")
    assert response.status_code == 400 and field_codes(response) == {"name": ["required"]}
    past = client_a.post("/api/v1/security/tokens/", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"},
                         content_type="application/json")
    assert past.status_code == 400 and field_codes(past) == {"expires_at": ["in_the_past"]}


# --- invitations -------------------------------------------------------------------------------


def _invite(client, **extra):
    return client.post("/api/v1/security/users/invite/", {"email": "new.hire@alpha.test", "full_name": "New Hire",
                                                          **extra}, content_type="application/json")


def _token_from_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"token=([A-Za-z0-9_\-]+)", mail.outbox[0].body).group(1)


def test_invitation_accept_flow(client_a, admin_a, django_capture_on_commit_callbacks, org):
    client_a.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(client_a, profile="sales_manager", role=org.roles["east_mgr"].pk,
                          department=org.departments["d_mgr"].pk)
    assert invited.status_code == 201 and invited.json()["status"] == "pending"
    token = _token_from_mail()
    assert mail.outbox[0].to == ["new.hire@alpha.test"] and "alpha.localhost" in mail.outbox[0].body

    from django.test import Client

    newcomer = Client(HTTP_HOST="alpha.localhost")
    shown = newcomer.get(f"/api/v1/security/invitations/accept/?token={token}")
    assert shown.status_code == 200 and shown.json()["email"] == "new.hire@alpha.test"
    weak = newcomer.post("/api/v1/security/invitations/accept/", {"token": token, "password": "123"},
                         content_type="application/json")
    assert weak.status_code == 400 and set(field_codes(weak)) == {"password"}
    accepted = newcomer.post("/api/v1/security/invitations/accept/", {"token": token, "password": PASSWORD},
                             content_type="application/json")
    assert accepted.status_code == 201
    user = accepted.json()
    assert (user["profile"], user["role"], user["department"]) == ("sales_manager", org.roles["east_mgr"].pk,
                                                                    org.departments["d_mgr"].pk)
    assert newcomer.get("/api/v1/security/me/").json()["user"]["email"] == "new.hire@alpha.test"
    again = Client(HTTP_HOST="alpha.localhost").post("/api/v1/security/invitations/accept/",
                                                     {"token": token, "password": PASSWORD},
                                                     content_type="application/json")
    assert again.status_code == 404
    assert Client(HTTP_HOST="alpha.localhost").post("/login/", {"username": "new.hire@alpha.test",
                                                                "password": PASSWORD}).status_code == 302
    assert _audit("user.invite") and _audit("user.invitation_accepted")


def test_the_invitation_link_opens_a_page_to_choose_a_password(client_a, admin_a, django_capture_on_commit_callbacks):
    """The link in the email is a page for a person, not an API answer: it shows who is invited,
    says what is wrong with a password, then signs the new user in; a used link says it is used."""
    from django.test import Client

    client_a.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(client_a).status_code == 201
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert "/invitation/?token=" in link
    path = link.split("alpha.localhost", 1)[1].lstrip(":0123456789")
    newcomer = Client(HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en")

    page = newcomer.get(path)
    assert page.status_code == 200 and "new.hire@alpha.test" in page.content.decode()
    assert 'name="password2"' in page.content.decode()
    token = _token_from_mail()
    differ = newcomer.post("/invitation/", {"token": token, "password": PASSWORD, "password2": PASSWORD + "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.content.decode()
    weak = newcomer.post("/invitation/", {"token": token, "password": "123", "password2": "123"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    joined = newcomer.post("/invitation/", {"token": token, "full_name": "Wang Fang", "password": PASSWORD,
                                            "password2": PASSWORD})
    assert joined.status_code == 302 and joined.url == "/"
    home = newcomer.get("/app/")  # `/` takes a signed-in person to their desktop
    assert home.status_code == 200 and "Wang Fang" in home.content.decode()
    used = Client(HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert used.status_code == 404 and "not valid" in used.content.decode()
    assert "Tessera-sales" not in str(used.content)


def test_expired_and_foreign_invitations_are_refused(tenant_a, client_a, client_b, admin_a,
                                                     django_capture_on_commit_callbacks):
    from tessera.security.models import Invitation

    client_a.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(client_a).status_code == 201
    token = _token_from_mail()
    on_b = client_b.post("/api/v1/security/invitations/accept/", {"token": token, "password": PASSWORD},
                         content_type="application/json")
    assert on_b.status_code == 404
    with tenant_context(tenant_a):
        Invitation.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    from django.test import Client

    expired = Client(HTTP_HOST="alpha.localhost").post("/api/v1/security/invitations/accept/",
                                                       {"token": token, "password": PASSWORD},
                                                       content_type="application/json")
    assert expired.status_code == 400 and field_codes(expired) == {"token": ["expired"]}


def test_only_user_managers_invite(client_a, seller):
    client_a.force_login(seller)
    response = _invite(client_a)
    assert response.status_code == 403 and codes(response) == ["no_manage_users_right"]
