"""Access-matrix entries of volunteer service, and the world the volunteer tests build on.

`world(t, u)` makes (once per test) community A's team with the member of `users` in it, and
four activities of community A organised by its staff: one recruiting (the member signed up),
one in progress (the member signed in, a pair open), one ended (the member's record) and one
published with its publicity over (a counted record and a certificate). Community A's and the
street's staff organise them; the member reads their own; members and residents of the same
street read the published activities (and the twins of the second street see nothing).
"""

import datetime
from types import SimpleNamespace

from access_common import EVERYONE, E
from django.utils import timezone

ORGANISERS = {"street", "community_a"}
# Members and residents of the first street (JS) read its published activities and teams.
STREET_SELF = {"member", "resident", "member_b", "resident_b"}
ADDERS = {"street", "street_b", "community_a", "community_b"}
# Liaisons read the published activities of their unit's street (to pass them on to staff).
LIAISONS = {"liaison_a", "liaison_b"}
READERS = ORGANISERS | STREET_SELF | LIAISONS
# The twins in the same street as community A (JS): they read its published activities.
STREET_TWINS = {"member_b", "resident_b", "liaison_b"}


def organiser(t, u):
    return u.community_a


def at_hours(hours):
    return timezone.now() + datetime.timedelta(hours=hours)


def make_activity(t, u, title, *, places=10, state="recruiting", org=None, **fields):
    """An activity of community A driven through the services up to `state`."""
    from gongjian.volunteer import services

    values = {"title": title, "content": "清扫楼道、整理绿化带。", "place": "金安社区广场",
              "starts_at": at_hours(0.2), "ends_at": at_hours(3), "places": places}
    values.update(fields)
    activity = services.create_activity(user=organiser(t, u), org=org or t.a, **values)
    if state == "draft":
        return activity
    activity = services.publish(activity, user=organiser(t, u))
    if state in ("in_progress", "ended"):
        activity = services.start(activity, user=organiser(t, u))
    return activity


def world(t, u):
    if getattr(t, "volunteer_world", None) is not None:
        return t.volunteer_world
    from gongjian.core import audit
    from gongjian.volunteer import services, tokens
    from gongjian.volunteer.models import ServiceRecord

    staff, member = organiser(t, u), u.member
    with audit.acting_as(suppress=True):
        team = services.create_team(user=staff, org=t.a, name="金安红马甲志愿服务队",
                                    speciality="environment")
        membership = services.join(team, user=member)
        recruiting = make_activity(t, u, "周末清洁家园", team=team)
        services.signup(recruiting, user=member)
        running = make_activity(t, u, "敬老院陪伴", state="in_progress")
        services.signup(running, user=member)
        now = timezone.now()
        services.checkin(running, user=member, code=tokens.code_for(running.pk, now), now=now)
        ended = make_activity(t, u, "交通劝导", state="in_progress")
        services.signup(ended, user=member)
        services.checkin(ended, user=member, code=tokens.code_for(ended.pk, now), now=now)
        later = now + datetime.timedelta(minutes=90)
        services.checkout(ended, user=member, code=tokens.code_for(ended.pk, later), now=later)
        ended = services.finish(ended, user=staff)
        published = make_activity(t, u, "义诊服务", state="in_progress")
        services.signup(published, user=member)
        services.checkin(published, user=member, code=tokens.code_for(published.pk, now),
                         now=now)
        services.checkout(published, user=member, code=tokens.code_for(published.pk, later),
                          now=later)
        published = services.finish(published, user=staff)
        published = services.review(published, user=staff, beneficiaries_served=40)
        published = services.publicize(published, user=staff)
        # Its publicity is over (the days are a setting; here they are moved back).
        past = timezone.localdate() - datetime.timedelta(days=1)
        type(published).objects.filter(pk=published.pk).update(counts_from=past)
        ServiceRecord.objects.filter(activity=published).update(counts_from=past)
        volunteer = services.volunteer_of(user=member)
        certificate = services.issue_certificate(volunteer, user=member, issuer=t.a)
    t.volunteer_world = SimpleNamespace(
        team=team, membership=membership, recruiting=recruiting, running=running,
        ended=ended, published=published, volunteer=volunteer, certificate=certificate,
        record=ServiceRecord.objects.get(activity=ended),
        pair=running.checkins.get(), signup=recruiting.signups.get())
    return t.volunteer_world


def built(t, u):
    world(t, u)


def W(attr, *rest):
    return lambda t, u: [getattr(world(t, u), attr).pk, *rest]


def _ticket(t, u):
    from gongjian.volunteer import tokens

    return [tokens.ticket_for(world(t, u).running.pk)]


def _certificate(t, u):
    return [world(t, u).certificate.number]


ENTRIES = [
    # -- teams
    E("volunteer_team_list", ADDERS | STREET_SELF | LIAISONS, setup=built,
      sees_a={"member_b", "resident_b"}),
    E("volunteer_team_create", ADDERS),
    E("volunteer_team_detail", ORGANISERS | STREET_SELF, args=W("team"),
      sees_a={"member_b", "resident_b"}),
    E("volunteer_team_edit", ORGANISERS, args=W("team")),
    E("volunteer_team_member_add", ORGANISERS, args=W("team")),
    # A refusal (already in the team, not in it) comes back as a message on the team's page.
    E("volunteer_team_join", STREET_SELF, method="POST", args=W("team"), ok={302}),
    E("volunteer_team_leave", STREET_SELF, method="POST", args=W("team"), ok={302}),
    E("volunteer_team_member_remove", ORGANISERS, args=W("membership")),
    # -- activities
    E("volunteer_activity_list", ADDERS | STREET_SELF | LIAISONS, setup=built,
      sees_a=STREET_TWINS),
    E("volunteer_activity_export", ADDERS | STREET_SELF | LIAISONS, setup=built,
      sees_a=STREET_TWINS),
    E("volunteer_activity_create", ADDERS),
    E("volunteer_activity_detail", READERS, args=W("published"), sees_a=STREET_TWINS),
    E("volunteer_activity_edit", ORGANISERS, args=W("recruiting")),
    E("volunteer_activity_qr", ORGANISERS, args=W("running")),
    E("volunteer_activity_qr_code", ORGANISERS, args=W("running")),
    E("volunteer_activity_qr_svg", ORGANISERS, args=W("running")),
    E("volunteer_activity_manual", ORGANISERS, args=W("running")),
    E("volunteer_activity_step", ORGANISERS, args=W("ended", "review")),
    E("volunteer_signup_decline", ORGANISERS, args=W("signup")),
    E("volunteer_checkin_close", ORGANISERS, args=W("pair")),
    E("volunteer_record_adjust", ORGANISERS, args=W("record")),
    # -- the volunteer's side
    E("volunteer_scan", EVERYONE | {"anonymous"}, args=["1.1:bad"], ok={400}),
    # The ticket of a scan at the running activity: the member confirms; others of the street
    # read the activity and are told, in words, that they did not sign up (409).
    E("volunteer_checkin", STREET_SELF, args=_ticket, ok={409}, expect={"member": {200}}),
    E("volunteer_mine", {"member", "resident", "member_b", "resident_b"}, setup=built),
    E("volunteer_certificate_issue", STREET_SELF, method="POST", data={"issuer": "0"},
      ok={302}, setup=built),
    E("volunteer_certificate_pdf", ORGANISERS | {"member"}, args=_certificate),
    E("volunteer_certificate_check", EVERYONE | {"anonymous"}, args=_certificate,
      sees_a={"member_b", "resident_b", "street_b", "community_b", "grid_b", "branch_b",
              "liaison_b"}),
    # -- API
    E("api-volunteer-team-list", ADDERS | STREET_SELF | LIAISONS, setup=built,
      sees_a={"member_b", "resident_b"}),
    E("api-volunteer-team-detail", ORGANISERS | STREET_SELF, args=W("team"),
      sees_a={"member_b", "resident_b"}),
    E("api-volunteer-team-join", STREET_SELF, method="POST", args=W("team"),
      expect={"member": {409}}),
    E("api-volunteer-team-leave", STREET_SELF, method="POST", args=W("team"), ok={409},
      expect={"member": {200}}),
    E("api-volunteer-activity-list", ADDERS | STREET_SELF | LIAISONS, setup=built, sees_a=STREET_TWINS),
    E("api-volunteer-activity-detail", READERS, args=W("published"), sees_a=STREET_TWINS),
    E("api-volunteer-activity-publish", ORGANISERS, method="POST", args=W("recruiting"), ok={409}),
    # Already signed up: the member is refused a second time (409), the others signed up.
    E("api-volunteer-activity-signup", STREET_SELF, method="POST", args=W("recruiting"),
      expect={"member": {409}}, sees_a={"member_b", "resident_b"}),
    E("api-volunteer-activity-cancel-signup", STREET_SELF, method="POST", args=W("recruiting"),
      ok={409}, expect={"member": {200}}),
    E("api-volunteer-activity-start", ORGANISERS, method="POST", args=W("running"), ok={409}),
    # A forged code is refused (400) before anything else is looked at.
    E("api-volunteer-activity-checkin", STREET_SELF, method="POST", args=W("running"),
      data={"code": "1.1:bad"}, ok={400}),
    E("api-volunteer-activity-checkout", STREET_SELF, method="POST", args=W("running"),
      data={"code": "1.1:bad"}, ok={400}),
    E("api-volunteer-activity-finish", ORGANISERS, method="POST", args=W("running")),
    E("api-volunteer-activity-review", ORGANISERS, method="POST", args=W("ended"),
      data={"beneficiaries_served": 12}),
    E("api-volunteer-activity-publicize", ORGANISERS, method="POST", args=W("ended"), ok={409}),
    E("api-volunteer-activity-cancel", ORGANISERS, method="POST", args=W("recruiting"),
      data={"reason": "天气原因"}),
    # Organisers read every record, a volunteer their own (others of the street: none).
    E("api-volunteer-activity-records", READERS, args=W("published"), sees_a=STREET_TWINS),
]
