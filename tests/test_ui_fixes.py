"""What a new user met on the demo: the API documentation in everyone's menu and outside the
site's frame, a statistics box that took only codes, a board as long as all its wishes, a
member import asking for a birth date the template calls optional, an unlabelled roster box,
no favicon, and `gongjian serve` announcing its worker twice."""

import datetime
import io
import re
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.members import idnumber

DOCS = "/api/v1/docs/"


def html_of(response):
    return response.content.decode()


# ---- 接口文档: only for those who use the API, inside the site's page ---------------------------

@pytest.mark.parametrize("who, offered", [
    ("street", True), ("community_a", True), ("grid_a", True), ("liaison_a", True),
    ("sysadmin", True), ("secadmin", True), ("auditadmin", True),
    ("member", False), ("resident", False),
])
def test_the_menu_offers_the_api_docs_to_staff_and_administrators_only(users, client, who,
                                                                        offered):
    client.force_login(getattr(users, who))
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200
    assert (f'href="{DOCS}"' in html_of(page)) is offered


def test_the_docs_page_is_drawn_in_the_site_frame(users, client):
    client.force_login(users.street)
    page = client.get(DOCS)
    assert page.status_code == 200
    html = html_of(page)
    assert "<title>接口文档 · 共建</title>" in html
    assert 'class="navbar' in html and 'id="user-menu"' in html  # the site's top bar
    assert '<div id="swagger-ui"' in html and "Authorization: Token" in html
    # The strict CSP holds: every script from a file, no inline style block.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html


def test_visitors_see_the_docs_page_with_a_way_to_sign_in(db, client):
    page = client.get(DOCS)
    assert page.status_code == 200
    html = html_of(page)
    assert 'id="swagger-ui"' not in html  # the schema needs an account: no empty panel
    assert f'href="{reverse("login")}?next=/api/v1/docs/"' in html
    init = client.get(DOCS, {"script": ""})
    assert init.status_code == 200
    script = init.content.decode()
    # Swagger UI starts only where the page has its panel.
    assert script.startswith('if (document.getElementById("swagger-ui")) {')
    assert "/api/v1/schema/" in script and "SwaggerUIBundle(" in script


# ---- statistics: an organisation by name ----------------------------------------------------------

def stats(client, **params):
    return client.get(reverse("stats"), params)


def test_stats_take_an_organisations_name_and_show_names_in_the_box(tree, users, client):
    client.force_login(users.street)
    page = stats(client, org_name="金安社区党委", as_of="2024-06-30")
    assert page.status_code == 200
    assert page.context["result"]["org"] == tree.a
    form = page.context["form"]
    assert form["org_name"].value() == "金安社区党委" and form["org"].value() == "JS-A"
    assert 'name="org_name" value="金安社区党委"' in html_of(page)

    # A code typed in the box works too, and the box then shows the name.
    page = stats(client, org_name="JS-B")
    assert page.context["result"]["org"] == tree.b
    assert page.context["form"]["org_name"].value() == "高林社区党委"
    # Opening the page: the user's own organisation, by name.
    page = stats(client)
    assert page.context["form"]["org_name"].value() == "金山街道党工委"


def test_a_name_that_is_not_exact_lists_candidates_within_reach(tree, users, client):
    client.force_login(users.street)
    page = stats(client, org_name="金安")
    assert page.status_code == 400 and page.context["result"] is None
    html = html_of(page)
    assert "没有名为“金安”的组织。您要找的是否是：" in html
    assert "金安社区党委（JS-A，金山街道党工委）" in html

    # Out of reach is not offered: community B's worker does not learn of 金安.
    client.force_login(users.community_b)
    html = html_of(stats(client, org_name="金安社区党委"))
    assert "金安社区党委" in html  # echoed in the box
    assert "JS-A" not in html
    assert "没有找到名称或编码为“金安社区党委”的组织，或该组织不在您的管理范围内。" in html


def test_namesakes_are_told_apart_and_a_pick_decides(tree, users, client):
    from gongjian.core import audit
    from gongjian.orgs import services

    with audit.acting_as(suppress=True):
        twin = services.create_organization(user=None, parent=tree.b, code="JS-B2",
                                            name="达嘉馨园小区党支部", kind="branch",
                                            sector="residential")
    client.force_login(users.street)
    page = stats(client, org_name="达嘉馨园小区党支部")
    assert page.status_code == 400
    html = html_of(page)
    assert "有 2 个组织名为“达嘉馨园小区党支部”" in html
    assert "（JS-A1，金安社区党委）" in html and "（JS-B2，高林社区党委）" in html
    # A suggestion picked: the name in the box, the code alongside.
    page = stats(client, org_name="达嘉馨园小区党支部", org="JS-B2")
    assert page.context["result"]["org"] == twin
    # The box edited after a pick: what the box says wins.
    page = stats(client, org_name="高林社区党委", org="JS-A1")
    assert page.context["result"]["org"] == tree.b
    # The only active one of two namesakes is meant.
    type(twin).objects.filter(pk=twin.pk).update(dissolved_on=datetime.date(2024, 1, 1))
    page = stats(client, org_name="达嘉馨园小区党支部")
    assert page.context["result"]["org"] == tree.a1


# ---- member import: the birth date read from the ID number -------------------------------------

def id_number(birth, seq=11):
    first17 = f"990000{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def filled_template(user, rows):
    """The template the import page offers, filled in below its example row."""
    from gongjian.members.imports import SPEC, MemberImporter

    book = load_workbook(io.BytesIO(MemberImporter(user).template()))
    sheet = book[SPEC.title]
    for offset, values in enumerate(rows):
        for col, header in enumerate(SPEC.headers, start=1):
            sheet.cell(row=3 + offset, column=col, value=values.get(header))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_row(**values):
    row = {"姓名": "周新", "党员类别": "正式党员", "所在党支部": "JS-A1 达嘉馨园小区党支部",
           "入党日期": datetime.date(2005, 7, 1), "转正日期": datetime.date(2006, 7, 1)}
    row.update(values)
    return row


def test_an_empty_birth_date_is_read_from_the_id_number(tree, users):
    from gongjian.members.imports import MemberImporter
    from gongjian.members.models import Person

    data = filled_template(users.community_a, [
        import_row(公民身份号码=id_number(datetime.date(1980, 3, 9)))])
    result = MemberImporter(users.community_a).run(data)
    assert result.ok, [str(e) for e in result.errors]
    person = Person.objects.get(name="周新")
    assert person.birth_date == datetime.date(1980, 3, 9) and person.sex == "男"


def test_a_wrong_id_number_is_one_error_on_its_own_cell(tree, users):
    from gongjian.members.imports import MemberImporter

    good = id_number(datetime.date(1980, 3, 9))
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")  # the check digit off
    data = filled_template(users.community_a, [import_row(公民身份号码=wrong)])
    result = MemberImporter(users.community_a).run(data)
    assert not result.ok
    assert [(e.row, e.letter) for e in result.errors] == [(3, "C")]
    assert "校验位" in result.errors[0].message
    # Missing altogether: the ID cell says it is required, nothing about sex or birth date.
    data = filled_template(users.community_a, [import_row(公民身份号码=None)])
    result = MemberImporter(users.community_a).run(data)
    assert [(e.row, e.letter, e.message) for e in result.errors] == [(3, "C", "此项必填。")]


# ---- the public board: paged lists, and ways in ---------------------------------------------------

@pytest.fixture
def many_wishes(tree, users):
    from gongjian.wishes.models import Wish

    now = timezone.now()
    Wish.objects.bulk_create([
        Wish(title=f"心愿{n:02d}", group="youth", org=tree.a1, state="published",
             posted_by=users.resident, published_at=now - datetime.timedelta(minutes=n))
        for n in range(1, 24)])


def wish_titles(html):
    return re.findall(r"心愿\d\d", html)


def test_the_board_shows_ten_wishes_at_a_time(client, tree, many_wishes):
    from gongjian.boards.views import BOARD_PAGE_SIZE

    url = reverse("board_detail", args=[tree.a.code])
    html = html_of(client.get(url))
    assert wish_titles(html) == [f"心愿{n:02d}" for n in range(1, BOARD_PAGE_SIZE + 1)]
    assert "微心愿 <small class=\"text-muted\">23 个</small>" in html
    assert f'href="{url}?wishes=2#board-wishes"' in html and "更多微心愿" in html
    # Each list turns its own pages; the others stay where they were.
    html = html_of(client.get(url, {"wishes": 3, "demands": 1}))
    assert wish_titles(html) == ["心愿21", "心愿22", "心愿23"]
    assert f'href="{url}?wishes=2&amp;demands=1#board-wishes"' in html
    assert "更多微心愿" not in html
    # A page out of range shows the last one, not an error.
    assert wish_titles(html_of(client.get(url, {"wishes": 99}))) == ["心愿21", "心愿22", "心愿23"]


def test_the_board_offers_login_and_posting(client, tree, users):
    url = reverse("board_detail", args=[tree.a.code])
    html = html_of(client.get(url))
    login = reverse("login")
    assert f'href="{login}?next=%2Fboard%2FJS-A%2F"' in html
    assert re.search(r'href="/login/\?next=%2Fboard%2FJS-A%2F">.*?登录</a>', html)
    assert f'href="{login}?next=%2Fwishes%2Fnew%2F"' in html and "发布微心愿" in html
    assert f'href="{login}?next=%2Fdemands%2Fnew%2F"' in html and "提出需求" in html
    # Signed in: straight to the forms the account may use, no login link.
    client.force_login(users.resident)
    html = html_of(client.get(url))
    assert f'href="{reverse("wish_create")}"' in html
    assert f'href="{reverse("demand_create")}"' in html
    assert "?next=" not in html


# ---- roster label, favicon ----------------------------------------------------------------------

def test_the_rosters_organisation_box_has_a_visible_label(tree, users, client):
    client.force_login(users.street)
    html = html_of(client.get(reverse("member_list")))
    label = re.search(r'<label([^>]*)for="id_org"[^>]*>([^<]+)</label>', html)
    assert label and "visually-hidden" not in label.group(1)
    assert label.group(2) == "所在组织（含下级）"


def test_every_page_links_a_favicon_that_answers(db, client):
    html = html_of(client.get(reverse("login")))
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icons
    for href in icons:
        response = client.get(href)
        assert response.status_code == 200, href
        assert b"".join(response.streaming_content if response.streaming
                        else [response.content])
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[-1][0] in icons


# ---- gongjian serve: one worker, announced once ----------------------------------------------------

def test_serve_starts_one_worker_and_says_so_once(monkeypatch, capsys):
    import waitress

    from gongjian import cli

    started = []

    class Worker:
        def poll(self):
            return 0  # already ended: nothing to stop

    def popen(command, **kwargs):
        started.append(command)
        return Worker()

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)
    monkeypatch.setattr(cli, "_uses_db_worker", lambda: True)
    ran = []
    monkeypatch.setattr(cli, "_call", lambda *args: ran.append(args))

    cli.main(["serve", "--no-reminders", "--port", "8999"])
    assert len(started) == 1
    command = started[0]
    assert command[:4] == [sys.executable, "-m", "gongjian.cli", "worker"]
    cli.main(command[3:])  # what the worker process runs
    assert ran and ran[0][0] == "db_worker"
    assert capsys.readouterr().out.count("后台任务进程已启动") == 1
    # Run on its own, the worker says it started.
    cli.main(["worker"])
    assert "后台任务进程已启动" in capsys.readouterr().out
