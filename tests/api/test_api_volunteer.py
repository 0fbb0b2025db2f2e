"""The volunteer API: every response validated against the schema; an activity from draft to
publicity through its POST steps; the two cancellations named apart; refusals are JSON
{"detail": 中文} and write nothing."""

import datetime

from access_volunteer import world
from django.utils import timezone

from gongjian.volunteer import tokens
from gongjian.volunteer.models import Activity, CheckIn, ServiceRecord, Signup, TeamMember

API = "/api/v1"


def _iso(hours):
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def test_an_activity_from_draft_to_publicity(api_as, tree, users, settings):
    settings.GONGJIAN_VOLUNTEER = {"publicity_days": 0}
    staff, member = api_as(users.community_a), api_as(users.member)
    created = staff.post(f"{API}/activities/", {
        "org": "JS-A", "title": "周末清洁家园", "content": "清扫楼道", "place": "金安社区",
        "starts_at": _iso(0.2), "ends_at": _iso(3), "places": 1}, format="json")
    assert created.status_code == 201, created.content
    activity = created.json()
    assert (activity["state"], activity["accepted"], activity["my_signup"]) == ("draft", 0, None)
    url = f"{API}/activities/{activity['id']}"
    # A member does not see a draft; the organiser publishes.
    assert member.post(f"{url}/signup/").status_code == 404
    assert staff.post(f"{url}/publish/").json()["state"] == "recruiting"
    signed = member.post(f"{url}/signup/")
    assert signed.status_code == 200 and signed.json()["my_signup"] == "accepted"
    twice = member.post(f"{url}/signup/")
    assert twice.status_code == 409 and twice.json() == {"detail": "您已报名该活动，不能重复报名。"}
    waiting = api_as(users.resident).post(f"{url}/signup/")
    assert waiting.json()["my_signup"] == "waiting"
    # Staff cannot sign up; a member cannot publish or cancel the activity.
    assert staff.post(f"{url}/signup/").status_code == 403
    assert member.post(f"{url}/cancel/", {"reason": "x"}, format="json").status_code == 403
    assert staff.post(f"{url}/cancel/", {}, format="json").json()["field"] == "reason"
    assert staff.post(f"{url}/start/").json()["state"] == "in_progress"

    code = tokens.code_for(activity["id"])
    bad = member.post(f"{url}/checkout/", {"code": code}, format="json")
    assert bad.status_code == 409 and bad.json()["detail"] == "您还没有签到，不能签退。"
    other = member.post(f"{url}/checkin/", {"code": tokens.code_for(activity["id"] + 1)},
                        format="json")
    assert other.status_code == 400 and other.json()["detail"] == tokens.OTHER
    assert member.post(f"{url}/checkin/", {}, format="json").status_code == 400
    assert CheckIn.objects.count() == 0
    assert member.post(f"{url}/checkin/", {"code": code}, format="json").status_code == 200
    pair = CheckIn.objects.get()
    CheckIn.objects.filter(pk=pair.pk).update(in_at=pair.in_at - datetime.timedelta(hours=2))
    assert member.post(f"{url}/checkout/", {"code": tokens.code_for(activity["id"])},
                       format="json").status_code == 200
    assert staff.post(f"{url}/finish/").json()["state"] == "ended"
    reviewed = staff.post(f"{url}/review/", {"beneficiaries_served": 30}, format="json")
    assert reviewed.json()["beneficiaries_served"] == 30
    published = staff.post(f"{url}/publicize/").json()
    assert published["state"] == "published" and published["counts_from"] == str(
        timezone.localdate())
    records = staff.get(f"{url}/records/").json()["results"]
    assert [(r["name"], r["hours"], r["counted"]) for r in records] == [
        (users.member.display_name, "2.00", True)]
    assert member.get(f"{url}/records/").json()["count"] == 1
    assert api_as(users.resident).get(f"{url}/records/").json()["count"] == 0
    late = staff.post(f"{url}/publish/")
    assert late.status_code == 409 and late.json()["detail"] == "活动当前为“已公示”，不能发布招募。"


def test_my_sign_up_is_cancelled_apart_from_the_activity(api_as, tree, users):
    w = world(tree, users)
    member = api_as(users.member)
    url = f"{API}/activities/{w.recruiting.pk}"
    answer = member.post(f"{url}/cancel_signup/")
    assert answer.status_code == 200 and answer.json()["state"] == "recruiting"
    assert answer.json()["my_signup"] is None
    assert not Signup.objects.filter(activity=w.recruiting, state="accepted").exists()
    again = member.post(f"{url}/cancel_signup/")
    assert again.status_code == 409 and again.json()["detail"] == "您没有报名该活动。"
    assert Activity.objects.get(pk=w.recruiting.pk).state == "recruiting"


def test_lists_filters_and_teams(api_as, tree, users):
    w = world(tree, users)
    staff, member = api_as(users.community_a), api_as(users.member)
    rows = staff.get(f"{API}/activities/", {"state": "published"}).json()["results"]
    assert [r["id"] for r in rows] == [w.published.pk]
    assert staff.get(f"{API}/activities/", {"state": "nope"}).json()["detail"].startswith("状态")
    assert staff.get(f"{API}/activities/", {"org": "JS-B"}).json()["count"] == 0
    # A member sees the published activities, not the organiser's drafts.
    seen = {r["id"] for r in member.get(f"{API}/activities/").json()["results"]}
    assert w.published.pk in seen
    team = staff.get(f"{API}/volunteer-teams/{w.team.pk}/").json()
    assert team["figures"]["members"] == 1 and team["members"][0]["number"] == w.volunteer.number
    created = staff.post(f"{API}/volunteer-teams/", {"org": "JS-A", "name": "法律服务队",
                                                     "speciality": "law"}, format="json")
    assert created.status_code == 201 and created.json()["org"] == "JS-A"
    wrong = staff.post(f"{API}/volunteer-teams/", {"org": "JS-A", "name": "x",
                                                   "speciality": "magic"}, format="json")
    assert wrong.status_code == 400 and "专长" in wrong.json()["detail"]
    resident = api_as(users.resident)
    assert resident.post(f"{API}/volunteer-teams/{w.team.pk}/join/").status_code == 200
    left = resident.post(f"{API}/volunteer-teams/{w.team.pk}/leave/")
    assert left.status_code == 200 and left.json()["left_on"] == str(timezone.localdate())
    assert TeamMember.objects.filter(team=w.team).count() == 2
    assert ServiceRecord.objects.filter(volunteer=w.volunteer).count() == 2
