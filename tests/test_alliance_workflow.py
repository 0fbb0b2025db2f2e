"""The alliance's workflow tables (meetings, tasks, agreements): refusals in the wrong state,
the steps a page offers being exactly those the services take, the history written through
record_event, the lists' FilterSets, the Word 协议书's liaison phones, and the demo's
history."""

import datetime
import io

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongjian.alliance import services
from gongjian.alliance.models import (
    Agreement,
    AgreementState,
    Event,
    Meeting,
    MeetingState,
    Task,
    TaskState,
)
from gongjian.alliance.workflows import AGREEMENT, MEETING, TASK
from gongjian.core.models import AuditEntry, Notification
from gongjian.core.services import DomainError

TODAY = timezone.localdate()
D = datetime.timedelta


@pytest.fixture
def alli(tree, users):
    alliance = services.create_alliance(user=users.street, org=tree.s, name="红盟同心",
                                        founded_on=datetime.date(2020, 5, 1))
    for unit in (tree.unit_a, tree.unit_b):
        services.add_member(alliance, user=users.street, unit=unit,
                            joined_on=datetime.date(2020, 5, 1))
    return alliance


@pytest.fixture
def liaison_b(tree, make_user):
    return make_user("unit_liaison", unit=tree.unit_b, username="liaison_b")


def _meeting(users, alliance, state=MeetingState.CALLED, title="第三次联席会议"):
    meeting = services.call_meeting(alliance, user=users.street, title=title, place="党群服务中心",
                                    starts_at=timezone.now() - D(hours=2), agenda="研究共建项目")
    if state == MeetingState.HELD:
        services.hold(meeting, user=users.street, minutes="纪要", attended_units=[])
    elif state == MeetingState.CANCELLED:
        services.cancel(meeting, user=users.street, reason="时间冲突")
    return Meeting.objects.get(pk=meeting.pk)


def _task(users, tree, alliance, state=TaskState.OPEN):
    meeting = services.call_meeting(alliance, user=users.street, title="会议", place="中心",
                                    starts_at=timezone.now() - D(hours=2), agenda="议程")
    services.hold(meeting, user=users.street, minutes="纪要", attended_units=[tree.unit_a],
                  decisions=[{"title": "开放活动室", "owner_unit": tree.unit_a,
                              "deadline": TODAY + D(days=10)}])
    task = Task.objects.get(meeting=meeting)
    if state == TaskState.DONE:
        services.complete(task, user=users.street, note="已开放")
    return Task.objects.get(pk=task.pk)


def _agreement(users, tree, state=AgreementState.DRAFT, number="GJXY-2026-001", **extra):
    data = dict(number=number, title="金安社区与鼎峰集团共驻共建协议", org=tree.a,
                unit=tree.unit_a, rights_obligations="甲方提供党建指导。",
                service_items="每季度一次义诊", starts_on=TODAY, ends_on=TODAY + D(days=365),
                org_liaison=tree.person_a, unit_liaison=tree.person_a)
    data.update(extra)
    agreement = services.create_agreement(user=users.community_a, **data)
    if state in (AgreementState.SIGNED, AgreementState.TERMINATED):
        services.sign(agreement, user=users.community_a)
    if state == AgreementState.TERMINATED:
        services.terminate(agreement, user=users.community_a, reason="单位搬离辖区")
    return Agreement.objects.get(pk=agreement.pk)


def _written():
    return (Event.objects.count(), Notification.objects.count(), AuditEntry.objects.count())


# ---- the tables refuse a step out of order, in Chinese, writing nothing ---------------------

def test_a_step_in_the_wrong_state_is_refused_and_writes_nothing(tree, users, alli):
    cases = [
        (lambda: _meeting(users, alli, MeetingState.CANCELLED),
         lambda m: services.hold(m, user=users.street, minutes="纪要"),
         "当前状态为“已取消”，不能记录召开。"),
        (lambda: _task(users, tree, alli, TaskState.DONE),
         lambda t: services.progress(t, user=users.liaison_a, note="再填"),
         "当前状态为“已完成”，不能填报进展。"),
        (lambda: _agreement(users, tree, AgreementState.TERMINATED),
         lambda a: services.sign(a, user=users.community_a),
         "当前状态为“已终止”，不能签订。"),
    ]
    for make, step, message in cases:
        obj = make()
        state, before = obj.state, _written()
        with pytest.raises(DomainError) as refused:
            step(obj)
        assert refused.value.status == 409 and refused.value.message == message
        assert type(obj).objects.get(pk=obj.pk).state == state
        assert _written() == before


def test_the_tables_name_each_step_once_with_its_service():
    for workflow in (MEETING, TASK, AGREEMENT):
        for step in workflow:
            assert callable(getattr(services, step.name)), step.name
    assert services.AGREEMENT_STEPS["sign"] == (frozenset({"draft"}), "signed", "签订")


# ---- steps offered = steps allowed ------------------------------------------------------------

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


def _actors(users, liaison_b):
    return {"street": users.street, "community_a": users.community_a,
            "community_b": users.community_b, "liaison_a": users.liaison_a,
            "liaison_b": liaison_b, "member": users.member, "resident": users.resident}


def _check_offered(workflow, obj, actors, calls):
    for name, user in actors.items():
        offered = workflow.available(user, obj)
        allowed = {step.name for step in workflow if _succeeds(
            lambda s=step, u=user: calls[s.name](u, type(obj).objects.get(pk=obj.pk)))}
        assert offered == allowed, (obj.state, name, offered, allowed)
        assert offered <= {s.name for s in workflow.next_steps(obj)}


def _reply_unit(user, meeting, fallback):
    from gongjian.alliance.models import Invitation
    from gongjian.core.access import restrict

    mine = restrict(user, "change", Invitation).filter(meeting=meeting).select_related("unit")
    return mine[0].unit if mine else fallback


@pytest.mark.parametrize("state", list(MeetingState))
def test_meeting_steps_offered_are_the_steps_allowed(tree, users, alli, liaison_b, state):
    meeting = _meeting(users, alli, state)
    calls = {
        "hold": lambda u, m: services.hold(m, user=u, minutes="纪要", attended_units=[]),
        "cancel": lambda u, m: services.cancel(m, user=u, reason="改期"),
        "reply": lambda u, m: services.reply(m, user=u, unit=_reply_unit(u, m, tree.unit_a),
                                             reply="attend"),
    }
    _check_offered(MEETING, meeting, _actors(users, liaison_b), calls)
    if state == MeetingState.CALLED:
        assert MEETING.available(users.liaison_a, meeting) == {"reply"}
        assert MEETING.available(users.street, meeting) == {"hold", "cancel", "reply"}
        assert MEETING.available(users.community_b, meeting) == set()


@pytest.mark.parametrize("state", list(TaskState))
def test_task_steps_offered_are_the_steps_allowed(tree, users, alli, liaison_b, state):
    task = _task(users, tree, alli, state)
    calls = {"progress": lambda u, t: services.progress(t, user=u, note="已对接"),
             "complete": lambda u, t: services.complete(t, user=u, note="已开放")}
    _check_offered(TASK, task, _actors(users, liaison_b), calls)
    if state == TaskState.OPEN:
        assert TASK.available(users.liaison_a, task) == {"progress", "complete"}
        assert TASK.available(liaison_b, task) == set()


@pytest.mark.parametrize("state", list(AgreementState))
def test_agreement_steps_offered_are_the_steps_allowed(tree, users, liaison_b, state):
    agreement = _agreement(users, tree, state)
    calls = {"edit": lambda u, a: services.edit(a, user=u, title="新标题"),
             "sign": lambda u, a: services.sign(a, user=u),
             "terminate": lambda u, a: services.terminate(a, user=u, reason="到期不续")}
    _check_offered(AGREEMENT, agreement, _actors(users, liaison_b), calls)
    assert AGREEMENT.available(users.liaison_a, agreement) == set()


def test_pages_offer_the_available_steps(client, tree, users, alli):
    draft = _agreement(users, tree)
    client.force_login(users.community_a)
    page = client.get(reverse("agreement_detail", args=[draft.pk])).content.decode()
    assert reverse("agreement_sign", args=[draft.pk]) in page
    assert reverse("agreement_terminate", args=[draft.pk]) not in page
    client.force_login(users.liaison_a)
    page = client.get(reverse("agreement_detail", args=[draft.pk])).content.decode()
    assert reverse("agreement_sign", args=[draft.pk]) not in page
    meeting = _meeting(users, alli)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "回复参会：鼎峰集团" in page and "回复参会：金山小学" not in page
    assert reverse("meeting_hold", args=[meeting.pk]) not in page
    client.force_login(users.community_b)  # reads the street's meeting, answers for no unit
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "回复参会" not in page and reverse("meeting_cancel", args=[meeting.pk]) not in page


def test_a_step_page_in_the_wrong_state_sends_back_with_the_reason(client, tree, users):
    signed = _agreement(users, tree, AgreementState.SIGNED)
    client.force_login(users.community_a)
    response = client.get(reverse("agreement_sign", args=[signed.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("agreement_detail", args=[signed.pk])
    assert "当前状态为“已签订”，不能签订。" in response.content.decode()
    refused = client.post(reverse("agreement_edit", args=[signed.pk]), {
        "number": "X", "title": "再改", "org": tree.a.pk, "unit": tree.unit_a.pk,
        "starts_on": TODAY.isoformat(), "ends_on": (TODAY + D(days=9)).isoformat(),
        "rights_obligations": "甲方", "service_items": "义诊"})
    assert refused.status_code == 400 and "不能修改" in refused.content.decode()
    assert Agreement.objects.get(pk=signed.pk).title != "再改"


def test_reply_page_names_the_refusal_beside_the_form(client, tree, users, alli):
    meeting = _meeting(users, alli)
    client.force_login(users.liaison_a)
    url = reverse("meeting_reply", args=[meeting.pk])
    refused = client.post(url, {"unit": "U-A", "reply": "leave", "note": ""})
    assert refused.status_code == 400 and "请假须说明原因。" in refused.content.decode()
    other = client.post(url, {"unit": "U-B", "reply": "attend"})  # not the liaison's unit
    assert other.status_code == 400 and "请选择本单位回复。" in other.content.decode()
    assert not Event.objects.filter(meeting=meeting, step="reply").exists()
    assert client.post(url, {"unit": "U-A", "reply": "attend"}).status_code == 302
    assert client.get(url).status_code == 405


# ---- history through record_event ----------------------------------------------------------

def test_steps_write_their_history_with_states_and_actor(client, tree, users, alli):
    meeting = _meeting(users, alli, title="“红盟”第三次联席会议")
    called = Event.objects.get(meeting=meeting, step="called")
    # Quotes inside a quoted name become single quotes, not nested doubles.
    assert called.text == "通知召开“‘红盟’第三次联席会议”，邀请 2 家成员单位"
    services.hold(meeting, user=users.street, minutes="纪要", attended_units=[tree.unit_a],
                  decisions=[{"title": "开放活动室", "owner_unit": tree.unit_a,
                              "deadline": TODAY + D(days=10)}])
    held = Event.objects.get(meeting=meeting, step="held")
    assert (held.state_from, held.state_to, held.actor, held.actor_name, held.org) == (
        "called", "held", users.street, users.street.display_name, tree.s)
    task = Task.objects.get(meeting=meeting)
    created = Event.objects.get(task=task)
    assert created.step == "created" and created.unit == tree.unit_a
    assert "会议“‘红盟’第三次联席会议”形成决议" in created.text
    services.complete(task, user=users.liaison_a, note="已开放")
    done = task.events.get(step="completed")
    assert (done.state_from, done.state_to, done.note, done.summary) == (
        "open", "done", "已开放", "办结")
    agreement = _agreement(users, tree)
    services.sign(agreement, user=users.community_a, signed_on=TODAY)
    signed = agreement.events.get(step="signed")
    assert (signed.state_from, signed.state_to, signed.unit) == ("draft", "signed", tree.unit_a)
    # The pages render the shared history partial, newest first.
    client.force_login(users.community_a)
    page = client.get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    assert 'id="history"' in page
    assert page.index(f"双方签订协议（{TODAY:%Y-%m-%d}）") < page.index("草拟协议")


# ---- one FilterSet per list, shared by page and API, through restrict ----------------------

def api_as(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_page_and_api_lists_filter_alike_and_within_reach(client, tree, users, alli):
    _agreement(users, tree, AgreementState.SIGNED)
    _agreement(users, tree, number="GJXY-2026-002")
    api = api_as(users.street)
    client.force_login(users.street)
    for query, numbers in (("?state=draft", ["GJXY-2026-002"]),
                           ("?unit=鼎峰&org=JS", ["GJXY-2026-001", "GJXY-2026-002"]),
                           ("?org=JS-B", [])):
        listed = api.get(f"/api/v1/agreements/{query}").json()["results"]
        assert sorted(a["number"] for a in listed) == numbers
        page = client.get(reverse("agreement_list") + query).content.decode()
        assert sorted(n for n in ("GJXY-2026-001", "GJXY-2026-002") if n in page) == numbers
    # An organisation outside the user's reach names nothing: community B reads the
    # street's alliance, but not the street organisation itself.
    comm_b = api_as(users.community_b)
    assert [a["id"] for a in comm_b.get("/api/v1/alliances/").json()["results"]] == [alli.pk]
    assert comm_b.get("/api/v1/alliances/?org=JS").json()["results"] == []
    assert [a["id"] for a in api.get("/api/v1/alliances/?org=JS").json()["results"]] \
        == [alli.pk]
    _task(users, tree, alli)
    client.force_login(users.liaison_a)
    assert "开放活动室" in client.get(reverse("task_list")).content.decode()
    assert "开放活动室" not in client.get(reverse("task_list") + "?state=done").content.decode()
    tasks = api_as(users.liaison_a).get("/api/v1/tasks/?owner=鼎峰").json()["results"]
    assert [t["title"] for t in tasks] == ["开放活动室"]


# ---- the Word 协议书: real phones for those who may reveal them, logged ---------------------

def _docx_text(response):
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_agreement_document_reveals_liaison_phones_to_those_allowed(client, tree, users):
    agreement = _agreement(users, tree, AgreementState.SIGNED)
    reveals = AuditEntry.objects.filter(event="reveal", object_type="members.person",
                                        object_id=str(tree.person_a.pk))
    client.force_login(users.community_a)  # may reveal person A (community staff of A)
    text = _docx_text(client.get(reverse("agreement_docx", args=[agreement.pk])))
    assert "甲方联络员：张华娟，联系电话 13800138000。" in text
    assert "138****8000" not in text
    entry = reveals.get()
    assert entry.actor == users.community_a and agreement.number in entry.detail
    # The unit's liaison may read the agreement but not reveal people: masked, nothing logged.
    client.force_login(users.liaison_a)
    text = _docx_text(client.get(reverse("agreement_docx", args=[agreement.pk])))
    assert "乙方联络员：张华娟，联系电话 138****8000。" in text and "13800138000" not in text
    assert reveals.count() == 1


# ---- the demo's history ----------------------------------------------------------------------

def _nested(text):
    depth = 0
    for c in text:
        if c == "“":
            depth += 1
            if depth > 1:
                return True
        elif c == "”":
            depth = max(depth - 1, 0)
    return False


def test_demo_history_is_never_in_the_future_and_quotes_do_not_nest(demo):
    from gongjian.alliance.models import Alliance

    now = timezone.now()
    assert Event.objects.exists()
    assert not Event.objects.filter(at__gt=now).exists()
    assert not Meeting.objects.filter(created_at__gt=now).exists()
    # A meeting still to come is there, called, with its history in the past.
    upcoming = Meeting.objects.filter(starts_at__gt=now, state=MeetingState.CALLED)
    assert upcoming.exists() and Event.objects.filter(meeting__in=upcoming).exists()
    texts = [*Event.objects.values_list("text", "note"),
             *Meeting.objects.values_list("title", "agenda", "minutes", "cancel_reason"),
             *Task.objects.values_list("title", "completion_note"),
             *Agreement.objects.values_list("title", "rights_obligations", "service_items"),
             *Alliance.objects.values_list("name", "description")]
    nested = [t for row in texts for t in row if _nested(t)]
    assert not nested, nested[:3]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_history(tree, users):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    agreement = _agreement(users, tree, AgreementState.SIGNED)
    executor = MigrationExecutor(connection)
    executor.migrate([("alliance", "0001_initial")])
    old = executor.loader.project_state([("alliance", "0001_initial")]).apps
    OldEvent = old.get_model("alliance", "Event")
    assert sorted(OldEvent.objects.filter(agreement_id=agreement.pk)
                  .values_list("kind", flat=True)) == ["drafted", "signed"]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = [(e.step, e.state_from, e.state_to, e.actor_name, e.text)
            for e in Event.objects.filter(agreement=agreement)]
    # The signing date is the agreement's own (the run may cross midnight after TODAY was read).
    assert rows == [("signed", "draft", "signed", "comm_a",
                     f"双方签订协议（{agreement.signed_on:%Y-%m-%d}）"),
                    ("drafted", "", "draft", "comm_a", "草拟协议")]
