"""GET /api/v1/volunteer-stats/ and /api/v1/volunteer-stats/volunteers/<number>/: figures,
scope and refusals, every answer checked against the OpenAPI schema by the validating
client."""

import datetime

import pytest
from test_volunteer_stats import TODAY, YEAR_AGO, world  # noqa: F401  (the shared fixture)

URL = "/api/v1/volunteer-stats/"
PERIOD = {"from": YEAR_AGO.isoformat(), "to": TODAY.isoformat()}


def test_figures(world, users, api_as):  # noqa: F811
    response = api_as(users.street).get(URL, {"org": "JS", **PERIOD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["org"], body["from"], body["to"]) == ("JS", PERIOD["from"], PERIOD["to"])
    assert (body["activities"], body["person_times"], body["people"]) == (4, 6, 3)
    assert body["hours"] == 12.5 and body["beneficiaries"] == 87
    assert [row["code"] for row in body["by_org"]] == ["JS-A", "JS-B"]
    assert sum(row["person_times"] for row in body["by_month"]) == 6
    assert set(body["by_month"][0]) == {"month", "activities", "person_times", "people", "hours",
                                        "beneficiaries"}


def test_defaults_team_unit_and_liaison(world, users, tree, api_as):  # noqa: F811
    # Without org: the account's own organisation; without a period: this year.
    body = api_as(users.community_a).get(URL).json()
    assert body["org"] == "JS-A" and body["from"] == f"{TODAY.year}-01-01"
    team = api_as(users.community_a).get(URL, {"team": world["team"].pk, **PERIOD}).json()
    assert (team["team_name"], team["person_times"]) == ("金安助老志愿服务队", 2)
    unit = api_as(users.street).get(URL, {"unit": tree.unit_a.code, **PERIOD}).json()
    assert (unit["unit"], unit["activities"], unit["person_times"]) == ("U-A", 1, 1)
    liaison = api_as(users.liaison_a).get(URL, PERIOD).json()
    assert liaison["org"] is None and liaison["person_times"] == 1


@pytest.mark.parametrize("params, field, message", [
    ({"from": "2025-02-30"}, "from", "起始日期须为"),
    ({"from": "2025-03-01", "to": "2025-01-01"}, "from", "截止日期不能早于起始日期"),
    ({"org": "JS-B"}, "org", "不在您的管理范围内"),
    ({"org": "NOPE"}, "org", "不存在"),
    ({"team": "abc"}, "team", "不在统计范围内"),
    ({"unit": "U-B"}, "unit", "没有在统计范围内的服务队"),
])
def test_bad_queries(world, users, api_as, params, field, message):  # noqa: F811
    response = api_as(users.community_a).get(URL, params)
    assert response.status_code == 400
    assert message in str(response.json()), response.json()


def test_refusals(world, users, api_as, client):  # noqa: F811
    for user in (users.member, users.resident, users.grid_a, users.sysadmin):
        response = api_as(user).get(URL)
        assert response.status_code == 403 and response.json()["detail"], user
    assert client.get(URL).status_code == 401


def test_volunteer_record(world, users, api_as):  # noqa: F811
    number = world["jia"].number
    body = api_as(users.community_a).get(f"{URL}volunteers/{number}/").json()
    assert (body["number"], body["person_times"], body["hours"]) == (number, 3, 5.0)
    assert body["hours_pending"] == 2.5 and len(body["records"]) == 3
    assert body["by_year"][0]["year"] in (TODAY.year, (TODAY - datetime.timedelta(days=40)).year)
    missing = api_as(users.community_b).get(f"{URL}volunteers/{number}/")
    assert missing.status_code == 404 and "不在您的管理范围内" in missing.json()["detail"]
