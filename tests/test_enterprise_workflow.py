"""The company-case workflow as one table (CASE_FLOW): refusals in the table's words with
nothing written, the steps offered are exactly the steps the services take, history written
through record_event, the one step page and the API step routes; the lists' FilterSets shared
by page, export and API; the CaseEvent migration keeps its rows."""

import datetime
import io

import pytest
from access_enterprise import setup_enterprise
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.core.models import Notification
from gongjian.core.services import DomainError
from gongjian.enterprise import services
from gongjian.enterprise.models import Case, CaseEvent, CaseVisit

D = datetime.date
TODAY = timezone.localdate()
API = "/api/v1"


@pytest.fixture
def ent(tree, users):
    return setup_enterprise(tree, users)


@pytest.fixture
def api_as(db):
    """`api_as(user)`: an API client sending that user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return make


def _case(ent, users, state):
    """A fresh case of U-A (raised 2025-01-02) brought to `state` through the services."""
    case = services.raise_case(company=ent.case.company, category="labour", title="招聘",
                               description="招 10 人", raised_on=D(2025, 1, 2),
                               user=users.liaison_a)
    if state == "submitted":
        return case
    if state == "closed":
        return services.close(case, reason="企业撤回", user=users.street)
    case = services.assign(case, assignee=ent.cadre_a, deadline=D(2025, 2, 1), user=users.street)
    if state == "assigned":
        return case
    case = services.visit(case, visited_on=D(2025, 1, 5), visitor=ent.cadre_a, done="走访",
                          user=users.street)
    if state == "following":
        return case
    case = services.resolve(case, resolution="已招到", resolved_on=D(2025, 1, 20),
                            user=users.street)
    if state == "resolved":
        return case
    return services.rate(case, satisfaction=state, comment="意见", user=users.liaison_a)


def _params(ent):
    """Valid input for every step, whoever takes it."""
    return {
        "assign": {"assignee": ent.cadre_a, "deadline": D(2025, 3, 1)},
        "visit": {"visited_on": D(2025, 1, 10), "visitor_name": "王干部", "done": "再次走访"},
        "resolve": {"resolution": "解决了", "resolved_on": D(2025, 1, 25)},
        "rate": {"satisfaction": "satisfied"},
        "close": {"reason": "企业撤回"},
        "reopen": {"note": "继续协调"},
    }


class _Undo(Exception):
    pass


def _succeeds(call):
    """Whether the service takes the step; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def _written(case):
    return (Case.objects.filter(pk=case.pk).values_list("state", "satisfaction", "deadline",
                                                         "resolution").get(),
            CaseEvent.objects.filter(case=case).count(),
            CaseVisit.objects.filter(case=case).count(), Notification.objects.count())


# ---- the table ----------------------------------------------------------------------------

def test_the_table_declares_the_steps_and_who_takes_them():
    flow = services.CASE_FLOW
    assert [s.name for s in flow] == ["assign", "visit", "resolve", "rate", "close", "reopen"]
    assert all(s.action == s.name for s in flow)  # each step has its own access right
    assert flow["visit"].sources == {"assigned", "following"}
    assert (flow["close"].target, flow["reopen"].target) == ("closed", "following")
    assert flow["assign"].target is None  # the service moves only a first assignment
    assert flow.owner_label("rate") == "企业联络员"
    assert "街道党建办" in flow.owner_label("assign")


@pytest.mark.parametrize("state,step,message", [
    ("submitted", "resolve", "诉求当前为“已提交”，不能办结。"),
    ("submitted", "visit", "诉求当前为“已提交”，不能记录走访。"),
    ("assigned", "rate", "诉求当前为“已分派”，不能评价满意度。"),
    ("closed", "close", "诉求当前为“已关闭”，不能关闭。"),
    ("resolved", "assign", "诉求当前为“已解决”，不能受理分派。"),
    ("satisfied", "rate", "企业已评价（满意），不能重复评价。"),
    ("fair", "reopen", "企业未评价“不满意”，不能重新办理。"),
    ("resolved", "reopen", "企业未评价“不满意”，不能重新办理。"),
])
def test_a_refused_step_says_why_in_chinese_and_writes_nothing(ent, users, state, step,
                                                                 message):
    case = _case(ent, users, state)
    before = _written(case)
    taker = users.liaison_a if step == "rate" else users.street
    with pytest.raises(DomainError) as refused:
        getattr(services, step)(case, user=taker, **_params(ent)[step])
    assert (refused.value.message, refused.value.status) == (message, 409)
    assert _written(case) == before


def test_a_reader_without_the_step_is_refused_403_and_a_stranger_404(ent, users):
    case = ent.case
    with pytest.raises(DomainError) as refused:
        services.close(case, reason="x", user=users.liaison_a)
    assert refused.value.status == 403 and refused.value.message == "您不能对该诉求进行“关闭诉求”。"
    with pytest.raises(DomainError) as hidden:
        services.close(case, reason="x", user=users.community_b)
    assert hidden.value.status == 404
    assert Case.objects.get(pk=case.pk).state == "submitted"


STATES = ["submitted", "assigned", "following", "resolved", "satisfied", "fair",
          "unsatisfied", "closed"]


@pytest.mark.parametrize("state", STATES)
def test_steps_offered_are_exactly_the_steps_the_services_take(ent, users, twins, state):
    case = _case(ent, users, state)
    params = _params(ent)
    people = ["street", "community_a", "community_b", "liaison_a", "grid_a", "member",
              "resident", "sysadmin"]
    for name in people + ["liaison_b", "street_b"]:
        user = getattr(users, name, None) or getattr(twins, name)
        taken = {step.name for step in services.CASE_FLOW if _succeeds(
            lambda step=step, user=user: getattr(services, step.name)(
                case, user=user, **params[step.name]))}
        assert services.CASE_FLOW.available(user, case) == taken, (name, state)
        assert set(services.allowed_steps(case, user=user)) == taken
    # Someone may act in every state but a finished one.
    assert services.CASE_FLOW.available(users.street, case) or state in (
        "satisfied", "fair", "closed")


def test_the_next_line_skips_a_reopening_nobody_can_take(ent, users):
    resolved = _case(ent, users, "resolved")
    assert [s.name for s, _who in services.next_line(resolved)] == ["rate"]
    unsatisfied = _case(ent, users, "unsatisfied")
    assert [s.name for s, _who in services.next_line(unsatisfied)] == ["reopen"]
    assert [s.name for s, _who in services.next_line(_case(ent, users, "submitted"))] == [
        "assign"]  # closing is offered as a button, not announced as the next step


# ---- history ------------------------------------------------------------------------------

def test_history_is_written_by_record_event(ent, users, monkeypatch):
    from gongjian.core import workflow

    written = []

    def spy(subject, step, user=None, **kwargs):
        written.append(step)
        return workflow.record_event(subject, step, user, **kwargs)

    monkeypatch.setattr(services, "record_event", spy)
    case = _case(ent, users, "unsatisfied")
    services.reopen(case, note="继续协调额度", user=users.street)
    steps = ["submitted", "assigned", "visit", "resolved", "rated", "reopened"]
    assert written == steps
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert [r.step for r in rows] == steps
    assert [(r.state_from, r.state_to) for r in rows] == [
        ("", "submitted"), ("submitted", "assigned"), ("assigned", "following"),
        ("following", "resolved"), ("resolved", "resolved"), ("resolved", "following")]
    assert [r.actor for r in rows] == [users.liaison_a, users.street, users.street,
                                       users.street, users.liaison_a, users.street]
    assert rows[1].actor_name == users.street.display_name
    assert rows[1].note == "分派给 干部甲，期限 2025-02-01。"
    assert (rows[-1].step_label, rows[-1].summary, rows[-1].note) == (
        "重新办理", "重新办理", "继续协调额度")


def test_reassigning_keeps_the_state_and_says_so(ent, users):
    case = _case(ent, users, "following")
    services.assign(case, assignee=ent.cadre_b, deadline=D(2025, 3, 1), user=users.street)
    row = CaseEvent.objects.filter(case=case).last()
    assert (row.step, row.state_from, row.state_to) == ("assigned", "following", "following")
    assert row.note.startswith("改派给 干部乙")


# ---- the page -----------------------------------------------------------------------------

def _step_url(case, step):
    return reverse("enterprise_case_step", args=[case.pk, step])


def test_the_page_offers_a_form_for_each_available_step(ent, users, client):
    for state in ("submitted", "following", "unsatisfied"):
        case = _case(ent, users, state)
        for user in (users.street, users.liaison_a):
            client.force_login(user)
            page = client.get(reverse("enterprise_case_detail", args=[case.pk])).content.decode()
            for step in services.CASE_FLOW:
                offered = step.name in services.CASE_FLOW.available(user, case)
                assert (f'action="{_step_url(case, step.name)}"' in page) == offered, (
                    state, user, step.name)
    client.force_login(users.street)
    page = client.get(reverse("enterprise_case_detail", args=[ent.case.pk])).content.decode()
    assert "下一步：受理分派" in page and 'id="history"' in page and "提交诉求" in page


def test_the_step_page_shows_its_form_and_a_refusal_answers_409(ent, users, client, fresh):
    client.force_login(users.street)
    shown = client.get(_step_url(ent.case, "assign"))
    assert shown.status_code == 200
    assert '<details class="card mb-2" open>' in shown.content.decode()
    before = _written(ent.case)
    refused = client.post(_step_url(ent.case, "resolve"), {"resolution": "x",
                                                            "resolved_on": "2025-03-05"})
    assert refused.status_code == 409
    assert "诉求当前为“已提交”，不能办结。" in refused.content.decode()
    assert _written(ent.case) == before
    taken = client.post(_step_url(ent.case, "close"), {"reason": "企业撤回"})
    assert taken.status_code == 302 and taken["Location"] == reverse(
        "enterprise_case_detail", args=[ent.case.pk])
    assert fresh(ent.case).state == "closed"
    assert client.post(_step_url(ent.case, "sweep"), {}).status_code == 404


# ---- the API ------------------------------------------------------------------------------

def test_the_api_has_one_route_per_step_and_refuses_with_the_tables_words(ent, users, api_as):
    for step in services.CASE_FLOW:
        assert reverse(f"api-enterprise-case-{step.name}", args=[ent.case.pk]) == (
            f"{API}/cases/{ent.case.pk}/{step.name}/")
    street = api_as(users.street)
    before = _written(ent.case)
    refused = street.post(f"{API}/cases/{ent.case.pk}/rate/", {"satisfaction": "satisfied"},
                          format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "诉求当前为“已提交”，不能评价满意度。"
    assert _written(ent.case) == before
    bad = street.post(f"{API}/cases/{ent.case.pk}/assign/",
                      {"assignee": 999999, "deadline": "2025-04-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "assignee"
    done = street.post(f"{API}/cases/{ent.case.pk}/assign/",
                       {"assignee": ent.cadre_a.pk, "deadline": "2025-04-01"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "assigned"
    event = done.json()["events"][-1]
    assert (event["kind"], event["kind_label"], event["state"], event["actor"]) == (
        "assigned", "受理分派", "assigned", users.street.display_name)


# ---- the lists share their FilterSets -----------------------------------------------------

def test_page_export_and_api_list_the_same_cases(ent, users, client, api_as):
    other = services.raise_case(company=ent.company_b, category="labour", title="招工",
                                description="招 5 人", user=users.street)
    services.assign(ent.case, assignee=ent.cadre_a, deadline=D(2025, 4, 1), user=users.street)
    client.force_login(users.street)
    api = api_as(users.street)
    queries = {"": {ent.case.pk, other.pk}, "state=open": {ent.case.pk, other.pk},
               "state=submitted": {other.pk}, "overdue=1": {ent.case.pk},
               f"area={ent.area_b.pk}": {other.pk}, "q=鼎峰": {ent.case.pk},
               "category=labour&state=open": {other.pk}}
    for query, expected in queries.items():
        api_query = query.replace("overdue=1", "overdue=true")
        listed = {row["id"] for row in api.get(f"{API}/cases/?{api_query}").json()["results"]}
        page = client.get(reverse("enterprise_case_list") + "?" + query)
        shown = {c.pk for c in page.context["page"]}
        export = client.get(reverse("enterprise_case_export") + "?" + query)
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        exported = {Case.objects.get(pk=int(r[0].split("-")[1])).pk for r in rows[1:]}
        assert listed == shown == exported == expected, query


def test_an_unreachable_area_is_ignored_on_the_page_and_a_400_in_the_api(ent, users, client,
                                                                          api_as, twins):
    from gongjian.enterprise.models import ServiceArea

    elsewhere = ServiceArea.objects.create(street=twins.s2, name="会展片区")
    client.force_login(users.street)
    page = client.get(reverse("enterprise_case_list") + f"?area={elsewhere.pk}")
    assert [c.pk for c in page.context["page"]] == [ent.case.pk]
    answer = api_as(users.street).get(f"{API}/cases/?area={elsewhere.pk}")
    assert answer.status_code == 400 and "area" in answer.json()


def test_company_cadre_and_area_filters(ent, users, client, tree):
    from gongjian.enterprise.models import Cadre

    client.force_login(users.street)

    def names(url, query):
        return {str(x) for x in client.get(reverse(url) + "?" + query).context["page"]}

    assert names("enterprise_companies", "linked=1") == {"鼎峰集团"}
    assert names("enterprise_companies", "linked=0") == {"高林科技有限公司"}
    assert names("enterprise_companies", f"area={ent.area_b.pk}") == {"高林科技有限公司"}
    assert names("enterprise_companies", "q=dfjt") == {"鼎峰集团"}  # pinyin initials
    assert names("enterprise_cadres", f"area={ent.area_b.pk}") == {"干部乙"}
    assert names("enterprise_cadres", "post=leader") == {"片长甲"}
    Cadre.objects.filter(pk=ent.cadre_b.pk).update(active=False, area=None)
    assert names("enterprise_cadres", "area=none") == set()
    assert names("enterprise_cadres", "area=none&inactive=1") == {"干部乙"}
    assert names("enterprise_cadres", "q=干部") == {"干部甲"}
    areas = client.get(reverse("enterprise_areas") + "?q=高林").context["rows"]
    assert [row["area"].name for row in areas] == ["第二片区"]  # by a covered community


# ---- the migration keeps the history ------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_caseevent_migration_keeps_rows(tree, users):
    case = setup_enterprise(tree, users, case_state="assigned").case
    executor = MigrationExecutor(connection)
    executor.migrate([("enterprise", "0001_initial")])
    old = executor.loader.project_state([("enterprise", "0001_initial")]).apps
    OldEvent = old.get_model("enterprise", "CaseEvent")
    assert sorted(OldEvent.objects.filter(case_id=case.pk).values_list("kind", "state")) == [
        ("assigned", "assigned"), ("submitted", "submitted")]
    OldEvent.objects.filter(case_id=case.pk).update(note="旧记录")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert [(r.step, r.state_from, r.state_to, r.note) for r in rows] == [
        ("submitted", "", "submitted", "旧记录"), ("assigned", "submitted", "assigned", "旧记录")]
    assert [r.actor_name for r in rows] == [users.liaison_a.display_name,
                                            users.street.display_name]
