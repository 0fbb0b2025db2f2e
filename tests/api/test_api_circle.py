"""GET /api/v1/circle/ and /api/v1/circle/suggest/: the hand-made grid of
test_circle_coverage through the API, and every bad parameter refused with a Chinese
`detail` — each answer checked against the OpenAPI schema by the validating client."""

import pytest
from test_circle_coverage import world  # noqa: F401  (the shared fixture)


def test_circle_of_a_point(world, users, api_as):  # noqa: F811
    body = api_as(users.street).get("/api/v1/circle/", {"point": world["station"].pk,
                                                        "minutes": 10}).json()
    assert (body["method"], body["radius_m"], body["households"]) == ("network", 150, 80)
    assert [(b["name"], b["distance_m"], b["method"]) for b in body["buildings"]] == [
        ("2号楼", 100, "network"), ("3号楼", 100, "network")]
    assert body["network"]["version"] == 1
    assert body["point"]["name"] == "高林社区党群服务站"
    assert "outside" not in body


def test_suggest(world, users, api_as):  # noqa: F811
    body = api_as(users.street).get("/api/v1/circle/suggest/",
                                    {"org": "JS", "n": 2, "minutes": 10}).json()
    assert body["share_before"] == 34.8
    assert [(s["kind"], s["households_added"]) for s in body["sites"]] == [
        ("building", 100), ("unit", 40)]
    assert body["sites"][1]["code"] == "U-A"


@pytest.mark.parametrize("url, params, field, words", [
    ("/api/v1/circle/", {}, "point", "请指定服务点"),
    ("/api/v1/circle/", {"point": "abc"}, "point", "阵地 ID"),
    ("/api/v1/circle/", {"point": "999999"}, "point", "不存在或不在您的管理范围内"),
    ("/api/v1/circle/", {"point": "STATION", "minutes": "15"}, "point", "阵地 ID"),
    ("/api/v1/circle/suggest/", {}, "org", "请指定街道或社区"),
    ("/api/v1/circle/suggest/", {"org": "NOPE"}, "org", "不存在或不在您的管理范围内"),
    ("/api/v1/circle/suggest/", {"org": "JS", "n": "0"}, "n", "1–10"),
    ("/api/v1/circle/suggest/", {"org": "JS", "n": "x"}, "n", "1–10"),
    ("/api/v1/circle/suggest/", {"org": "JS", "minutes": "90"}, "minutes", "1–30"),
    ("/api/v1/circle/suggest/", {"org": "JS", "minutes": "十五"}, "minutes", "1–30"),
])
def test_bad_parameters(world, users, api_as, url, params, field, words):  # noqa: F811
    response = api_as(users.street).get(url, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert words in body["detail"] and body["field"] == field


def test_bad_minutes_on_a_point_and_a_point_without_location(world, users, api_as):  # noqa: F811
    from gongjian.venues.models import Venue

    response = api_as(users.street).get("/api/v1/circle/", {"point": world["station"].pk,
                                                            "minutes": "-1"})
    assert response.status_code == 400 and "分钟" in response.json()["detail"]
    nowhere = Venue.objects.create(org=world["station"].org, name="未定位的站", kind="station")
    response = api_as(users.street).get("/api/v1/circle/", {"point": nowhere.pk})
    assert response.status_code == 400 and "没有登记坐标" in response.json()["detail"]


def test_out_of_reach_and_roles(world, users, twins, api_as):  # noqa: F811
    # Another street's staff: the point is refused like a missing one.
    response = api_as(twins.street_b).get("/api/v1/circle/", {"point": world["station"].pk})
    assert response.status_code == 400 and "不在您的管理范围内" in response.json()["detail"]
    for user in (users.member, users.grid_a, users.liaison_a):
        assert api_as(user).get("/api/v1/circle/", {"point": world["station"].pk}) \
            .status_code == 403
