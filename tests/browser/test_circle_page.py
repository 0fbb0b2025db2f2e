"""The 15-minute circle of 怡园社区党群服务中心 draws on the offline map: the street's outline,
the shipped road network of 金山桥 and the buildings, on an ECharts canvas that is not blank —
and no request leaves the app (every other host is blocked, and none is even attempted)."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

YIYUAN = (117.265, 34.285)
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture
def yiyuan(tree, users):
    """怡园's centre in community A, six buildings around it (two far out), the shipped road
    network of 金山桥 loaded for the street through the upload service."""
    from gongjian.circle import services, synth
    from gongjian.core.geo import quantize
    from gongjian.orgs.models import Building
    from gongjian.venues.models import Venue

    for n, (east, north, households) in enumerate([(120, 80, 60), (-200, 150, 80),
                                                    (300, -250, 90), (-350, -300, 40),
                                                    (1800, 900, 120), (-1600, -1200, 70)], 1):
        lng, lat = synth.offset(*YIYUAN, east, north)
        Building.objects.create(grid=tree.grid_a, name=f"怡园{n}号楼", households=households,
                                lng=quantize(lng), lat=quantize(lat))
    data = (Path(services.__file__).parent / "data" / "jinshanqiao.osm").read_bytes()
    services.upload_network(user=None, org=tree.s, data=data, filename="jinshanqiao.osm",
                            name="金山桥街道路网（演示）")
    return Venue.objects.create(org=tree.a, name="怡园社区党群服务中心", kind="centre",
                                lng=quantize(YIYUAN[0]), lat=quantize(YIYUAN[1]))


def _painted_pixels(page):
    """Pixels of the map's canvas that are not blank."""
    return page.evaluate("""() => {
        const canvas = document.querySelector('#circle-map canvas');
        if (!canvas) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
        return painted;
    }""")


def test_the_yiyuan_circle_draws_offline(page, yiyuan, users, login):
    attempted = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in LOCAL:
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    login(page, users.street.username)
    page.goto(f"/circle/points/{yiyuan.pk}/?minutes=15")
    expect(page.get_by_role("heading", name="怡园社区党群服务中心 · 15分钟服务圈")).to_be_visible()
    expect(page.locator("#circle-map")).to_have_attribute("data-drawn", "1")
    assert _painted_pixels(page) > 20_000
    # The circle along the streets: the four near buildings (270 households) are inside.
    expect(page.locator("#circle-households")).to_have_text("270")
    expect(page.get_by_text("沿路网步行距离").first).to_be_visible()
    assert attempted == [], attempted

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#circle-map")).to_have_attribute("data-drawn", "1")
    assert _painted_pixels(page) > 5_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert attempted == [], attempted
