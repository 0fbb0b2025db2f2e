"""Services for companies: the case workflow's transition table, validation, scope, figures,
notifications and reminders, and the pages."""

import datetime
import io

import pytest
from access_enterprise import setup_enterprise
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.core.access import restrict
from gongjian.core.models import Notification
from gongjian.core.services import DomainError, OutOfScope
from gongjian.enterprise import services, summary
from gongjian.enterprise.models import Cadre, CadreLink, Case, CaseEvent, CaseVisit

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def ent(tree, users):
    return setup_enterprise(tree, users)


def _in_state(ent, users, state):
    """A fresh case of U-A brought to `state` through the services."""
    case = services.raise_case(user=users.liaison_a, company=ent.case.company, category="labour",
                               title="招聘", description="招 10 人", raised_on=D(2025, 1, 2))
    if state == "submitted":
        return case
    if state == "closed":
        return services.close(case, user=users.street, reason="企业撤回")
    case = services.assign(case, user=users.street, assignee=ent.cadre_a, deadline=D(2025, 2, 1))
    if state == "assigned":
        return case
    case = services.visit(case, user=users.street, visited_on=D(2025, 1, 5), visitor=ent.cadre_a,
                          done="走访")
    if state == "following":
        return case
    case = services.resolve(case, user=users.street, resolution="已招到", resolved_on=D(2025, 1, 20))
    if state == "resolved":
        return case
    return services.rate(case, user=users.liaison_a, satisfaction=state, comment="意见")


STEP_CALLS = {
    "assign": lambda u, c, e: services.assign(c, user=u.street, assignee=e.cadre_a,
                                              deadline=D(2025, 3, 1)),
    "visit": lambda u, c, e: services.visit(c, user=u.street, visited_on=D(2025, 1, 10),
                                            visitor_name="王干部", done="再次走访"),
    "resolve": lambda u, c, e: services.resolve(c, user=u.street, resolution="解决了",
                                                resolved_on=D(2025, 1, 25)),
    "rate": lambda u, c, e: services.rate(c, user=u.liaison_a, satisfaction="satisfied"),
    "close": lambda u, c, e: services.close(c, user=u.street, reason="企业撤回"),
    "reopen": lambda u, c, e: services.reopen(c, user=u.street, note="继续协调"),
}
# state → the steps it allows (rated cases: only reopen, and only when 不满意).
ALLOWED = {
    "submitted": {"assign", "close"},
    "assigned": {"assign", "visit", "resolve", "close"},
    "following": {"assign", "visit", "resolve", "close"},
    "resolved": {"rate"},
    "satisfied": set(),
    "fair": set(),
    "unsatisfied": {"reopen"},
    "closed": set(),
}
AFTER = {"assign": {"submitted": "assigned", "assigned": "assigned", "following": "following"},
         "visit": "following", "resolve": "resolved", "rate": "resolved", "close": "closed",
         "reopen": "following"}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("step", list(STEP_CALLS))
def test_transition_table(ent, users, state, step, fresh):
    case = _in_state(ent, users, state)
    events = CaseEvent.objects.filter(case=case).count()
    visits = CaseVisit.objects.filter(case=case).count()
    before = fresh(case)
    if step in ALLOWED[state]:
        STEP_CALLS[step](users, case, ent)
        after = fresh(case)
        expected = AFTER[step] if isinstance(AFTER[step], str) else AFTER[step][before.state]
        assert after.state == expected
        assert CaseEvent.objects.filter(case=case).count() == events + 1
        assert CaseEvent.objects.filter(case=case).last().step == {
            "assign": "assigned", "visit": "visit", "resolve": "resolved", "rate": "rated",
            "close": "closed", "reopen": "reopened"}[step]
    else:
        with pytest.raises(DomainError) as refused:
            STEP_CALLS[step](users, case, ent)
        assert refused.value.status == 409, refused.value.message
        assert "不能" in refused.value.message
        after = fresh(case)
        assert (after.state, after.satisfaction, after.deadline) == (
            before.state, before.satisfaction, before.deadline)
        assert CaseEvent.objects.filter(case=case).count() == events
        assert CaseVisit.objects.filter(case=case).count() == visits


def test_steps_offered_match_the_table(ent, users):
    for state, allowed in ALLOWED.items():
        case = _in_state(ent, users, state)
        street_steps = set(services.allowed_steps(case, user=users.street))
        assert street_steps == allowed, state
        # The liaison only rates.
        assert set(services.allowed_steps(case, user=users.liaison_a)) == allowed & {"rate"}


def test_reopen_clears_the_rating_and_keeps_the_history(ent, users, fresh):
    case = _in_state(ent, users, "unsatisfied")
    services.reopen(case, user=users.street, note="继续协调")
    case = fresh(case)
    assert (case.state, case.satisfaction, case.resolution) == ("following", "", "")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("step", flat=True))
    assert kinds == ["submitted", "assigned", "visit", "resolved", "rated", "reopened"]
    services.resolve(case, user=users.street, resolution="额度提高", resolved_on=TODAY)
    services.rate(case, user=users.liaison_a, satisfaction="satisfied")
    assert fresh(case).satisfaction == "satisfied"


# ---- validation -----------------------------------------------------------------------------

def _refused(call, field=None):
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.status == 400, refused.value.message
    if field:
        assert refused.value.field == field, refused.value.field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    return refused.value.message


def test_validation(ent, users, tree):
    count = Case.objects.count()
    assert "不是企业" in _refused(lambda: services.raise_case(
        user=users.street, company=tree.unit_b, category="finance", title="x", description="y"),
        "company")
    _refused(lambda: services.raise_case(user=users.street, company=tree.unit_a, category="finance",
                                         title="  ", description="y"), "title")
    _refused(lambda: services.raise_case(user=users.street, company=tree.unit_a, category="nothing",
                                         title="x", description="y"), "category")
    _refused(lambda: services.raise_case(user=users.street, company=tree.unit_a, category="finance",
                                         title="x", description="y",
                                         raised_on=TODAY + datetime.timedelta(days=1)),
             "raised_on")
    assert Case.objects.count() == count

    case = ent.case
    _refused(lambda: services.assign(case, user=users.street, deadline=D(2025, 4, 1)), "assignee")
    _refused(lambda: services.assign(case, user=users.street, assignee=ent.cadre_a, deadline=None),
             "deadline")
    assert "早于" in _refused(lambda: services.assign(
        case, user=users.street, assignee=ent.cadre_a, deadline=D(2025, 2, 1)), "deadline")
    case = services.assign(case, user=users.street, assignee=ent.cadre_a, deadline=D(2025, 4, 1))
    _refused(lambda: services.visit(case, user=users.street, visitor=ent.cadre_a, done=""), "done")
    _refused(lambda: services.visit(case, user=users.street, visitor_name="", done="走访"),
             "visitor_name")
    _refused(lambda: services.visit(case, user=users.street, visitor=ent.cadre_a, done="走访",
                                    visited_on=TODAY + datetime.timedelta(days=2)), "visited_on")
    _refused(lambda: services.visit(case, user=users.street, visitor=ent.cadre_a, done="走访",
                                    visited_on=D(2025, 2, 1)), "visited_on")
    _refused(lambda: services.resolve(case, user=users.street, resolution=""), "resolution")
    _refused(lambda: services.close(case, user=users.street, reason=" "), "reason")
    case = services.resolve(case, user=users.street, resolution="获批", resolved_on=D(2025, 3, 20))
    _refused(lambda: services.rate(case, user=users.liaison_a, satisfaction="great"),
             "satisfaction")
    assert "意见" in _refused(lambda: services.rate(case, user=users.liaison_a,
                                                   satisfaction="unsatisfied"), "comment")
    assert Case.objects.get(pk=case.pk).satisfaction == ""


def test_link_rules(ent, users, tree):
    count = CadreLink.objects.count()
    with pytest.raises(DomainError, match="不是企业"):
        services.link(user=users.street, cadre=ent.cadre_a, company=tree.unit_b)
    with pytest.raises(DomainError, match="已在挂钩"):
        services.link(user=users.street, cadre=ent.cadre_a, company=tree.unit_a)
    assert CadreLink.objects.count() == count
    # Several cadres may serve one company.
    services.link(user=users.street, cadre=ent.cadre_b, company=tree.unit_a)
    row = ent.link_a
    with pytest.raises(DomainError, match="不能早于"):
        services.end_link(row, user=users.street, ended_on=D(2023, 12, 31))
    services.end_link(row, user=users.street)
    with pytest.raises(DomainError, match="已结束"):
        services.end_link(row, user=users.street)


def test_area_communities_must_be_the_streets(ent, users, tree):
    ent.area.name = "新名称"
    with pytest.raises(DomainError, match="不是本街道的社区"):
        services.save_area(ent.area, user=users.street, communities=[tree.a1])
    services.save_area(ent.area, user=users.street, communities=[tree.a, tree.b])
    assert set(ent.area.communities.values_list("code", flat=True)) == {"JS-A", "JS-B"}


# ---- scope ----------------------------------------------------------------------------------

def test_scope(ent, users, tree):
    case_b = services.raise_case(user=users.community_b, company=ent.company_b, category="labour",
                                 title="招工", description="招 5 人")
    assert case_b.source == "staff"
    assert ent.case.source == "company"
    seen = {name: set(restrict(getattr(users, name), "view", Case).values_list("pk", flat=True))
            for name in ("street", "community_a", "community_b", "liaison_a", "grid_a",
                         "member", "resident", "sysadmin")}
    assert seen["street"] == {ent.case.pk, case_b.pk}
    assert seen["community_a"] == {ent.case.pk}
    assert seen["community_b"] == {case_b.pk}
    assert seen["liaison_a"] == {ent.case.pk}
    for name in ("grid_a", "member", "resident", "sysadmin"):
        assert seen[name] == set()
    # The liaison raises only for its own company; community B cannot act on A's case.
    with pytest.raises(OutOfScope):
        services.raise_case(user=users.liaison_a, company=ent.company_b, category="finance",
                            title="x", description="y")
    with pytest.raises(OutOfScope):
        services.close(ent.case, user=users.community_b, reason="x")
    with pytest.raises(DomainError) as refused:
        services.assign(ent.case, user=users.liaison_a, assignee=ent.cadre_a,
                        deadline=D(2025, 4, 1))
    assert refused.value.status == 403
    assert Case.objects.filter(company=ent.company_b).count() == 1
    # Cadres: the street manages them, community staff read them, the liaison does not.
    assert restrict(users.community_b, "view", Cadre).count() == 3
    assert restrict(users.community_b, "change", Cadre).count() == 0
    assert restrict(users.liaison_a, "view", Cadre).count() == 0
    assert restrict(users.community_b, "view", CadreLink).count() == 0
    assert restrict(users.community_a, "view", CadreLink).count() == 1


# ---- figures --------------------------------------------------------------------------------

def test_summary_figures(ent, users, tree, fresh):
    """A hand-built street: U-A (area 1) and U-BC (area 2), six cases."""
    from gongjian.orgs.models import Unit

    unit_c = Unit.objects.create(code="U-AC", name="金安商贸有限公司",
                                 unit_type="private_company", org=tree.a)
    services.link(user=users.street, cadre=ent.cadre_b, company=ent.company_b)
    services.link(user=users.street, cadre=ent.leader, company=unit_c)

    def case(company, category, *steps):
        c = services.raise_case(user=users.street, company=company, category=category, title="t",
                                description="d", raised_on=D(2025, 1, 1))
        for step in steps:
            c = step(c)
        return c

    def assign(c, deadline=None):
        return services.assign(c, user=users.street, assignee=ent.cadre_a,
                               deadline=deadline or D(2025, 2, 1))

    resolve = lambda c: services.resolve(c, user=users.street, resolution="ok",  # noqa: E731
                                         resolved_on=D(2025, 1, 20))
    rate = lambda s: lambda c: services.rate(c, user=users.street, satisfaction=s,  # noqa: E731
                                             comment="意见")
    far = TODAY + datetime.timedelta(days=30)
    # ent.case: U-A finance, submitted (open, no deadline).
    case(tree.unit_a, "finance", assign, resolve, rate("satisfied"))
    case(unit_c, "labour", assign, resolve, rate("fair"))
    case(ent.company_b, "labour", assign, resolve, rate("unsatisfied"))
    case(ent.company_b, "upgrade", assign, resolve)                 # resolved, not rated
    case(ent.company_b, "policy", assign)                          # overdue (2025-02-01)
    case(unit_c, "other", lambda c: assign(c, far))                # open, not overdue
    case(unit_c, "finance", lambda c: services.close(c, user=users.street, reason="撤回"))

    data = summary.build(users.street)
    f = data["figures"]
    assert (f["total"], f["open"], f["overdue"], f["resolved"], f["closed"]) == (8, 3, 1, 4, 1)
    assert (f["rated"], f["pleased"], f["helped"]) == (3, 2, 3)
    assert f["satisfaction_rate"] == 66.7
    assert f["companies_linked"] == 3 and f["cadres_linking"] == 3
    assert f["phrase"] == "为3家企业解决用工难、融资难、升级难等问题"
    by_cat = {c["value"]: c["total"] for c in data["categories"]}
    assert by_cat == {"finance": 3, "labour": 2, "upgrade": 1, "policy": 1, "other": 1}
    areas = {r["name"]: r for r in data["areas"]}
    one, two = areas["第一片区"], areas["第二片区"]
    assert (one["cases"], one["open"], one["overdue"], one["helped"]) == (5, 2, 0, 2)
    assert (one["companies"], one["cadres"], one["satisfaction_rate"]) == (2, 2, 100.0)
    assert (two["cases"], two["open"], two["overdue"], two["helped"]) == (3, 1, 1, 1)
    assert (two["companies"], two["cadres"], two["satisfaction_rate"]) == (1, 1, 0.0)
    # Community B sees only its companies.
    fb = summary.build(users.community_b)["figures"]
    assert (fb["total"], fb["helped"], fb["overdue"], fb["companies_linked"]) == (3, 1, 1, 1)


def test_phrase():
    assert summary.phrase(0, {}) == "尚无已解决的企业诉求。"
    assert summary.phrase(150, {"finance": 5, "upgrade": 3, "labour": 4, "other": 9}) == \
        "为150家企业解决融资难、用工难、升级难等问题"


# ---- notifications and reminders ------------------------------------------------------------

def test_notifications_and_reminders(ent, users, fresh):
    from gongjian.core.models import User

    street_seen = Notification.objects.filter(user=users.street).count()
    assert street_seen >= 1  # the liaison's case told the street
    assert Notification.objects.filter(user=users.community_a).exists()
    assert not Notification.objects.filter(user=users.community_b).exists()
    # The assignee's own account hears about the assignment when it may read the case; an
    # account without that right is not told what the case says.
    from gongjian.core.models import RoleGrant

    account = User.objects.create_user("cadre_a", password="x", person=ent.cadre_a.person)
    case = services.assign(ent.case, user=users.street, assignee=ent.cadre_a,
                           deadline=TODAY + datetime.timedelta(days=3))
    assert not Notification.objects.filter(user=account).exists()
    RoleGrant.objects.create(user=account, role="community_staff",
                             org=users.community_a.grants.get().org)
    case = services.assign(case, user=users.street, assignee=ent.cadre_a,
                           deadline=TODAY + datetime.timedelta(days=2))
    assert Notification.objects.filter(user=account, title__contains="改派").exists()
    assert Notification.objects.filter(user=users.liaison_a, title__contains="受理").exists()
    from gongjian.core.reminders import SWEEPS

    assert SWEEPS["enterprise-cases"] is services.sweep
    first = services.sweep(TODAY)
    assert first >= 3  # staff of A and the street, the liaison, the assignee
    assert services.sweep(TODAY) == 0
    assert Notification.objects.filter(key__startswith=f"enterprise-case:{case.pk}:due:").count() \
        == first
    later = services.sweep(TODAY + datetime.timedelta(days=5))
    assert later == first
    assert Notification.objects.filter(
        key__startswith=f"enterprise-case:{case.pk}:overdue:").count() == later
    # A new deadline is a new reminder.
    case = services.assign(case, user=users.street, assignee=ent.cadre_a,
                           deadline=TODAY + datetime.timedelta(days=6))
    assert services.sweep(TODAY + datetime.timedelta(days=7)) == later
    services.close(case, user=users.street, reason="撤回")
    assert services.sweep(TODAY + datetime.timedelta(days=9)) == 0


# ---- pages ----------------------------------------------------------------------------------

def test_case_pages(ent, users, client, fresh):
    client.force_login(users.street)
    detail = reverse("enterprise_case_detail", args=[ent.case.pk])
    page = client.get(detail)
    assert page.status_code == 200
    assert "受理分派" in page.content.decode() and "记录企业评价" not in page.content.decode()
    bad = client.post(reverse("enterprise_case_step", args=[ent.case.pk, "assign"]),
                      {"deadline": "2025-04-01"})
    assert bad.status_code == 400 and "请选择承办干部或承办组织" in bad.content.decode()
    ok = client.post(reverse("enterprise_case_step", args=[ent.case.pk, "assign"]),
                     {"assignee": ent.cadre_a.pk, "deadline": "2025-04-01"})
    assert ok.status_code == 302 and fresh(ent.case).state == "assigned"
    empty = client.post(reverse("enterprise_case_step", args=[ent.case.pk, "visit"]),
                        {"visited_on": "2025-03-05", "visitor": ent.cadre_a.pk})
    assert empty.status_code == 400 and "请填写办理情况。" in empty.content.decode()
    assert not CaseVisit.objects.filter(case=ent.case).exists()
    refused = client.post(reverse("enterprise_case_step", args=[ent.case.pk, "rate"]),
                          {"satisfaction": "satisfied"})
    assert refused.status_code == 409 and "不能评价满意度" in refused.content.decode()
    assert client.post(reverse("enterprise_case_step", args=[ent.case.pk, "nonsense"]),
                       {}).status_code == 404
    listing = client.get(reverse("enterprise_case_list") + "?state=assigned&category=finance")
    assert "流动资金贷款" in listing.content.decode()
    listing = client.get(reverse("enterprise_case_list") + "?overdue=1")
    assert "流动资金贷款" in listing.content.decode()  # deadline 2025-04-01 has passed
    listing = client.get(reverse("enterprise_case_list") + f"?area={ent.area_b.pk}")
    assert "流动资金贷款" not in listing.content.decode()
    summary_page = client.get(reverse("enterprise_summary"))
    assert summary_page.status_code == 200 and 'id="chart-data"' in summary_page.content.decode()
    assert "<script>" not in summary_page.content.decode()
    export = client.get(reverse("enterprise_case_export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "企业", "所在社区", "类别")
    assert rows[1][1] == "鼎峰集团" and rows[1][6] == "已分派" and rows[1][10] == "是"


def test_liaison_raises_and_rates_on_pages(ent, users, client, fresh, tree):
    client.force_login(users.liaison_a)
    form = client.get(reverse("enterprise_case_create"))
    assert "高林科技" not in form.content.decode()
    created = client.post(reverse("enterprise_case_create"), {
        "company": tree.unit_a.pk, "category": "policy", "title": "稳岗补贴",
        "description": "如何申领", "raised_on": TODAY.isoformat()})
    assert created.status_code == 302
    case = Case.objects.get(title="稳岗补贴")
    assert case.source == "company" and case.raised_by == users.liaison_a
    other = client.post(reverse("enterprise_case_create"), {
        "company": ent.company_b.pk, "category": "policy", "title": "越权",
        "description": "x", "raised_on": TODAY.isoformat()})
    assert other.status_code == 200 and not Case.objects.filter(title="越权").exists()
    assert client.post(reverse("enterprise_case_step", args=[case.pk, "close"]),
                       {"reason": "x"}).status_code == 403


def test_area_cadre_link_pages(ent, users, client, tree):
    from gongjian.enterprise.models import ServiceArea

    client.force_login(users.street)
    response = client.post(reverse("enterprise_area_create"), {
        "name": "第三片区", "communities": [tree.a.pk], "order": 3, "note": ""})
    assert response.status_code == 302
    assert list(ServiceArea.objects.get(name="第三片区").communities.all()) == [tree.a]
    response = client.post(reverse("enterprise_cadre_create"), {
        "person_name": "张华娟", "post": "instructor", "title": "党建指导员",
        "area": ent.area.pk, "active": "on"})
    assert response.status_code == 302
    assert Cadre.objects.get(person=tree.person_a).post == "instructor"
    response = client.post(reverse("enterprise_cadre_create"), {
        "person_name": "无此人", "post": "cadre", "active": "on"})
    assert response.status_code == 200 and "没有登记名为" in response.content.decode()
    companies = client.get(reverse("enterprise_companies") + "?linked=0")
    assert "高林科技有限公司" in companies.content.decode()
    assert "鼎峰集团" not in companies.content.decode()
    response = client.post(reverse("enterprise_link_create"), {
        "cadre": ent.cadre_b.pk, "company": ent.company_b.pk, "started_on": "2025-01-01"})
    assert response.status_code == 302
    companies = client.get(reverse("enterprise_companies") + "?linked=0")
    assert "高林科技有限公司" not in companies.content.decode()
    assert client.get(reverse("enterprise_areas")).status_code == 200
    assert "干部乙" in client.get(reverse("enterprise_cadres")).content.decode()
