"""Bad requests answer in Chinese and say what to do: JSON under /api/ (never an HTML page,
never a 500 for bad input), the site's own pages elsewhere; personal pages are not cached;
/healthz reports on the database and the task queue."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

API = "/api/v1"


def api_client(user):
    client = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def chinese_json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    return detail


def framed_page(response):
    """The site's own page: the frame's stylesheet, Chinese text, no Django default page."""
    text = response.content.decode()
    assert "gongjian/app.css" in text and "· 共建</title>" in text, text[:300]
    assert "Bad Request (400)" not in text and "Forbidden <span>(403)" not in text
    assert "CSRF verification failed" not in text
    return text


@pytest.fixture
def alliance(tree, users):
    from gongjian.alliance import services

    alliance = services.create_alliance(user=users.street, org=tree.s, name="红盟同心",
                                        founded_on=datetime.date(2020, 5, 1))
    services.add_member(alliance, user=users.street, unit=tree.unit_a, liaison=tree.person_a,
                        joined_on=datetime.date(2020, 5, 1))
    # U-B has no liaison account (which would refuse its deletion first).
    services.add_member(alliance, user=users.street, unit=tree.unit_b, role="concurrent",
                        committee_person=tree.person_b, joined_on=datetime.date(2021, 1, 1),
                        term_start=datetime.date(2021, 1, 1),
                        term_end=datetime.date(2025, 12, 31))
    return alliance


# ---- finding: six ways to a 500 under /api/ -----------------------------------------------------

@pytest.mark.parametrize("path", [
    "projects/null/start/", "demands/null/accept/", "resources/null/withdraw/",
    "projects/1e3/start/", "demands/-1/accept/", "resources/null/",
])
@pytest.mark.parametrize("who", ["street", "community_a", "resident"])
def test_non_numeric_ids_are_a_json_404(users, path, who):
    response = api_client(getattr(users, who)).post(f"{API}/{path}", {}, format="json")
    assert response.status_code in (403, 404, 405)  # a role without the step: 403 before lookup
    chinese_json(response)


def test_a_malformed_api_path_is_a_json_404(users):
    client = api_client(users.street)
    for path in ("nonexistent/", "units/U-A/nothing/here/", "projects/abc/"):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert chinese_json(response) == "对象不存在或不在您的管理范围内。" or "接口" in \
            chinese_json(response)
    response = APIClient().get("/api/nothing/")
    assert response.status_code == 404
    chinese_json(response)


def test_deleting_a_unit_an_alliance_holds_is_a_409_naming_it(users, tree, alliance):
    from gongjian.orgs.models import Unit

    response = api_client(users.street).delete(f"{API}/units/{tree.unit_b.code}/")
    assert response.status_code == 409
    detail = chinese_json(response)
    assert detail.startswith("该驻区单位仍被“共建联盟与协议”中的 1 条成员单位记录引用，不能删除。")
    assert Unit.objects.filter(pk=tree.unit_b.pk).exists()


def test_deleting_a_held_unit_on_its_page_says_why(client, users, tree, alliance):
    client.force_login(users.street)
    response = client.post(reverse("unit_delete", args=[tree.unit_b.code]), follow=True)
    assert "“共建联盟与协议”中的 1 条成员单位记录" in response.content.decode()


@pytest.mark.parametrize("lng", [1e308, -1e308, "1e308", "NaN", "Infinity", 1e-308])
def test_absurd_coordinates_are_a_400(users, tree, lng):
    response = api_client(users.street).post(f"{API}/units/", {
        "code": "U-X", "name": "新单位", "unit_type": "school", "org": tree.a.code,
        "lng": lng, "lat": 43.8}, format="json")
    if lng == 1e-308:  # tiny, rounds to 0.000000: outside China, refused by the model
        assert response.status_code == 400
    else:
        assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("query", ["alliance=99999999999999999999", "alliance=-99999999999999999999",
                                   "alliance=9223372036854775808"])
def test_integers_beyond_the_database_range_in_filters(users, alliance, query):
    for path in ("meetings", "tasks"):
        response = api_client(users.street).get(f"{API}/{path}/?{query}")
        assert response.status_code in (200, 400), response.content[:300]
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 200:
            assert response.json()["results"] == []


def test_integers_beyond_the_database_range_in_bodies(users, alliance):
    response = api_client(users.street).post(f"{API}/meetings/", {
        "alliance": 99999999999999999999, "title": "会", "place": "室",
        "starts_at": "2030-01-01T09:00:00+08:00", "agenda": "议"}, format="json")
    assert response.status_code in (400, 404), response.content[:300]
    chinese_json(response)


def test_integers_beyond_the_database_range_in_a_page_filter(client, users, alliance):
    client.force_login(users.street)
    response = client.get(reverse("task_list") + "?alliance=99999999999999999999")
    assert response.status_code in (200, 400)


def test_json_nested_too_deep_is_a_400(users):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client(users.street).post(f"{API}/units/", body,
                                             content_type="application/json")
    assert response.status_code == 400
    chinese_json(response)


def test_an_unexpected_error_under_the_api_is_json(users, monkeypatch):
    from gongjian.core import api_views

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views.MeView, "get", boom)
    response = api_client(users.street).get(f"{API}/me/")
    assert response.status_code == 500
    assert "稍后" in chinese_json(response)


def test_an_oversize_api_body_is_json(users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client(users.street).post(f"{API}/units/", {"name": "x" * 5000},
                                             format="json")
    assert response.status_code in (400, 413)
    chinese_json(response)


# ---- finding: English and bare error pages -----------------------------------------------------

def test_an_oversize_form_gets_a_chinese_page_saying_what_to_do(client, users, settings):
    client.force_login(users.street)
    body = "note=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(reverse("unit_create"), body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)
    text = framed_page(response)
    assert "过大" in text and "MB" in text


def test_a_bad_request_page_is_chinese_and_framed(client, users, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3  # Django refuses this before any view
    client.force_login(users.street)
    response = client.post(reverse("unit_create"), {f"f{i}": "x" for i in range(10)})
    assert response.status_code == 400
    assert "请求无法处理" in framed_page(response)


def test_a_csrf_failure_page_is_chinese_and_says_to_reload(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.street)
    response = client.post(reverse("unit_create"), {"name": "x"})
    assert response.status_code == 403
    text = framed_page(response)
    assert "刷新" in text and "重新提交" in text


def test_an_api_post_with_a_session_and_no_csrf_header_says_so(users):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users.street)
    response = client.post(f"{API}/units/", {"code": "U-X"}, format="json")
    assert response.status_code == 403
    detail = chinese_json(response)
    assert "X-CSRFToken" in detail and "令牌" in detail


def test_not_found_and_forbidden_pages_are_chinese_and_framed(client, users):
    client.force_login(users.member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "未找到" in framed_page(response)
    response = client.get(reverse("account_list"))
    assert response.status_code == 403
    assert "无权访问" in framed_page(response)


def test_a_server_error_page_is_chinese_framed_and_says_what_to_do(users, monkeypatch):
    def boom(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("gongjian.orgs.queries.scope_summary", boom)
    client = Client(raise_request_exception=False)
    client.force_login(users.street)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    text = framed_page(response)
    assert "服务器错误" in text and "系统管理员" in text


# ---- finding: caching of personal pages --------------------------------------------------------

def test_authenticated_pages_and_api_answers_are_not_stored(client, users, tree):
    client.force_login(users.street)
    for url in (reverse("home"), reverse("unit_list"), reverse("unit_detail",
                                                              args=[tree.unit_a.code])):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
    response = api_client(users.street).get(f"{API}/units/")
    assert "no-store" in response["Cache-Control"]
    refused = APIClient().get(f"{API}/units/")
    assert "no-store" in refused["Cache-Control"]


def test_public_boards_may_be_cached(client, tree):
    response = client.get(reverse("board_index"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# ---- /healthz --------------------------------------------------------------------------------

def test_healthz_reports_ok_without_login_and_without_data(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("check", ["_check_database", "_check_task_queue"])
def test_healthz_is_503_when_a_check_fails(client, db, monkeypatch, check):
    from django.db import OperationalError

    from gongjian.core import views

    def broken():
        raise OperationalError("down")

    monkeypatch.setattr(views, check, broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
