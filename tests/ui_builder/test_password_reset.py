"""Password reset by email: the same answer for any address, a link that works once and expires,
Django's validators, errors in place; a reset ends the user's sessions and lifts their locks."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

PASSWORD = "Reset-me-2026!"
NEW_PASSWORD = "A-brand-new-one-77"


@pytest.fixture
def person(in_tenant_a, settings):
    from django.contrib.auth import get_user_model

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return get_user_model().objects.create_user("forgetful@alpha.test", PASSWORD, language="en")


def _request(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/password-reset/", {"email": email}, HTTP_ACCEPT_LANGUAGE="en")
    return response, callbacks


def _link(person) -> str:
    """What the worker does with a queued request: the email, and the link in it."""
    from tessera.security.services.password_reset import send_password_reset

    assert send_password_reset(person.email, base_url="http://alpha.localhost/", language="en")
    return re.search(r"http://alpha\.localhost(/password-reset/\S+)", mail.outbox[-1].body).group(1)


def _set(client, link, password, password2=None):
    form = client.get(link)  # moves the token into the session, redirects to the form
    assert form.status_code == 302
    return client.post(form.url, {"new_password1": password, "new_password2": password2 or password},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(person, client_a,
                                                                          django_capture_on_commit_callbacks):
    known, known_work = _request(client_a, "forgetful@alpha.test", django_capture_on_commit_callbacks)
    unknown, unknown_work = _request(client_a, "nobody-here@alpha.test", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    text = known.content.decode().replace("forgetful@alpha.test", "X")
    assert text.replace(re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', text).group(0), "") == \
        (t := unknown.content.decode().replace("nobody-here@alpha.test", "X")).replace(
            re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', t).group(0), "")
    assert len(known_work) == len(unknown_work) == 1  # one queued task each; the worker looks the address up
    assert mail.outbox == []


def test_a_malformed_address_is_said_in_place(person, client_a):
    response = client_a.post("/password-reset/", {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    assert 'value="not an address"' in response.content.decode()


def test_the_link_sets_a_new_password_once(person, client_a):
    link = _link(person)
    assert mail.outbox[-1].to == ["forgetful@alpha.test"] and "Reset your password" in mail.outbox[-1].subject
    mismatch = _set(client_a, link, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mismatch.status_code == 200 and "didn’t match" in mismatch.content.decode()
    weak = client_a.post(mismatch.wsgi_request.path, {"new_password1": "12345678", "new_password2": "12345678"},
                         HTTP_ACCEPT_LANGUAGE="en")
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    done = client_a.post(mismatch.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == "/login/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    again = client_a.get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This password reset link was used already" in again.content.decode()


def test_an_expired_link_is_refused(person, client_a, settings):
    link = _link(person)
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client_a.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "has expired" in response.content.decode()
    assert "new_password1" not in response.content.decode()


def test_no_link_for_a_deactivated_user_and_old_links_die_with_them(person, client_a, admin_a):
    from tessera.security.services import deactivate_user
    from tessera.security.services.password_reset import send_password_reset

    link = _link(person)
    deactivate_user(person.pk, admin_a, transfer_to=admin_a.pk)
    assert not send_password_reset(person.email, base_url="http://alpha.localhost/", language="en")
    assert "new_password1" not in client_a.get(link, follow=True).content.decode()


def test_a_reset_ends_the_users_sessions_and_lifts_their_locks(person, client_a):
    from django.test import Client

    from tessera.security.models import LoginThrottle

    laptop = Client(HTTP_HOST="alpha.localhost")
    assert laptop.post("/login/", {"username": person.email, "password": PASSWORD}).status_code == 302
    for _ in range(5):
        client_a.post("/login/", {"username": person.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    assert LoginThrottle.objects.filter(scope="pair").exists()
    assert _set(client_a, _link(person), NEW_PASSWORD).status_code == 302
    assert laptop.get("/api/v1/security/me/").status_code == 403
    assert not LoginThrottle.objects.filter(scope__in=["pair", "account"]).exists()
    assert client_a.post("/login/", {"username": person.email, "password": NEW_PASSWORD},
                         REMOTE_ADDR="10.0.0.7").status_code == 302


def test_the_login_page_links_to_the_reset_page(client_a):
    assert 'href="/password-reset/"' in client_a.get("/login/").content.decode()
