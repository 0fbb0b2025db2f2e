"""The checklists (清单式管理, RULES §12): the workflow table of the 责任清单 and 问题清单 — steps
out of order refused in Chinese with nothing written, the close-out guard (never by whoever
filed or fixed a problem), extensions, the overdue vector, reminders and the public board."""

import datetime

import pytest
from access_checklists import inspector, learning, problem, responsibility

from gongjian.checklists import services
from gongjian.checklists.models import ChecklistEvent, ChecklistItem, Kind, State
from gongjian.core.models import Notification, RoleGrant
from gongjian.core.services import DomainError, OutOfScope

D = datetime.date


def _snapshot(item):
    row = ChecklistItem.objects.get(pk=item.pk)
    return (row.state, row.deadline, row.evidence, row.result, ChecklistEvent.objects.count())


def test_publish_makes_one_item_per_organisation_and_tells_each(tree, users):
    items = services.publish(user=users.street, publisher=tree.s, orgs=[tree.a, tree.b],
                             title="规范开展主题党日", category="org_life",
                             deadline=datetime.date.today() + datetime.timedelta(days=20))
    assert [i.org for i in items] == [tree.a, tree.b]
    assert {i.state for i in items} == {State.PUBLISHED}
    assert Notification.objects.filter(user=users.community_a, key="").count() == 1
    assert Notification.objects.filter(user=users.community_b).count() == 1
    assert [e.step for e in items[0].events.all()] == ["publish"]


def test_publish_refuses_a_past_deadline_and_an_organisation_not_below(tree, users):
    with pytest.raises(DomainError, match="完成时限不能早于今天"):
        services.publish(user=users.street, publisher=tree.s, orgs=[tree.a], title="x",
                         category="org_life", deadline=D(2020, 1, 1))
    with pytest.raises(DomainError, match="不能以“金安社区党委”的名义"):
        services.publish(user=users.street, publisher=tree.a, orgs=[tree.a1], title="x",
                         category="org_life", deadline=datetime.date.today())
    assert not ChecklistItem.objects.exists()


def test_responsibility_cycle(tree, users):
    item = responsibility(tree, users)
    item = services.claim(item, user=users.community_a)
    assert item.state == State.CLAIMED
    item = services.progress(item, user=users.community_a, evidence="已开展两次主题党日")
    assert item.state == State.IN_PROGRESS
    item = services.submit(item, user=users.community_a, evidence="全年计划已落实")
    assert item.state == State.SUBMITTED
    # Submitting tells the level above.
    assert Notification.objects.filter(user=users.street, title__contains="待验收").exists()
    item = services.send_back(item, user=users.street, reason="缺少会议记录")
    assert item.state == State.IN_PROGRESS and item.result == "缺少会议记录"
    item = services.submit(item, user=users.community_a, evidence="补充了会议记录")
    item = services.accept(item, user=users.street, result="同意")
    assert item.state == State.DONE and item.checked_by == users.street
    assert item.completed_on == datetime.date.today() and not item.finished_late
    assert [e.step for e in item.events.all()] == [
        "publish", "claim", "progress", "submit", "send_back", "submit", "accept"]


@pytest.mark.parametrize("state,step,params,message", [
    ("published", "accept", {}, "当前为“待认领”，不能验收通过"),
    ("published", "submit", {"evidence": "x"}, "当前为“待认领”，不能提交验收"),
    ("claimed", "claim", {}, "当前为“已认领”，不能领单"),
    ("done", "progress", {"evidence": "x"}, "当前为“已完成”，不能报告进展"),
    ("done", "extend", {"deadline": "2099-01-01", "reason": "x"}, "当前为“已完成”，不能延期"),
    ("submitted", "rectify", {"measures": "x"}, "当前为“待验收”，不能制定整改措施"),
])
def test_responsibility_steps_out_of_order_are_refused_and_write_nothing(
        tree, users, state, step, params, message):
    item = responsibility(tree, users, state)
    before = _snapshot(item)
    actor = users.street if step in ("accept", "extend") else users.community_a
    with pytest.raises(DomainError, match=message) as refused:
        getattr(services, step)(item, user=actor, **params)
    assert refused.value.status == 409
    assert _snapshot(item) == before


@pytest.mark.parametrize("state,step,params,message", [
    ("registered", "apply_close", {"evidence": "x"}, "当前为“已登记”，不能申请销号"),
    ("registered", "close_out", {}, "当前为“已登记”，不能销号"),
    ("rectifying", "close_out", {}, "当前为“整改中”，不能销号"),
    ("closed", "reject", {"reason": "x"}, "当前为“已销号”，不能退回整改"),
    ("applied", "claim", {}, "当前为“申请销号”，不能领单"),
])
def test_problem_steps_out_of_order_are_refused_and_write_nothing(
        tree, users, state, step, params, message):
    item = problem(tree, users, state)
    before = _snapshot(item)
    actor = users.street if step in ("close_out", "reject") else users.community_a
    with pytest.raises(DomainError, match=message):
        getattr(services, step)(item, user=actor, **params)
    assert _snapshot(item) == before


def test_the_responsible_side_and_the_level_above_keep_to_their_steps(tree, users):
    item = responsibility(tree, users, "submitted")
    claimed = responsibility(tree, users, "claimed")
    before = _snapshot(item)
    # The community holds the checker's right (for its branches), but not over itself.
    with pytest.raises(DomainError, match="须由“金安社区党委”的上级组织验收"):
        services.accept(item, user=users.community_a)
    # The street holds no right to claim or report: its own work is checking.
    with pytest.raises(OutOfScope):
        services.submit(claimed, user=users.street, evidence="x")
    assert _snapshot(item) == before


def test_steps_offered_are_the_steps_allowed(tree, users, twins):
    item = responsibility(tree, users, "submitted")
    assert [s.name for s in services.WORKFLOW.available_steps(users.street, item)] == [
        "accept", "send_back"]
    assert services.WORKFLOW.available_steps(users.community_a, item) == []
    assert services.WORKFLOW.available_steps(twins.branch_a, item) == []
    claimed = responsibility(tree, users, "claimed")
    assert [s.name for s in services.WORKFLOW.available_steps(users.community_a, claimed)] == [
        "progress", "submit"]
    assert [s.name for s in services.WORKFLOW.available_steps(users.street, claimed)] == [
        "extend"]


def test_problem_closed_out_by_the_level_above_never_by_its_filer(tree, users):
    filer = inspector(tree)
    item = problem(tree, users, "applied")
    assert item.filed_by == filer
    events = ChecklistEvent.objects.count()
    # The filer holds a post at the level above, and is still refused.
    assert services.WORKFLOW.available(filer, item) == set()
    for step, params in (("close_out", {"result": "同意"}), ("reject", {"reason": "x"})):
        with pytest.raises(DomainError, match="问题由您登记，不能由您本人销号") as refused:
            getattr(services, step)(item, user=filer, **params)
        assert refused.value.status == 409
    assert ChecklistItem.objects.get(pk=item.pk).state == State.APPLIED
    assert ChecklistEvent.objects.count() == events
    # Another account of the street closes it out.
    closed = services.close_out(item, user=users.street, result="台账齐全，同意销号")
    assert closed.state == State.CLOSED and closed.checked_by == users.street
    assert closed.events.last().step == "close_out"


def test_problem_not_closed_out_by_one_who_worked_on_it(tree, users, make_user):
    # An account that is both the branch's committee and the community's staff.
    dual = make_user("branch_committee", tree.a1, username="dual")
    RoleGrant.objects.create(user=dual, role="community_staff", org=tree.a)
    item = services.register_problem(user=users.street, org=tree.a1, source="resident",
                                     title="楼道堆物", content="居民反映楼道堆放杂物",
                                     deadline=datetime.date.today() + datetime.timedelta(days=7))
    assert item.publisher == tree.a
    item = services.rectify(item, user=dual, measures="清理并建立巡查制度")
    item = services.apply_close(item, user=dual, evidence="已清理")
    with pytest.raises(DomainError, match="您参与了该问题的整改"):
        services.close_out(item, user=dual)
    # The community's other staff (level above the branch) closes it out.
    assert services.close_out(item, user=users.community_a).state == State.CLOSED


def test_reject_sends_back_to_rectifying_with_the_reason(tree, users):
    item = problem(tree, users, "applied")
    with pytest.raises(DomainError, match="请填写退回理由") as refused:
        services.reject(item, user=users.street, reason=" ")
    assert refused.value.status == 400 and refused.value.field == "reason"
    item = services.reject(item, user=users.street, reason="未见整改实效")
    assert item.state == State.RECTIFYING
    assert item.events.last().note == "未见整改实效"
    item = services.apply_close(item, user=users.community_a, evidence="再次整改，台账已补齐")
    assert services.close_out(item, user=users.street).state == State.CLOSED


def test_extension_keeps_the_first_deadline_and_the_history(tree, users):
    item = problem(tree, users, "rectifying")
    first = item.deadline
    with pytest.raises(DomainError, match="延期须由“金安社区党委”的上级组织批准"):
        services.extend(item, user=users.community_a, deadline=first + datetime.timedelta(1),
                        reason="x")
    with pytest.raises(DomainError, match="新的完成时限须晚于原时限"):
        services.extend(item, user=users.street, deadline=first, reason="需协调")
    with pytest.raises(DomainError, match="请填写延期理由"):
        services.extend(item, user=users.street, deadline=first + datetime.timedelta(9))
    assert ChecklistItem.objects.get(pk=item.pk).deadline == first
    later = first + datetime.timedelta(days=30)
    item = services.extend(item, user=users.street, deadline=later, reason="需协调物业")
    item = services.extend(item, user=users.street, deadline=later + datetime.timedelta(5),
                           reason="物业更换")
    assert item.deadline == later + datetime.timedelta(5) and item.original_deadline == first
    assert item.state == State.RECTIFYING
    extensions = list(item.events.filter(step="extend"))
    assert [e.note for e in extensions] == ["需协调物业", "物业更换"]
    assert extensions[0].text == f"延期：{first:%Y-%m-%d} → {later:%Y-%m-%d}"


def _past(tree, users, *, state, deadline, kind=Kind.PROBLEM, completed_on=None):
    item = ChecklistItem(kind=kind, org=tree.a, publisher=tree.s, title="历史问题",
                         source="inspection", category="org_life", deadline=deadline,
                         original_deadline=deadline, state=state, completed_on=completed_on,
                         filed_by=inspector(tree))
    item.full_clean()
    item.save()
    return item


def test_overdue_vector(tree, users):
    """Due 2025-06-30 and open on 2025-07-01 → 逾期 (RULES §12)."""
    item = _past(tree, users, state=State.RECTIFYING, deadline=D(2025, 6, 30))
    assert item.is_overdue(D(2025, 7, 1))
    assert not item.is_overdue(D(2025, 6, 30))
    assert list(ChecklistItem.objects.overdue(D(2025, 7, 1))) == [item]
    assert not ChecklistItem.objects.overdue(D(2025, 6, 30)).exists()
    closed = _past(tree, users, state=State.CLOSED, deadline=D(2025, 6, 30),
                   completed_on=D(2025, 7, 5))
    assert not closed.is_overdue(D(2025, 7, 1)) and closed.finished_late


def test_an_overdue_item_can_still_be_finished_and_shows_it_was_late(tree, users):
    item = _past(tree, users, state=State.APPLIED, deadline=D(2025, 6, 30))
    item = services.close_out(item, user=users.street)
    assert item.state == State.CLOSED and item.finished_late
    assert "逾期" in item.events.last().note


def test_reminders_tell_the_responsible_organisation_once(tree, users):
    from gongjian.checklists.reminders import remind

    today = datetime.date.today()
    overdue = _past(tree, users, state=State.RECTIFYING, deadline=today - datetime.timedelta(2))
    soon = responsibility(tree, users, "claimed")
    ChecklistItem.objects.filter(pk=soon.pk).update(deadline=today + datetime.timedelta(2))
    far = responsibility(tree, users)
    Notification.objects.all().delete()
    assert remind(today) == 2
    assert remind(today) == 0
    titles = set(Notification.objects.filter(user=users.community_a).values_list("title",
                                                                                  flat=True))
    assert any("已逾期" in t and overdue.title in t for t in titles)
    assert any("即将到期" in t for t in titles)
    assert not Notification.objects.filter(user=users.street).exists()
    assert not Notification.objects.filter(url=far.get_absolute_url()).exists()


def test_public_board_shows_public_lines_and_counts_the_resources(tree, users):
    from gongjian.checklists.queries import public_board
    from gongjian.projects import services as projects

    learning(tree, users)
    services.list_item(user=users.community_a, kind="activity", org=tree.a, title="内部筹备会",
                       period="每周一", public=False)
    services.list_item(user=users.community_a, kind="activity", org=tree.a, title="清洁家园",
                       starts_on=D(2026, 12, 12), place="金安花园")
    projects.create_resource(user=users.liaison_a, category="elderly", title="党员义工理发",
                             description="每月上门理发", capacity=40)
    board = public_board(tree.a)
    assert [i["title"] for i in board["checklist_learning"]] == ["学习党章"]
    assert [i["title"] for i in board["checklist_activities"]] == ["清洁家园"]
    assert board["checklist_resource_count"] == 1
    assert public_board(tree.b)["checklist_learning"] == []
    # Public fields only: nobody's name.
    assert set(board["checklist_learning"][0]) == {"title", "content", "org", "starts_on",
                                                  "ends_on", "period", "place"}


def test_edit_only_by_the_level_that_issued_it_and_before_work_starts(tree, users):
    item = responsibility(tree, users)
    assert services.edit_refusal(item, user=users.community_a) == "只有发布（登记）事项的上级组织可以修改。"
    item = services.update_item(item, user=users.street, title="规范开展“4+X”主题党日")
    assert item.title == "规范开展“4+X”主题党日" and item.events.last().step == "edit"
    claimed = services.claim(item, user=users.community_a)
    with pytest.raises(DomainError, match="事项已“已认领”，不能修改"):
        services.update_item(claimed, user=users.street, title="x")


def test_learning_lines_need_a_date_or_a_period(tree, users):
    with pytest.raises(DomainError, match="请填写日期或时间安排") as refused:
        services.list_item(user=users.community_a, kind="learning", org=tree.a, title="学习")
    assert refused.value.status == 400
    with pytest.raises(DomainError, match="只能在学习清单、活动清单中直接列入"):
        services.list_item(user=users.community_a, kind="problem", org=tree.a, title="x",
                           period="每月")
    assert not ChecklistItem.objects.exists()
