"""The workflow kit itself (core.workflow, core.generic.WorkflowStepView,
core.api_views.workflow_actions) on a table declared here over the wish model: a step out of
order refused with its Chinese message, `lock` refusing an account out of scope with 404,
history written by `record_event`, the steps offered equal to the steps allowed, whose step
it is read from the roles' permissions, and the one page view and API action per step."""

from types import SimpleNamespace

import pytest
from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIRequestFactory, force_authenticate

from gongjian import urls as site_urls
from gongjian.core.access import ROLE_PERMISSIONS, role_label
from gongjian.core.api_views import ScopedViewSet, WorkflowViewSetMixin, workflow_actions
from gongjian.core.generic import WorkflowStepView
from gongjian.core.services import DomainError, OutOfScope
from gongjian.core.workflow import (
    Step,
    Workflow,
    build_event,
    record_event,
)
from gongjian.wishes.models import Wish, WishEvent


def _only_the_poster(user, obj):
    return None if obj.posted_by_id == user.pk else "只有发布人可以关闭。"


FLOW = Workflow(Wish, [
    Step("approve", "批准", ["submitted"], "published", action="review", done="已批准。",
         fields=("note",)),
    Step("close", "关闭", ["submitted", "published"], "withdrawn", action="withdraw",
         guard=_only_the_poster, owner="发布人", fields=("reason",)),
    Step("reopen", "重新打开", ["withdrawn"], "submitted", action="review", style="danger"),
    Step("expire", "过期", ["published"], "withdrawn", action=None),
])


def _service(name):
    def take(obj, *, user, **params):
        with transaction.atomic():
            locked = FLOW.lock(user, obj, name)
            before = FLOW.move(locked, name)
            locked.save()
            record_event(locked, name, user, note=params.get("note") or params.get("reason", ""),
                         state_from=before, state_to=locked.state)
        return locked

    take.__name__ = name
    return take


SERVICES = SimpleNamespace(**{name: _service(name) for name in ("approve", "close", "reopen")})


@pytest.fixture
def wish_in(users, tree):
    def make(state="submitted"):
        return Wish.objects.create(title="一个新书包", group="youth", recipient_name="王小明",
                                   org=tree.a, posted_by=users.resident, state=state)

    return make


# ---- the table --------------------------------------------------------------------------------

def test_a_table_is_declared_once_and_checked():
    assert FLOW.transitions["approve"] == (frozenset({"submitted"}), "published")
    assert [s.name for s in FLOW] == ["approve", "close", "reopen", "expire"]
    with pytest.raises(ValueError, match="declared twice"):
        Workflow(Wish, [Step("a", "甲", ["submitted"]), Step("a", "乙", ["published"])])
    with pytest.raises(TypeError, match="unknown step options"):
        Step("a", "甲", ["submitted"], colour="red")


def test_a_step_in_the_wrong_state_is_refused_with_its_message(wish_in):
    wish = wish_in("published")
    with pytest.raises(DomainError) as refused:
        FLOW.check("approve", wish)
    assert refused.value.message == "当前状态为“已发布”，不能批准。"
    assert refused.value.status == 409
    assert FLOW.check("close", wish).name == "close"
    # A table's own refusal speaks instead, where it has something to say.
    custom = Workflow(Wish, FLOW.steps, refusal=lambda step, obj: (
        "已经批准过了。" if step.name == "approve" and obj.state == "published" else None))
    with pytest.raises(DomainError, match="^已经批准过了。$"):
        custom.check("approve", wish)
    with pytest.raises(DomainError, match="当前状态为“已发布”，不能重新打开。"):
        custom.check("reopen", wish)


def test_lock_checks_scope_then_state_then_guard(users, wish_in):
    wish = wish_in()
    with transaction.atomic(), pytest.raises(OutOfScope) as refused:
        FLOW.lock(users.community_b, wish, "approve")  # another community's
    assert refused.value.status == 404
    with transaction.atomic(), pytest.raises(DomainError, match="只有发布人可以关闭。"):
        FLOW.lock(users.community_a, wish, "close")
    with transaction.atomic():
        locked = FLOW.lock(users.resident, wish, "close", related=["org"])
        assert locked.pk == wish.pk and locked is not wish
        assert FLOW.move(locked, "close") == "submitted" and locked.state == "withdrawn"
    with transaction.atomic(), pytest.raises(DomainError, match="不能重新打开"):
        FLOW.lock(users.community_a, wish, "reopen")


def test_move_keeps_the_state_of_a_step_without_target(wish_in):
    keep = Workflow(Wish, [Step("note", "备注", ["submitted"], None)])
    wish = wish_in()
    assert keep.move(wish, "note") == "submitted" and wish.state == "submitted"


# ---- history ------------------------------------------------------------------------------------

def test_record_event_writes_a_history_line_through_the_subject(users, wish_in):
    wish = wish_in()
    event = record_event(wish, "approve", users.community_a, text="批" * 600, note="说明",
                         state_from="submitted", state_to="published")
    assert isinstance(event, WishEvent) and event.pk and event.wish == wish
    assert event.actor_name == users.community_a.display_name
    assert len(event.text) == 500 and event.summary == event.text
    assert (event.state_from, event.state_to, event.note) == ("submitted", "published", "说明")
    bare = record_event(wish, "publish", None, actor_name="系统")
    assert bare.actor is None and bare.actor_name == "系统"
    assert bare.summary == "审核发布"  # no text of its own: the step's label
    unsaved = build_event(wish, "claim", users.member, note="以单位名义")
    assert unsaved.pk is None and unsaved.wish == wish
    WishEvent.objects.bulk_create([unsaved])
    assert [e.step for e in wish.events.all()] == ["approve", "publish", "claim"]


def test_steps_write_their_history(users, wish_in):
    wish = wish_in()
    SERVICES.approve(wish, user=users.community_a, note="同意")
    line = wish.events.get()
    assert (line.step, line.state_from, line.state_to, line.note, line.actor) == (
        "approve", "submitted", "published", "同意", users.community_a)


# ---- who may do what next -------------------------------------------------------------------

class _Undo(Exception):
    pass


def _takes(user, wish, name):
    try:
        with transaction.atomic():
            getattr(SERVICES, name)(Wish.objects.get(pk=wish.pk), user=user)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


@pytest.mark.parametrize("state", ["submitted", "published", "withdrawn"])
def test_steps_offered_are_the_steps_allowed(state, users, wish_in):
    wish = wish_in(state)
    seen = set()
    for name in ("street", "community_a", "community_b", "grid_a", "liaison_a", "member",
                 "resident"):
        user = getattr(users, name)
        offered = FLOW.available(user, wish)
        assert offered == {n for n in ("approve", "close", "reopen") if _takes(user, wish, n)}, \
            name
        assert [s.name for s in FLOW.available_steps(user, wish)] == [
            s.name for s in FLOW if s.name in offered]  # in table order
        seen |= offered
    assert "expire" not in seen  # the system's step is never a button
    assert seen == {"submitted": {"approve", "close"}, "published": {"close"},
                    "withdrawn": {"reopen"}}[state]


def test_owner_label_is_read_from_the_roles_permissions(monkeypatch):
    def holders(perm):
        return [role_label(r) for r, granted in ROLE_PERMISSIONS.items() if perm in granted]

    assert FLOW.owner_label("approve") == "、".join(holders("wishes.review_wish"))
    assert set(FLOW.owner_label("approve").split("、")) == {"街道党建办", "社区党务工作者"}
    monkeypatch.setitem(ROLE_PERMISSIONS, "grid_staff",
                        ROLE_PERMISSIONS["grid_staff"] | {"wishes.review_wish"})
    assert "网格党支部书记/网格员" in FLOW.owner_label("approve")
    assert FLOW.owner_label("close") == "发布人"  # declared: a guard narrows who
    assert FLOW.owner_label(FLOW["expire"]) == "系统"


def test_next_steps_leave_out_the_system_and_the_danger(wish_in):
    published = wish_in("published")
    assert [s.name for s in FLOW.next_steps(published)] == ["close"]
    assert [(s.name, whose) for s, whose in FLOW.next_line(published)] == [("close", "发布人")]
    assert FLOW.next_line(wish_in("withdrawn")) == []  # reopening is not the way forward
    assert [s.name for s, _ in FLOW.next_line(wish_in(), exclude=["close"])] == ["approve"]


# ---- the partials ------------------------------------------------------------------------------

def test_the_step_buttons_and_the_history_partials(rf, users, wish_in):
    from django.template.loader import render_to_string

    def steps_html(user, wish):
        return render_to_string("core/_steps.html", {
            "steps": FLOW.available_steps(user, wish), "url_prefix": f"/kit/{wish.pk}/",
            "form_steps": ["close"], "next": "/wishes/"}, request=rf.get("/"))

    withdrawn = wish_in("withdrawn")
    html = steps_html(users.community_a, withdrawn)
    assert f'action="/kit/{withdrawn.pk}/reopen/"' in html
    assert 'data-confirm="确定要重新打开吗？"' in html and 'name="next" value="/wishes/"' in html
    published = wish_in("published")
    assert f'href="/kit/{published.pk}/close/"' in steps_html(users.resident, published)
    assert steps_html(users.member, published).strip() == ""  # nothing for them
    record_event(published, "approve", users.community_a, note="同意")
    shown = render_to_string("core/_history.html", {"events": published.events.all()})
    assert "approve" in shown and "同意" in shown and users.community_a.display_name in shown
    hidden = render_to_string("core/_history.html", {"events": published.events.all(),
                                                     "hide_actor": True, "title": "经过"})
    assert "经过" in hidden and users.community_a.display_name not in hidden
    assert "暂无记录" in render_to_string("core/_history.html", {"events": []})


# ---- the page view ------------------------------------------------------------------------------

class CloseForm(forms.Form):
    reason = forms.CharField(error_messages={"required": "请填写原因。"})


class KitStep(WorkflowStepView):
    model = Wish
    workflow = FLOW
    services = SERVICES
    forms = {"close": CloseForm}
    forms_guarded = True
    gone_url = "wish_home"

    def render(self, context, status=200):
        form = context["form"]
        return HttpResponse(f"form {form.errors.as_text()}", status=status)


urlpatterns = [path("kit/<int:pk>/<str:step>/", KitStep.as_view()), *site_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_one_page_view_takes_every_step(client, users, wish_in, fresh):
    wish = wish_in()
    client.force_login(users.community_a)
    response = client.post(f"/kit/{wish.pk}/approve/", {"note": "同意"})
    assert response.status_code == 302 and response["Location"] == f"/wishes/{wish.pk}/"
    assert fresh(wish).state == "published" and wish.events.get().note == "同意"
    again = client.post(f"/kit/{wish.pk}/approve/", follow=True)
    assert "当前状态为“已发布”，不能批准。" in again.content.decode()
    assert wish.events.count() == 1
    assert client.get(f"/kit/{wish.pk}/approve/").status_code == 405  # a button, no page
    assert client.post(f"/kit/{wish.pk}/expire/").status_code == 404  # the system's
    assert client.post(f"/kit/{wish.pk}/nosuch/").status_code == 404
    back = client.post(f"/kit/{wish.pk}/approve/", {"next": "/wishes/review/"})
    assert back["Location"] == "/wishes/review/"
    outside = client.post(f"/kit/{wish.pk}/approve/", {"next": "//example.com/"})
    assert outside["Location"] == f"/wishes/{wish.pk}/"


@pytest.mark.urls(__name__)
def test_the_page_view_refuses_like_every_page(client, users, wish_in):
    wish = wish_in()
    client.force_login(users.member)  # reviews nothing anywhere
    assert client.post(f"/kit/{wish.pk}/approve/").status_code == 403
    client.force_login(users.community_b)  # reviews, not this one
    assert client.post(f"/kit/{wish.pk}/approve/").status_code == 404


@pytest.mark.urls(__name__)
def test_a_step_with_a_form_page(client, users, wish_in, fresh):
    wish = wish_in()
    client.force_login(users.community_a)  # reaches it, but the guard keeps the page
    assert client.get(f"/kit/{wish.pk}/close/").status_code == 404
    client.force_login(users.resident)
    assert client.get(f"/kit/{wish.pk}/close/").status_code == 200
    bad = client.post(f"/kit/{wish.pk}/close/", {"reason": ""})
    assert bad.status_code == 400 and "请填写原因。" in bad.content.decode()
    assert fresh(wish).state == "submitted"
    done = client.post(f"/kit/{wish.pk}/close/", {"reason": "已解决"})
    assert done.status_code == 302 and fresh(wish).state == "withdrawn"
    assert wish.events.get().note == "已解决"


# ---- the API actions ------------------------------------------------------------------------------

class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", max_length=5, required=False)


class KitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wish
        fields = ["id", "state"]


@workflow_actions(FLOW, services=SERVICES, requests={"approve": NoteSerializer})
class KitViewSet(WorkflowViewSetMixin, ScopedViewSet):
    model = Wish
    serializer_class = KitSerializer

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return Response({"own": True})


def _post(user, step, pk, data=None):
    request = APIRequestFactory().post("/", data or {}, format="json")
    force_authenticate(request, user=user)
    return KitViewSet.as_view({"post": step})(request, pk=pk)


def test_one_api_action_per_step(users, wish_in):
    names = {url.name for url in _router().urls}
    assert {"kit-approve", "kit-close", "kit-reopen"} <= names and "kit-expire" not in names
    assert KitViewSet.model_actions["approve"] == "review"
    assert KitViewSet.model_actions["close"] == "withdraw"
    wish = wish_in()
    done = _post(users.community_a, "approve", wish.pk, {"note": "同意"})
    assert done.status_code == 200 and done.data["state"] == "published"
    again = _post(users.community_a, "approve", wish.pk)
    assert again.status_code == 409 and again.data["detail"] == "当前状态为“已发布”，不能批准。"
    assert _post(users.community_b, "approve", wish.pk).status_code == 404
    assert _post(users.member, "approve", wish.pk).status_code == 403
    too_long = _post(users.street, "approve", wish_in().pk, {"note": "太长太长太长"})
    assert too_long.status_code == 400 and too_long.data["field"] == "note"
    # A viewset's own method of a step's name is kept.
    assert _post(users.community_a, "reopen", wish.pk).data == {"own": True}


def _router():
    router = SimpleRouter()
    router.register("kit", KitViewSet, basename="kit")
    return router
