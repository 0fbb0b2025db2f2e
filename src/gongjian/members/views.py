"""Roster pages: the list with its filters, a member's record, registering and editing.

ID numbers and phones are shown masked; the full value is given only on an explicit click by
somebody whose role has the personal-data right over that person, and the service logs it.
"""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from gongjian.core.access import restrict
from gongjian.core.generic import ObjectDetailView, ObjectEditView, ObjectListView, ScopedView
from gongjian.core.services import OutOfScope
from gongjian.orgs.models import Organization

from . import services
from .choices import Standing
from .filters import roster_rows
from .filtersets import RosterFilterSet
from .forms import SECRET_FIELDS, MemberForm, member_initial
from .models import Membership, Person, TeamSeat

SECRET_LABELS = {"id_number": "公民身份号码", "phone": "联系电话"}


def export_url(query):
    """The export link for the same filters."""
    url = reverse("member_export")
    return f"{url}?{query}" if query else url


class RosterRows:
    """The roster's rows: memberships through restrict(), narrowed by its one FilterSet (the
    list page and the export; the API uses the same FilterSet on the same rows)."""

    model = Membership
    filterset_class = RosterFilterSet

    def get_queryset(self):
        return roster_rows(self.request.user)


class MemberList(RosterRows, ObjectListView):
    template_name = "members/member_list.html"

    def list_context(self):
        context = super().list_context()
        page, filterset = context["page"], context["filter"]
        page.object_list = rows = list(page.object_list)
        today = timezone.localdate()
        for row in rows:
            row.age = row.person.age_on(today)
        return {**context, "form": filterset.form,
                "filtered": any(self.request.GET.get(name) for name in filterset.narrowing),
                "scope_org": filterset.scope_org(),
                "scope_code": (self.request.GET.get("org") or "").strip(),
                "export_url": export_url(context["query"])}


class MemberDetail(ObjectDetailView):
    model = Membership
    lookup_field = "pk"
    template_name = "members/member_detail.html"
    object_actions = ()  # member_context says what the record offers

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related("person", "org"))

    def extra_context(self):
        return member_context(self.request.user, self.object)


def history_of(user, membership):
    """The memberships of the member's record, newest first. The person's own record holds
    all of them; somebody who reaches only this membership (the former organisation after a
    transfer) sees those in their reach."""
    person = membership.person
    person_in_reach = restrict(user, "view", Person).filter(pk=person.pk).exists()
    rows = (person.memberships.all() if person_in_reach
            else restrict(user, "view", Membership).filter(person=person))
    return list(rows.select_related("org").order_by("-active", "-joined_on", "-id"))


def member_context(user, membership, revealed=None):
    person = membership.person
    history = history_of(user, membership)
    in_reach = set(restrict(user, "view", Membership).filter(
        pk__in=[m.pk for m in history]).values_list("pk", flat=True))
    for row in history:
        row.linked = row.pk in in_reach and row.pk != membership.pk
    can_reveal = restrict(user, "reveal", Person).filter(pk=person.pk).exists()
    revealed = revealed or {}
    secrets = [{"field": field, "label": SECRET_LABELS[field],
                "masked": getattr(person, f"{field}_masked"),
                "value": revealed.get(field), "can_reveal": can_reveal}
               for field in SECRET_FIELDS]
    return {
        "m": membership, "person": person, "age": person.age_on(timezone.localdate()),
        "secrets": secrets, "history": history, "can_reveal": can_reveal,
        "seats": restrict(user, "view", TeamSeat).filter(person=person)
        .select_related("team__org").order_by("-started_on"),
        "org_visible": restrict(user, "view", Organization).filter(pk=membership.org_id).exists(),
        "can_change": membership.active
        and restrict(user, "change", Membership).filter(pk=membership.pk).exists(),
    }


class MemberReveal(ScopedView):
    """POST field=id_number|phone: the full value, once, logged (who saw whose, when)."""

    model = Person
    action = "reveal"
    http_method_names = ["post"]

    def post(self, request, pk):
        field = request.POST.get("field")
        if field not in SECRET_FIELDS:
            return HttpResponseBadRequest("field 须为 id_number 或 phone。")
        membership = get_object_or_404(
            restrict(request.user, "view", Membership).select_related("person", "org"), pk=pk)
        try:
            value = services.reveal(membership.person, user=request.user, field=field)
        except OutOfScope as error:
            raise Http404(error.message) from error
        if request.htmx:
            secret = {"field": field, "label": SECRET_LABELS[field], "value": value,
                      "masked": getattr(membership.person, f"{field}_masked"),
                      "can_reveal": True}
            response = render(request, "members/_member_secret.html",
                              {"m": membership, "secret": secret})
        else:
            response = render(request, "members/member_detail.html",
                              member_context(request.user, membership, {field: value}))
        add_never_cache_headers(response)
        return response


class MemberFormView(ObjectEditView):
    """Registering (`member_create`) and editing (`member_edit`) a member: person and
    membership in one form, written by the roster's services."""

    model = Membership
    lookup_field = "pk"
    form_class = MemberForm
    template_name = "members/member_form.html"
    detail_url = "member_detail"
    list_url = "member_list"
    title_add = "登记党员"
    title_change = "修改党员信息：{obj.person.name}"

    def get_object(self, action=None, queryset=None):
        # Ended memberships are history: they are corrected by the transfer records.
        return super().get_object(action, self.scoped(action).filter(active=True)
                                  .select_related("person", "org"))

    def form_kwargs(self, obj):
        return {"membership": obj}

    def initial(self, obj):
        if obj is not None:
            return member_initial(obj)
        return {"org": self.request.GET.get("org", ""), "standing": Standing.NORMAL,
                "ethnicity": "汉族"}

    def save(self, form, obj):
        user = self.request.user
        if obj is None:
            person, membership = form.build()
            return services.register_member(user=user, person=person, membership=membership)
        target = Membership.objects.select_related("person", "org").get(pk=obj.pk)
        services.update_member(target, user=user, person_changes=form.person_changes(),
                               membership_changes=form.membership_changes())
        return target

    def success_message(self, form, obj, saved):
        return "已保存。" if obj is not None else f"已登记党员 {saved.person.name}。"


# One view registers (no pk in the URL) and edits; the URLs keep their two names.
MemberCreate = MemberEdit = MemberFormView
