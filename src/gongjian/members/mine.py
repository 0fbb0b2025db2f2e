"""我的: a member's or a resident's own page — their record, the wishes and demands they
posted, the wishes they claimed, and where to take the next step on each; then what each
capability adds for the account (`Capability.mine_sections`: organisational life, …).

Every row is read through restrict() and then narrowed to the account's own, so an account
that is also staff somewhere still sees only its own rows here, and a row the account may no
longer see (a withdrawn wish off the wall) is not shown.
"""

import importlib

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from gongjian.core.access import ROLE_LABELS, SELF_ROLES, can, grants_of, restrict
from gongjian.core.capabilities import mine_sections
from gongjian.projects.models import Demand, DemandState, Project
from gongjian.wishes.models import DONE_STATES, State, Wish

from .forms import SECRET_FIELDS
from .models import Membership, Person
from .views import SECRET_LABELS

DEMAND_BADGES = {DemandState.OPEN: "text-bg-warning", DemandState.ACCEPTED: "text-bg-primary",
                 DemandState.PROJECT: "text-bg-success", DemandState.DECLINED: "text-bg-secondary",
                 DemandState.WITHDRAWN: "text-bg-light border"}


def own_grants(user):
    """The account's member and resident grants (the roles this page is for)."""
    return [g for g in grants_of(user) if g.role in SELF_ROLES]


def my_record(user):
    """The person linked to the account, as far as the account may see it: name, organisation,
    active membership, and the masked ID number and phone (revealable where the role allows)."""
    if not user.person_id:
        return None
    person = restrict(user, "view", Person).filter(pk=user.person_id).select_related("org").first()
    if person is None:
        return None
    membership = (restrict(user, "view", Membership).filter(person=person, active=True)
                  .select_related("org").first())
    # The reveal goes through the roster's logged reveal, which names the membership.
    can_reveal = membership is not None and restrict(user, "reveal", Person).filter(
        pk=person.pk).exists()
    secrets = [{"field": field, "label": SECRET_LABELS[field],
                "masked": getattr(person, f"{field}_masked"), "value": None,
                "can_reveal": can_reveal}
               for field in SECRET_FIELDS]
    return {"person": person, "m": membership, "secrets": secrets,
            "age": person.age_on(timezone.localdate())}


def my_wishes(user):
    """(posted, claimed): the account's own wishes, newest first, each with `todo` set when
    the next step is the account's (confirm a fulfilled wish it posted, fulfil one it holds)."""
    visible = restrict(user, "view", Wish).select_related("org", "round")
    posted = list(visible.filter(posted_by=user).order_by("-posted_at", "-id"))
    claimed = list(visible.filter(claimed_by=user).order_by("-claimed_at", "-id"))
    for wish in posted:
        wish.todo = "待您确认" if wish.state == State.FULFILLED else ""
    for wish in claimed:
        wish.todo = "待您实现" if wish.state == State.CLAIMED else ""
    return posted, claimed


def my_demands(user):
    """The demands the account posted, newest first; `project_visible` where the project the
    demand became is one the account may open."""
    demands = list(restrict(user, "view", Demand).filter(posted_by=user)
                   .select_related("org", "project").order_by("-created_at", "-id"))
    project_ids = {d.project_id for d in demands if d.project_id}
    visible = set(restrict(user, "view", Project).filter(pk__in=project_ids)
                  .values_list("pk", flat=True)) if project_ids else set()
    for demand in demands:
        demand.badge = DEMAND_BADGES.get(demand.state, "text-bg-light border")
        demand.project_visible = demand.project_id in visible
    return demands


def counts_of(posted, claimed, demands):
    """The figures at the top, from the rows shown (a wish both posted and claimed by the
    account counts once as fulfilled)."""
    done = {w.pk for w in (*posted, *claimed) if w.state in DONE_STATES}
    return {"posted": len(posted), "claimed": len(claimed), "fulfilled": len(done),
            "demands": len(demands)}


def capability_sections(user):
    """The sections the capabilities add, each with its own context; a capability with
    nothing for this account (None) adds none."""
    sections = []
    for module_name, template in mine_sections():
        data = importlib.import_module(module_name).my_section(user)
        if data is not None:
            sections.append({"template": template, "data": data})
    return sections


def my_page_context(user):
    grants = own_grants(user)
    posted, claimed = my_wishes(user)
    demands = my_demands(user)
    counts = counts_of(posted, claimed, demands)
    can_claim = can(user, "claim", Wish)
    can_see_demands = can(user, "view", Demand)
    # A figure for something the account can never do (a resident claiming) is left out.
    stats = [("posted", "发布心愿", True), ("claimed", "认领心愿", can_claim or claimed),
             ("fulfilled", "已实现", True), ("demands", "提出需求", can_see_demands or demands)]
    return {
        "record": my_record(user),
        "roles": sorted({ROLE_LABELS[g.role] for g in grants}),
        "homes": list(dict.fromkeys(g.org for g in grants if g.org_id)),
        "posted": posted, "claimed": claimed, "demands": demands, "counts": counts,
        "stats": [{"key": key, "label": label, "value": counts[key]}
                  for key, label, shown in stats if shown],
        "can_post_wish": can(user, "add", Wish),
        "can_claim": can_claim,
        "can_post_demand": can(user, "add", Demand),
        "can_see_demands": can_see_demands,
        "sections": capability_sections(user),
    }


class MyPage(LoginRequiredMixin, View):
    """GET /me/: for accounts holding a member or resident grant; anyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not own_grants(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, "members/mine.html", my_page_context(request.user))
