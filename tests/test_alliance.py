"""The alliance, joint meetings, decision tasks and co-building agreements: workflows,
validation, scope, the Word document and the daily reminders."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.alliance import reminders, services
from gongjian.alliance.models import (
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    ChairTerm,
    Event,
    Invitation,
    Meeting,
    MeetingState,
    Task,
    TaskState,
)
from gongjian.core.access import restrict
from gongjian.core.models import Notification
from gongjian.core.services import DomainError

TODAY = timezone.localdate()
D = datetime.timedelta


@pytest.fixture
def alli(tree, users):
    """The street's alliance with U-A and U-B as members."""
    alliance = services.create_alliance(user=users.street, org=tree.s, name="红盟同心",
                                        founded_on=datetime.date(2020, 5, 1))
    services.add_member(alliance, user=users.street, unit=tree.unit_a, liaison=tree.person_a,
                        joined_on=datetime.date(2020, 5, 1))
    services.add_member(alliance, user=users.street, unit=tree.unit_b, role="concurrent",
                        committee_person=tree.person_b, joined_on=datetime.date(2021, 1, 1),
                        term_start=datetime.date(2021, 1, 1),
                        term_end=datetime.date(2025, 12, 31))
    return alliance


def _call(user, alliance, days=7):
    return services.call_meeting(alliance, user=user, title="第三次联席会议",
                                 starts_at=timezone.now() + D(days=days), place="党群服务中心",
                                 agenda="一、通报共建项目\n二、研究下半年计划")


def _held(users, tree, alliance, deadline=None):
    meeting = _call(users.street, alliance, days=0)
    services.hold(meeting, user=users.street, minutes="会议研究了下半年计划。",
                          attended_units=[tree.unit_a],
                          decisions=[{"title": "开放职工活动室", "owner_unit": tree.unit_a,
                                      "deadline": deadline or TODAY + D(days=20)},
                                     {"title": "组织义诊", "owner_org": tree.a,
                                      "deadline": TODAY + D(days=40)}])
    return Meeting.objects.get(pk=meeting.pk)


def _agreement(user, tree, **extra):
    data = dict(number="GJXY-2026-001", title="金安社区与鼎峰集团共驻共建协议", org=tree.a,
                unit=tree.unit_a, rights_obligations="甲方提供党建指导。\n乙方开放活动场地。",
                service_items="每季度一次义诊\n法律咨询进社区", starts_on=TODAY,
                ends_on=TODAY + D(days=365), org_liaison=tree.person_a)
    data.update(extra)
    return services.create_agreement(user=user, **data)


# ---- transition tables ----------------------------------------------------------------------

def _meeting_in(users, alliance, state):
    meeting = _call(users.street, alliance)
    if state == MeetingState.HELD:
        services.hold(meeting, user=users.street, minutes="纪要", attended_units=[])
    elif state == MeetingState.CANCELLED:
        services.cancel(meeting, user=users.street, reason="时间冲突")
    return Meeting.objects.get(pk=meeting.pk)


MEETING_CALLS = {
    "hold": lambda u, t, m: services.hold(m, user=u.street, minutes="纪要",
                                                  attended_units=[]),
    "cancel": lambda u, t, m: services.cancel(m, user=u.street, reason="改期"),
    "reply": lambda u, t, m: services.reply(m, user=u.liaison_a, unit=t.unit_a,
                                                       reply="attend"),
}


@pytest.mark.parametrize("state", list(MeetingState))
@pytest.mark.parametrize("step", list(services.MEETING_STEPS))
def test_meeting_transition_table(tree, users, alli, state, step):
    meeting = _meeting_in(users, alli, state)
    sources, target, _ = services.MEETING_STEPS[step]
    events = Event.objects.filter(meeting=meeting).count()
    if state in sources:
        MEETING_CALLS[step](users, tree, meeting)
        assert Meeting.objects.get(pk=meeting.pk).state == target
        assert Event.objects.filter(meeting=meeting).count() == events + 1
    else:
        with pytest.raises(DomainError) as refused:
            MEETING_CALLS[step](users, tree, meeting)
        assert refused.value.status == 409
        assert f"当前状态为“{state.label}”" in refused.value.message
        assert Meeting.objects.get(pk=meeting.pk).state == state
        assert Event.objects.filter(meeting=meeting).count() == events


@pytest.mark.parametrize("step", list(services.TASK_STEPS))
def test_task_transition_table(tree, users, alli, step):
    meeting = _held(users, tree, alli)
    task = meeting.tasks.get(owner_unit=tree.unit_a)
    call = {"progress": lambda: services.progress(task, user=users.liaison_a, note="已对接"),
            "complete": lambda: services.complete(task, user=users.liaison_a, note="已开放")}
    call[step]()
    expected = services.TASK_STEPS[step][1]
    assert Task.objects.get(pk=task.pk).state == expected
    # A finished task takes no further step.
    if expected == TaskState.OPEN:
        services.complete(task, user=users.street, note="办结")
    for other in services.TASK_STEPS:
        with pytest.raises(DomainError) as refused:
            {"progress": lambda: services.progress(task, user=users.liaison_a, note="再填"),
             "complete": lambda: services.complete(task, user=users.liaison_a,
                                                        note="再办结")}[other]()
        assert refused.value.status == 409 and "已完成" in refused.value.message


def _agreement_in(users, tree, state):
    agreement = _agreement(users.community_a, tree)
    if state in (AgreementState.SIGNED, AgreementState.TERMINATED):
        services.sign(agreement, user=users.community_a)
    if state == AgreementState.TERMINATED:
        services.terminate(agreement, user=users.community_a, reason="单位搬离辖区")
    return Agreement.objects.get(pk=agreement.pk)


AGREEMENT_CALLS = {
    "edit": lambda u, a: services.edit(a, user=u.community_a, title="新标题"),
    "sign": lambda u, a: services.sign(a, user=u.community_a),
    "terminate": lambda u, a: services.terminate(a, user=u.community_a, reason="到期不续"),
}


@pytest.mark.parametrize("state", list(AgreementState))
@pytest.mark.parametrize("step", list(services.AGREEMENT_STEPS))
def test_agreement_transition_table(tree, users, state, step):
    agreement = _agreement_in(users, tree, state)
    sources, target, label = services.AGREEMENT_STEPS[step]
    if state in sources:
        AGREEMENT_CALLS[step](users, agreement)
        assert Agreement.objects.get(pk=agreement.pk).state == target
    else:
        with pytest.raises(DomainError) as refused:
            AGREEMENT_CALLS[step](users, agreement)
        assert refused.value.status == 409
        assert refused.value.message == f"当前状态为“{state.label}”，不能{label}。"
        assert Agreement.objects.get(pk=agreement.pk).state == state


# ---- validation -----------------------------------------------------------------------------

def test_agreement_ending_before_it_starts_is_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        _agreement(users.community_a, tree, ends_on=TODAY - D(days=1))
    assert refused.value.status == 400 and refused.value.field == "ends_on"
    assert refused.value.message == "结束日期不能早于开始日期。"
    assert not Agreement.objects.exists() and not Event.objects.filter(
        agreement__isnull=False).exists()


def test_agreement_needs_a_service_item_and_a_unit_of_the_street(tree, users, make_user):
    with pytest.raises(DomainError) as refused:
        _agreement(users.community_a, tree, service_items="  \n ")
    assert refused.value.field == "service_items"
    with pytest.raises(DomainError) as refused:
        _agreement(users.community_a, tree, number="GJXY-X", unit=tree.unit_b)
    assert refused.value.status == 400  # U-B lies in community B, outside A's reach


def test_a_unit_is_an_active_member_once_and_leaving_keeps_history(tree, users, alli):
    with pytest.raises(DomainError) as refused:
        services.add_member(alli, user=users.street, unit=tree.unit_a)
    assert refused.value.status == 400 and "已是本联盟的在册成员单位" in refused.value.message
    member = AllianceMember.objects.get(alliance=alli, unit=tree.unit_a)
    with pytest.raises(DomainError):
        services.member_leaves(member, user=users.street, reason="")
    services.member_leaves(member, user=users.street, reason="单位迁出辖区")
    with pytest.raises(DomainError) as refused:
        services.member_leaves(AllianceMember.objects.get(pk=member.pk), user=users.street,
                               reason="再退")
    assert refused.value.status == 409
    services.add_member(alli, user=users.street, unit=tree.unit_a)
    rows = AllianceMember.objects.filter(alliance=alli, unit=tree.unit_a)
    assert rows.count() == 2 and rows.filter(left_on__isnull=True).count() == 1
    assert Event.objects.filter(alliance=alli, step="left").count() == 1


def test_concurrent_member_names_the_committee_person(tree, users, alli, fresh):
    services.member_leaves(AllianceMember.objects.get(unit=tree.unit_b), user=users.street,
                           reason="换届")
    with pytest.raises(DomainError) as refused:
        services.add_member(alli, user=users.street, unit=tree.unit_b, role="concurrent")
    assert refused.value.field == "committee_person" and "兼职委员" in refused.value.message


def test_chair_terms_do_not_overlap(tree, users, alli):
    services.add_chair_term(alli, user=users.street, unit=tree.unit_a, starts_on=TODAY,
                            ends_on=TODAY + D(days=90))
    with pytest.raises(DomainError) as refused:
        services.add_chair_term(alli, user=users.street, unit=tree.unit_b,
                                starts_on=TODAY + D(days=90), ends_on=TODAY + D(days=180))
    assert refused.value.status == 400 and "重叠" in refused.value.message
    with pytest.raises(DomainError) as refused:
        services.add_chair_term(alli, user=users.street, unit=tree.unit_b,
                                starts_on=TODAY + D(days=100), ends_on=TODAY + D(days=99))
    assert refused.value.field == "ends_on"
    assert ChairTerm.objects.count() == 1
    services.add_chair_term(alli, user=users.street, unit=tree.unit_b,
                            starts_on=TODAY + D(days=91), ends_on=TODAY + D(days=180))
    current, upcoming = services.chair_now_and_next(alli)
    assert current.unit == tree.unit_a and upcoming.unit == tree.unit_b


def test_generate_rotation(tree, users, alli):
    y = TODAY.year + 1  # in the future: nothing here is history yet
    start = datetime.date(y, 1, 31)
    terms = services.generate_rotation(alli, user=users.street, units=[tree.unit_b, tree.unit_a],
                                       months=6, starts_on=start, rounds=2)
    spans = [(t.unit.code, t.starts_on, t.ends_on) for t in terms]
    assert spans == [
        ("U-B", datetime.date(y, 1, 31), datetime.date(y, 7, 30)),
        ("U-A", datetime.date(y, 7, 31), datetime.date(y + 1, 1, 30)),
        ("U-B", datetime.date(y + 1, 1, 31), datetime.date(y + 1, 7, 30)),
        ("U-A", datetime.date(y + 1, 7, 31), datetime.date(y + 2, 1, 30)),
    ]
    # Again from a later date: the term running across it ends the day before.
    services.generate_rotation(alli, user=users.street, units=[tree.unit_a], months=3,
                               starts_on=datetime.date(y, 3, 1))
    rows = list(ChairTerm.objects.filter(alliance=alli).order_by("starts_on")
                .values_list("unit__code", "starts_on", "ends_on"))
    assert rows == [("U-B", datetime.date(y, 1, 31), datetime.date(y, 2, 28 + (y % 4 == 0))),
                    ("U-A", datetime.date(y, 3, 1), datetime.date(y, 5, 31))]
    with pytest.raises(DomainError):
        services.generate_rotation(alli, user=users.street, units=[tree.unit_a, tree.unit_a],
                                   months=3, starts_on=start)


def test_rotation_keeps_past_terms_and_is_logged(tree, users, alli):
    from gongjian.core.models import AuditEntry

    # Recording a past rotation where none was held is fine.
    services.generate_rotation(alli, user=users.street, units=[tree.unit_a, tree.unit_b], months=2,
                               starts_on=TODAY - D(days=150), rounds=2)
    before = list(ChairTerm.objects.order_by("starts_on").values_list(
        "unit_id", "starts_on", "ends_on"))
    ended = ChairTerm.objects.filter(ends_on__lt=TODAY).order_by("starts_on")
    for starts_on in (ended[0].starts_on, ended[1].ends_on, TODAY - D(days=1)):
        with pytest.raises(DomainError) as refused:
            services.generate_rotation(alli, user=users.street, units=[tree.unit_b], months=3,
                                       starts_on=starts_on)
        assert refused.value.status == 400 and refused.value.field == "starts_on"
        assert "历史记录" in refused.value.message
    assert list(ChairTerm.objects.order_by("starts_on").values_list(
        "unit_id", "starts_on", "ends_on")) == before
    # From today on: the running term ends yesterday, later ones are replaced — all logged.
    running = ChairTerm.objects.get(starts_on__lte=TODAY, ends_on__gte=TODAY)
    later = list(ChairTerm.objects.filter(starts_on__gt=TODAY).values_list("pk", flat=True))
    assert later
    logged = AuditEntry.objects.filter(object_type="alliance.chairterm")
    seen = logged.count()
    terms = services.generate_rotation(alli, user=users.street, units=[tree.unit_b], months=3,
                                       starts_on=TODAY)
    running.refresh_from_db()
    assert running.ends_on == TODAY - D(days=1)
    assert logged.filter(event="update", object_id=str(running.pk),
                         after={"ends_on": (TODAY - D(days=1)).isoformat()}).exists()
    assert logged.filter(event="delete", object_id__in=[str(pk) for pk in later]).count() \
        == len(later)
    assert logged.filter(event="create", object_id=str(terms[0].pk)).exists()
    assert logged.count() == seen + 1 + len(later) + len(terms)


def test_hold_meeting_turns_decisions_into_tasks_and_tells_owners(tree, users, alli):
    meeting = _call(users.street, alli)
    invited = Notification.objects.filter(user=users.liaison_a, kind="meeting").count()
    assert invited == 1  # the call itself told U-A's liaison
    with pytest.raises(DomainError) as refused:
        services.reply(meeting, user=users.liaison_a, unit=tree.unit_a, reply="leave")
    assert refused.value.field == "note"
    services.reply(meeting, user=users.liaison_a, unit=tree.unit_a, reply="attend")
    with pytest.raises(DomainError) as refused:  # U-B is not the liaison's unit
        services.reply(meeting, user=users.liaison_a, unit=tree.unit_b, reply="attend")
    assert refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        services.hold(meeting, user=users.street, minutes="纪要",
                              attended_units=[tree.unit_a],
                              decisions=[{"title": "开放活动室", "owner_unit": tree.unit_a,
                                          "owner_org": tree.a, "deadline": TODAY}])
    assert "一个责任单位或责任组织" in refused.value.message
    assert not Task.objects.exists()
    services.hold(meeting, user=users.street, minutes="纪要", attended_units=[tree.unit_a],
                          decisions=[{"title": "开放活动室", "owner_unit": tree.unit_a,
                                      "deadline": TODAY + D(days=10)}])
    assert Invitation.objects.get(meeting=meeting, unit=tree.unit_a).attended is True
    assert Invitation.objects.get(meeting=meeting, unit=tree.unit_b).attended is False
    task = Task.objects.get()
    assert task.owner == tree.unit_a and task.state == TaskState.OPEN
    assert Notification.objects.filter(user=users.liaison_a, kind="task").count() == 1


# ---- scope ----------------------------------------------------------------------------------

def test_liaison_sees_only_what_concerns_their_unit(tree, users, alli, make_user):
    meeting = _held(users, tree, alli)
    _agreement(users.community_a, tree)
    liaison_b = make_user("unit_liaison", unit=tree.unit_b)
    _agreement(users.street, tree, number="GJXY-2026-002", org=tree.b, unit=tree.unit_b,
               org_liaison=None)
    tasks_a = restrict(users.liaison_a, "view", Task)
    assert {t.owner_unit for t in tasks_a} == {tree.unit_a}
    assert not restrict(liaison_b, "view", Task).exists()
    assert [a.unit for a in restrict(users.liaison_a, "view", Agreement)] == [tree.unit_a]
    assert [a.unit for a in restrict(liaison_b, "view", Agreement)] == [tree.unit_b]
    assert not restrict(users.liaison_a, "change", Agreement).exists()
    assert list(restrict(users.liaison_a, "view", AllianceMember).values_list(
        "unit", flat=True)) == [tree.unit_a.pk]
    assert restrict(users.liaison_a, "view", Meeting).filter(pk=meeting.pk).exists()
    # The community's task (owner: community A) is not the liaison's to act on.
    org_task = meeting.tasks.get(owner_org=tree.a)
    with pytest.raises(DomainError) as refused:
        services.complete(org_task, user=users.liaison_a, note="办结")
    assert refused.value.status == 404
    services.complete(org_task, user=users.community_a, note="已组织义诊两次")


def test_liaison_does_not_read_other_units_replies(tree, users, alli, make_user):
    meeting = _call(users.street, alli)
    liaison_b = make_user("unit_liaison", unit=tree.unit_b)
    services.reply(meeting, user=liaison_b, unit=tree.unit_b, reply="leave",
                              note="单位体检安排冲突")
    services.reply(meeting, user=users.liaison_a, unit=tree.unit_a, reply="attend")
    seen = restrict(users.liaison_a, "view", Event).filter(meeting=meeting)
    assert seen.filter(step="called").exists()            # the call itself
    assert seen.filter(step="reply", unit=tree.unit_a).exists()  # its own reply
    assert not seen.filter(unit=tree.unit_b).exists()      # not U-B's leave reason
    assert not any("体检" in e.note for e in services.events_of(user=users.liaison_a,
                                                                meeting=meeting))
    assert restrict(users.street, "view", Event).filter(meeting=meeting, unit=tree.unit_b)\
        .exists()


def test_street_reads_are_the_street_only_in_a_city_wide_tree(tree, make_user):
    from gongjian.orgs.models import Organization
    from gongjian.orgs.services import create_organization

    def org(parent, code, kind, sector):
        return create_organization(user=None, parent=parent, code=code, name=f"{code}组织",
                                   kind=kind, sector=sector)

    city = org(None, "CITY", "working_committee", "street")
    district = org(city, "CITY-D", "working_committee", "street")
    street = org(district, "CITY-D-S", "working_committee", "street")
    community = org(street, "CITY-D-S-1", "committee", "community")
    other_street = org(district, "CITY-D-T", "working_committee", "street")
    city_staff = make_user("street_staff", city)
    street_alliance = services.create_alliance(
        user=city_staff, org=Organization.objects.get(pk=street.pk), name="街道联盟",
        founded_on=datetime.date(2020, 1, 1))
    services.create_alliance(
        user=city_staff, org=Organization.objects.get(pk=district.pk), name="区联盟",
        founded_on=datetime.date(2020, 1, 1))
    community_staff = make_user("community_staff", community)
    assert list(restrict(community_staff, "view", Alliance)) == [street_alliance]
    # An agreement of the street with a unit of another street is refused.
    from gongjian.orgs.models import Unit

    far = Unit(code="U-FAR", name="远处单位", unit_type="school",
               org=Organization.objects.get(pk=other_street.pk))
    far.save()
    near = Unit(code="U-NEAR", name="近处单位", unit_type="school",
                org=Organization.objects.get(pk=community.pk))
    near.save()
    with pytest.raises(DomainError) as refused:
        _agreement(city_staff, tree, org=Organization.objects.get(pk=street.pk), unit=far,
                   org_liaison=None)
    assert refused.value.field == "unit" and "本街道辖区" in refused.value.message
    agreement = _agreement(city_staff, tree, org=Organization.objects.get(pk=street.pk),
                           unit=near, org_liaison=None)
    assert agreement.unit == near


def test_community_b_sees_nothing_of_community_a(tree, users, make_user):
    community_alliance = services.create_alliance(user=users.community_a, org=tree.a,
                                                  name="金安社区大党委",
                                                  founded_on=datetime.date(2019, 3, 1))
    _agreement(users.community_a, tree)
    for model in (Alliance, Agreement, Event):
        assert not restrict(users.community_b, "view", model).exists()
    assert restrict(users.community_a, "view", Alliance).get() == community_alliance
    # The street reads and manages both.
    assert restrict(users.street, "change", Agreement).count() == 1


def test_community_reads_the_street_alliance_but_does_not_manage_it(tree, users, alli):
    assert restrict(users.community_b, "view", Alliance).get() == alli
    meeting = _held(users, tree, alli)
    seen = restrict(users.community_b, "view", Event)
    assert seen.filter(meeting=meeting, step="held").exists()
    assert seen.filter(task__meeting=meeting).count() == 2
    street_agreement = _agreement(users.street, tree, org=tree.s, org_liaison=None)
    assert not seen.filter(agreement=street_agreement).exists()
    assert not restrict(users.community_b, "view", Agreement).exists()
    assert not restrict(users.community_b, "change", Alliance).exists()
    with pytest.raises(DomainError) as refused:
        services.add_member(alli, user=users.community_a, unit=tree.unit_a)
    assert refused.value.status == 404


@pytest.mark.parametrize("actor", ["member", "resident", "grid_a", "sysadmin"])
def test_others_have_no_alliance_pages(client, users, actor):
    client.force_login(getattr(users, actor))
    for name in ("alliance_list", "task_list", "agreement_list"):
        assert client.get(reverse(name)).status_code == 403


# ---- pages ----------------------------------------------------------------------------------

def test_pages_show_chair_overdue_tasks_and_history(client, tree, users, alli):
    services.generate_rotation(alli, user=users.street, units=[tree.unit_a, tree.unit_b], months=6,
                               starts_on=TODAY - D(days=10))
    meeting = _held(users, tree, alli)
    overdue = meeting.tasks.get(owner_unit=tree.unit_a)
    Task.objects.filter(pk=overdue.pk).update(deadline=TODAY - D(days=2))
    client.force_login(users.street)
    page = client.get(reverse("alliance_detail", args=[alli.pk])).content.decode()
    assert "现任" in page and "下一任：金山小学" in page
    assert "逾期" in page and "开放职工活动室" in page
    assert "生成轮值主席安排" in page  # the history
    listed = client.get(reverse("task_list") + "?state=overdue").content.decode()
    assert "开放职工活动室" in listed and "组织义诊" not in listed
    detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "会议召开：出席 1/2 家，形成决议 2 项" in detail


def test_hold_page_posts_attendance_minutes_and_decisions(client, tree, users, alli):
    meeting = _call(users.street, alli, days=0)
    client.force_login(users.street)
    url = reverse("meeting_hold", args=[meeting.pk])
    assert client.get(url).status_code == 200
    data = {"attended": [str(tree.unit_a.pk)], "minutes": "研究了共建项目。",
            "d-TOTAL_FORMS": "2", "d-INITIAL_FORMS": "0",
            "d-0-title": "开放活动室", "d-0-owner": f"u{tree.unit_a.pk}",
            "d-0-deadline": (TODAY + D(days=9)).isoformat(),
            "d-1-title": "", "d-1-owner": "", "d-1-deadline": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.HELD
    assert Task.objects.get().title == "开放活动室"
    again = client.post(url, data)
    assert again.status_code == 400 and not Task.objects.filter(title="开放活动室").count() > 1


def test_agreement_form_refuses_end_before_start_naming_the_field(client, tree, users):
    client.force_login(users.community_a)
    response = client.post(reverse("agreement_create"), {
        "number": "GJXY-9", "title": "共建协议", "org": tree.a.pk, "unit": tree.unit_a.pk,
        "starts_on": "2026-06-01", "ends_on": "2026-05-01",
        "rights_obligations": "甲方提供阵地", "service_items": "义诊"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert not Agreement.objects.exists()


def test_docx_download_opens_and_names_the_parties(client, tree, users):
    from docx import Document

    agreement = _agreement(users.community_a, tree)
    services.sign(agreement, user=users.community_a)
    client.force_login(users.liaison_a)
    response = client.get(reverse("agreement_docx", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = " ".join(c.text for table in doc.tables for row in table.rows for c in row.cells)
    assert "共驻共建协议书" in text
    assert f"甲方：{tree.a.name}" in text and f"乙方：{tree.unit_a.name}" in text
    assert "每季度一次义诊" in text and "第三条 共建服务事项" in text
    assert "138****8000" in text and "13800138000" not in text  # the liaison's phone, masked
    assert tree.a.name in cells and "签订日期" in cells


# ---- reminders ------------------------------------------------------------------------------

def test_reminder_sweep_tells_each_owner_once(tree, users, alli):
    meeting = _held(users, tree, alli)
    due = meeting.tasks.get(owner_unit=tree.unit_a)
    Task.objects.filter(pk=due.pk).update(deadline=TODAY + D(days=3))
    late = meeting.tasks.get(owner_org=tree.a)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - D(days=1))
    expiring = _agreement(users.community_a, tree, ends_on=TODAY + D(days=30))
    services.sign(expiring, user=users.community_a)
    later = _agreement(users.community_a, tree, number="GJXY-2026-009",
                       ends_on=TODAY + D(days=31))
    services.sign(later, user=users.community_a)

    first = {"tasks": reminders.remind_tasks(TODAY),
             "agreements": reminders.remind_agreements(TODAY)}
    # U-A's liaison (due soon); street + community A staff (overdue, owner community A);
    # the expiring agreement: community A's staff, the street's, and U-A's liaison.
    assert first == {"tasks": 3, "agreements": 3}
    keys = set(Notification.objects.exclude(key="").values_list("key", flat=True))
    assert keys == {f"alliance-task:{due.pk}:due", f"alliance-task:{late.pk}:overdue",
                    f"agreement:{expiring.pk}:expiring"}
    assert Notification.objects.filter(user=users.liaison_a,
                                       key=f"agreement:{expiring.pk}:expiring").exists()
    total = Notification.objects.count()
    assert reminders.remind_tasks(TODAY) == 0 and reminders.remind_agreements(TODAY) == 0
    assert Notification.objects.count() == total
    # Once overdue, the due-soon task gets its overdue reminder (once).
    assert reminders.remind_tasks(TODAY + D(days=4)) == 1
    assert reminders.remind_tasks(TODAY + D(days=4)) == 0


def test_expiry_flags(tree, users):
    agreement = _agreement(users.community_a, tree, ends_on=TODAY + D(days=30))
    assert agreement.expiry() == ""
    services.sign(agreement, user=users.community_a)
    agreement.refresh_from_db()
    assert agreement.expiry_label == "即将到期"
    assert agreement.expiry(TODAY + D(days=31)) == "expired"
    assert Agreement.objects.expiring(TODAY).get() == agreement
    assert agreement.expiry(TODAY - D(days=1)) == ""
