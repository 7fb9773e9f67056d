"""Pages run under the Content-Security-Policy of UI.md, and a violation is noticed: the `page` fixture
fails any browser test whose pages break the policy."""

import pytest

from .conftest import watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_pages_carry_the_policy_and_keep_to_it(page, live_server_url):
    base = live_server_url.format(slug="alpha")
    response = page.goto(base + "/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    with page.expect_navigation():  # the language menu works without an inline handler
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_an_inline_script_is_blocked_and_reported(browser, live_server_url, django_db_blocker):
    context = browser.new_context()
    violations = watch_csp_violations(context)
    page = context.new_page()
    try:
        with django_db_blocker.unblock():
            page.goto(live_server_url.format(slug="alpha") + "/login/")
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.injected = true"; document.head.append(s); }""")
        page.wait_for_function("() => true")
        assert page.evaluate("() => window.injected") is None
        page.wait_for_timeout(200)  # the report arrives through the exposed function
        assert violations and "script-src" in violations[0]
    finally:
        context.close()
