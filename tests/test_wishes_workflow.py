"""Micro-wishes on the workflow kit: the table refuses a step out of order in Chinese and
writes nothing, the steps a page offers are exactly the steps the services take (for every
account and state), the history is written by `record_event` and shown by the kit's partial,
and every step keeps its page URL name and its API route."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from gongjian.core.models import Notification
from gongjian.core.services import DomainError, OutOfScope
from gongjian.wishes import services
from gongjian.wishes.models import Round, State, Wish, WishEvent


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def round_(tree):
    today = timezone.localdate()
    return Round.objects.create(name="第一期微心愿", org=tree.s,
                                starts_on=today - datetime.timedelta(days=3),
                                ends_on=today + datetime.timedelta(days=30))


@pytest.fixture
def wish_in(users, round_):
    """`wish_in(state, claimer=member)`: a wish of community A posted by the resident and
    taken to `state` through the services; "thanked" is confirmed with its thanks."""

    def make(state, claimer=None):
        claimer = claimer or users.member
        wish = services.post_wish(Wish(title="一个新书包", group="youth",
                                       recipient_name="王小明"), user=users.resident)
        if state == State.SUBMITTED:
            return wish
        if state == State.REJECTED:
            return services.reject(wish, user=users.community_a, reason="不符合条件")
        services.publish(wish, user=users.community_a)
        if state == State.WITHDRAWN:
            return services.withdraw(wish, user=users.resident)
        if state == State.PUBLISHED:
            return wish
        services.claim(wish, user=claimer)
        if state == State.CLAIMED:
            return wish
        services.fulfil(wish, user=claimer, photo=photo(), note="已送到")
        if state == State.FULFILLED:
            return wish
        services.confirm(wish, user=users.resident)
        if state == "thanked":
            services.thank(wish, user=users.resident, text="谢谢！")
        return wish

    return make


# Valid parameters of each step: a refusal then comes from the table, never from the input.
PARAMS = {
    "publish": lambda: {}, "reject": lambda: {"reason": "不符合条件"},
    "withdraw": lambda: {"reason": "已解决"}, "claim": lambda: {},
    "release": lambda: {"reason": "临时有事"}, "fulfil": lambda: {"photo": photo(), "note": "已送到"},
    "confirm": lambda: {}, "thank": lambda: {"text": "谢谢！"},
}


class _RolledBack(Exception):
    pass


def takes(step, user, wish):
    """Whether the service takes `step` for `user` now (tried, then rolled back)."""
    try:
        with transaction.atomic():
            moved = getattr(services, step)(Wish.objects.get(pk=wish.pk), user=user,
                                            **PARAMS[step]())
            target = services.WORKFLOW[step].target
            assert moved.state == (target or wish.state), (step, moved.state)
            raise _RolledBack
    except _RolledBack:
        return True
    except DomainError:
        return False


def test_the_table_is_the_one_the_services_follow():
    assert {s.name for s in services.WORKFLOW} == {
        "publish", "reject", "withdraw", "claim", "release", "fulfil", "confirm", "thank"}
    assert services.TRANSITIONS["claim"] == (frozenset({"published"}), "claimed")
    assert services.TRANSITIONS["withdraw"][0] == {"submitted", "published"}
    assert services.TRANSITIONS["thank"] == (frozenset({"confirmed"}), None)
    # Every step is a service of the same name (what the page and the API call).
    assert all(callable(getattr(services, s.name)) for s in services.WORKFLOW)


@pytest.mark.parametrize(("step", "state", "actor", "message"), [
    ("confirm", State.PUBLISHED, "resident", "心愿尚未实现，不能确认。"),
    ("fulfil", State.PUBLISHED, "member", "该心愿尚未被认领。"),
    ("publish", State.PUBLISHED, "community_a", "该心愿已是“已发布”，无需再审核。"),
    ("withdraw", State.CLAIMED, "resident", "心愿已被认领，不能撤回；如确需撤回请联系认领人放弃认领。"),
    ("claim", State.CLAIMED, "liaison_a", "该心愿已被认领。"),
    ("thank", State.FULFILLED, "resident", "心愿确认实现后才能发表感谢留言。"),
    # Refused by a guard of the table, in the right state.
    ("thank", "thanked", "resident", "已经发表过感谢留言。"),
    ("release", State.CLAIMED, "member_b", "只有认领人可以进行这一步。"),
])
def test_a_step_out_of_turn_is_refused_in_chinese_and_writes_nothing(
        step, state, actor, message, users, wish_in, fresh, make_user, tree):
    users.member_b = make_user("member", tree.b1)
    wish = wish_in(state)
    before = (fresh(wish).state, fresh(wish).thanks, WishEvent.objects.count(),
              Notification.objects.count())
    with pytest.raises(DomainError) as refused:
        getattr(services, step)(wish, user=getattr(users, actor), **PARAMS[step]())
    assert refused.value.message == message and refused.value.status == 409
    assert (fresh(wish).state, fresh(wish).thanks, WishEvent.objects.count(),
            Notification.objects.count()) == before


STATES = [State.SUBMITTED, State.PUBLISHED, State.CLAIMED, State.FULFILLED, State.CONFIRMED,
          "thanked", State.REJECTED, State.WITHDRAWN]
ACCOUNTS = ["street", "community_a", "community_b", "grid_a", "liaison_a", "member",
            "resident", "other_member"]


@pytest.mark.parametrize("state", STATES)
def test_steps_offered_are_the_steps_the_services_take(state, users, wish_in, make_user, tree):
    users.other_member = make_user("member", tree.b1)
    wish = wish_in(state)
    for name in ACCOUNTS:
        user = getattr(users, name)
        fresh_wish = Wish.objects.get(pk=wish.pk)
        offered = services.WORKFLOW.available(user, fresh_wish)
        allowed = {s.name for s in services.WORKFLOW if takes(s.name, user, fresh_wish)}
        assert offered == allowed, (state, name)
        assert services.available_steps(fresh_wish, user=user) == offered


def test_a_claimer_who_is_also_community_staff_cannot_confirm_it(users, wish_in, tree,
                                                                 fresh):
    from gongjian.core.models import RoleGrant

    RoleGrant.objects.create(user=users.member, role="community_staff", org=tree.a)
    wish = wish_in(State.FULFILLED)
    assert "confirm" in services.WORKFLOW.available(users.community_a, wish)
    assert "confirm" not in services.WORKFLOW.available(users.member, wish)
    with pytest.raises(DomainError, match="认领人不能自己确认，须由受助人或社区确认。"):
        services.confirm(wish, user=users.member)
    assert fresh(wish).state == State.FULFILLED


def test_a_unit_holding_a_wish_is_offered_its_steps(users, wish_in):
    wish = wish_in(State.CLAIMED, claimer=users.liaison_a)
    for user, expected in [(users.liaison_a, {"release", "fulfil"}), (users.member, set()),
                           (users.community_a, set()), (users.resident, set())]:
        assert services.WORKFLOW.available(user, wish) == expected, user
        assert {s.name for s in services.WORKFLOW if takes(s.name, user, wish)} == expected


def test_whose_turn_it_is(users, wish_in):
    line = services.next_line(wish_in(State.SUBMITTED))
    assert [(s.name, whose) for s, whose in line] == [("publish", "街道党建办、社区党务工作者")]
    line = services.next_line(wish_in(State.PUBLISHED))
    assert [(s.name, whose) for s, whose in line] == [("claim", "共建单位联络员、党员")]
    assert [(s.name, w) for s, w in services.next_line(wish_in(State.CLAIMED))] == [
        ("fulfil", "认领人")]
    assert [s.name for s, _w in services.next_line(wish_in(State.CONFIRMED))] == ["thank"]
    assert services.next_line(wish_in("thanked")) == []


def test_history_is_written_by_the_kit(users, wish_in):
    wish = wish_in(State.CLAIMED)
    events = list(wish.events.all())
    assert [(e.step, e.state_from, e.state_to) for e in events] == [
        ("submit", "", "submitted"), ("publish", "submitted", "published"),
        ("claim", "published", "claimed")]
    submit, publish, claim = events
    assert submit.actor == users.resident and submit.actor_name == users.resident.display_name
    assert publish.note == "发布到“第一期微心愿”" and publish.step_label == "审核发布"
    assert claim.summary == "认领" and claim.actor == users.member and claim.text == ""


def test_round_names_are_never_quoted_twice(users, tree):
    today = timezone.localdate()
    Round.objects.create(name="金山街道“红盟同心”微心愿", org=tree.s, starts_on=today,
                         ends_on=today + datetime.timedelta(days=5))
    wish = services.post_wish(Wish(title="一个新书包", group="youth", recipient_name="王小明"),
                              user=users.resident)
    services.publish(wish, user=users.community_a)
    assert wish.events.get(step="publish").note == "发布到“金山街道「红盟同心」微心愿”"
    told = Notification.objects.get(user=users.resident, title__contains="已审核发布")
    assert told.body == "已发布到“金山街道「红盟同心」微心愿”，等待认领。"


def test_detail_page_shows_the_history_and_whose_turn(client, users, wish_in, make_user, tree):
    wish = wish_in(State.CLAIMED)
    client.force_login(users.community_a)
    page = client.get(reverse("wish_detail", args=[wish.pk])).content.decode()
    assert 'id="history"' in page and "审核发布" in page and "发布到“第一期微心愿”" in page
    assert users.member.display_name in page  # who acted, for the community's staff
    assert "下一步：实现心愿（认领人）" in page
    # Another member of the street sees the steps but not who took them.
    client.force_login(make_user("member", tree.b1))
    page = client.get(reverse("wish_detail", args=[wish.pk])).content.decode()
    assert 'id="history"' in page and "审核发布" in page
    assert users.member.display_name not in page and users.community_a.display_name not in page


def test_every_step_keeps_its_url_name_and_api_route(client, users, wish_in):
    wish = wish_in(State.PUBLISHED)
    for step in services.WORKFLOW:
        url = reverse(f"wish_{step.name}", args=[wish.pk])
        assert url == f"/wishes/{wish.pk}/{step.name}/"
        match = resolve(url)
        assert match.func.view_class.__name__ == "WishStep" and match.kwargs["step"] == step.name
        assert reverse(f"api-wish-{step.name}", args=[wish.pk]) == \
            f"/api/v1/wishes/{wish.pk}/{step.name}/"
    client.force_login(users.member)
    # A button step has no page; the fulfil page is the claimer's only.
    assert client.get(reverse("wish_claim", args=[wish.pk])).status_code == 405
    services.claim(wish, user=users.liaison_a)
    assert client.get(reverse("wish_fulfil", args=[wish.pk])).status_code == 404
    client.force_login(users.liaison_a)
    assert client.get(reverse("wish_fulfil", args=[wish.pk])).status_code == 200


def test_a_page_step_refused_comes_back_as_a_message_and_writes_nothing(client, users,
                                                                       wish_in):
    wish = wish_in(State.PUBLISHED)
    events = WishEvent.objects.count()
    client.force_login(users.resident)
    response = client.post(reverse("wish_confirm", args=[wish.pk]), follow=True)
    assert "心愿尚未实现，不能确认。" in response.content.decode()
    assert WishEvent.objects.count() == events
    client.force_login(users.community_a)
    response = client.post(reverse("wish_publish", args=[wish.pk]), {"round": "abc"},
                           follow=True)
    assert "该心愿已是“已发布”，无需再审核。" in response.content.decode()


def test_a_round_given_as_itself_or_by_its_id_publishes_alike(users, wish_in, round_, fresh):
    first, second = wish_in(State.SUBMITTED), wish_in(State.SUBMITTED)
    services.publish(first, user=users.community_a, round=round_, note="旧的调用方式")
    services.publish(second, user=users.community_a, round=round_.pk, note="新的调用方式")
    assert fresh(first).round == fresh(second).round == round_
    assert [e.note for e in WishEvent.objects.filter(step="publish").order_by("id")] == [
        "旧的调用方式", "新的调用方式"]
    with pytest.raises(OutOfScope):
        services.publish(first, user=users.community_b)
