"""Pages of the volunteer teams: the list, a team's page (its members with their joined and
left dates, its record added up from its activities), forming and editing a team, taking a
volunteer in, joining and leaving. Rows come through restrict(); writes through services."""

from django.contrib import messages
from django.shortcuts import redirect

from gongjian.core.access import restrict
from gongjian.core.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    run_action,
    run_service,
)

from . import services
from .filtersets import TeamFilterSet
from .forms import MemberAddForm, ReasonForm, TeamForm
from .models import Activity, Team, TeamMember


class TeamList(ObjectListView):
    model = Team
    template_name = "volunteer/team_list.html"
    filterset_class = TeamFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org", "unit", "leader").order_by("org__path",
                                                                              "name", "id")

    def annotate_rows(self, rows):
        from django.db.models import Count, Q

        return rows.annotate(member_count=Count("members", filter=Q(
            members__left_on__isnull=True)))


class TeamDetail(ObjectDetailView):
    model = Team
    lookup_field = "pk"
    template_name = "volunteer/team_detail.html"
    context_object_name = "team"
    object_actions = ("change",)

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related("org", "unit",
                                                                             "leader"))

    def extra_context(self):
        team, user = self.object, self.request.user
        rows = list(restrict(user, "view", TeamMember).filter(team=team)
                    .select_related("volunteer").order_by("left_on", "joined_on", "id"))
        me = services.volunteer_of(user=user)
        mine = next((r for r in rows if me is not None and r.volunteer_id == me.pk
                     and r.left_on is None), None)
        can_join = (mine is None and team.is_active
                    and restrict(user, "join", Team).filter(pk=team.pk).exists())
        return {
            "current": [r for r in rows if r.left_on is None],
            "former": [r for r in rows if r.left_on is not None],
            "figures": services.team_figures(team), "mine": mine, "can_join": can_join,
            "activities": restrict(user, "view", Activity).filter(team=team)
            .order_by("-starts_at")[:10],
        }


class TeamEdit(ObjectEditView):
    model = Team
    lookup_field = "pk"
    form_class = TeamForm
    list_url = "volunteer_team_list"
    title_add = "组建志愿服务队"
    title_change = "修改服务队：{obj.name}"
    submit_label = "保存"
    saved_message = "已保存：{saved.name}。"
    initial_from_query = ("org",)

    def save(self, form, obj):
        fields = form.service_fields()
        if obj is None:
            fields.pop("leader", None)
            return services.create_team(user=self.request.user, org=form.cleaned_data["org"],
                                        **fields)
        return services.edit_team(obj, user=self.request.user, **fields)


class MemberAdd(ScopedView):
    """The team's keeper takes a volunteer in (by number, or a person of the register)."""

    model = Team
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, team, form, status=200):
        return self.render({"form": form, "title": f"添加队员：{team.name}",
                            "subtitle": "输入志愿者编号，或从社区人员名册中选择（将同时注册为志愿者）。",
                            "submit": "添加", "cancel": team.get_absolute_url()}, status)

    def get(self, request, pk):
        team = self.get_object()
        return self.page(team, MemberAddForm(user=request.user, team=team))

    def post(self, request, pk):
        team = self.get_object()
        form = MemberAddForm(request.POST, user=request.user, team=team)

        def add():
            volunteer = form.cleaned_data.get("volunteer") or services.register_person(
                form.cleaned_data["person"], user=request.user, unit=team.unit)
            return services.add_member(team, user=request.user, volunteer=volunteer)

        if form.is_valid():
            ok, member = run_service(request, form, add)
            if ok:
                messages.success(request, f"已添加队员：{member.volunteer.name}。")
                return redirect(team.get_absolute_url())
        return self.page(team, form, status=400)


class Join(ScopedView):
    model = Team
    action = "join"
    lookup_field = "pk"
    http_method_names = ["post"]

    def post(self, request, pk):
        team = self.get_object()
        run_action(request, lambda: services.join(team, user=request.user),
                   f"已加入“{team.name}”。")
        return redirect(team.get_absolute_url())


class Leave(ScopedView):
    model = Team
    action = "join"
    lookup_field = "pk"
    http_method_names = ["post"]

    def post(self, request, pk):
        team = self.get_object()
        run_action(request, lambda: services.leave(team, user=request.user),
                   f"已退出“{team.name}”。")
        return redirect(team.get_absolute_url())


class MemberRemove(ScopedView):
    """The keeper records that a member left, with the reason."""

    model = TeamMember
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, member, form, status=200):
        return self.render({"form": form, "title": f"队员退出：{member.volunteer.name}",
                            "subtitle": member.team.name, "submit": "确认退出", "danger": True,
                            "cancel": member.team.get_absolute_url()}, status)

    def get(self, request, pk):
        return self.page(self.get_object(), ReasonForm())

    def post(self, request, pk):
        member = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.remove_member(
                member, user=request.user, reason=form.cleaned_data["reason"]),
                f"{member.volunteer.name}已退出服务队。")
            if ok:
                return redirect(member.team.get_absolute_url())
        return self.page(member, form, status=400)
