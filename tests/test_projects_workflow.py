"""The two workflow tables of the three lists (a project's and a demand's): refusals, the steps
offered against the steps the services take, the history, the "next step" line, and what a
resident who posted a demand reads of the project it became; the filters the page and the
API share; the notices units get; and a demo whose notifications say what is true."""

import datetime
import re

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core.access import ROLE_PERMISSIONS, role_label
from gongjian.core.models import Notification
from gongjian.core.services import DomainError
from gongjian.orgs.models import Unit
from gongjian.projects import queries, services
from gongjian.projects.models import (
    Demand,
    DemandState,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectState,
)
from gongjian.projects.workflows import (
    DEMAND_WORKFLOW,
    PROJECT_WORKFLOW,
    SHARES_FULL,
    next_line,
    waiting_steps,
)

S = ProjectState
D = DemandState
TODAY = datetime.date(2026, 3, 1)
ORDER = [S.APPROVED, S.CLAIMED, S.DOCKED, S.EXECUTING, S.ACCEPTED, S.CLOSED]


class Rollback(Exception):
    pass


def snapshot():
    return (list(Project.objects.order_by("pk").values_list("state", "claimed_share",
                                                            "step_deadline", "reason")),
            list(ProjectClaim.objects.order_by("pk").values_list("unit_id", "share")),
            ProjectEvent.objects.count(),
            list(Demand.objects.order_by("pk").values_list("state", "project_id")))


def make_project(users, tree, state, *, share=40, demands=()):
    p = services.create_project(title="为老理发", category="elderly", description="上门理发",
                                org=tree.a, target_beneficiaries=20, demands=demands,
                                user=users.community_a)
    if state == S.REJECTED:
        services.reject(p, reason="不符合共建方向", user=users.street)
    elif state == S.WITHDRAWN:
        services.withdraw(p, reason="另有安排", user=users.community_a)
    elif state != S.DECLARED:
        for step in ORDER[: ORDER.index(state) + 1]:
            if step == S.APPROVED:
                services.approve(p, user=users.street)
            elif step == S.CLAIMED:
                services.claim(p, share=share, note="派三名党员义工", user=users.liaison_a)
            elif step == S.DOCKED:
                services.dock(p, date=TODAY, place="社区", plan="每月上门", user=users.community_a)
            elif step == S.EXECUTING:
                services.start(p, user=users.liaison_a)
            elif step == S.ACCEPTED:
                services.accept(p, rating=5, beneficiary_count=18, user=users.community_a)
            elif step == S.CLOSED:
                services.close(p, user=users.community_a)
    return Project.objects.get(pk=p.pk)


def post_demand(user, title="高龄老人上门理发"):
    return services.create_demand(category="elderly", title=title, description="3号楼502王大爷",
                                  place="金安花园3号楼", beneficiaries=20, user=user)


# ---- the table ---------------------------------------------------------------------------------

def test_a_step_out_of_order_is_refused_in_chinese_and_writes_nothing(users, tree):
    docked = make_project(users, tree, S.DOCKED)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        services.accept(docked, rating=5, beneficiary_count=3, user=users.community_a)
    assert refused.value.status == 409
    assert refused.value.message == "项目尚未执行，不能验收。"
    assert snapshot() == before
    closed = make_project(users, tree, S.CLOSED)
    before = snapshot()
    with pytest.raises(DomainError, match="项目已结项，不能再撤回。"):
        services.withdraw(closed, reason="晚了", user=users.community_a)
    assert snapshot() == before


def test_a_demand_step_out_of_order_is_refused_and_writes_nothing(users, tree):
    demand = post_demand(users.resident)
    services.decline_demand(demand, reason="不属于服务范围", user=users.community_a)
    row = Demand.objects.get(pk=demand.pk)
    with pytest.raises(DomainError) as refused:
        services.accept_demand(demand, user=users.community_a)
    assert refused.value.status == 409
    assert refused.value.message == "需求当前为“不予受理”，不能受理。"
    assert Demand.objects.get(pk=demand.pk).handled_at == row.handled_at


def test_the_approval_note_is_kept_in_the_history(users, tree):
    p = make_project(users, tree, S.DECLARED)
    services.approve(p, user=users.street, note="同意")
    event = ProjectEvent.objects.get(project=p, step="approve")
    assert (event.actor, event.note) == (users.street, "同意")


# ---- the steps offered are the steps taken ------------------------------------------------------

def _params(step, users, tree, fresh_unit):
    return {
        "approve": {"note": "同意"}, "reject": {"reason": "不符合"},
        "claim": {"share": 10, "unit": fresh_unit}, "dock": {"date": TODAY, "place": "社区",
                                                              "plan": "方案"},
        "start": {}, "progress": {"text": "已上门"},
        "accept": {"rating": 4, "beneficiary_count": 5}, "close": {},
        "withdraw": {"reason": "撤回"},
    }[step]


def _succeeds(service, obj, user, params):
    """Whether the step's service takes it (in a transaction rolled back afterwards)."""
    try:
        with transaction.atomic():
            service(type(obj).objects.get(pk=obj.pk), user=user, **params)
            raise Rollback
    except Rollback:
        return True
    except DomainError:
        return False


@pytest.mark.parametrize("state", list(S))
def test_offered_steps_are_exactly_the_ones_the_services_take(state, users, tree, twins):
    """For each account and state: the buttons (`available`) are the steps whose service call
    succeeds (each tried and rolled back)."""
    fresh_unit = Unit.objects.create(code="U-C", name="金山物业", unit_type="private_company",
                                     org=tree.a)
    project = make_project(users, tree, state)
    accounts = [users.street, users.community_a, users.community_b, users.grid_a,
                users.liaison_a, twins.liaison_b, twins.street_b, users.resident]
    for user in accounts:
        offered = PROJECT_WORKFLOW.available(user, project)
        taken = {step.name for step in PROJECT_WORKFLOW if _succeeds(
            getattr(services, step.name), project, user,
            _params(step.name, users, tree, fresh_unit))}
        assert offered == taken, (user.username, state)


def test_offered_demand_steps_are_exactly_the_ones_the_services_take(users, tree):
    for state in list(D):
        demand = post_demand(users.resident)
        if state == D.ACCEPTED:
            services.accept_demand(demand, user=users.community_a)
        elif state == D.DECLINED:
            services.decline_demand(demand, reason="不属于", user=users.community_a)
        elif state == D.WITHDRAWN:
            services.withdraw_demand(demand, user=users.resident)
        elif state == D.PROJECT:
            make_project(users, tree, S.DECLARED, demands=[demand])
        demand = Demand.objects.get(pk=demand.pk)
        for user in (users.street, users.community_a, users.community_b, users.grid_a,
                     users.liaison_a, users.resident):
            offered = DEMAND_WORKFLOW.available(user, demand)
            taken = {step for step in ("accept", "decline", "withdraw") if _succeeds(
                getattr(services.DEMAND_STEPS, step), demand, user,
                {} if step == "accept" else {"reason": "理由"})}
            assert offered == taken, (user.username, state)


def test_the_page_shows_the_buttons_of_the_offered_steps(users, tree, client):
    p = make_project(users, tree, S.DECLARED)
    client.force_login(users.street)
    page = client.get(reverse("project_detail", args=[p.pk])).content.decode()
    for name in ("approve", "reject", "withdraw"):
        assert f'href="/projects/{p.pk}/{name}/"' in page, name
    assert f'/projects/{p.pk}/claim/' not in page
    client.force_login(users.community_a)
    page = client.get(reverse("project_detail", args=[p.pk])).content.decode()
    assert f'/projects/{p.pk}/approve/' not in page and f'/projects/{p.pk}/withdraw/' in page


# ---- history -----------------------------------------------------------------------------------

def test_each_step_writes_one_history_line_through_record_event(users, tree):
    p = make_project(users, tree, S.CLAIMED)
    rows = list(ProjectEvent.objects.filter(project=p).values_list(
        "step", "state_from", "state_to", "actor_name", "text"))
    assert rows == [
        ("declare", "", "declared", "金安社区党委", "金安社区党委 申报了该项目"),
        ("approve", "declared", "approved", "金山街道党工委", "金山街道党工委 批准立项"),
        ("claim", "approved", "claimed", "鼎峰集团", "鼎峰集团 认领了该项目 40%"),
    ]
    claim = ProjectEvent.objects.get(project=p, step="claim")
    assert claim.note == "派三名党员义工" and claim.actor == users.liaison_a
    assert claim.step_label == "认领" and claim.summary == "鼎峰集团 认领了该项目 40%"


# ---- 1. the resident whose demand became a project follows it ----------------------------------

@pytest.fixture
def followed(users, tree):
    """A resident's demand turned into a project, approved, claimed with a unit's note."""
    demand = post_demand(users.resident)
    other = post_demand(users.community_a, "楼道照明维修")
    project = make_project(users, tree, S.CLAIMED, demands=[demand, other])
    return project


def test_the_notification_opens_the_project_for_the_resident(users, tree, client, followed):
    note = Notification.objects.get(user=users.resident, title__contains="已转为项目")
    assert note.url == reverse("project_detail", args=[followed.pk])
    client.force_login(users.resident)
    response = client.get(note.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "为老理发" in page and "鼎峰集团 认领了该项目 40%" in page
    assert "高龄老人上门理发" in page            # their own demand, linked
    assert "派三名党员义工" not in page          # a unit's note on its claim
    assert "楼道照明维修" not in page            # the other demand the project joined
    assert "workflow-steps" not in page         # no buttons: they take no step
    assert "comm_a" not in page                 # who declared it, on the staff's side


def test_other_residents_still_get_404(users, tree, client, followed, twins, make_user):
    for user in (make_user("resident", tree.a), twins.resident_b, users.member):
        client.force_login(user)
        assert client.get(reverse("project_detail", args=[followed.pk])).status_code in (403, 404)
        assert not Project.objects.restrict(user, "view").filter(pk=followed.pk).exists()


def test_the_resident_reads_only(users, tree, followed):
    for action in ("change", "claim", "dock", "start", "progress", "accept", "close",
                   "withdraw", "approve"):
        assert not Project.objects.restrict(users.resident, action).exists(), action
    assert PROJECT_WORKFLOW.available(users.resident, followed) == set()


def test_the_api_answers_the_resident_the_same(users, tree, followed, make_user):
    api = APIClient()
    api.force_authenticate(users.resident)
    answer = api.get(f"/api/v1/projects/{followed.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["title"] == "为老理发" and body["claims"][0]["unit_name"] == "鼎峰集团"
    assert body["claims"][0]["note"] == ""
    notes = {e["step"]: e["note"] for e in body["events"]}
    assert notes["claim"] == "" and notes["declare"] == ""
    assert "楼道照明维修" not in answer.content.decode()
    staff = APIClient()
    staff.force_authenticate(users.community_a)
    assert staff.get(f"/api/v1/projects/{followed.pk}/").json()["claims"][0]["note"] \
        == "派三名党员义工"
    neighbour = APIClient()
    neighbour.force_authenticate(make_user("resident", tree.a))
    assert neighbour.get(f"/api/v1/projects/{followed.pk}/").status_code in (403, 404)


def test_a_rejected_project_gives_the_demand_back_and_is_no_longer_followed(users, tree):
    demand = post_demand(users.resident)
    project = make_project(users, tree, S.REJECTED, demands=[demand])
    assert not Project.objects.restrict(users.resident, "view").filter(pk=project.pk).exists()
    assert Demand.objects.get(pk=demand.pk).state == D.OPEN


# ---- 2. the next step and whose it is, from the table --------------------------------------------

def test_the_next_step_names_who_the_table_grants_it(users, tree, client):
    p = make_project(users, tree, S.EXECUTING)
    [(step, owner)] = next_line(p)
    assert step.name == "accept"
    holders = [role for role, granted in ROLE_PERMISSIONS.items()
               if "projects.accept_project" in granted]
    assert owner == "、".join(role_label(r) for r in holders)
    assert "共建单位联络员" not in owner and "社区党务工作者" in owner
    client.force_login(users.community_a)
    page = client.get(reverse("project_detail", args=[p.pk])).content.decode()
    assert re.search(r"下一步：<strong>验收</strong>（责任方：" + re.escape(owner) + "）", page)
    assert "责任方：认领单位" not in page


@pytest.mark.parametrize("state,step", [(S.DECLARED, "approve"), (S.APPROVED, "claim"),
                                        (S.CLAIMED, "dock"), (S.DOCKED, "start"),
                                        (S.EXECUTING, "accept"), (S.ACCEPTED, "close")])
def test_every_active_state_has_one_next_step_owned_by_its_grantees(state, step, users, tree):
    p = make_project(users, tree, state)
    [(next_step, owner)] = next_line(p)
    assert next_step.name == step and owner == PROJECT_WORKFLOW.owner_label(step)
    for label in owner.split("、"):
        role = next(r for r, name in ((r, role_label(r)) for r in ROLE_PERMISSIONS)
                    if name == label)
        assert f"projects.{PROJECT_WORKFLOW[step].action}_project" in ROLE_PERMISSIONS[role]


def test_supervision_and_reminders_read_the_same_line(users, tree):
    from gongjian.projects.reminders import sweep

    p = make_project(users, tree, S.EXECUTING)
    Project.objects.filter(pk=p.pk).update(step_deadline=TODAY - datetime.timedelta(days=2))
    late = queries.supervision(users.street, today=TODAY)["overdue"][0]
    assert (late.next_step, late.owner) == ("验收", PROJECT_WORKFLOW.owner_label("accept"))
    sweep(TODAY)
    assert Notification.objects.filter(user=users.community_a, kind="reminder",
                                       title__contains="待验收").exists()


# ---- 3. the street's units hear of an approved project -----------------------------------------

def test_approval_tells_the_liaisons_of_the_streets_units(users, tree, twins, make_user):
    other_street = make_user("unit_liaison", unit=twins.unit2)
    p = make_project(users, tree, S.APPROVED)
    url = reverse("project_detail", args=[p.pk])
    for liaison in (users.liaison_a, twins.liaison_b):
        note = Notification.objects.get(user=liaison, title=f"新项目待认领：{p.title}")
        assert note.url == url and note.read_at is None
        assert "认领期限" in note.body
    assert not Notification.objects.filter(user=other_street, url=url).exists()


def test_the_claim_notice_is_settled_once_nothing_is_left_to_claim(users, tree, twins):
    p = make_project(users, tree, S.APPROVED)
    services.claim(p, share=60, user=users.liaison_a)
    notice = Notification.objects.get(user=twins.liaison_b, title__startswith="新项目待认领")
    assert notice.read_at is None  # 40% still open to B
    services.claim(p, share=40, user=twins.liaison_b)
    approve_todo = Notification.objects.get(user=users.street, title__startswith="待立项")
    notice.refresh_from_db()
    assert notice.read_at is not None and approve_todo.read_at is not None


# ---- 10. no claim at 0% left ---------------------------------------------------------------------

def test_a_fully_claimed_project_offers_no_claim_and_refuses_one(users, tree, client):
    p = make_project(users, tree, S.CLAIMED, share=100)
    assert "claim" not in PROJECT_WORKFLOW.available(users.street, p)
    client.force_login(users.street)
    page = client.get(reverse("project_detail", args=[p.pk])).content.decode()
    assert "认领项目" not in page
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        services.claim(p, share=1, unit=tree.unit_b, user=users.street)
    assert refused.value.status == 409 and refused.value.message == SHARES_FULL
    assert snapshot() == before
    response = client.post(reverse("project_step", args=[p.pk, "claim"]),
                           {"unit": "U-B", "share": 1})
    assert response.status_code == 409 and SHARES_FULL in response.content.decode()
    assert snapshot() == before


# ---- the filters the page and the API share ------------------------------------------------------

@pytest.mark.parametrize("query", [{"state": "approved"}, {"overdue": "on"},
                                   {"org": "JS-A"}, {"org": "JS-B"}, {"q": "理发"},
                                   {"unit": "U-A"}, {"category": "culture"}])
def test_the_project_list_page_and_api_filter_alike(query, users, tree, client):
    make_project(users, tree, S.APPROVED)
    late = make_project(users, tree, S.CLAIMED)
    Project.objects.filter(pk=late.pk).update(step_deadline=TODAY)
    make_project(users, tree, S.DECLARED)
    client.force_login(users.street)
    page = client.get(reverse("project_list"), query)
    api = APIClient()
    api.force_authenticate(users.street)
    listed = api.get("/api/v1/projects/", {k: ("true" if v == "on" else v)
                                          for k, v in query.items()}).json()
    assert sorted(p.pk for p in page.context["page"]) == sorted(r["id"] for r in listed["results"])


def test_resources_list_active_ones_on_the_page_unless_asked(users, tree, client):
    kept = services.create_resource(category="health", title="义诊", description="测血压",
                                    capacity=10, user=users.liaison_a)
    stopped = services.create_resource(category="legal", title="法律咨询", description="坐班",
                                       capacity=10, user=users.liaison_a)
    services.update_resource(stopped, active=False, user=users.liaison_a)
    client.force_login(users.liaison_a)
    shown = [r.pk for r in client.get(reverse("resource_list")).context["page"]]
    assert shown == [kept.pk]
    shown = {r.pk for r in client.get(reverse("resource_list"), {"active": "all"})
             .context["page"]}
    assert shown == {kept.pk, stopped.pk}
    api = APIClient()
    api.force_authenticate(users.liaison_a)
    assert {r["id"] for r in api.get("/api/v1/resources/").json()["results"]} == shown
    assert [r["id"] for r in api.get("/api/v1/resources/", {"active": "true"})
            .json()["results"]] == [kept.pk]


def test_a_liaisons_own_claims_filter(users, tree, client):
    mine = make_project(users, tree, S.CLAIMED)
    make_project(users, tree, S.APPROVED)
    assert queries.liaison_unit(users.liaison_a) == tree.unit_a
    assert queries.liaison_unit(users.street) is None
    client.force_login(users.liaison_a)
    assert [p.pk for p in client.get(reverse("project_list"), {"mine": "1"})
            .context["page"]] == [mine.pk]


# ---- 11. what the demo's notifications say is true ----------------------------------------------

TODO = re.compile(r"待(立项|认领|对接|开始执行|验收|结项)")


def test_no_unread_demo_notification_asks_for_a_step_already_taken(demo):
    labels = {step.label: step.name for step in PROJECT_WORKFLOW}
    checked = 0
    for note in Notification.objects.filter(read_at__isnull=True, url__startswith="/projects/"):
        found = re.match(r"/projects/(\d+)/$", note.url)
        project = Project.objects.get(pk=found.group(1))
        for label in TODO.findall(note.title):
            checked += 1
            waiting = {s.name for s in waiting_steps(project)}
            assert labels[label] in waiting, (note.title, project.get_state_display())
    assert checked  # the demo does leave some steps to take (a declared project, open claims)
    # the resident of the demo follows the project their demand became
    resident_notes = Notification.objects.filter(user__username="resident",
                                                 title__contains="已转为项目")
    assert resident_notes.exists()
