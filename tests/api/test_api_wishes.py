"""The wishes API: every step, 409 for a step out of order, 400 for bad data, the recipient only
for those allowed; answers validated against the OpenAPI schema."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from gongjian.wishes.models import Round, Wish, WishEvent

API = "/api/v1"


def jpeg_file(name="p.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 0)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def round_(tree):
    today = timezone.localdate()
    return Round.objects.create(name="第一期", org=tree.s, starts_on=today,
                                ends_on=today + datetime.timedelta(days=20))


NEW = {"title": "一个新书包", "group": "youth", "recipient_name": "王小明",
       "recipient_phone": "13912345678", "estimated_value": "99.50"}


def test_the_whole_way(users, api_as, round_):
    resident, staff, member = api_as(users.resident), api_as(users.community_a), \
        api_as(users.member)
    created = resident.post(f"{API}/wishes/", NEW, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["state"] == "submitted" and body["org"] == "JS-A"
    assert body["recipient"]["name"] == "王小明" and body["recipient"]["phone_masked"] == \
        "139****5678"
    published = staff.post(f"{API}/wishes/{pk}/publish/", {"round": round_.pk}, format="json")
    assert published.status_code == 200 and published.json()["round_name"] == "第一期"
    listed = member.get(f"{API}/wishes/", {"state": "published"})
    assert [row["id"] for row in listed.json()["results"]] == [pk]
    assert listed.json()["results"][0]["recipient"] is None
    claimed = member.post(f"{API}/wishes/{pk}/claim/", {}, format="json")
    assert claimed.status_code == 200 and claimed.json()["recipient"]["name"] == "王小明"
    again = api_as(users.liaison_a).post(f"{API}/wishes/{pk}/claim/", {}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "该心愿已被认领。"
    early = resident.post(f"{API}/wishes/{pk}/confirm/", {}, format="json")
    assert early.status_code == 409 and "尚未实现" in early.json()["detail"]
    no_photo = member.post(f"{API}/wishes/{pk}/fulfil/", {"note": "已送到"}, format="multipart")
    assert no_photo.status_code == 400 and no_photo.json()["field"] == "photo"
    done = member.post(f"{API}/wishes/{pk}/fulfil/", {"note": "已送到", "photo": jpeg_file()},
                       format="multipart")
    assert done.status_code == 200, done.content
    assert done.json()["photo_url"] == f"/wishes/{pk}/photo/"
    confirmed = resident.post(f"{API}/wishes/{pk}/confirm/", {}, format="json")
    assert confirmed.json()["state"] == "confirmed"
    thanked = resident.post(f"{API}/wishes/{pk}/thank/", {"text": "谢谢！"}, format="json")
    assert thanked.json()["thanks"] == "谢谢！"
    steps = [e["step"] for e in thanked.json()["events"]]
    assert steps == ["submit", "publish", "claim", "fulfil", "confirm", "thank"]


def test_claiming_own_wish_and_bad_data(users, api_as, round_):
    member = api_as(users.member)
    pk = member.post(f"{API}/wishes/", NEW, format="json").json()["id"]
    api_as(users.community_a).post(f"{API}/wishes/{pk}/publish/", {}, format="json")
    own = member.post(f"{API}/wishes/{pk}/claim/", {}, format="json")
    assert own.status_code == 409 and own.json()["detail"] == "不能认领自己发布的心愿。"
    before = Wish.objects.count()
    bad = member.post(f"{API}/wishes/", {**NEW, "recipient_phone": "123"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "recipient_phone"
    missing = member.post(f"{API}/wishes/", {"title": "书包"}, format="json")
    assert missing.status_code == 400
    wrong_group = member.post(f"{API}/wishes/", {**NEW, "group": "kids"}, format="json")
    assert wrong_group.status_code == 400 and wrong_group.json()["field"] == "group"
    assert Wish.objects.count() == before


def test_resident_cannot_claim_and_other_community_cannot_review(users, api_as, round_):
    pk = api_as(users.resident).post(f"{API}/wishes/", NEW, format="json").json()["id"]
    assert api_as(users.community_b).post(f"{API}/wishes/{pk}/publish/", {},
                                          format="json").status_code == 404
    api_as(users.community_a).post(f"{API}/wishes/{pk}/publish/", {}, format="json")
    assert api_as(users.resident).post(f"{API}/wishes/{pk}/claim/", {},
                                       format="json").status_code == 403
    rejected_reason = api_as(users.community_a).post(f"{API}/wishes/{pk}/reject/",
                                                     {"reason": "x"}, format="json")
    assert rejected_reason.status_code == 409
    assert WishEvent.objects.filter(wish_id=pk).count() == 2


def test_recipient_only_for_those_allowed(users, api_as, round_, make_user, tree):
    pk = api_as(users.resident).post(f"{API}/wishes/", NEW, format="json").json()["id"]
    api_as(users.community_a).post(f"{API}/wishes/{pk}/publish/", {}, format="json")
    api_as(users.member).post(f"{API}/wishes/{pk}/claim/", {}, format="json")
    other = make_user("member", tree.a1)
    for user in (users.street, users.liaison_a, other):
        body = api_as(user).get(f"{API}/wishes/{pk}/").json()
        assert body["recipient"] is None and "王小明" not in str(body), user
        assert api_as(user).post(f"{API}/wishes/{pk}/reveal/").status_code == 404
    for user in (users.community_a, users.member, users.resident):
        assert api_as(user).get(f"{API}/wishes/{pk}/").json()["recipient"]["name"] == "王小明"
    revealed = api_as(users.community_a).post(f"{API}/wishes/{pk}/reveal/")
    assert revealed.json() == {"phone": "13912345678"}


def test_rounds_with_counts(users, api_as, round_):
    pk = api_as(users.resident).post(f"{API}/wishes/", NEW, format="json").json()["id"]
    api_as(users.community_a).post(f"{API}/wishes/{pk}/publish/", {}, format="json")
    rows = api_as(users.member).get(f"{API}/wish-rounds/").json()["results"]
    assert rows[0]["posted"] == 1 and rows[0]["published"] == 1 and rows[0]["claimed"] == 0
    youth = next(g for g in rows[0]["groups"] if g["group"] == "youth")
    assert youth["posted"] == 1
    created = api_as(users.community_a).post(f"{API}/wish-rounds/", {
        "name": "金安第二期", "org": "JS-A", "starts_on": "2026-03-01",
        "ends_on": "2026-02-01"}, format="json")
    assert created.status_code == 400 and created.json()["field"] == "ends_on"
    created = api_as(users.community_a).post(f"{API}/wish-rounds/", {
        "name": "金安第二期", "org": "JS-A", "starts_on": "2026-03-01",
        "ends_on": "2026-04-01"}, format="json")
    assert created.status_code == 201 and created.json()["org"] == "JS-A"
    assert api_as(users.community_b).post(f"{API}/wish-rounds/", {
        "name": "越权", "org": "JS-A", "starts_on": "2026-03-01",
        "ends_on": "2026-04-01"}, format="json").status_code == 404


def test_list_costs_a_fixed_number_of_queries(users, api_as, round_, post_many,
                                              django_assert_max_num_queries):
    client = api_as(users.community_a)
    post_many(3)
    client.get(f"{API}/wishes/")
    post_many(12)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/wishes/")
    assert response.json()["count"] == 15


@pytest.fixture
def post_many(users):
    from gongjian.wishes import services

    def make(n):
        for i in range(n):
            services.post_wish(Wish(title=f"心愿{i}", group="youth",
                                    recipient_name="某人"), user=users.resident)

    return make

