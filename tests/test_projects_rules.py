"""Rules of the three lists that cross into other parts: organisations chosen without
assuming depths, residents' details kept from units, merging and dissolving organisations,
the demand transition table, photo metadata and matching candidates."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongjian.core.services import DomainError, OutOfScope
from gongjian.orgs import services as org_services
from gongjian.projects import matching, services
from gongjian.projects.models import Demand, DemandState, Project, ProjectClaim, ProjectState
from gongjian.projects.services import DEMAND_TRANSITIONS
from gongjian.projects.views import _orgs_for

S = ProjectState
D = DemandState


def new_demand(users, title="高龄老人上门理发"):
    return services.create_demand(
        user=users.resident, category="elderly", title=title,
        description="王大爷家住3号楼502，行动不便，希望每月有人上门理发。",
        place="金安花园3号楼", beneficiaries=25)


# ---- organisations offered for a new row -----------------------------------------------------

def test_orgs_offered_are_communities_and_their_branches_not_every_group(users, tree):
    codes = {o.code for o in _orgs_for(users.community_a, "add", Demand)}
    assert codes == {"JS-A", "JS-A1", "JS-A2"}  # not the group JS-A1G below the branch
    codes = {o.code for o in _orgs_for(users.street, "add", Project)}
    assert codes == {"JS", "JS-A", "JS-A1", "JS-A2", "JS-B", "JS-B1"}


def test_orgs_offered_in_a_city_wide_tree(users, tree, make_user):
    """A street below a district: the street's communities are found by what they are, not
    by how deep they sit."""
    def org(parent, code, kind, sector="community"):
        return org_services.create_organization(user=None, parent=parent, code=code, name=code,
                                                kind=kind, sector=sector)

    district = org(None, "QU", "working_committee", "street")
    street = org(district, "QU-JD", "working_committee", "street")
    community = org(street, "QU-JD-1", "committee")
    branch = org(community, "QU-JD-1A", "branch", "residential")
    org(branch, "QU-JD-1AG", "group", "building")
    staff = make_user("community_staff", community)
    assert {o.code for o in _orgs_for(staff, "add", Demand)} == {"QU-JD-1", "QU-JD-1A"}
    street_staff = make_user("street_staff", street)
    assert {o.code for o in _orgs_for(street_staff, "add", Demand)} == {
        "QU-JD", "QU-JD-1", "QU-JD-1A"}


def test_supervision_breadcrumbs_name_every_level_above(users, tree, client):
    client.force_login(users.street)
    response = client.get(reverse("project_supervision"), {"org": "JS-A1"})
    assert response.status_code == 200
    assert [c.code for c in response.context["crumbs"]] == ["JS", "JS-A"]


# ---- residents' details ----------------------------------------------------------------------

def test_unit_sees_the_outline_of_an_open_demand_only(users, tree, client):
    demand = new_demand(users)
    private = ("3号楼502", "金安花园3号楼", "resident_a")
    client.force_login(users.liaison_a)
    page = client.get(reverse("demand_detail", args=[demand.pk])).content.decode()
    assert "高龄老人上门理发" in page and "25 人" in page and "金安社区党委" in page
    for text in private:
        assert text not in page, text
    for user in (users.resident, users.community_a, users.street):
        client.force_login(user)
        page = client.get(reverse("demand_detail", args=[demand.pk])).content.decode()
        assert all(text in page for text in private[:2]), user


def test_detail_ids_follow_who_may_act(users, tree, make_user):
    demand = new_demand(users)
    assert services.demand_detail_ids([demand], user=users.resident) == {demand.pk}
    assert services.demand_detail_ids([demand], user=users.community_a) == {demand.pk}
    assert services.demand_detail_ids([demand], user=users.liaison_a) == set()
    assert services.demand_detail_ids([demand], user=make_user("resident", tree.a)) == set()
    # a grid worker's colleague on the same grid may withdraw what was posted there
    posted = services.create_demand(user=users.grid_a, category="legal", title="法律咨询",
                                    description="邻里纠纷", place="2号楼", beneficiaries=2)
    both = services.demand_detail_ids([demand, posted], user=make_user("grid_staff", tree.a1))
    assert both == {posted.pk}


# ---- merging and dissolving ------------------------------------------------------------------

def test_claims_follow_their_project_when_its_organisation_is_merged(users, tree):
    project = services.create_project(user=users.community_a, title="为老理发", category="elderly",
                                      description="上门理发", org=tree.a,
                                      target_beneficiaries=20)
    services.approve(project, user=users.street)
    services.claim(project, user=users.liaison_a, share=40)
    org_services.merge_organizations(tree.a, user=users.street, survivor=tree.b, reason="社区合并")
    project.refresh_from_db()
    assert project.org_id == tree.b.pk
    assert list(ProjectClaim.objects.values_list("org_id", flat=True)) == [tree.b.pk]


def test_active_projects_and_open_demands_block_dissolving(users, tree):
    c = org_services.create_organization(user=users.street, parent=tree.s, code="JS-C",
                                         name="金桥社区党委", kind="committee",
                                         sector="community")
    project = services.create_project(user=users.street, title="楼道清洁", category="environment",
                                      description="清理楼道杂物", org=c,
                                      target_beneficiaries=40)
    demand = services.create_demand(user=users.street, org=c, category="legal", title="法律咨询",
                                    description="邻里纠纷", place="社区", beneficiaries=2)
    with pytest.raises(DomainError) as refused:
        org_services.dissolve_organization(c, user=users.street)
    assert "1 个进行中的共建项目" in refused.value.message
    assert "1 条待处理的服务需求" in refused.value.message
    services.withdraw(project, user=users.street, reason="改由物业处理")
    services.withdraw_demand(demand, user=users.street, reason="已调解")
    org_services.dissolve_organization(c, user=users.street)
    c.refresh_from_db()
    assert c.dissolved_on is not None


# ---- demand transitions ----------------------------------------------------------------------

USER_STEPS = ("accept", "decline", "withdraw")


def demand_in(state, users):
    demand = new_demand(users)
    if state == D.ACCEPTED:
        services.accept_demand(demand, user=users.community_a)
    elif state == D.DECLINED:
        services.decline_demand(demand, user=users.community_a, reason="不属于服务范围")
    elif state == D.WITHDRAWN:
        services.withdraw_demand(demand, user=users.resident)
    elif state == D.PROJECT:
        services.create_project(user=users.community_a, title="上门理发", category="elderly",
                                description="每月上门", demands=[demand])
    return Demand.objects.get(pk=demand.pk)


@pytest.mark.parametrize("state", list(D))
@pytest.mark.parametrize("step", USER_STEPS)
def test_demand_transition_table(step, state, users, tree):
    demand = demand_in(state, users)
    who = users.resident if step == "withdraw" else users.community_a
    call = {"accept": lambda: services.accept_demand(demand, user=who),
            "decline": lambda: services.decline_demand(demand, user=who, reason="不属于服务范围"),
            "withdraw": lambda: services.withdraw_demand(demand, user=who, reason="")}[step]
    allowed, target = DEMAND_TRANSITIONS[step][0], DEMAND_TRANSITIONS[step][1]
    if state in allowed:
        call()
        assert Demand.objects.get(pk=demand.pk).state == target
    else:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.status == 409 and "不能" in refused.value.message
        assert Demand.objects.get(pk=demand.pk).state == state


@pytest.mark.parametrize("ending", ["reject", "withdraw"])
def test_rejected_or_withdrawn_project_gives_its_demands_back(ending, users, tree):
    first, second = new_demand(users), new_demand(users, "老年食堂送餐")
    project = services.create_project(user=users.community_a, title="为老服务", category="elderly",
                                      description="上门理发和送餐", demands=[first, second])
    if ending == "reject":
        services.reject(project, user=users.street, reason="与已有项目重复")
    else:
        services.withdraw(project, user=users.community_a, reason="改由物业处理")
    for demand in Demand.objects.filter(pk__in=[first.pk, second.pk]):
        assert demand.state == D.OPEN and demand.project_id is None
        assert "为老服务" in demand.reason and ("重复" in demand.reason or "物业" in demand.reason)
    event = project.events.get(step=ending)
    assert "已重新待受理" in event.note and "老年食堂送餐" in event.note
    # open again: it can be accepted and turned into another project
    services.accept_demand(first, user=users.community_a)
    again = services.create_project(user=users.community_a, title="上门理发", category="elderly",
                                    description="每月上门", demands=[first])
    assert Demand.objects.get(pk=first.pk).project_id == again.pk


def test_demand_step_needs_its_action(users, tree):
    demand = new_demand(users)
    with pytest.raises(OutOfScope):
        services.accept_demand(demand, user=users.grid_a)  # grid workers post, staff accept


# ---- steps through the page ------------------------------------------------------------------

def test_step_page_answers_400_for_invalid_data_and_409_for_a_refused_step(users, tree,
                                                                           client):
    project = services.create_project(user=users.community_a, title="为老理发", category="elderly",
                                      description="上门理发", org=tree.a,
                                      target_beneficiaries=20)
    services.approve(project, user=users.street)
    client.force_login(users.street)
    url = reverse("project_step", args=[project.pk, "claim"])
    assert client.post(url, {"share": 30, "unit": "U-A"}).status_code == 302
    response = client.post(url, {"share": 80, "unit": "U-B"})
    assert response.status_code == 409  # shares would exceed 100%: a refused step
    assert "认领份额合计不能超过 100%" in response.content.decode()
    client.force_login(users.community_a)
    response = client.post(reverse("project_step", args=[project.pk, "dock"]),
                           {"date": "2026-03-01", "place": "社区", "plan": " "})
    assert response.status_code == 400  # the plan is missing: invalid data


def test_service_400_reaches_the_page_as_400(users, tree, client, monkeypatch):
    project = services.create_project(user=users.community_a, title="为老理发", category="elderly",
                                      description="上门理发", org=tree.a,
                                      target_beneficiaries=20)
    services.approve(project, user=users.street)

    def invalid(*args, **kwargs):
        raise DomainError("认领份额须为 1–100%。", field="share", status=400)

    monkeypatch.setattr(services, "claim", invalid)
    client.force_login(users.street)
    response = client.post(reverse("project_step", args=[project.pk, "claim"]),
                           {"share": 30, "unit": "U-A"})
    assert response.status_code == 400
    assert "认领份额须为 1–100%" in response.content.decode()


# ---- photos ----------------------------------------------------------------------------------

def jpeg_with_metadata():
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = "Wang Xiaoming"  # Artist
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 1.0)}  # GPS
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"home of Wang Xiaoming")
    return SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_project_photo_is_stored_without_exif_or_gps(users, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = services.create_project(user=users.community_a, title="为老理发", category="elderly",
                                      description="上门理发", org=tree.a,
                                      target_beneficiaries=20)
    services.approve(project, user=users.street)
    services.claim(project, user=users.liaison_a, share=40)
    services.dock(project, user=users.community_a, date=datetime.date(2026, 3, 1), place="社区",
                  plan="方案")
    services.start(project, user=users.liaison_a)
    upload = jpeg_with_metadata()
    with Image.open(BytesIO(upload.read())) as original:
        assert original.getexif()  # the upload does carry it
    upload.seek(0)
    event = services.progress(project, user=users.liaison_a, text="第一次上门", photos=[upload])
    photo = event.photos.get()
    assert photo.content_type == "image/jpeg"
    with photo.image.open("rb") as handle:
        data = handle.read()
    assert b"Wang Xiaoming" not in data
    with Image.open(BytesIO(data)) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
        assert "comment" not in stored.info


# ---- matching --------------------------------------------------------------------------------

def test_full_resources_do_not_crowd_out_candidates(users, tree, monkeypatch):
    from gongjian.projects.models import Resource

    demand = new_demand(users)
    useful = services.create_resource(user=users.liaison_a, category="elderly", title="上门理发",
                                      description="为高龄老人上门理发", capacity=30)
    full = [services.create_resource(user=users.liaison_a, category="elderly",
                                     title=f"理发服务{i}", description="上门理发", capacity=10)
            for i in range(3)]
    Resource.objects.filter(pk__in=[r.pk for r in full]).update(committed=10)
    monkeypatch.setattr(matching, "CANDIDATE_LIMIT", 2)
    found = [m.obj.pk for m in matching.resources_for(users.community_a, demand)]
    assert found == [useful.pk]
