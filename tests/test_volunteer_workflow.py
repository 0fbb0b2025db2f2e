"""Volunteer service through its services: the activity's table (steps refused in the wrong
state, nothing written), sign-ups with places and the waiting list, the check-in codes and
their refusals, hand-made entries, records and hours, review and publicity, certificates, teams
and the reminders."""

import datetime
from decimal import Decimal

import pytest
from access_volunteer import make_activity, world
from django.test import Client
from django.utils import timezone

from gongjian.core.models import AuditEntry, Notification
from gongjian.core.services import DomainError, OutOfScope
from gongjian.volunteer import queries, reminders, services, tokens
from gongjian.volunteer.models import (
    Activity,
    ActivityEvent,
    Certificate,
    CheckIn,
    ServiceRecord,
    Signup,
    TeamMember,
)

pytestmark = pytest.mark.django_db


def members(make_user, org, n):
    return [make_user("member", org) for _ in range(n)]


def local(hour, minute=0, days=0):
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def scan_in(activity, user, now):
    return services.checkin(activity, user=user, code=tokens.code_for(activity.pk, now), now=now)


def scan_out(activity, user, now):
    return services.checkout(activity, user=user, code=tokens.code_for(activity.pk, now),
                             now=now)


def refused(call, message, status=409):
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.message == message
    assert error.value.status == status


# ---- the table ----------------------------------------------------------------------------

def test_steps_out_of_order_are_refused_and_write_nothing(tree, users):
    staff = users.community_a
    draft = make_activity(tree, users, "植树", state="draft")
    events = ActivityEvent.objects.count()
    refused(lambda: services.finish(draft, user=staff), "活动当前为“草稿”，不能结束活动。")
    refused(lambda: services.review(draft, user=staff, beneficiaries_served=3),
            "活动当前为“草稿”，不能审核时长。")
    refused(lambda: services.signup(draft, user=users.member), "对象不存在或不在您的管理范围内。",
            status=404)
    recruiting = services.publish(draft, user=staff)
    refused(lambda: services.publish(recruiting, user=staff), "活动当前为“招募中”，不能发布招募。")
    refused(lambda: services.publicize(recruiting, user=staff), "活动当前为“招募中”，不能公示时长。")
    services.signup(recruiting, user=users.member)
    now = timezone.now()
    refused(lambda: scan_in(recruiting, users.member, now), "活动当前为“招募中”，不能签到。")
    cancelled = services.cancel(recruiting, user=staff, reason="暴雨预警")
    refused(lambda: scan_in(cancelled, users.member, now), "活动当前为“已取消”，不能签到。")
    refused(lambda: services.start(cancelled, user=staff), "活动当前为“已取消”，不能开始活动（开放签到）。")
    assert CheckIn.objects.count() == 0
    assert ActivityEvent.objects.count() == events + 2  # publish, cancel
    assert Activity.objects.get(pk=draft.pk).state == "cancelled"
    # The volunteers were told.
    assert Notification.objects.filter(user=users.member, title__startswith="活动已取消").exists()


def test_steps_offered_are_the_steps_allowed(tree, users):
    activity = make_activity(tree, users, "清洁")
    offered = services.WORKFLOW.available
    assert offered(users.member, activity) == {"signup"}
    assert offered(users.community_a, activity) == {"edit", "start", "cancel"}
    assert offered(users.community_b, activity) == set()
    services.signup(activity, user=users.member)
    assert offered(users.member, activity) == {"cancel_signup"}


def test_no_start_long_before_the_time(tree, users):
    early = make_activity(tree, users, "下周活动", starts_at=timezone.now()
                          + datetime.timedelta(days=7), ends_at=timezone.now()
                          + datetime.timedelta(days=7, hours=2))
    with pytest.raises(DomainError, match="最早可提前 60 分钟开始签到"):
        services.start(early, user=users.community_a)
    assert Activity.objects.get(pk=early.pk).state == "recruiting"


# ---- sign-ups --------------------------------------------------------------------------

def test_places_then_a_waiting_list_that_moves_up_in_order(tree, users, make_user):
    activity = make_activity(tree, users, "敬老", places=2)
    a, b, c, d = members(make_user, tree.a1, 4)
    states = [services.signup(activity, user=u).state for u in (a, b, c, d)]
    assert states == ["accepted", "accepted", "waiting", "waiting"]
    refused(lambda: services.signup(activity, user=a), "您已报名该活动，不能重复报名。")
    assert Signup.objects.filter(activity=activity).count() == 4
    services.cancel_signup(activity, user=a)
    assert services.my_signup(activity, user=c).state == "accepted"
    assert services.my_signup(activity, user=d).state == "waiting"
    assert Notification.objects.filter(user=c, title__startswith="候补转为录用").exists()
    # The organiser declines one accepted: the next one waiting moves up.
    row = services.my_signup(activity, user=b)
    refused(lambda: services.decline(row, user=users.community_a, reason=" "),
            "请填写不予录用的原因。", status=400)
    services.decline(row, user=users.community_a, reason="年龄不符合要求")
    assert services.my_signup(activity, user=d).state == "accepted"
    assert Signup.objects.get(pk=row.pk).state == "declined"
    # Signing up again after cancelling is a new place at the end.
    assert services.signup(activity, user=a).state == "waiting"
    # More places take in those waiting.
    services.edit(activity, user=users.community_a, places=3)
    assert services.my_signup(activity, user=a).state == "accepted"
    refused(lambda: services.edit(activity, user=users.community_a, places=1),
            "已录用 3 人，名额不能少于 3。", status=400)


def test_who_may_sign_up(tree, users, make_user):
    team = services.create_team(user=users.community_a, org=tree.a, name="红马甲")
    only_team = make_activity(tree, users, "队内活动", team=team, eligibility="team")
    refused(lambda: services.signup(only_team, user=users.resident), "该活动仅限“红马甲”队员报名。")
    services.join(team, user=users.resident)
    assert services.signup(only_team, user=users.resident).state == "accepted"
    only_members = make_activity(tree, users, "党员先锋岗", eligibility="members")
    refused(lambda: services.signup(only_members, user=users.resident), "该活动仅限党员报名。")
    assert services.signup(only_members, user=users.member).state == "accepted"
    closed = make_activity(tree, users, "已截止",
                           signup_deadline=timezone.now() + datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(minutes=5)
    with pytest.raises(DomainError, match="报名已于"):
        services.signup(closed, user=users.member, now=later)
    # A member of another street does not reach the activity at all.
    from gongjian.orgs.services import create_organization

    far = create_organization(user=None, parent=None, code="HZ", name="会展街道党工委",
                              kind="working_committee", sector="street")
    with pytest.raises(OutOfScope):
        services.signup(only_members, user=make_user("member", far))


# ---- codes and check-in ------------------------------------------------------------------

def test_codes_expire_and_belong_to_one_activity(tree, users, settings):
    activity = make_activity(tree, users, "清洁", state="in_progress")
    other = make_activity(tree, users, "劝导", state="in_progress")
    member = users.member
    services.signup(activity, user=member)
    now = timezone.now()
    period = datetime.timedelta(seconds=10)
    refused(lambda: services.checkin(activity, user=member, now=now,
                                     code=tokens.code_for(activity.pk, now - 2 * period)),
            tokens.EXPIRED, status=400)
    refused(lambda: services.checkin(activity, user=member, now=now,
                                     code=tokens.code_for(other.pk, now)), tokens.OTHER, status=400)
    forged = tokens.code_for(activity.pk, now)[:-3] + "abc"
    refused(lambda: services.checkin(activity, user=member, now=now, code=forged),
            tokens.INVALID, status=400)
    refused(lambda: services.checkin(activity, user=member, now=now, code=""),
            "请扫描活动现场的签到二维码。", status=400)
    assert CheckIn.objects.count() == 0
    # The previous window still counts (a scan just after the code changed).
    pair = services.checkin(activity, user=member, now=now,
                            code=tokens.code_for(activity.pk, now - period))
    assert pair.in_at == now and not pair.manual


def test_the_scan_ticket_expires(tree, users, monkeypatch):
    activity = make_activity(tree, users, "清洁", state="in_progress")
    services.signup(activity, user=users.member)
    ticket = tokens.ticket_for(activity.pk)
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 600)
    refused(lambda: services.checkin(activity, user=users.member, ticket=ticket),
            "扫码后等待时间过长，请重新扫描现场的二维码。", status=400)
    monkeypatch.setattr(time, "time", real)
    assert services.checkin(activity, user=users.member, ticket=ticket).out_at is None


def test_check_in_refusals(tree, users, make_user):
    activity = make_activity(tree, users, "清洁", state="in_progress", places=1)
    member, waiting = users.member, make_user("member", tree.a1)
    now = timezone.now()
    refused(lambda: scan_in(activity, member, now), "您没有报名该活动，不能签到。")
    services.signup(activity, user=member)
    services.signup(activity, user=waiting)
    refused(lambda: scan_in(activity, waiting, now), "您在候补名单中，尚未录用，不能签到。")
    refused(lambda: scan_out(activity, member, now), "您还没有签到，不能签退。")
    scan_in(activity, member, now)
    refused(lambda: scan_in(activity, member, now), "您已签到，尚未签退，请先签退。")
    refused(lambda: services.cancel_signup(activity, user=member), "您已签到，不能取消报名。")
    # Staff hold no check-in right.
    with pytest.raises(DomainError):
        scan_in(activity, users.community_a, now)
    assert CheckIn.objects.count() == 1


def test_a_fourth_pair_in_a_day_is_refused(tree, users):
    activity = make_activity(tree, users, "清洁", state="in_progress")
    services.signup(activity, user=users.member)
    for hour in (8, 10, 12):
        scan_in(activity, users.member, local(hour, days=1))
        scan_out(activity, users.member, local(hour, 30, days=1))
    refused(lambda: scan_in(activity, users.member, local(15, days=1)),
            "同一天最多签到 3 次，您今天已签到签退 3 次。")
    assert CheckIn.objects.filter(activity=activity).count() == 3


# ---- records, hours, review, publicity ------------------------------------------------------

def test_hours_review_publicity_and_stars(tree, users, make_user, settings):
    staff, member, late = users.community_a, users.member, make_user("member", tree.a1)
    activity = make_activity(tree, users, "清洁", state="in_progress")
    services.signup(activity, user=member)
    services.signup(activity, user=late)
    absent = make_user("resident", tree.a)
    services.signup(activity, user=absent)
    scan_in(activity, member, local(9, days=1))
    scan_out(activity, member, local(11, 40, days=1))
    scan_in(activity, late, local(9, days=1))   # never signs out
    activity = services.finish(activity, user=staff)
    record = ServiceRecord.objects.get(activity=activity, volunteer__account=member)
    assert (record.raw_hours, record.computed_hours, record.hours) == (
        Decimal("2.67"), Decimal("2.50"), Decimal("2.50"))
    open_record = ServiceRecord.objects.get(activity=activity, volunteer__account=late)
    assert (open_record.hours, open_record.open_pairs) == (Decimal("0.00"), 1)
    assert services.my_signup(activity, user=absent) is None
    assert Signup.objects.get(activity=activity, volunteer__account=absent).state == "absent"
    # The organiser closes the missing sign-out by hand: flagged, audited, counted.
    pair = CheckIn.objects.get(activity=activity, volunteer__account=late)
    refused(lambda: services.close_pair(pair, user=staff, out_at=local(8, days=1),
                                        reason="忘记签退"),
            "签退时间须晚于签到时间 09:00。", status=400)
    services.close_pair(pair, user=staff, out_at=local(10, 10, days=1), reason="忘记签退")
    pair.refresh_from_db()
    assert pair.out_manual and not pair.in_manual and "忘记签退" in pair.note
    assert AuditEntry.objects.filter(object_type="volunteer.checkin", object_id=str(pair.pk),
                                     detail__startswith="手工签退").exists()
    open_record.refresh_from_db()
    assert (open_record.hours, open_record.open_pairs) == (Decimal("1.00"), 0)
    # Adjusting needs a reason; more than the daily cap is refused.
    refused(lambda: services.adjust(record, user=staff, hours="3", reason=""),
            "调整时长须填写原因。", status=400)
    refused(lambda: services.adjust(record, user=staff, hours="9", reason="多计"),
            "服务 1 天最多计 8 小时。", status=400)
    services.adjust(record, user=staff, hours="3", reason="提前到场布置", evaluation="excellent")
    record.refresh_from_db()
    assert (record.hours, record.adjusted, record.evaluation) == (Decimal("3.00"), True,
                                                                  "excellent")
    activity = services.review(activity, user=staff, beneficiaries_served=35)
    refused(lambda: services.adjust(record, user=staff, hours="2", reason="x"),
            "活动当前为“时长已审核”，不能调整时长。")
    activity = services.publicize(activity, user=staff)
    assert activity.counts_from == timezone.localdate() + datetime.timedelta(days=5)
    volunteer = services.volunteer_of(user=member)
    assert services.total_hours(volunteer) == 0  # publicity not over
    assert services.total_hours(volunteer, activity.counts_from) == Decimal("3.00")
    with pytest.raises(DomainError, match="公示期满后方可出具证明"):
        services.issue_certificate(volunteer, user=member, issuer=tree.a)


def test_the_daily_cap_is_the_persons_across_activities(tree, users):
    """RULES §10: at most 8 hours a day — for the person, not per activity. The activity
    finished first keeps its hours; a later one that day counts what is left, and adjusting it
    cannot go above that."""
    staff, member = users.community_a, users.member
    morning = make_activity(tree, users, "早市秩序维护", state="in_progress")
    evening = make_activity(tree, users, "夜间巡逻", state="in_progress")
    other_day = make_activity(tree, users, "周末清洁", state="in_progress")
    for activity in (morning, evening, other_day):
        services.signup(activity, user=member)
    scan_in(morning, member, local(6, days=1))
    scan_out(morning, member, local(12, days=1))      # 6 h
    scan_in(evening, member, local(14, days=1))
    scan_out(evening, member, local(18, 40, days=1))  # 4.67 h, but only 2 h are left
    scan_in(other_day, member, local(14, days=2))
    scan_out(other_day, member, local(18, 40, days=2))
    services.finish(morning, user=staff)
    services.finish(evening, user=staff)
    services.finish(other_day, user=staff)
    hours = {r.activity_id: (r.raw_hours, r.hours)
             for r in ServiceRecord.objects.filter(volunteer__account=member)}
    assert hours[morning.pk] == (Decimal("6.00"), Decimal("6.00"))
    assert hours[evening.pk] == (Decimal("4.67"), Decimal("2.00"))
    assert hours[other_day.pk] == (Decimal("4.67"), Decimal("4.50"))  # another day: its own cap
    late = ServiceRecord.objects.get(activity=evening, volunteer__account=member)
    refused(lambda: services.adjust(late, user=staff, hours="3", reason="补录"),
            "服务 1 天最多计 2.00 小时（当日在其他活动已计 6.00 小时）。", status=400)
    services.adjust(late, user=staff, hours="1.5", reason="提前离开")
    late.refresh_from_db()
    assert late.hours == Decimal("1.50")


def test_manual_entries_are_flagged_and_audited(tree, users):
    activity = make_activity(tree, users, "清洁", state="in_progress")
    services.signup(activity, user=users.resident)
    volunteer = services.volunteer_of(user=users.resident)
    staff = users.community_a
    refused(lambda: services.manual_entry(activity, user=staff, volunteer=volunteer,
                                          direction="in", at=timezone.now(), reason=""),
            "请填写手工录入的原因。", status=400)
    pair = services.manual_entry(activity, user=staff, volunteer=volunteer, direction="in",
                                 at=timezone.now() - datetime.timedelta(hours=1),
                                 reason="手机没电")
    assert pair.in_manual and pair.recorded_by == staff
    assert AuditEntry.objects.filter(object_type="volunteer.checkin",
                                     detail__contains="手机没电").exists()
    assert ActivityEvent.objects.filter(activity=activity, step="manual").exists()
    with pytest.raises(OutOfScope):
        services.manual_entry(activity, user=users.community_b, volunteer=volunteer,
                              direction="out", at=timezone.now(), reason="x")


def test_certificate_and_its_public_check(tree, users):
    w = world(tree, users)
    cert = w.certificate
    assert cert.hours == Decimal("1.50") and cert.activity_count == 1 and cert.issuer == tree.a
    assert cert.volunteer.number.startswith("ZY")
    again = services.issue_certificate(w.volunteer, user=users.member, issuer=tree.a)
    assert again.pk == cert.pk and Certificate.objects.count() == 1
    client = Client()
    client.force_login(users.member)
    pdf = client.get(f"/volunteer/certificates/{cert.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    anonymous = Client().get(f"/v/{cert.number}/")
    text = anonymous.content.decode()
    assert anonymous.status_code == 200 and "有效" in text and w.volunteer.number in text
    assert w.volunteer.name not in text and w.volunteer.masked_name in text
    assert Client().get("/v/ZM2025-00000000/").status_code == 404
    mine = queries.my_records(users.member)
    assert mine["hours"] == Decimal("1.50") and mine["star"] == 0
    section = queries.my_section(users.member)
    assert [t.team for t in section["teams"]] == [w.team]
    assert {s.activity for s in section["signups"]} >= {w.recruiting, w.running}
    assert queries.my_section(users.community_a) is None


def test_team_members_join_leave_and_the_record_is_counted(tree, users):
    w = world(tree, users)
    team = w.team
    refused(lambda: services.join(team, user=users.member), f"{w.volunteer.name}已是“{team.name}”的队员。")
    services.leave(team, user=users.member)
    services.join(team, user=users.member)
    rows = TeamMember.objects.filter(team=team, volunteer=w.volunteer).order_by("id")
    assert [r.left_on is None for r in rows] == [False, True]
    figures = services.team_figures(team)
    assert figures["activities"] == 1 and figures["members"] == 1
    refused(lambda: services.leave(team, user=users.resident), f"您不是“{team.name}”的队员。")
    with pytest.raises(OutOfScope):
        services.join(team, user=users.street)


def test_review_reminder_goes_once(tree, users):
    w = world(tree, users)
    Activity.objects.filter(pk=w.ended.pk).update(
        ends_at=timezone.now() - datetime.timedelta(days=5))
    today = timezone.localdate()
    assert reminders.remind_review(today) >= 1
    assert reminders.remind_review(today) == 0
    assert Notification.objects.filter(key=f"volunteer-review:{w.ended.pk}",
                                       user=users.community_a).exists()


def test_the_organisers_forms_on_a_sign_up_a_pair_and_a_record(tree, users, make_user):
    """The pages behind 不予录用, 补录签退 and 核定时长: a refusal comes back beside the form
    with nothing written, a valid form goes through the service and back to the activity."""
    staff, member, late = users.community_a, users.member, make_user("member", tree.a1)
    activity = make_activity(tree, users, "清洁", places=1, state="in_progress")
    services.signup(activity, user=member)
    waiting = services.signup(activity, user=late)
    assert waiting.state == "waiting"
    client = Client()
    client.force_login(staff)
    first = Signup.objects.get(activity=activity, volunteer__account=member)
    page = client.get(f"/activity-signups/{first.pk}/decline/")
    assert page.status_code == 200 and "名额将递补给候补第一位" in page.content.decode()
    answer = client.post(f"/activity-signups/{first.pk}/decline/", {"reason": "临时有事"})
    assert answer.status_code == 302 and answer["Location"] == activity.get_absolute_url()
    assert Signup.objects.get(pk=first.pk).state == "declined"
    assert Signup.objects.get(pk=waiting.pk).state == "accepted"
    scan_in(activity, late, local(9, days=1))
    pair = CheckIn.objects.get(activity=activity, volunteer__account=late)
    page = client.get(f"/activity-checkins/{pair.pk}/close/")
    assert page.status_code == 200 and "签到于" in page.content.decode()
    before = client.post(f"/activity-checkins/{pair.pk}/close/",
                         {"out_at": local(8, days=1).strftime("%Y-%m-%dT%H:%M"),
                          "reason": "忘记签退"})
    assert before.status_code == 400 and "签退时间须晚于签到时间" in before.content.decode()
    assert CheckIn.objects.get(pk=pair.pk).out_at is None
    closed = client.post(f"/activity-checkins/{pair.pk}/close/",
                         {"out_at": local(11, 30, days=1).strftime("%Y-%m-%dT%H:%M"),
                          "reason": "忘记签退"})
    assert closed.status_code == 302 and closed["Location"] == activity.get_absolute_url()
    assert CheckIn.objects.get(pk=pair.pk).out_manual
    activity = services.finish(activity, user=staff)
    record = ServiceRecord.objects.get(activity=activity, volunteer__account=late)
    page = client.get(f"/service-records/{record.pk}/adjust/")
    assert page.status_code == 200 and "按规则核算 2.50 小时" in page.content.decode()
    unreasoned = client.post(f"/service-records/{record.pk}/adjust/",
                             {"hours": "3", "reason": "", "evaluation": ""})
    assert unreasoned.status_code == 400 and "调整时长须填写原因" in unreasoned.content.decode()
    assert ServiceRecord.objects.get(pk=record.pk).hours == Decimal("2.50")
    adjusted = client.post(f"/service-records/{record.pk}/adjust/",
                           {"hours": "3", "reason": "提前到场布置", "evaluation": "excellent"})
    assert adjusted.status_code == 302 and adjusted["Location"] == activity.get_absolute_url()
    assert ServiceRecord.objects.get(pk=record.pk).hours == Decimal("3.00")
