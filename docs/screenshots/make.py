"""Take README's screenshots from the demo tenant of a running Tessera (`make run`).

    make run                                   # in one terminal
    .venv/bin/python docs/screenshots/make.py  # in another: writes docs/screenshots/*.png

Uses Debian's Chromium (/usr/bin/chromium, or TESSERA_CHROMIUM) through Playwright, as the tests do.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SHOTS = [  # file, path, viewport width, language
    ("list.png", "/app/opportunity/?sort=-close_date", 1366, "zh-CN"),
    ("record.png", "/app/account/{account}/", 1366, "zh-CN"),
    ("kanban.png", "/app/opportunity/kanban/?by=stage", 1366, "en-US"),
    ("phone.png", "/app/account/{account}/", 390, "zh-CN"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://demo.localhost:8000")
    parser.add_argument("--email", default="admin@demo.localhost")
    parser.add_argument("--password", default="tessera-demo-2026")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium"),
                                             headless=True, args=FLAGS)
        account = None
        for name, path, width, locale in SHOTS:
            page = browser.new_context(locale=locale, viewport={"width": width, "height": 860}).new_page()
            page.goto(args.base + "/login/")
            page.fill("input[name=username]", args.email)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_url(args.base + "/app/")
            if account is None:
                page.goto(args.base + "/app/account/?sort=name")
                account = page.locator("#list-table td.name-cell a").first.get_attribute("href").split("/")[-2]
            page.goto(args.base + path.format(account=account), wait_until="networkidle")
            page.screenshot(path=str(HERE / name))
            print(f"wrote {HERE / name}")
            page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
