"""The three lists: demands, resources, the project workflow's transition table, validation,
scope, photos and notifications."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongjian.core.models import Notification
from gongjian.core.services import DomainError, OutOfScope
from gongjian.projects import services
from gongjian.projects.models import (
    Demand,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectPhoto,
    ProjectState,
    Resource,
    UnitRecord,
)
from gongjian.projects.services import TRANSITIONS

S = ProjectState
TODAY = datetime.date(2026, 3, 1)


def png_upload(name="photo.png", size=(8, 8)):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def snapshot():
    """Everything a refused step must leave as it was."""
    return (list(Project.objects.order_by("pk").values_list(
                "state", "claimed_share", "step_deadline", "rating", "reason")),
            list(ProjectClaim.objects.order_by("pk").values_list("project_id", "unit_id", "share")),
            ProjectEvent.objects.count(), ProjectPhoto.objects.count(),
            list(Resource.objects.order_by("pk").values_list("capacity", "committed")),
            list(Demand.objects.order_by("pk").values_list("state", "project_id")))


@pytest.fixture
def demand(users, tree):
    return services.create_demand(
        user=users.resident, category="elderly", title="高龄老人上门理发",
        description="金安花园有二十多位行动不便的高龄老人，希望每月有人上门理发。",
        place="金安花园", beneficiaries=25)


@pytest.fixture
def resource(users, tree):
    return services.create_resource(
        user=users.liaison_a, category="elderly", title="党员义工上门理发",
        description="每月第三个周六为社区高龄老人上门理发。", capacity=60,
        available_text="每月第三个周六上午")


def project_in(state, users, tree, share=40):
    """A project of community A driven through the workflow up to `state`."""
    p = services.create_project(user=users.community_a, title="为老理发", category="elderly",
                                description="上门理发", org=tree.a, target_beneficiaries=20)
    order = [S.APPROVED, S.CLAIMED, S.DOCKED, S.EXECUTING, S.ACCEPTED, S.CLOSED]
    if state == S.DECLARED:
        return p
    if state == S.REJECTED:
        return services.reject(p, user=users.street, reason="不符合共建方向")
    if state == S.WITHDRAWN:
        return services.withdraw(p, user=users.community_a, reason="需求已由其他渠道解决")
    for step in order[: order.index(state) + 1]:
        if step == S.APPROVED:
            services.approve(p, user=users.street)
        elif step == S.CLAIMED:
            services.claim(p, user=users.liaison_a, share=share)
        elif step == S.DOCKED:
            services.dock(p, user=users.community_a, date=TODAY, place="金安社区党群服务中心",
                          plan="每月第三个周六上午上门")
        elif step == S.EXECUTING:
            services.start(p, user=users.liaison_a)
        elif step == S.ACCEPTED:
            services.accept(p, user=users.community_a, rating=5, beneficiary_count=22)
        elif step == S.CLOSED:
            services.close(p, user=users.community_a)
    return Project.objects.get(pk=p.pk)


def take(step, users, project):
    """Take `step` as staff who may take it (a liaison's reach is tested on its own)."""
    who = users.street if step in ("approve", "reject", "claim") else users.community_a
    kwargs = {
        "approve": {}, "reject": {"reason": "不符合"}, "claim": {"share": 10, "unit": users.unit_b},
        "dock": {"date": TODAY, "place": "社区", "plan": "方案"}, "start": {},
        "progress": {"text": "第一次上门"}, "accept": {"rating": 4, "beneficiary_count": 5},
        "close": {}, "withdraw": {"reason": "撤回"},
    }[step]
    return services.STEP_FUNCTIONS[step](project, user=who, **kwargs)


ALL_STATES = list(S)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("step", list(TRANSITIONS))
def test_transition_table(step, state, users, tree):
    """Every step from every state: allowed exactly where the table says, refused (409, in
    Chinese, nothing written) everywhere else."""
    users.unit_b = tree.unit_b
    p = project_in(state, users, tree)
    allowed_from, target = TRANSITIONS[step][0], TRANSITIONS[step][1]
    if state in allowed_from:
        take(step, users, p)
        assert Project.objects.get(pk=p.pk).state == target
        assert ProjectEvent.objects.filter(project=p, step=step).exists()
    else:
        before = snapshot()
        with pytest.raises(DomainError) as refused:
            take(step, users, p)
        assert refused.value.status == 409
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
        assert snapshot() == before


def test_named_refusals(users, tree):
    declared = project_in(S.DECLARED, users, tree)
    with pytest.raises(DomainError, match="项目尚未立项，不能认领"):
        services.claim(declared, user=users.street, share=10, unit=tree.unit_a)
    # a liaison does not even see a project before approval
    with pytest.raises(OutOfScope):
        services.claim(declared, user=users.liaison_a, share=10)
    claimed = project_in(S.CLAIMED, users, tree)
    with pytest.raises(DomainError, match="已认领本项目"):
        services.claim(claimed, user=users.liaison_a, share=10)
    docked = project_in(S.DOCKED, users, tree)
    with pytest.raises(DomainError, match="项目尚未执行，不能验收"):
        services.accept(docked, user=users.community_a, rating=5, beneficiary_count=3)
    executing = project_in(S.EXECUTING, users, tree)
    with pytest.raises(DomainError, match="项目已开始执行，不能撤回"):
        services.withdraw(executing, user=users.community_a, reason="晚了")


def test_only_the_street_approves(users, tree):
    p = project_in(S.DECLARED, users, tree)
    with pytest.raises(OutOfScope):
        services.approve(p, user=users.community_a)
    assert Project.objects.get(pk=p.pk).state == S.DECLARED


def test_shares_add_up_to_at_most_100(users, tree, make_user):
    p = project_in(S.CLAIMED, users, tree, share=70)
    liaison_b = make_user("unit_liaison", unit=tree.unit_b)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        services.claim(p, user=liaison_b, share=40)
    assert refused.value.status == 409
    assert "不能超过 100%" in refused.value.message and "已认领 70%" in refused.value.message
    assert snapshot() == before
    services.claim(p, user=liaison_b, share=30)
    assert Project.objects.get(pk=p.pk).claimed_share == 100
    with pytest.raises(DomainError) as over:
        services.claim(project_in(S.APPROVED, users, tree), user=users.street, share=101,
                       unit=tree.unit_b)
    assert over.value.status == 400 and over.value.field == "share"


def test_claim_event_names_the_unit_and_share(users, tree):
    p = project_in(S.CLAIMED, users, tree, share=40)
    assert ProjectEvent.objects.filter(project=p, step="claim").get().text \
        == "鼎峰集团 认领了该项目 40%"


def test_claim_uses_and_withdraw_frees_resource_capacity(users, tree, resource):
    p = project_in(S.APPROVED, users, tree)
    services.claim(p, user=users.liaison_a, share=50, resource=resource, uses=20)
    assert Resource.objects.get(pk=resource.pk).remaining == 40
    with pytest.raises(DomainError, match="剩余容量只有"):
        services.claim(project_in(S.APPROVED, users, tree), user=users.street, share=10,
                       unit=tree.unit_a, resource=resource, uses=41)
    services.withdraw(p, user=users.community_a, reason="居民另有安排")
    assert Resource.objects.get(pk=resource.pk).remaining == 60


def test_liaison_claims_for_own_unit_only(users, tree):
    p = project_in(S.APPROVED, users, tree)
    claim = services.claim(p, user=users.liaison_a, share=20, unit=tree.unit_b)
    assert claim.unit == tree.unit_a


def test_liaison_sees_open_and_claimed_projects_only(users, tree, make_user):
    declared = project_in(S.DECLARED, users, tree)
    approved = project_in(S.APPROVED, users, tree)
    claimed_by_b = project_in(S.APPROVED, users, tree)
    services.claim(claimed_by_b, user=users.street, share=100, unit=tree.unit_b)
    docked_a = project_in(S.DOCKED, users, tree)
    seen = set(Project.objects.restrict(users.liaison_a, "view").values_list("pk", flat=True))
    assert approved.pk in seen and docked_a.pk in seen
    assert declared.pk not in seen
    # fully claimed by B: still open to claim (state 认领) but B's progress is not A's
    assert not Project.objects.restrict(users.liaison_a, "progress").filter(
        pk=claimed_by_b.pk).exists()
    assert Project.objects.restrict(users.liaison_a, "start").filter(pk=docked_a.pk).exists()


def test_accept_validates_rating_and_updates_unit_record(users, tree):
    p = project_in(S.EXECUTING, users, tree)
    for bad in (0, 6, "五"):
        with pytest.raises(DomainError) as refused:
            services.accept(p, user=users.community_a, rating=bad, beneficiary_count=3)
        assert refused.value.status == 400 and refused.value.field == "rating"
    assert Project.objects.get(pk=p.pk).state == S.EXECUTING
    services.accept(p, user=users.community_a, rating=4, beneficiary_count=18, comment="满意")
    record = UnitRecord.objects.get(unit=tree.unit_a)
    assert (record.projects_done, record.average_rating) == (1, 4.0)


def test_negative_capacity_refused(users, tree):
    with pytest.raises(DomainError) as refused:
        services.create_resource(user=users.liaison_a, category="health", title="义诊",
                                 description="测血压", capacity=-5)
    assert refused.value.status == 400 and refused.value.field == "capacity"
    assert "不能为负数" in refused.value.message
    assert not Resource.objects.exists()


def test_capacity_below_commitment_refused(users, tree, resource):
    services.claim(project_in(S.APPROVED, users, tree), user=users.liaison_a, share=10,
                   resource=resource, uses=30)
    with pytest.raises(DomainError, match="不能少于已承诺的 30 人次"):
        services.update_resource(resource, user=users.liaison_a, capacity=20)


def test_resource_keywords_are_stored(resource):
    assert "理发" in resource.keywords.split()
    assert "每月" not in resource.keywords.split()


def test_demand_workflow_and_scope(users, tree, demand, make_user):
    assert demand.org == tree.a and demand.posted_by == users.resident
    other = make_user("resident", tree.a)
    assert not Demand.objects.restrict(other, "view").exists()
    assert Demand.objects.restrict(users.resident, "view").get() == demand
    assert not Demand.objects.restrict(users.community_b, "view").exists()
    assert Demand.objects.restrict(users.community_a, "view").get() == demand
    with pytest.raises(OutOfScope):
        services.accept_demand(demand, user=users.community_b)
    with pytest.raises(OutOfScope):
        services.accept_demand(demand, user=users.resident)
    services.accept_demand(demand, user=users.community_a)
    with pytest.raises(DomainError) as empty:
        services.decline_demand(demand, user=users.community_a, reason=" ")
    assert empty.value.status == 400
    with pytest.raises(OutOfScope):
        services.withdraw_demand(demand, user=other)
    services.withdraw_demand(demand, user=users.resident, reason="已自行解决")
    assert Demand.objects.get(pk=demand.pk).state == "withdrawn"
    with pytest.raises(DomainError, match="不能撤回"):
        services.withdraw_demand(demand, user=users.resident)


def test_resident_posts_for_own_community_only(users, tree):
    d = services.create_demand(user=users.resident, org=tree.b, category="legal", title="法律咨询",
                               description="邻里纠纷", place="楼下", beneficiaries=2)
    assert d.org == tree.a


def test_demand_into_project(users, tree, demand):
    p = services.create_project(user=users.community_a, title="上门理发", category="elderly",
                                description="每月上门", demands=[demand])
    d = Demand.objects.get(pk=demand.pk)
    assert (d.state, d.project_id, p.org_id, p.target_beneficiaries) == (
        "project", p.pk, tree.a.pk, 25)
    assert p.step_deadline == timezone.localdate() + datetime.timedelta(days=7)
    with pytest.raises(DomainError, match="已处理"):
        services.create_project(user=users.community_a, title="再转", category="elderly",
                                description="x", demands=[demand])
    assert Notification.objects.filter(user=users.street, kind="project").exists()
    assert Notification.objects.filter(user=users.resident, kind="demand").exists()


def test_community_b_sees_nothing_of_a(users, tree, demand, resource):
    project_in(S.CLAIMED, users, tree)
    for model in (Demand, Project, ProjectClaim, ProjectEvent):
        assert not model.objects.restrict(users.community_b, "view").exists(), model
    # the street's resource list serves every community, but only A's side may change it
    assert Resource.objects.restrict(users.community_b, "view").get() == resource
    assert not Resource.objects.restrict(users.community_b, "change").exists()
    services.update_resource(resource, user=users.liaison_a, active=False)
    assert not Resource.objects.restrict(users.community_b, "view").exists()


def test_notifications_follow_the_steps(users, tree):
    p = project_in(S.CLAIMED, users, tree)
    assert Notification.objects.filter(user=users.community_a,
                                       title__contains="认领了项目").exists()
    services.dock(p, user=users.community_a, date=TODAY, place="社区", plan="方案")
    assert Notification.objects.filter(user=users.liaison_a,
                                       title__contains="完成对接").exists()


def test_overdue_and_reminder_sweep(users, tree, settings):
    from gongjian.projects.reminders import sweep

    p = project_in(S.DECLARED, users, tree)
    Project.objects.filter(pk=p.pk).update(step_deadline=timezone.localdate()
                                           - datetime.timedelta(days=3))
    assert Project.objects.get(pk=p.pk).overdue_days() == 3
    sent = sweep(timezone.localdate())
    assert sent >= 1
    assert Notification.objects.filter(user=users.street, kind="reminder",
                                       title__contains="已逾期 3 天").exists()
    assert sweep(timezone.localdate()) == 0  # nobody is told twice


def test_step_days_configurable(users, tree, settings):
    settings.PROJECT_STEP_DAYS = {"declared": 3}
    p = project_in(S.DECLARED, users, tree)
    assert p.step_deadline == timezone.localdate() + datetime.timedelta(days=3)


def test_photo_upload_refuses_non_images_and_oversize(users, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = project_in(S.EXECUTING, users, tree)
    fake = SimpleUploadedFile("photo.jpg", b"not really a jpeg", content_type="image/jpeg")
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        services.progress(p, user=users.liaison_a, text="进展", photos=[fake])
    assert refused.value.status == 400 and "不是有效的图片" in refused.value.message
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(DomainError, match="超过"):
        services.progress(p, user=users.liaison_a, text="进展", photos=[png_upload()])
    assert snapshot() == before
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    event = services.progress(p, user=users.liaison_a, text="第一次上门", photos=[png_upload()])
    assert event.photos.count() == 1


def test_photo_served_only_within_scope(users, tree, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    p = project_in(S.EXECUTING, users, tree)
    event = services.progress(p, user=users.liaison_a, text="上门", photos=[png_upload()])
    photo = event.photos.get()
    url = reverse("project_photo", args=[photo.pk])
    client.force_login(users.community_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(users.community_b)
    assert client.get(url).status_code == 404
    client.force_login(users.resident)
    assert client.get(url).status_code == 403


def test_progress_page_refuses_a_text_file(users, tree, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    p = project_in(S.EXECUTING, users, tree)
    client.force_login(users.liaison_a)
    response = client.post(reverse("project_step", args=[p.pk, "progress"]), {
        "text": "上门", "photos": SimpleUploadedFile("a.png", b"hello", "image/png")})
    assert response.status_code == 400  # invalid data, not a refused step
    assert "不是有效的图片" in response.content.decode()
    assert not ProjectPhoto.objects.exists()


def test_pages_render_for_their_users(users, tree, demand, resource, client):
    p = project_in(S.EXECUTING, users, tree)
    services.progress(p, user=users.liaison_a, text="已上门两次")
    client.force_login(users.community_a)
    for name, args in [("demand_list", []), ("demand_detail", [demand.pk]),
                       ("demand_matches", [demand.pk]), ("resource_list", []),
                       ("resource_detail", [resource.pk]), ("project_list", []),
                       ("project_detail", [p.pk]), ("project_supervision", []),
                       ("project_create", []), ("project_step", [p.pk, "accept"])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    page = client.get(reverse("project_detail", args=[p.pk])).content.decode()
    assert "鼎峰集团 认领了该项目 40%" in page and "已上门两次" in page


def test_supervision_counts(users, tree):
    project_in(S.DECLARED, users, tree)
    late = project_in(S.APPROVED, users, tree)
    Project.objects.filter(pk=late.pk).update(step_deadline=timezone.localdate()
                                              - datetime.timedelta(days=5))
    project_in(S.CLOSED, users, tree)
    from gongjian.projects.queries import supervision

    data = supervision(users.street)
    by_state = {s["state"]: s for s in data["states"]}
    assert data["root"] == tree.s
    assert (data["total"], data["overdue_total"]) == (3, 1)
    assert by_state["approved"]["overdue"] == 1 and by_state["closed"]["n"] == 1
    assert [c["org"] for c in data["children"]] == [tree.a]
    assert data["overdue"][0].days_overdue == 5 and data["overdue"][0].next_step == "认领"
    assert data["units"][0]["unit"] == tree.unit_a
    community_b = supervision(users.community_b)
    assert community_b["total"] == 0


def test_public_board_has_no_personal_data(users, tree, demand, resource):
    from gongjian.projects.queries import public_board

    project_in(S.EXECUTING, users, tree)
    project_in(S.DECLARED, users, tree)  # not yet approved: not public
    board = public_board(tree.a)
    assert [d["title"] for d in board["demands"]] == ["高龄老人上门理发"]
    assert [r["unit"] for r in board["resources"]] == ["鼎峰集团"]
    assert len(board["projects"]) == 1 and board["projects"][0]["units"] == ["鼎峰集团"]
    text = repr(board)
    for secret in (users.resident.username, users.resident.display_name, "金安花园有二十多位"):
        assert secret not in text


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_never_exceed_100(users, tree, make_user):
    """Ten units claim 20% of one project at the same moment: five get it, five are told the
    total would pass 100%, and the shares add up to exactly 100."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises whole transactions")
    from gongjian.orgs.models import Unit

    p = project_in(S.APPROVED, users, tree)
    liaisons = []
    for n in range(10):
        unit = Unit.objects.create(code=f"U-C{n}", name=f"单位{n}", unit_type="private_company",
                                   org=tree.a)
        liaisons.append(make_user("unit_liaison", unit=unit))
    barrier = threading.Barrier(len(liaisons))
    results = []

    def claim(user):
        try:
            barrier.wait()
            services.claim(Project.objects.get(pk=p.pk), user=user, share=20)
            results.append("ok")
        except DomainError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in liaisons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 5
    assert all("不能超过 100%" in r for r in results if r != "ok")
    assert Project.objects.get(pk=p.pk).claimed_share == 100
    assert sum(ProjectClaim.objects.filter(project=p).values_list("share", flat=True)) == 100
