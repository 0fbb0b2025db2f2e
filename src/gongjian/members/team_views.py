"""Pages of leadership teams (班子) and full-time staff (专职党务工作者、党建指导员): an
organisation's teams with their history, recording an election, staff per community, the
staffing standard and the communities that fall short of it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import ModelChoiceIterator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.forms import DATE_INPUT, ScopedChoices, Styled
from gongjian.core.generic import ScopedView, paginate, run_action, run_service
from gongjian.core.pinyin import search_filter
from gongjian.core.services import save_checked
from gongjian.orgs.choices import NON_PUBLIC_UNIT_TYPES, OrgKind, Sector
from gongjian.orgs.models import Organization, Unit

from . import services, stats
from .choices import Post, StaffRole
from .models import Person, StaffAssignment, StaffingStandard, Team, TeamSeat

# Posts a team may hold, by kind of organisation (configuration kept as data). 书记, 副书记 and
# 委员 everywhere; a branch committee divides its members' work (《中国共产党支部工作条例
# （试行）》第二十条: 组织委员、宣传委员、纪检委员 etc.); a party group has a leader.
_COMMITTEE_POSTS = [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.MEMBER,
                    "组织委员", "宣传委员", "纪检委员"]
POSTS_BY_KIND = {
    OrgKind.WORKING_COMMITTEE: [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.MEMBER],
    OrgKind.COMMITTEE: _COMMITTEE_POSTS,
    OrgKind.GENERAL_BRANCH: _COMMITTEE_POSTS,
    OrgKind.BRANCH: _COMMITTEE_POSTS,
    OrgKind.TEMPORARY_BRANCH: [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.MEMBER],
    OrgKind.GROUP: ["组长", "副组长"],
}
# One person leads a team: at most one seat of these posts in a team.
SINGLE_POSTS = {Post.SECRETARY, "组长"}
CANDIDATE_LIMIT = 200
CHOICE_LIMIT = 500


def post_rank(post):
    order = [Post.SECRETARY, Post.DEPUTY_SECRETARY]
    return order.index(post) if post in order else len(order)


def within_reach(user, action, model, org):
    return any(org.path.startswith(node.path) for node in reach_orgs(user, action, model))


def scope_root(request):
    """The organisation a list page covers (?org=CODE, else the user's own) and an error."""
    code = request.GET.get("org", "").strip()
    if code:
        org = stats.find_org(request.user, code)
        return org, None if org else f"组织编码“{code}”不存在或不在您的管理范围内。"
    return stats.default_org(request.user), None


def _count(queryset, field):
    """A correlated COUNT of `queryset` per outer row (0 when none)."""
    return Coalesce(Subquery(queryset.order_by().values(field).annotate(c=Count("pk"))
                             .values("c")[:1]), Value(0))


# ---- teams ------------------------------------------------------------------------------------

class TeamIndex(ScopedView):
    """Communities and every organisation with a team, with the team in office today."""

    model = Team
    template_name = "members/team_index.html"

    def get(self, request):
        user = request.user
        root, error = scope_root(request)
        rows = Organization.objects.none()
        if root is not None:
            seats = restrict(user, "view", TeamSeat).filter(
                team__org=OuterRef("pk"), team__ended_on__isnull=True, ended_on__isnull=True)
            current = restrict(user, "view", Team).filter(org=OuterRef("pk"),
                                                          ended_on__isnull=True)
            rows = (restrict(user, "view", Organization)
                    .filter(path__startswith=root.path, dissolved_on__isnull=True)
                    .filter(Q(pk__in=stats.communities(user, root).values("pk"))
                            | Q(pk__in=restrict(user, "view", Team).values("org_id")))
                    .annotate(elected_on=Subquery(current.values("elected_on")[:1]),
                              team_size=_count(seats, "team__org"),
                              secretary=Subquery(seats.filter(post=Post.SECRETARY)
                                                 .values("person__name")[:1]),
                              terms=_count(restrict(user, "view", Team)
                                           .filter(org=OuterRef("pk")), "org"))
                    .order_by("path"))
        page, query = paginate(request, rows)
        return self.render({"root": root, "error": error, "page": page, "query": query,
                            "org_code": root.code if root else ""})


class TeamDetail(ScopedView):
    model = Team
    template_name = "members/team_detail.html"

    def get(self, request, code):
        user = request.user
        org = get_object_or_404(restrict(user, "view", Organization), code=code)
        seats = restrict(user, "view", TeamSeat).select_related("person")
        teams = list(restrict(user, "view", Team).filter(org=org)
                     .prefetch_related(Prefetch("seats", queryset=seats))
                     .order_by("-elected_on", "-id"))
        terms = []
        for team in teams:
            rows = sorted(team.seats.all(), key=lambda s: (post_rank(s.post), s.post, s.id))
            for seat in rows:
                seat.age = seat.person.age_on(team.elected_on)
            terms.append({"team": team, "seats": rows, "current": team.ended_on is None})
        return self.render({
            "org": org, "terms": terms,
            "can_elect": org.is_active and within_reach(user, "add", Team, org),
            "can_staff": can(user, "view", StaffAssignment),
        })


class ElectionForm(Styled, forms.Form):
    elected_on = forms.DateField(label="选举日期", widget=DATE_INPUT, error_messages={
        "required": "请填写选举日期。", "invalid": "选举日期须为 YYYY-MM-DD 格式的有效日期。"})
    note = forms.CharField(label="备注", required=False, max_length=200,
                           help_text="如届次、选举方式、上级批复文号。")

    def clean_elected_on(self):
        day = self.cleaned_data["elected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("选举日期不能晚于今天。")
        return day


class TeamElect(ScopedView):
    """记录换届: choose the new team's people from the organisation's roster and their posts.
    Searching keeps what has been chosen (the search is a button of the same form)."""

    model = Team
    action = "add"
    template_name = "members/team_elect.html"

    def organisation(self, code):
        org = get_object_or_404(restrict(self.request.user, "view", Organization).active(),
                                code=code)
        if not within_reach(self.request.user, "add", Team, org):
            raise Http404
        return org

    def people(self, org):
        return restrict(self.request.user, "view", Person).filter(
            org__path__startswith=org.path)

    def page(self, org, form, chosen, q="", status=200):
        people = self.people(org)
        listed = people.select_related("org")
        if q:
            condition, _rank = search_filter(q)
            listed = listed.filter(condition)
        listed = list(listed.order_by("name_pinyin", "id")[:CANDIDATE_LIMIT + 1])
        truncated = len(listed) > CANDIDATE_LIMIT
        listed = listed[:CANDIDATE_LIMIT]
        shown = {p.pk for p in listed}
        kept = list(people.filter(pk__in=[pk for pk in chosen if pk not in shown])
                    .select_related("org").order_by("name_pinyin", "id"))
        today = timezone.localdate()
        rows = []
        for person in kept + listed:
            person.age = person.age_on(today)
            person.chosen = chosen.get(person.pk, "")
            rows.append(person)
        rows.sort(key=lambda p: (not p.chosen, post_rank(p.chosen) if p.chosen else 0))
        current = (restrict(self.request.user, "view", Team)
                   .filter(org=org, ended_on__isnull=True).first())
        return self.render({"org": org, "form": form, "rows": rows, "q": q,
                            "posts": POSTS_BY_KIND.get(org.kind, [Post.SECRETARY, Post.MEMBER]),
                            "truncated": truncated, "limit": CANDIDATE_LIMIT,
                            "current": current, "chosen_count": len(chosen)}, status=status)

    def get(self, request, code):
        org = self.organisation(code)
        chosen = dict(restrict(request.user, "view", TeamSeat)
                      .filter(team__org=org, team__ended_on__isnull=True, ended_on__isnull=True)
                      .values_list("person_id", "post"))
        form = ElectionForm(initial={"elected_on": timezone.localdate()})
        return self.page(org, form, chosen)

    def chosen(self, org):
        """{person id: post} from the form, posts checked against the organisation's kind."""
        allowed = set(POSTS_BY_KIND.get(org.kind, [Post.SECRETARY, Post.MEMBER]))
        chosen = {}
        for key, value in self.request.POST.items():
            if key.startswith("post_") and key[5:].isdigit() and value in allowed:
                chosen[int(key[5:])] = value
        return chosen

    def post(self, request, code):
        org = self.organisation(code)
        chosen = self.chosen(org)
        form = ElectionForm(request.POST)
        q = request.POST.get("q", "").strip()[:50]
        if request.POST.get("op") == "search":
            unbound = ElectionForm(initial={"elected_on": request.POST.get("elected_on"),
                                            "note": request.POST.get("note", "")})
            return self.page(org, unbound, chosen, q)
        if form.is_valid():
            people = {p.pk: p for p in self.people(org).filter(pk__in=chosen)}
            seats = [(people[pk], post) for pk, post in chosen.items() if pk in people]
            leaders = [post for _p, post in seats if post in SINGLE_POSTS]
            if not seats:
                form.add_error(None, "请至少为一人选择职务。")
            elif len(leaders) > len(set(leaders)):
                form.add_error(None, f"一届班子只能有一名{leaders[0]}。")
            else:
                seats.sort(key=lambda item: (post_rank(item[1]), item[0].name_pinyin))
                ok, team = run_service(request, form, lambda: services.record_election(
                    user=request.user, org=org, elected_on=form.cleaned_data["elected_on"],
                    seats=seats, note=form.cleaned_data["note"]),
                    f"已记录{org.name}换届：新一届班子 {len(seats)} 人。")
                if ok:
                    return redirect("team_detail", code=org.code)
        return self.page(org, form, chosen, q, status=400)


# ---- staff ------------------------------------------------------------------------------------

class StaffIndex(ScopedView):
    """Each community's full-time staff against the standard, and the instructors."""

    model = StaffAssignment
    template_name = "members/staff_index.html"

    def get(self, request):
        user = request.user
        root, error = scope_root(request)
        context = {"root": root, "error": error, "standard": stats.standard(),
                   "org_code": root.code if root else ""}
        if root is not None:
            today = timezone.localdate()
            context.update({
                "table": stats.staffing_table(user, root, today),
                "figures": stats.staff_figures(user, root, today),
                "instructors": stats.staff_on(user, root, today)
                .filter(role=StaffRole.INSTRUCTOR).select_related("person", "unit", "org")
                .order_by("org__path", "unit__name", "id"),
                "can_staff_root": within_reach(user, "add", StaffAssignment, root),
            })
        return self.render(context)


class StaffingShortfall(ScopedView):
    model = StaffAssignment
    template_name = "members/staff_shortfall.html"

    def get(self, request):
        root, error = scope_root(request)
        rows = stats.staffing_shortfall(request.user, root) if root else []
        return self.render({"root": root, "error": error, "rows": rows,
                            "standard": stats.standard(),
                            "org_code": root.code if root else ""})


class StandardForm(Styled, forms.Form):
    def __init__(self, *args, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        counts = counts or {}
        for role, label in StaffRole.choices:
            if role == StaffRole.INSTRUCTOR:
                continue  # instructors go to non-public units, not to communities
            self.fields[role] = forms.IntegerField(
                label=label, min_value=0, max_value=20, initial=counts.get(role, 0),
                widget=forms.NumberInput(attrs={"class": "form-control"}),
                error_messages={"min_value": "人数不能为负数。", "max_value": "人数不能超过 20。",
                                "required": "请填写人数（不配备填 0）。",
                                "invalid": "请填写整数。"})


class StaffingStandardView(ScopedView):
    """The staffing standard of a community. Local practice differs: the default is seed 001's
    标配 (1 分管领导 + 1 党建社工 + 1 党建协理员); street staff may change it."""

    model = StaffingStandard
    template_name = "members/staff_standard.html"

    def counts(self):
        return dict(self.scoped().values_list("role", "count"))

    def page(self, form, status=200):
        return self.render({"form": form, "can_change": self.can("change"),
                            "standard": stats.standard()}, status=status)

    def get(self, request):
        return self.page(StandardForm(counts=self.counts()))

    def post(self, request):
        if not self.can("change"):
            raise PermissionDenied
        counts = self.counts()
        form = StandardForm(request.POST, counts=counts)
        if form.is_valid():
            rows = {row.role: row for row in self.scoped("change")}
            changed = 0
            for role, count in form.cleaned_data.items():
                if counts.get(role, 0) == count:
                    continue
                row = rows.get(role) or StaffingStandard(role=role)
                row.count = count
                ok, _ = run_service(request, form,
                                    lambda row=row: save_checked(request.user, row, "change"))
                if not ok:
                    return self.page(form, status=400)
                changed += 1
            messages.success(request, "配备标准已保存。" if changed else "配备标准没有变化。")
            return redirect("staffing_standard")
        return self.page(form, status=400)


class _Listed(ModelChoiceIterator):
    """A select offers at most CHOICE_LIMIT rows (the field accepts any row of its queryset)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset[:CHOICE_LIMIT]:
            yield self.choice(obj)


class PersonChoiceField(forms.ModelChoiceField):
    iterator = _Listed

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.org.name}）"


_NON_PUBLIC = (Q(unit_type__in=NON_PUBLIC_UNIT_TYPES)
               | Q(party_org__sector__in=[Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION]))


class StaffForm(ScopedChoices, Styled, forms.Form):
    """A full-time post at `org`: one of the people and (for an instructor) one of the
    non-public units of its subtree, among those the user may see."""

    person = PersonChoiceField(
        label="人员", queryset=Person.objects.select_related("org").order_by("name_pinyin", "id"),
        empty_label="请选择",
        error_messages={"required": "请选择人员。", "invalid_choice": "请从列表中选择人员。"})
    role = forms.ChoiceField(label="岗位", choices=StaffRole.choices)
    unit = forms.ModelChoiceField(label="指导单位", queryset=Unit.objects.order_by("name"),
                                  required=False, empty_label="不适用",
                                  help_text="党建指导员须选择所指导的非公企业或社会组织。",
                                  error_messages={"invalid_choice": "请从列表中选择单位。"})
    started_on = forms.DateField(label="到岗日期", widget=DATE_INPUT, error_messages={
        "required": "请填写到岗日期。", "invalid": "到岗日期须为 YYYY-MM-DD 格式的有效日期。"})

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        within = {"org__path__startswith": org.path}
        self.fields["person"].queryset = self.fields["person"].queryset.filter(**within)
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(**within) \
            .filter(_NON_PUBLIC)

    def clean(self):
        data = super().clean()
        if data.get("started_on") and data["started_on"] > timezone.localdate():
            self.add_error("started_on", "到岗日期不能晚于今天。")
        if data.get("role") == StaffRole.INSTRUCTOR and not data.get("unit"):
            self.add_error("unit", "党建指导员须选择所指导的单位。")
        if data.get("role") != StaffRole.INSTRUCTOR:
            data["unit"] = None
        return data


class StaffOrg(ScopedView):
    """One organisation's full-time staff (current and past), with the form to add one."""

    model = StaffAssignment
    template_name = "members/staff_org.html"

    def organisation(self, code):
        return get_object_or_404(restrict(self.request.user, "view", Organization), code=code)

    def page(self, org, form=None, status=200):
        user = self.request.user
        today = timezone.localdate()
        rows = list(restrict(user, "view", StaffAssignment).filter(org=org)
                    .select_related("person", "unit").order_by("role", "started_on", "id"))
        current = [a for a in rows if a.ended_on is None or a.ended_on > today]
        past = [a for a in rows if a not in current]
        can_add = org.is_active and within_reach(user, "add", StaffAssignment, org)
        if can_add and form is None:
            form = StaffForm(initial={"started_on": today}, user=user, org=org)
        status_row = next(iter(row for row in stats.staffing_table(user, org, today)
                               if row["org"].pk == org.pk), None)
        return self.render({"org": org, "current": current, "past": past, "today": today,
                            "form": form if can_add else None, "status_row": status_row,
                            "can_end": can(user, "change", StaffAssignment)}, status=status)

    def get(self, request, code):
        return self.page(self.organisation(code))

    def post(self, request, code):
        org = self.organisation(code)
        if not (org.is_active and within_reach(request.user, "add", StaffAssignment, org)):
            raise Http404
        form = StaffForm(request.POST, user=request.user, org=org)
        if form.is_valid():
            data = form.cleaned_data
            person, unit = data["person"], data["unit"]
            held = restrict(request.user, "view", StaffAssignment).filter(
                org=org, person=person, role=data["role"]).filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate()))
            if unit is not None:
                held = held.filter(unit=unit)
            if held.exists():
                form.add_error("person", f"{person.name} 已在该岗位。")
            else:
                assignment = StaffAssignment(person=person, org=org, role=data["role"],
                                             unit=unit, started_on=data["started_on"])
                ok, _ = run_service(request, form, lambda: services.assign_staff(
                    assignment, user=request.user),
                    f"已添加{assignment.get_role_display()}：{person.name}。")
                if ok:
                    return redirect("staff_org", code=org.code)
        return self.page(org, form, status=400)


class EndForm(forms.Form):
    ended_on = forms.DateField(error_messages={
        "required": "请填写离岗日期。", "invalid": "离岗日期须为 YYYY-MM-DD 格式的有效日期。"})


class StaffEnd(ScopedView):
    model = StaffAssignment
    action = "change"
    lookup_field = "pk"

    def post(self, request, pk):
        assignment = self.get_object()
        form = EndForm(request.POST)
        back = redirect("staff_org", code=assignment.org.code)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values()
                                             for e in errors))
            return back
        day = form.cleaned_data["ended_on"]
        if assignment.ended_on is not None and assignment.ended_on <= timezone.localdate():
            messages.error(request, f"{assignment.person.name} 已于 "
                                    f"{assignment.ended_on:%Y-%m-%d} 离岗。")
            return back
        if day > timezone.localdate():
            messages.error(request, "离岗日期不能晚于今天。")
            return back
        assignment.ended_on = day
        run_action(request, lambda: services.assign_staff(assignment, user=request.user),
                   f"{assignment.person.name} 已于 {day:%Y-%m-%d} 离开"
                   f"{assignment.get_role_display()}岗位。")
        return back
