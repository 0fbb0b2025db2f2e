"""One FilterSet per list: the roster's page, API and export answer the same rows for the
same query; a value a filter refuses is named in Chinese (the page lists nothing, the API
answers 400, the export is not made), never a 500. The platform's lists (accounts, grants,
audit log, notifications) filter through theirs the same way, and their forms write through
the account services."""

import datetime
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gongjian.core import audit
from gongjian.core.models import AuditEntry, RoleGrant, User
from gongjian.core.notifications import notify
from gongjian.core.services import DomainError
from gongjian.members import idnumber
from gongjian.members.filters import roster
from gongjian.members.models import Membership, Person

D = datetime.date


def add_member(org, name, sex, birth, seq, **extra):
    with audit.acting_as(suppress=True):
        number = "110105" + birth.strftime("%Y%m%d") + seq
        person = Person.objects.create(name=name, sex=sex, birth_date=birth,
                                       id_number=number + idnumber.check_char(number),
                                       education=extra.pop("education", "大学本科"), org=org)
        return Membership.objects.create(**{"person": person, "org": org,
                                            "joined_on": D(2010, 7, 1),
                                            "confirmed_on": D(2011, 7, 1), **extra})


@pytest.fixture
def more_members(tree):
    today = timezone.localdate()
    add_member(tree.a1g, "李小燕", "女", today.replace(year=today.year - 25, day=1), "222",
               category="预备党员", confirmed_on=None, education="研究生")
    add_member(tree.a1, "赵强", "男", D(1985, 3, 3), "131", standing="流动")
    add_member(tree.a1, "钱旧", "男", D(1950, 1, 1), "111", active=False,
               ended_on=D(2020, 1, 1))
    add_member(tree.b1, "孙高", "男", D(1960, 8, 8), "151")


def page_names(client, params):
    response = client.get(reverse("member_list"), params)
    assert response.status_code == 200
    return [m.person.name for m in response.context["page"]]


def api_names(user, params):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/members/", params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def export_names(client, params):
    response = client.get(reverse("member_export"), params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["党员名册"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    return [dict(zip(rows[0], r, strict=False))["姓名"] for r in rows[1:]]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["林急", "李小燕", "孙高", "张华娟", "赵强"]),
    ({"active": ""}, ["林急", "李小燕", "孙高", "张华娟", "赵强"]),  # empty: the default
    ({"active": "all", "sort": "birth_date"}, ["林急", "张华娟", "钱旧", "孙高", "赵强",
                                                "李小燕"]),
    ({"org": "JS-A1", "sort": "-joined_on"}, ["李小燕", "赵强", "张华娟"]),
    ({"org": "JS-A1G"}, ["李小燕"]),
    ({"org": "NO-SUCH"}, []),
    ({"q": "zq"}, ["赵强"]),
    ({"q": " 11010519491231002x "}, ["张华娟"]),
    ({"sex": "女", "education": "研究生"}, ["李小燕"]),
    ({"category": "预备党员"}, ["李小燕"]),
    ({"standing": "流动"}, ["赵强"]),
    ({"age_band": "61岁及以上", "org": "JS-B"}, ["林急", "孙高"]),
    ({"age_band": "30岁及以下"}, ["李小燕"]),
    ({"active": "0"}, ["钱旧"]),
])
def test_page_api_and_export_list_the_same_rows(client, users, more_members, params,
                                                expected):
    client.force_login(users.street)
    assert page_names(client, params) == expected
    assert api_names(users.street, params) == expected
    assert export_names(client, params) == expected
    assert [m.person.name for m in roster(users.street, params)] == expected


def test_the_same_filter_stays_within_each_users_reach(client, users, more_members):
    client.force_login(users.community_b)
    params = {"active": "all", "sex": "男"}
    assert page_names(client, params) == api_names(users.community_b, params) \
        == export_names(client, params) == ["林急", "孙高"]
    # An organisation outside the reach names nobody, like a missing one.
    assert page_names(client, {"org": "JS-A"}) == api_names(users.community_b,
                                                            {"org": "JS-A"}) == []


# (parameter, bad value, what the message says)
BAD = [
    ("sex", "M", "“M”不是有效的性别，可选：男、女。"),
    ("education", "大专", "“大专”不是有效的学历"),
    ("category", "党员", "“党员”不是有效的党员类别，可选：正式党员、预备党员。"),
    ("standing", "x", "“x”不是有效的党籍状态"),
    ("age_band", "40", "“40”不是有效的年龄段，可选：30岁及以下、31-35岁"),
    ("active", "yes", "“yes”不是有效的在册，可选：1、0、all。"),
    ("sort", "age", "“age”不是有效的排序，可选：name、org、-joined_on、joined_on、birth_date。"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_refused_filter_is_named_in_chinese_everywhere(client, users, tree, name, value,
                                                         message):
    params = {name: value, "q": "zhj"}
    client.force_login(users.street)

    response = client.get(reverse("member_list"), params)
    assert response.status_code == 200
    assert list(response.context["page"]) == []  # nothing listed on a refused query
    body = response.content.decode()
    assert message in body and "请修改筛选条件" in body
    assert "is-invalid" in body and "没有符合条件的党员" in body

    api = APIClient()
    api.force_authenticate(users.street)
    answer = api.get("/api/v1/members/", params)
    assert answer.status_code == 400
    assert list(answer.json()) == [name] and message in answer.json()[name][0]

    before = AuditEntry.objects.filter(event="export").count()
    exported = client.get(reverse("member_export"), params)
    assert exported.status_code == 302
    assert exported["Location"] == f"{reverse('member_list')}?{urlencode(params)}"
    assert AuditEntry.objects.filter(event="export").count() == before  # nothing left
    shown = client.get(exported["Location"]).content.decode()
    assert "筛选条件有误，未导出" in shown and message in shown

    with pytest.raises(DomainError) as refused:
        roster(users.street, params)
    assert refused.value.field == name and message in refused.value.message
    assert refused.value.status == 400


def test_filter_form_shows_its_labels_and_keeps_the_values(client, users, tree):
    client.force_login(users.street)
    body = client.get(reverse("member_list"), {"category": "预备党员", "org": "JS-A",
                                               "sort": "org"}).content.decode()
    for label in ("全部类别", "全部状态", "性别不限", "全部学历", "全部年龄", "在册", "按组织"):
        assert label in body
    assert '<option value="预备党员" selected>' in body
    assert '<option value="org" selected>' in body
    assert "金安社区党委（JS-A）及其下级" in body
    assert 'href="/members/">清除</a>' in body
    assert "清除" not in client.get(reverse("member_list"), {"sort": "org"}).content.decode()


# ---- the platform's lists -------------------------------------------------------------------

def listed(client, name, params=None):
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200
    return response, list(response.context["page"])


def test_account_list_searches_through_its_filterset(client, users):
    client.force_login(users.sysadmin)
    _response, rows = listed(client, "account_list", {"q": "COMM_"})
    assert [u.username for u in rows] == ["comm_a", "comm_b"]
    response, rows = listed(client, "account_list")
    assert len(rows) == User.objects.count()
    assert 'name="q"' in response.content.decode()


def test_grant_list_filters_by_role_and_refuses_an_unknown_one(client, users):
    client.force_login(users.secadmin)
    _response, rows = listed(client, "grant_list", {"role": "community_staff"})
    assert sorted(g.user.username for g in rows) == ["comm_a", "comm_b"]
    _response, rows = listed(client, "grant_list", {"q": "高林"})
    assert [g.user.username for g in rows] == ["comm_b"]
    response, rows = listed(client, "grant_list", {"role": "king"})
    assert rows == []
    assert "角色：没有角色“king”。" in response.content.decode()


def test_audit_list_filters_and_refuses_a_bad_date(client, users, tree):
    with audit.acting_as(users.street):
        audit.record("export", None, object_type="members.membership", object_repr="党员名册",
                     detail="导出党员名册 2 条")
    client.force_login(users.auditadmin)
    _response, rows = listed(client, "audit_list", {"event": "export", "actor": "street"})
    assert [e.detail for e in rows] == ["导出党员名册 2 条"]
    today = timezone.localdate().isoformat()
    _response, rows = listed(client, "audit_list", {"q": "党员名册", "date_from": today,
                                                    "date_to": today})
    assert [e.detail for e in rows] == ["导出党员名册 2 条"]
    _response, rows = listed(client, "audit_list", {"date_to": "2000-01-01", "q": "党员名册"})
    assert rows == []
    response, rows = listed(client, "audit_list", {"date_from": "2026-13-40"})
    assert rows == []
    body = response.content.decode()
    assert "起始日期：" in body and "未列出任何内容" in body
    response, rows = listed(client, "audit_list", {"event": "nothing"})
    assert rows == [] and "事件：没有事件“nothing”。" in response.content.decode()


def test_notification_list_filters_unread(client, users):
    first, second = (notify([users.member], title, url="/")[0] for title in ("甲", "乙"))
    first.read_at = timezone.now()
    first.save()
    notify([users.street], "别人的", url="/")
    client.force_login(users.member)
    response, rows = listed(client, "notification_list")
    assert {n.title for n in rows} == {"甲", "乙"} and not response.context["unread_only"]
    response, rows = listed(client, "notification_list", {"unread": "1"})
    assert [n.title for n in rows] == ["乙"] and response.context["unread_only"]
    _response, rows = listed(client, "notification_list", {"unread": "whatever"})
    assert {n.title for n in rows} == {"甲", "乙"}


# ---- the platform's forms -------------------------------------------------------------------

def test_grant_create_names_an_unknown_code_and_writes_nothing(client, users, tree):
    client.force_login(users.secadmin)
    url = reverse("grant_create")
    assert 'value="comm_a"' in client.get(url, {"user": "comm_a"}).content.decode()
    before = RoleGrant.objects.count()
    for data, message in (
            ({"username": "nobody", "role": "resident", "org_code": "JS-A"}, "账户“nobody”不存在。"),
            ({"username": "comm_a", "role": "resident", "org_code": "NO"}, "组织编码“NO”不存在。"),
            ({"username": "liaison_a", "role": "unit_liaison", "unit_code": "NO"},
             "单位编码“NO”不存在。"),
            ({"username": "comm_a", "role": "community_staff", "org_code": "JS-A"},
             "该账户已有相同的授权。")):
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert RoleGrant.objects.count() == before
    response = client.post(url, {"username": "comm_a", "role": "resident", "org_code": "JS-B"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("grant_list")
    assert "已授权。" in response.content.decode()
    grant = RoleGrant.objects.get(user=users.community_a, role="resident")
    assert (grant.org, grant.granted_by) == (tree.b, users.secadmin)
    response = client.post(reverse("grant_revoke", args=[grant.pk]), follow=True)
    assert "已收回授权" in response.content.decode()
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_account_create_and_edit_go_through_the_services(client, users):
    client.force_login(users.sysadmin)
    url = reverse("account_create")
    response = client.post(url, {"username": "comm_a", "display_name": "重名",
                                 "password": "Abcdef12!"})
    assert response.status_code == 400 and "账户名“comm_a”已被使用。" in response.content.decode()
    response = client.post(url, {"username": "newbie", "display_name": "新人",
                                 "password": "short"})
    assert response.status_code == 400 and not User.objects.filter(username="newbie").exists()
    response = client.post(url, {"username": "newbie", "display_name": "新人",
                                 "password": "Abcdef12!"})
    newbie = User.objects.get(username="newbie")
    assert response["Location"] == reverse("account_detail", args=[newbie.pk])
    detail = reverse("account_detail", args=[newbie.pk])
    assert client.post(detail, {"op": "edit", "display_name": "新同事",
                                "is_active": "on"}).status_code == 302
    assert User.objects.get(pk=newbie.pk).display_name == "新同事"
    refused = client.post(reverse("account_detail", args=[users.sysadmin.pk]),
                          {"op": "edit", "display_name": "我"})
    assert refused.status_code == 400 and "不能停用自己的账户。" in refused.content.decode()
    assert User.objects.get(pk=users.sysadmin.pk).is_active
    refused = client.post(detail, {"op": "reset", "password": "short"})
    assert refused.status_code == 400 and 'name="password"' in refused.content.decode()
    User.objects.filter(pk=newbie.pk).update(failed_logins=5,
                                             locked_until=timezone.now()
                                             + datetime.timedelta(minutes=10))
    response = client.post(detail, {"op": "unlock"}, follow=True)
    assert "账户已解锁。" in response.content.decode()
    assert User.objects.get(pk=newbie.pk).locked_until is None
    # The security administrator reads accounts but changes none.
    client.force_login(users.secadmin)
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"op": "unlock"}).status_code == 404
