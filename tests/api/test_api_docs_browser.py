"""The Swagger UI page works in a real browser under the app's Content-Security-Policy."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_docs_render_under_csp_for_a_signed_in_user(live_server, transactional_db, users,
                                                    password):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(base_url=live_server.url)
            context.set_default_timeout(15_000)
            page = context.new_page()
            blocked_scripts = []
            page.on("console", lambda m: blocked_scripts.append(m.text)
                    if "script-src" in m.text else None)
            page.goto("/login/")
            page.fill("#id_username", "street")
            page.fill("#id_password", password)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            page.goto("/api/v1/docs/")
            page.wait_for_selector(".opblock-tag")
            tags = page.locator(".opblock-tag").all_inner_texts()
            assert {"auth", "orgs", "grids", "buildings", "units"} <= {t.strip() for t in tags}
            assert blocked_scripts == []
        finally:
            browser.close()
