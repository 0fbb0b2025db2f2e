"""Micro-wishes: the workflow table (every forbidden step refused, nothing written), exactly
one claimer, the recipient's privacy, photo checks, round counts and the public board."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongjian.core.models import Notification
from gongjian.core.services import DomainError, OutOfScope
from gongjian.wishes import services
from gongjian.wishes.models import CLAIMED_STATES, Group, Round, State, Step, Wish, WishEvent
from gongjian.wishes.queries import public_board, round_counts

RECIPIENT = "王小明"
RECIPIENT_PHONE = "13912345678"


def jpeg(artist=None, size=(64, 48), fmt="JPEG"):
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if artist:
        exif = Image.Exif()
        exif[0x013B] = artist  # Artist
        exif[0x010E] = artist  # ImageDescription
        image.save(buffer, format=fmt, exif=exif)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(data=None, name="photo.jpg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg(),
                              content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def round_(tree):
    today = timezone.localdate()
    return Round.objects.create(name="第一期微心愿", org=tree.s,
                                starts_on=today - datetime.timedelta(days=10),
                                ends_on=today + datetime.timedelta(days=30))


@pytest.fixture
def post(users, tree, round_):
    """`post(user=resident)`: a submitted wish through the service."""

    def make(user=None, title="一个新书包", group=Group.YOUTH, org=None):
        wish = Wish(title=title, group=group, recipient_name=RECIPIENT,
                    recipient_phone=RECIPIENT_PHONE, recipient_address="金安小区1号楼",
                    estimated_value=Decimal("120.00"), org=org)
        return services.post_wish(wish, user=user or users.resident)

    return make


@pytest.fixture
def wish_in(post, users, round_):
    """`wish_in(state)`: a wish posted by the resident, taken to `state` by the real steps
    (claimed by the member)."""

    def make(state, **kwargs):
        wish = post(**kwargs)
        if state == State.SUBMITTED:
            return wish
        if state == State.REJECTED:
            return services.reject(wish, user=users.community_a, reason="不符合条件")
        if state == State.WITHDRAWN:
            return services.withdraw(wish, user=users.resident)
        services.publish(wish, user=users.community_a, round=round_)
        if state == State.PUBLISHED:
            return wish
        services.claim(wish, user=users.member)
        if state == State.CLAIMED:
            return wish
        services.fulfil(wish, user=users.member, photo=upload(), note="已送到")
        if state == State.FULFILLED:
            return wish
        return services.confirm(wish, user=users.resident)

    return make


def test_the_whole_way_with_history_and_notifications(users, wish_in, round_, fresh):
    wish = wish_in(State.SUBMITTED)
    assert wish.org.code == "JS-A" and not wish.on_behalf
    assert Notification.objects.filter(user=users.community_a, kind="wish").exists()
    services.publish(wish, user=users.community_a, round=round_)
    services.claim(wish, user=users.member)
    assert Notification.objects.filter(user=users.resident, title__contains="已被认领").exists()
    services.fulfil(wish, user=users.member, photo=upload(), note="书包已送到孩子手中")
    services.confirm(wish, user=users.resident)
    assert Notification.objects.filter(user=users.member, title__contains="已确认").exists()
    services.thank(wish, user=users.resident, text="谢谢党员同志！")
    wish = fresh(wish)
    assert wish.state == State.CONFIRMED and wish.thanks == "谢谢党员同志！"
    assert wish.claimed_by == users.member and wish.photo
    steps = list(WishEvent.objects.filter(wish=wish).values_list("step", flat=True))
    assert steps == [Step.SUBMIT, Step.PUBLISH, Step.CLAIM, Step.FULFIL, Step.CONFIRM,
                     Step.THANK]


# Who tries each step in the table test.
ACTOR = {Step.PUBLISH: "community_a", Step.REJECT: "community_a", Step.WITHDRAW: "resident",
         Step.CLAIM: "liaison_a", Step.RELEASE: "member", Step.FULFIL: "member",
         Step.CONFIRM: "resident", Step.THANK: "resident"}


def _attempt(step, user, wish, round_):
    if step == Step.PUBLISH:
        return services.publish(wish, user=user, round=round_)
    if step == Step.REJECT:
        return services.reject(wish, user=user, reason="原因")
    if step == Step.WITHDRAW:
        return services.withdraw(wish, user=user)
    if step == Step.CLAIM:
        return services.claim(wish, user=user)
    if step == Step.RELEASE:
        return services.release(wish, user=user, reason="临时有事")
    if step == Step.FULFIL:
        return services.fulfil(wish, user=user, photo=upload(), note="已送到")
    if step == Step.CONFIRM:
        return services.confirm(wish, user=user)
    return services.thank(wish, user=user, text="谢谢")


FORBIDDEN = [(step, state) for step, (sources, _) in services.TRANSITIONS.items()
             for state in State if state not in sources]


@pytest.mark.parametrize(("step", "state"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_and_writes_nothing(step, state, users, wish_in,
                                                                 round_, fresh):
    wish = wish_in(state)
    before = (fresh(wish).state, WishEvent.objects.count(), Notification.objects.count())
    with pytest.raises(DomainError) as refused:
        _attempt(step, getattr(users, ACTOR[step]), wish, round_)
    # Claiming/fulfilling an unpublished wish: it is not even visible to the claimer.
    invisible = state in (State.SUBMITTED, State.REJECTED) and step in (
        Step.CLAIM, Step.FULFIL, Step.RELEASE)
    if invisible:
        assert isinstance(refused.value, OutOfScope)
    else:
        assert refused.value.status == 409, refused.value.message
        assert refused.value.message
    assert (fresh(wish).state, WishEvent.objects.count(),
            Notification.objects.count()) == before


@pytest.mark.parametrize(("step", "state", "message"), [
    (Step.CLAIM, State.CLAIMED, "该心愿已被认领"),
    (Step.CLAIM, State.CONFIRMED, "该心愿已被认领"),
    (Step.CLAIM, State.WITHDRAWN, "已关闭"),
    (Step.FULFIL, State.PUBLISHED, "尚未被认领"),
    (Step.CONFIRM, State.CLAIMED, "尚未实现"),
    (Step.CONFIRM, State.PUBLISHED, "尚未实现"),
    (Step.THANK, State.FULFILLED, "确认实现后"),
    (Step.WITHDRAW, State.CLAIMED, "已被认领，不能撤回"),
    (Step.PUBLISH, State.PUBLISHED, "无需再审核"),
])
def test_refusals_say_why(step, state, message, users, wish_in, round_):
    wish = wish_in(state)
    with pytest.raises(DomainError, match=message):
        _attempt(step, getattr(users, ACTOR[step]), wish, round_)


def test_cannot_claim_own_wish(users, post, round_, fresh):
    wish = post(user=users.member)
    assert wish.org.code == "JS-A"  # the member's branch A1 belongs to community A
    services.publish(wish, user=users.community_a, round=round_)
    with pytest.raises(DomainError, match="不能认领自己发布的心愿"):
        services.claim(wish, user=users.member)
    assert fresh(wish).state == State.PUBLISHED


def test_second_claimer_is_told_and_release_reopens(users, wish_in, fresh):
    wish = wish_in(State.PUBLISHED)
    services.claim(wish, user=users.liaison_a)
    with pytest.raises(DomainError, match="该心愿已被认领"):
        services.claim(wish, user=users.member)
    held = fresh(wish)
    assert held.claimer_unit == users.liaison_a.grants.get().unit and held.claimed_by_id == \
        users.liaison_a.pk
    with pytest.raises(DomainError, match="只有认领人"):
        services.release(wish, user=users.member, reason="不想做了")
    with pytest.raises(DomainError, match="原因"):
        services.release(wish, user=users.liaison_a, reason="")
    services.release(wish, user=users.liaison_a, reason="单位临时任务冲突")
    reopened = fresh(wish)
    assert reopened.state == State.PUBLISHED and reopened.claimer_unit is None
    services.claim(wish, user=users.member)
    assert fresh(wish).claimed_by == users.member


def test_only_the_claimer_fulfils(users, wish_in, make_user, tree):
    wish = wish_in(State.CLAIMED)
    other = make_user("member", tree.b1)
    with pytest.raises(DomainError, match="只有认领人"):
        services.fulfil(wish, user=other, photo=upload(), note="已送到")


def test_claimers_of_another_street_do_not_reach_it(users, wish_in, make_user):
    from gongjian.orgs import services as org_services

    street = org_services.create_organization(user=None, parent=None, code="QT", name="其他街道党工委",
                                              kind="working_committee", sector="street")
    community = org_services.create_organization(user=None, parent=street, code="QT-A",
                                                 name="其他社区党委", kind="committee",
                                                 sector="community")
    stranger = make_user("member", community)
    wish = wish_in(State.PUBLISHED)
    with pytest.raises(OutOfScope):
        services.claim(wish, user=stranger)
    assert not Wish.objects.restrict(stranger, "view").filter(pk=wish.pk).exists()


def test_resident_sees_only_own_wishes(users, wish_in, post, make_user, tree):
    mine = wish_in(State.PUBLISHED)
    neighbour = make_user("resident", tree.a)
    theirs = post(user=neighbour)
    visible = set(Wish.objects.restrict(users.resident, "view").values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible


def test_withdraw_before_claim_only(users, wish_in, fresh):
    wish = wish_in(State.PUBLISHED)
    services.withdraw(wish, user=users.resident, reason="已由亲戚帮忙解决")
    assert fresh(wish).state == State.WITHDRAWN
    claimed = wish_in(State.CLAIMED)
    with pytest.raises(DomainError, match="不能撤回"):
        services.withdraw(claimed, user=users.resident)


def test_publish_needs_a_running_round_of_the_community(users, post, tree):
    wish = post()
    Round.objects.all().delete()  # no round running
    with pytest.raises(DomainError, match="征集活动") as refused:
        services.publish(wish, user=users.community_a)
    assert refused.value.status == 400
    today = timezone.localdate()
    ended = Round.objects.create(name="往期", org=tree.a, starts_on=today.replace(year=2020),
                                 ends_on=today.replace(year=2021))
    with pytest.raises(DomainError, match="已于"):
        services.publish(wish, user=users.community_a, round=ended)
    other = Round.objects.create(name="高林社区活动", org=tree.b, starts_on=today,
                                 ends_on=today + datetime.timedelta(days=5))
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        services.publish(wish, user=users.community_a, round=other)
    with pytest.raises(DomainError, match="不是本社区"):
        services.publish(wish, user=users.street, round=other)
    running = Round.objects.create(name="本期", org=tree.a, starts_on=today,
                                   ends_on=today + datetime.timedelta(days=5))
    assert services.publish(wish, user=users.community_a).round == running


def test_reject_needs_a_reason_and_tells_the_poster(users, post, fresh):
    wish = post()
    with pytest.raises(DomainError, match="原因"):
        services.reject(wish, user=users.community_a, reason="  ")
    services.reject(wish, user=users.community_a, reason="已纳入临时救助")
    assert fresh(wish).state == State.REJECTED
    assert Notification.objects.filter(user=users.resident, title__contains="未通过").exists()


def test_other_community_staff_cannot_review(users, post):
    wish = post()
    with pytest.raises(OutOfScope):
        services.publish(wish, user=users.community_b)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("recipient_phone", "12345", "手机号"),
    ("estimated_value", Decimal("-1"), "负数"),
    ("title", "", "不能为空"),
])
def test_bad_wish_data_is_refused_with_the_field(users, tree, field, value, message):
    data = {"title": "一个书包", "group": Group.YOUTH, "recipient_name": RECIPIENT,
            field: value}
    with pytest.raises(DomainError) as refused:
        services.post_wish(Wish(**data), user=users.resident)
    assert refused.value.status == 400 and refused.value.field == field
    assert message in refused.value.message
    assert not Wish.objects.exists()


def test_resident_cannot_post_in_another_community(users, tree):
    with pytest.raises(DomainError, match="本人所在社区"):
        services.post_wish(Wish(title="书包", group=Group.YOUTH,
                                recipient_name=RECIPIENT, org=tree.b), user=users.resident)
    assert not Wish.objects.exists()


def test_staff_post_on_behalf(users, tree):
    wish = services.post_wish(Wish(title="上门探望", group=Group.ELDERLY,
                                   recipient_name="李奶奶", org=tree.a), user=users.community_a)
    assert wish.on_behalf and wish.state == State.SUBMITTED
    with pytest.raises(OutOfScope):
        services.post_wish(Wish(title="上门探望", group=Group.ELDERLY,
                                recipient_name="李奶奶", org=tree.b), user=users.community_a)


# ---- photos -----------------------------------------------------------------------------------

def test_fulfil_needs_a_real_image_and_writes_nothing_otherwise(users, wish_in, fresh, media,
                                                                settings):
    wish = wish_in(State.CLAIMED)
    events = WishEvent.objects.count()
    for bad, message in [(None, "请上传"), (upload(b"not an image at all"), "不是有效的图片"),
                         (upload(b""), "空的")]:
        with pytest.raises(DomainError, match=message) as refused:
            services.fulfil(wish, user=users.member, photo=bad, note="已送到")
        assert refused.value.status == 400 and refused.value.field == "photo"
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(DomainError, match="不能超过"):
        services.fulfil(wish, user=users.member, photo=upload(jpeg(size=(800, 600))), note="已送到")
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(DomainError, match="实现情况"):
        services.fulfil(wish, user=users.member, photo=upload(), note="")
    assert fresh(wish).state == State.CLAIMED and WishEvent.objects.count() == events
    assert not (media / "wishes").exists() or not any((media / "wishes").iterdir())


def test_stored_photo_has_no_metadata(users, wish_in, fresh, media):
    wish = wish_in(State.CLAIMED)
    services.fulfil(wish, user=users.member, photo=upload(jpeg(artist="Wang Xiaoming 王小明")),
                    note="已送到")
    stored = media / fresh(wish).photo
    data = stored.read_bytes()
    assert b"Wang Xiaoming" not in data
    with Image.open(stored) as image:
        assert not image.getexif()
        assert image.format == "JPEG"


def test_png_is_accepted_and_reencoded(users, wish_in, fresh, media):
    wish = wish_in(State.CLAIMED)
    services.fulfil(wish, user=users.member, photo=upload(jpeg(fmt="PNG"), "p.png"), note="已送到")
    with Image.open(media / fresh(wish).photo) as image:
        assert image.format == "JPEG"


def test_photo_is_public_only_once_fulfilled(client, users, wish_in, fresh):
    wish = wish_in(State.CLAIMED)
    url = reverse("wish_photo", args=[wish.pk])
    assert client.get(url).status_code == 404
    services.fulfil(wish, user=users.member, photo=upload(), note="已送到")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


# ---- privacy ----------------------------------------------------------------------------------

def test_who_may_see_the_recipient(users, wish_in, make_user, tree):
    wish = wish_in(State.CLAIMED)
    other_member = make_user("member", tree.a1)
    assert services.may_see_recipient(wish, user=users.member)        # the claimer
    assert services.may_see_recipient(wish, user=users.resident)      # the poster
    assert services.may_see_recipient(wish, user=users.community_a)   # the community's staff
    for user in (other_member, users.street, users.community_b, users.liaison_a,
                 users.grid_a):
        assert not services.may_see_recipient(wish, user=user), user


def test_detail_page_hides_the_recipient_from_other_members(client, users, wish_in, make_user,
                                                            tree):
    wish = wish_in(State.PUBLISHED)
    other = make_user("member", tree.a1)
    client.force_login(other)
    page = client.get(reverse("wish_detail", args=[wish.pk])).content.decode()
    assert "一个新书包" in page
    assert RECIPIENT not in page and RECIPIENT_PHONE[-4:] not in page
    assert users.resident.display_name not in page  # the poster may be the recipient
    client.force_login(users.community_a)
    page = client.get(reverse("wish_detail", args=[wish.pk])).content.decode()
    assert RECIPIENT in page and RECIPIENT_PHONE not in page  # masked until revealed
    page = client.post(reverse("wish_reveal", args=[wish.pk])).content.decode()
    assert RECIPIENT_PHONE in page
    from gongjian.core.models import AuditEntry

    assert AuditEntry.objects.filter(event="reveal", object_id=str(wish.pk),
                                     actor=users.community_a).exists()


def test_recipient_is_stored_encrypted(users, wish_in):
    from django.db import connection

    wish = wish_in(State.SUBMITTED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient_name, recipient_phone FROM wishes_wish WHERE id = %s",
                       [wish.pk])
        name, phone = cursor.fetchone()
    assert RECIPIENT not in name and RECIPIENT_PHONE not in phone
    assert name.startswith("sm4gcm:")


def test_public_board_has_no_personal_data(users, wish_in, tree):
    confirmed = wish_in(State.CONFIRMED)
    services.thank(confirmed, user=users.resident, text="谢谢！")
    wish_in(State.PUBLISHED, title="修好轮椅", group=Group.DISABLED)
    wish_in(State.SUBMITTED, title="还在审核")
    board = public_board(tree.a)
    text = repr(board)
    assert RECIPIENT not in text and RECIPIENT_PHONE not in text
    assert users.resident.display_name not in text
    titles = {w["title"]: w for w in board["wishes"]}
    assert set(titles) == {"一个新书包", "修好轮椅"}
    done = titles["一个新书包"]
    assert done["thanks"] == "谢谢！" and done["photo_url"] == reverse("wish_photo",
                                                                     args=[confirmed.pk])
    assert done["claimer"] == users.member.display_name[0] + "*" * (
        len(users.member.display_name) - 1)
    assert titles["修好轮椅"]["photo_url"] == "" and titles["修好轮椅"]["claimer"] == ""
    assert board["rounds"][0]["fulfilled"] == 1 and board["rounds"][0]["posted"] == 2


def test_round_counts_come_from_the_wishes(users, wish_in, round_):
    plan = [(State.CONFIRMED, Group.YOUTH)] * 3 + [(State.FULFILLED, Group.ELDERLY),
                                                   (State.CLAIMED, Group.ELDERLY),
                                                   (State.PUBLISHED, Group.YOUTH),
                                                   (State.SUBMITTED, Group.YOUTH)]
    for state, group in plan:
        wish_in(state, group=group)
    counts = round_counts([round_])[round_.pk]
    assert (counts["posted"], counts["published"], counts["claimed"], counts["fulfilled"],
            counts["confirmed"]) == (6, 6, 5, 4, 3)
    assert counts["groups"]["youth"] == {"label": "青少年", "posted": 4, "fulfilled": 3}
    assert counts["groups"]["elderly"]["fulfilled"] == 1


def test_claimed_states_always_have_one_claimer(users, wish_in):
    from django.db import IntegrityError, transaction

    wish = wish_in(State.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.filter(pk=wish.pk).update(state=State.CLAIMED,
                                               claimed_at=timezone.now())
    assert all(s in CLAIMED_STATES for s in (State.CLAIMED, State.FULFILLED))


# ---- pages ------------------------------------------------------------------------------------

def test_pages_walk_through_the_steps(client, users, post, round_, fresh):
    client.force_login(users.resident)
    response = client.post(reverse("wish_create"), {
        "title": "修好轮椅", "group": "disabled", "recipient_name": "赵大爷",
        "recipient_phone": "13800001111", "estimated_value": "80"})
    assert response.status_code == 302
    wish = Wish.objects.get(title="修好轮椅")
    client.force_login(users.community_a)
    assert "修好轮椅" in client.get(reverse("wish_review")).content.decode()
    client.post(reverse("wish_publish", args=[wish.pk]), {"round": round_.pk})
    client.force_login(users.member)
    home = client.get(reverse("wish_home")).content.decode()
    assert "修好轮椅" in home and "赵大爷" not in home
    client.post(reverse("wish_claim", args=[wish.pk]))
    assert fresh(wish).state == State.CLAIMED
    response = client.post(reverse("wish_fulfil", args=[wish.pk]), {"note": "已修好"})
    assert response.status_code == 400 and "请上传" in response.content.decode()
    client.post(reverse("wish_fulfil", args=[wish.pk]),
                {"note": "已修好", "photo": upload()})
    assert fresh(wish).state == State.FULFILLED
    client.force_login(users.resident)
    client.post(reverse("wish_confirm", args=[wish.pk]))
    client.post(reverse("wish_thank", args=[wish.pk]), {"text": "谢谢！"})
    assert fresh(wish).thanks == "谢谢！"


def test_refused_page_step_says_why(client, users, wish_in):
    wish = wish_in(State.CLAIMED)
    client.force_login(users.liaison_a)
    response = client.post(reverse("wish_claim", args=[wish.pk]), follow=True)
    assert "该心愿已被认领" in response.content.decode()


def test_round_pages_show_counts(client, users, wish_in, round_):
    wish_in(State.CONFIRMED)
    client.force_login(users.community_a)
    page = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert "第一期微心愿" in page and "round-chart-data" in page
    response = client.post(reverse("round_create"), {
        "name": "第二期", "org": users.community_a.grants.get().org.pk,
        "starts_on": "2026-01-10", "ends_on": "2026-01-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert not Round.objects.filter(name="第二期").exists()


def test_daily_reminders_are_sent_once(users, wish_in):
    from gongjian.wishes.reminders import CLAIMED_DAYS, sweep

    held = wish_in(State.CLAIMED)
    waiting = wish_in(State.SUBMITTED, title="上门探望")
    today = timezone.localdate()
    assert sweep(today) == 0
    later = today + datetime.timedelta(days=CLAIMED_DAYS + 1)
    assert sweep(later) == 2  # the claimer; community A's staff about the one to review
    assert Notification.objects.filter(user=users.member, key=f"wish:{held.pk}:held").exists()
    assert Notification.objects.filter(user=users.community_a,
                                       key=f"wish:{waiting.pk}:review").exists()
    assert sweep(later) == 0


# ---- trees deeper than street → community ---------------------------------------------------

def test_a_city_wide_tree_posts_wishes_and_runs_rounds(tree, make_user):
    from gongjian.orgs.models import Organization
    from gongjian.orgs.services import create_organization
    from gongjian.wishes.forms import RoundForm

    def org(parent, code, kind, sector):
        return create_organization(user=None, parent=parent, code=code, name=f"{code}组织",
                                   kind=kind, sector=sector)

    city = org(None, "CITY", "working_committee", "street")
    district = org(city, "CITY-D", "working_committee", "street")
    street = org(district, "CITY-D-S", "working_committee", "street")
    community = org(street, "CITY-D-S-1", "committee", "community")
    branch = org(community, "CITY-D-S-1-1", "branch", "community")
    street_staff = make_user("street_staff", street)
    community_staff = make_user("community_staff", community)
    resident = make_user("resident", community)
    member = make_user("member", branch)

    form = RoundForm(user=street_staff)
    assert set(form.fields["org"].queryset.values_list("code", flat=True)) == \
        {"CITY-D-S", "CITY-D-S-1"}  # the street and its community, not the district
    city_form = RoundForm(user=make_user("street_staff", city))
    assert set(city_form.fields["org"].queryset.values_list("code", flat=True)) >= \
        {"CITY-D-S", "CITY-D-S-1"}
    assert not {"CITY", "CITY-D"} & set(
        city_form.fields["org"].queryset.values_list("code", flat=True))

    today = timezone.localdate()
    round_ = services.save_round(Round(
        name="全市微心愿", org=Organization.objects.get(pk=street.pk), starts_on=today,
        ends_on=today + datetime.timedelta(days=30)), user=street_staff)
    wish = services.post_wish(Wish(title="一个新书包", group=Group.YOUTH,
                                   recipient_name=RECIPIENT), user=resident)
    assert wish.org.pk == community.pk
    services.publish(wish, user=community_staff)
    services.claim(wish, user=member)
    wish.refresh_from_db()
    assert wish.round == round_ and wish.state == State.CLAIMED
    # Neither the street nor a branch of the community holds wishes.
    for holder in (street, branch):
        with pytest.raises(ValidationError, match="心愿须归属一个社区"):
            Wish(title="书包", group=Group.YOUTH, recipient_name=RECIPIENT,
                 org=Organization.objects.get(pk=holder.pk), posted_by=resident).full_clean()


def test_wish_list_shows_the_claimer_as_the_detail_page_does(client, users, wish_in):
    wish = wish_in(State.CLAIMED)
    full = wish.claimer_name
    assert full and wish.claimer_public_name != full
    client.force_login(users.street)  # reviews the street's wishes, not the claimer in full
    page = client.get(reverse("wish_list")).content.decode()
    assert wish.claimer_public_name in page and full not in page
    detail = client.get(reverse("wish_detail", args=[wish.pk])).content.decode()
    assert full not in detail
    client.force_login(users.community_a)
    assert full in client.get(reverse("wish_list")).content.decode()


def test_post_form_asks_to_keep_the_recipient_out_of_the_description(client, users):
    client.force_login(users.resident)
    page = client.get(reverse("wish_create")).content.decode()
    assert "请勿在说明中填写受助人姓名、电话、住址" in page
