"""Pages at phone width (390 px): the public board is paged to a reasonable length, and pages
do not scroll sideways; tables keep their text columns readable."""

import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A board with every wish on one page measured about 13,000 px on a phone.
BOARD_MAX_HEIGHT = 6000


def page_metrics(page):
    return page.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        height: document.documentElement.scrollHeight,
    })""")


def test_the_public_board_is_a_reasonable_length_on_a_phone(page, tree, users):
    from gongjian.wishes.models import Wish

    now = timezone.now()
    Wish.objects.bulk_create([
        Wish(title=f"微心愿第{n}号：一套学习用品", group="youth", org=tree.a1, state="published",
             posted_by=users.resident, published_at=now - datetime.timedelta(minutes=n))
        for n in range(1, 121)])
    page.set_viewport_size(PHONE)
    page.goto(f"/board/{tree.a.code}/")
    metrics = page_metrics(page)
    assert metrics["height"] < BOARD_MAX_HEIGHT, metrics
    assert metrics["scrollWidth"] <= metrics["innerWidth"], metrics
    # The rest is a tap away.
    page.get_by_role("link", name="更多微心愿").click()
    page.wait_for_url("**wishes=2*")
    assert page.get_by_text("微心愿第11号：一套学习用品").is_visible()


def test_password_and_supervision_pages_do_not_scroll_sideways(page, users, login):
    page.set_viewport_size(PHONE)
    login(page, "street")
    for path in ("/password/", "/projects/supervision/"):
        page.goto(path)
        metrics = page_metrics(page)
        assert metrics["scrollWidth"] <= metrics["innerWidth"], (path, metrics)
    # The nine steps of the pipeline fit the phone; a narrower one scrolls the table itself.
    table = page.locator(".card", has_text="流程环节").locator(".table-responsive")
    fits = table.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits


def test_round_table_keeps_its_title_column_readable_on_a_phone(page, tree, users, login):
    from gongjian.wishes.models import Round

    Round.objects.create(name="金山街道第二期“微心愿”圆梦行动", org=tree.s,
                         starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 6, 30))
    page.set_viewport_size(PHONE)
    login(page, "street")
    page.goto("/wishes/rounds/")
    cell = page.locator("tbody td").first
    assert cell.evaluate("td => td.getBoundingClientRect().width") >= 120
    metrics = page_metrics(page)
    assert metrics["scrollWidth"] <= metrics["innerWidth"], metrics
