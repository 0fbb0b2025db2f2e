"""Browser journeys: Debian's chromium driven by Playwright (sync API) against pytest-django's
live server. One browser per session, a fresh context (cookies, storage) per test."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 10_000
ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows a test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium); never `playwright install`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A new browser context on the live server; a screenshot lands in test-results/ if the
    test fails. Requesting transactional_db (and live_server) before `tree`/`users` makes
    their `db` transactional, so the server thread sees the rows they create."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        try:
            page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            pass
    context.close()


def _root_password(config):
    """tests/conftest.py's PASSWORD (conftest modules cannot be imported by name)."""
    for plugin in config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) and Path(plugin.__file__).resolve() == ROOT_CONFTEST:
            return plugin.PASSWORD
    raise LookupError(f"{ROOT_CONFTEST} is not loaded")


@pytest.fixture
def login(pytestconfig):
    """`login(page, username)`: log in through the login form; returns once past it."""
    default_password = _root_password(pytestconfig)

    def log_in(page, username, password=None, *, expect_success=True):
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or default_password)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        if expect_success:
            page.wait_for_url(lambda url: "/login/" not in url)

    return log_in


@pytest.fixture
def logout():
    """`logout(page)`: user menu (top right) → 退出登录."""

    def log_out(page):
        page.locator("#user-menu").click()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/login/")

    return log_out
