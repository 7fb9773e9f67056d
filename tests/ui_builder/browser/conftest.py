"""Real browser tests: headless Chromium (Debian's package, /usr/bin/chromium) driven by Playwright,
against a live Tessera server thread serving the session tenants (committed in the test database).

Without Chromium the tests are skipped, unless TESSERA_REQUIRE_BROWSER=1 (as in CI), where a
missing browser is a failure."""

from __future__ import annotations

import os
import shutil

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler

# Playwright's sync API keeps an event loop in the test thread; Django's database calls made by
# fixtures in that thread are still plain synchronous calls (the documented workaround).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("TESSERA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
    """A server thread on 127.0.0.1, reached as http://<slug>.localhost:<port>/ (Chromium resolves
    every *.localhost name to the loopback address)."""
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=None, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://{{slug}}.localhost:{thread.port}"
        thread.terminate()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        if os.environ.get("TESSERA_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (TESSERA_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


#: Reports every Content-Security-Policy violation of a page to the test (see `page`).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.tesseraCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
                             + `at ${event.sourceFile}:${event.lineNumber} on ${document.location.href}`);
});
"""


def watch_csp_violations(context) -> list[str]:
    """The Content-Security-Policy violations of every page of `context`, as they happen."""
    violations: list[str] = []
    context.expose_function("tesseraCspViolation", lambda report: violations.append(report))
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    return violations


#: Counts the page's requests in flight (htmx's XMLHttpRequests and the scripts' fetches) and
#: stamps the last moment anything happened: a request ending, a swap settling, a change or an
#: input (htmx answers those after a delay). `settled` waits on both.
_TRACK_ACTIVITY = """
window.tesseraBusy = 0;
window.tesseraLastActivity = Date.now();
const tesseraTouch = () => { window.tesseraLastActivity = Date.now(); };
const tesseraEnded = () => { window.tesseraBusy -= 1; tesseraTouch(); };
const tesseraSend = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (...args) {
  window.tesseraBusy += 1;
  tesseraTouch();
  this.addEventListener("loadend", tesseraEnded);
  try {
    return tesseraSend.apply(this, args);
  } catch (error) {  // refused at once: it never ends, so it never counted
    this.removeEventListener("loadend", tesseraEnded);
    window.tesseraBusy -= 1;
    throw error;
  }
};
const tesseraFetch = window.fetch;
window.fetch = function (...args) {
  const answer = tesseraFetch.apply(this, args);  // refused at once: throws before it counts
  window.tesseraBusy += 1;
  tesseraTouch();
  return answer.finally(tesseraEnded);
};
for (const name of ["change", "input", "htmx:afterSettle"]) document.addEventListener(name, tesseraTouch, true);
"""


def watch_activity(context) -> None:
    """Every page of `context` keeps the counts `settled` reads."""
    context.add_init_script(_TRACK_ACTIVITY)


def settled(page, quiet_ms: int = 300) -> None:
    """Wait until the page has no request in flight and nothing happened for `quiet_ms`: every
    swap a user's last step caused has landed, and no delayed trigger is still to fire.

    Playwright's `wait_for_load_state("networkidle")` cannot serve: it is reached once per
    navigation and returns at once for every later htmx request."""
    assert page.evaluate("typeof window.tesseraBusy") == "number", "the page's context needs watch_activity"
    page.wait_for_function(
        "quiet => window.tesseraBusy === 0 && Date.now() - window.tesseraLastActivity >= quiet",
        arg=quiet_ms, polling=50)


@pytest.fixture
def page(browser, django_db_blocker):
    """A fresh browser page; the test fails if any page it visits violates the
    Content-Security-Policy (an inline script or style, an eval, a foreign origin)."""
    context = browser.new_context(locale="zh-CN")
    violations = watch_csp_violations(context)
    watch_activity(context)
    page = context.new_page()
    with django_db_blocker.unblock():
        yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def base(world, live_server_url):
    """The URL of the module's `world` tenant (each walk-through module builds its own world)."""
    return live_server_url.format(slug=world.tenant.slug)


@pytest.fixture
def english(browser, django_db_blocker):
    """A page of a browser that asks for English (the default `page` asks for Chinese)."""
    context = browser.new_context(locale="en-US")
    watch_activity(context)
    with django_db_blocker.unblock():
        yield context.new_page()
    context.close()


@pytest.fixture
def browse(browser, django_db_blocker):
    """browse(locale, width) → a page in that language and window width; CSP violations fail the test."""
    contexts = []

    def open_page(locale="en-US", width=1280):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
        contexts.append((context, watch_csp_violations(context)))
        watch_activity(context)
        return context.new_page()

    with django_db_blocker.unblock():
        yield open_page
    for context, violations in contexts:
        context.close()
        assert not violations, f"Content-Security-Policy violations: {violations}"


AXE_BLOCKING = ("serious", "critical")


def axe_blocking(page, base):
    """axe-core's serious and critical violations on the page as it stands."""
    page.add_script_tag(url=base + "/static/vendor/axe/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in AXE_BLOCKING]


def shot(page, name):
    page.screenshot(path=f"var/test-artifacts/{name}.png", full_page=True)
