"""Roster pages: the list with its filters, a member's record, registering and editing.

ID numbers and phones are shown masked; the full value is given only on an explicit click by
somebody whose role has the personal-data right over that person, and the service logs it.
"""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from gongjian.core.access import restrict
from gongjian.core.generic import ScopedView, paginate, run_service
from gongjian.core.services import OutOfScope
from gongjian.orgs.models import Organization

from . import services
from .choices import Standing
from .filters import roster
from .forms import MEMBERSHIP_FIELDS, PERSON_FIELDS, SECRET_FIELDS, MemberForm, RosterFilterForm
from .models import Membership, Person, TeamSeat

SECRET_LABELS = {"id_number": "公民身份号码", "phone": "联系电话"}


def export_url(query):
    """The export link for the same filters."""
    url = reverse("member_export")
    return f"{url}?{query}" if query else url


class MemberList(ScopedView):
    model = Membership
    template_name = "members/member_list.html"

    def get(self, request):
        user = request.user
        page, query = paginate(request, roster(user, request.GET))
        page.object_list = rows = list(page.object_list)
        today = timezone.localdate()
        for row in rows:
            row.age = row.person.age_on(today)
        code = (request.GET.get("org") or "").strip()
        org = restrict(user, "view", Organization).filter(code=code).first() if code else None
        return self.render({
            "form": RosterFilterForm(request.GET), "page": page, "query": query,
            "filtered": any(request.GET.get(k) for k in RosterFilterForm.base_fields
                            if k not in ("sort", "active")),
            "scope_org": org, "scope_code": code,
            "can_add": self.can("add"), "export_url": export_url(query),
        })


class MemberDetail(ScopedView):
    model = Membership
    lookup_field = "pk"
    template_name = "members/member_detail.html"

    def get(self, request, pk):
        membership = self.get_object(queryset=self.scoped().select_related("person", "org"))
        return self.render(member_context(request.user, membership))


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
        "secrets": secrets, "history": history,
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
            value = services.reveal(request.user, membership.person, field)
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


class MemberFormView(ScopedView):
    model = Membership
    template_name = "members/member_form.html"

    def page(self, form, title, cancel, status=200):
        form.mark_invalid()
        return self.render({
            "form": form, "title": title, "cancel": cancel,
            "person_fields": [form[name] for name in PERSON_FIELDS],
            "membership_fields": [form[name] for name in MEMBERSHIP_FIELDS],
        }, status=status)


class MemberCreate(MemberFormView):
    action = "add"
    title = "登记党员"

    def get(self, request):
        form = MemberForm(user=request.user, initial={
            "org": request.GET.get("org", ""), "standing": Standing.NORMAL, "ethnicity": "汉族"})
        return self.page(form, self.title, reverse("member_list"))

    def post(self, request):
        form = MemberForm(request.POST, user=request.user)
        if form.is_valid():
            person, membership = form.build()
            ok, membership = run_service(request, form, lambda: services.register_member(
                request.user, person=person, membership=membership), f"已登记党员 {person.name}。")
            if ok:
                return redirect("member_detail", pk=membership.pk)
        return self.page(form, self.title, reverse("member_list"), status=400)


class MemberEdit(MemberFormView):
    action = "change"
    lookup_field = "pk"

    def membership(self):
        # Ended memberships are history: they are corrected by the transfer records.
        return self.get_object(queryset=self.scoped().filter(active=True)
                               .select_related("person", "org"))

    def get(self, request, pk):
        membership = self.membership()
        return self.page(MemberForm(user=request.user, membership=membership),
                         f"修改党员信息：{membership.person.name}",
                         reverse("member_detail", args=[pk]))

    def post(self, request, pk):
        membership = self.membership()
        form = MemberForm(request.POST, user=request.user, membership=membership)
        if form.is_valid():
            target = Membership.objects.select_related("person", "org").get(pk=membership.pk)
            ok, _ = run_service(request, form, lambda: services.update_member(
                request.user, target, form.person_changes(), form.membership_changes()),
                "已保存。")
            if ok:
                return redirect("member_detail", pk=pk)
        return self.page(form, f"修改党员信息：{membership.person.name}",
                         reverse("member_detail", args=[pk]), status=400)
