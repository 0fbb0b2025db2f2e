"""Pages of the alliance, its meetings and tasks, and the co-building agreements. Thin: rows
come through restrict(), every change through services.py; the steps of meetings, tasks and
agreements are one view per workflow table (workflows.py), offering what `available_steps`
says the user may take."""

import copy
import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.generic import (
    ObjectEditView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    run_action,
    run_service,
)

from . import services
from .filtersets import AgreementFilterSet, AllianceFilterSet, TaskFilterSet
from .forms import (
    AgreementForm,
    AllianceForm,
    ChairTermForm,
    CompleteForm,
    HoldForm,
    LeaveForm,
    MeetingForm,
    MemberForm,
    ProgressForm,
    ReasonForm,
    ReplyForm,
    RotationForm,
    SignForm,
    TerminateForm,
)
from .models import (
    EXPIRY_WARNING_DAYS,
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    ChairTerm,
    Invitation,
    Meeting,
    Task,
    TaskState,
)
from .workflows import AGREEMENT, MEETING, TASK

FORM_TEMPLATE = "alliance/form.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Page(ScopedView):
    lookup_field = "pk"
    title = ""
    submit = "保存"

    def form_page(self, form, *, cancel, subtitle="", status=200, **extra):
        context = {"form": form, "title": self.title, "subtitle": subtitle,
                   "submit": self.submit, "cancel": cancel}
        context.update(extra)
        return self.render(context, status=status)


class StepView(WorkflowStepView):
    """The steps of one workflow at `<prefix>/<pk>/<step>/`, each with its form (`forms`,
    built with `form_kwargs(obj)`). Steps in `inline` have their form on the object's own
    page, which is shown again with the refusal; the others have a page of their own
    (`pages`: title and submit label), to which a step the object's state does not allow
    answers with the reason, back on the object's page."""

    services = services
    inline: frozenset = frozenset()
    pages: dict = {}

    @property
    def template_name(self):
        return self.detail_template if self.step.name in self.inline else FORM_TEMPLATE

    def get(self, request, **kwargs):
        if self.step.name in self.inline:
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object()
        if not self.workflow.allows(self.step.name, self.workflow.state_of(obj)):
            messages.error(request, self.workflow.refuse(self.step.name, obj))
            return redirect(obj.get_absolute_url())
        return super().get(request, **kwargs)

    def form_context(self, obj, form):
        if self.step.name in self.inline:
            return self.page_context(obj, form)
        title, submit = self.pages[self.step.name]
        return {"form": form, "title": title, "subtitle": str(obj), "submit": submit,
                "cancel": obj.get_absolute_url(), "danger": self.step.style == "danger"}


# ---- alliances ------------------------------------------------------------------------------

class AllianceList(ObjectListView):
    model = Alliance
    template_name = "alliance/alliance_list.html"
    filterset_class = AllianceFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org").with_counts().order_by("org__path", "name")


class AllianceEdit(ObjectEditView):
    """Found an alliance (no pk) or edit one."""

    model = Alliance
    lookup_field = "pk"
    form_class = AllianceForm
    form_takes_user = True
    list_url = "alliance_list"
    title_add = "成立共建联盟"
    title_change = "修改联盟信息"

    def initial(self, obj):
        return {} if obj is not None else {"founded_on": timezone.localdate()}

    def save(self, form, obj):
        data = {k: form.cleaned_data[k] for k in AllianceForm.Meta.fields}
        if obj is None:
            return services.create_alliance(user=self.request.user, **data)
        return services.update_alliance(obj, user=self.request.user, **data)


class AllianceDetail(Page):
    model = Alliance
    template_name = "alliance/alliance_detail.html"

    def get(self, request, pk):
        alliance = self.get_object()
        user = request.user
        today = timezone.localdate()
        members = list(restrict(user, "view", AllianceMember).filter(alliance=alliance)
                       .select_related("unit", "liaison", "committee_person")
                       .order_by("left_on", "role", "unit__code"))
        terms = list(restrict(user, "view", ChairTerm).filter(alliance=alliance)
                     .select_related("unit").order_by("starts_on"))
        current, upcoming = services.chair_now_and_next(alliance, today)
        tasks = list(restrict(user, "view", Task).filter(alliance=alliance,
                                                          state=TaskState.OPEN)
                     .select_related("owner_unit", "owner_org").order_by("deadline")[:50])
        return self.render({
            "alliance": alliance, "today": today,
            # A figure, not rows: a liaison sees the size of the alliance, not its members.
            "n_members": AllianceMember.objects.filter(alliance=alliance,
                                                       left_on__isnull=True).count(),
            "active_members": [m for m in members if m.active],
            "former_members": [m for m in members if not m.active],
            "terms": [t for t in terms if t.ends_on >= today - datetime.timedelta(days=366)],
            "current": current, "upcoming": upcoming,
            "meetings": restrict(user, "view", Meeting).filter(alliance=alliance)
            .order_by("-starts_at")[:30],
            "tasks": tasks, "n_overdue": sum(1 for t in tasks if t.deadline < today),
            "events": services.events_of(user=user, alliance=alliance)[:20],
            "can_change": restrict(user, "change", Alliance).filter(pk=alliance.pk).exists(),
        })


class MemberAdd(Page):
    model = Alliance
    action = "change"
    template_name = FORM_TEMPLATE
    title = "加入成员单位"

    def get(self, request, pk):
        alliance = self.get_object()
        return self.form_page(MemberForm(user=request.user, alliance=alliance),
                              cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name)

    def post(self, request, pk):
        alliance = self.get_object()
        form = MemberForm(request.POST, user=request.user, alliance=alliance)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.add_member(
                alliance, user=request.user, **form.cleaned_data), "成员单位已加入。")
            if ok:
                return redirect("alliance_detail", pk=pk)
        return self.form_page(form, cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name, status=400)


class MemberLeave(Page):
    model = AllianceMember
    action = "change"
    template_name = FORM_TEMPLATE
    title = "成员单位退出"
    submit = "确认退出"

    def page(self, member, form, status=200):
        return self.form_page(form, cancel=reverse("alliance_detail", args=[member.alliance_id]),
                              subtitle=f"{member.alliance.name} · {member.unit.name}",
                              danger=True, status=status)

    def get(self, request, pk):
        member = self.get_object()
        return self.page(member, LeaveForm(initial={"left_on": timezone.localdate()}))

    def post(self, request, pk):
        member = self.get_object()
        form = LeaveForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.member_leaves(
                member, user=request.user, left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["left_reason"]), "已记录退出，历史保留。")
            if ok:
                return redirect("alliance_detail", pk=member.alliance_id)
        return self.page(member, form, status=400)


class Rotation(Page):
    model = Alliance
    action = "change"
    template_name = "alliance/rotation.html"

    def page(self, alliance, rotation=None, single=None, status=200):
        terms = (restrict(self.request.user, "view", ChairTerm).filter(alliance=alliance)
                 .select_related("unit").order_by("starts_on"))
        today = timezone.localdate()
        return self.render({
            "alliance": alliance, "terms": terms, "today": today,
            "rotation": rotation or RotationForm(alliance=alliance,
                                                 initial={"starts_on": today}),
            "single": single or ChairTermForm(alliance=alliance),
        }, status=status)

    def get(self, request, pk):
        return self.page(self.get_object())

    def post(self, request, pk):
        alliance = self.get_object()
        if request.POST.get("mode") == "single":
            form = ChairTermForm(request.POST, alliance=alliance)
            if form.is_valid():
                ok, _ = run_service(request, form, lambda: services.add_chair_term(
                    alliance, user=request.user, **form.cleaned_data), "轮值任期已添加。")
                if ok:
                    return redirect("alliance_rotation", pk=pk)
            return self.page(alliance, single=form, status=400)
        form = RotationForm(request.POST, alliance=alliance)
        if form.is_valid():
            data = form.cleaned_data
            ok, _ = run_service(request, form, lambda: services.generate_rotation(
                alliance, user=request.user, units=form.ordered_units(), months=data["months"],
                starts_on=data["starts_on"], rounds=data["rounds"]), "轮值安排已生成。")
            if ok:
                return redirect("alliance_rotation", pk=pk)
        return self.page(alliance, rotation=form, status=400)


class ChairTermDelete(Page):
    model = ChairTerm
    action = "delete"

    def post(self, request, pk):
        term = self.get_object()
        run_action(request, lambda: services.remove_chair_term(term, user=request.user),
                   "轮值任期已删除。")
        return redirect("alliance_rotation", pk=term.alliance_id)


# ---- meetings -------------------------------------------------------------------------------

class MeetingCreate(Page):
    model = Meeting
    action = "add"
    template_name = FORM_TEMPLATE
    title = "通知召开联席会议"
    submit = "发出通知"

    def alliance(self):
        return get_object_or_404(restrict(self.request.user, "change", Alliance),
                                 pk=self.kwargs["pk"])

    def get(self, request, pk):
        alliance = self.alliance()
        return self.form_page(MeetingForm(alliance=alliance),
                              cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name)

    def post(self, request, pk):
        alliance = self.alliance()
        form = MeetingForm(request.POST, alliance=alliance)
        if form.is_valid():
            ok, meeting = run_service(request, form, lambda: services.call_meeting(
                alliance, user=request.user, **form.cleaned_data), "会议通知已发出。")
            if ok:
                return redirect("meeting_detail", pk=meeting.pk)
        return self.form_page(form, cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name, status=400)


def meeting_page(request, meeting, reply_form=None):
    """The meeting's page: the steps the user may take, a reply form for each invited unit
    the user answers for (`reply_form`, bound, in place of its unit's), the history."""
    user = request.user
    invitations = list(restrict(user, "view", Invitation).filter(meeting=meeting)
                       .select_related("unit"))
    steps = MEETING.available_steps(user, meeting)
    mine = []
    if any(s.name == "reply" for s in steps):
        mine = list(restrict(user, "change", Invitation).filter(meeting=meeting)
                    .select_related("unit"))
    units = [i.unit for i in mine]
    posted = reply_form.data.get("unit") if reply_form is not None else None
    if posted not in {u.code for u in units}:
        posted = units[0].code if units else None  # a refusal naming no unit of the user's
    return {
        "meeting": meeting, "invitations": invitations,
        "counts": {"attend": sum(1 for i in invitations if i.reply == "attend"),
                   "leave": sum(1 for i in invitations if i.reply == "leave"),
                   "attended": sum(1 for i in invitations if i.attended)},
        "tasks": restrict(user, "view", Task).filter(meeting=meeting)
        .select_related("owner_unit", "owner_org"),
        "events": services.events_of(user=user, meeting=meeting),
        "steps": steps, "form_steps": {"hold", "cancel"},
        "url_prefix": meeting.get_absolute_url(),
        "replies": [(i, reply_form if i.unit.code == posted and reply_form is not None
                     else ReplyForm(units=units, initial={"unit": i.unit.code})) for i in mine],
        "today": timezone.localdate(),
    }


class MeetingDetail(Page):
    model = Meeting
    template_name = "alliance/meeting_detail.html"

    def get(self, request, pk):
        meeting = get_object_or_404(self.scoped().select_related("alliance", "called_by"),
                                    pk=pk)
        return self.render(meeting_page(request, meeting))


class MeetingStep(StepView):
    """记录召开, 取消会议 (pages of their own), 回复参会 (on the meeting's page)."""

    model = Meeting
    workflow = MEETING
    inline = frozenset({"reply"})
    pages = {"cancel": ("取消会议", "确认取消")}
    detail_template = "alliance/meeting_detail.html"

    def get_queryset(self):
        rows = self.scoped().select_related("alliance", "called_by")
        if self.step.name == "reply":
            # Only meetings where the user answers for an invited unit.
            mine = restrict(self.request.user, "change", Invitation)
            rows = rows.filter(pk__in=mine.values("meeting_id"))
        return rows

    forms = {"hold": HoldForm, "cancel": ReasonForm, "reply": ReplyForm}

    def form_kwargs(self, meeting):
        if self.step.name == "hold":
            return {"meeting": meeting}
        if self.step.name == "reply":
            return {"units": [i.unit for i in restrict(self.request.user, "change", Invitation)
                              .filter(meeting=meeting).select_related("unit")]}
        return {}

    @property
    def template_name(self):
        return "alliance/meeting_hold.html" if self.step.name == "hold" else super().template_name

    def form_context(self, meeting, form):
        if self.step.name == "hold":
            return {"meeting": meeting, "form": form, "decisions": form.decisions}
        return super().form_context(meeting, form)

    def page_context(self, meeting, form):
        return meeting_page(self.request, meeting, reply_form=form)


# ---- tasks ----------------------------------------------------------------------------------

class TaskList(ObjectListView):
    model = Task
    template_name = "alliance/task_list.html"
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return (self.scoped().select_related("owner_unit", "owner_org", "alliance", "meeting")
                .order_by("state", "deadline", "id"))

    def filtered(self, request):
        query = request.GET.copy()
        query.setdefault("state", "open")  # the page opens on the tasks in progress
        filterset = TaskFilterSet(query, queryset=self.get_queryset(), request=request)
        return (filterset.qs if filterset.is_valid() else self.get_queryset().none()), filterset

    def extra_context(self):
        return {"today": timezone.localdate(),
                "alliances": restrict(self.request.user, "view", Alliance)
                .values_list("pk", "name")}


def task_page(request, task, **bound):
    """The task's page with a form for each step the user may take (`bound`: the step's form
    as posted, shown with its refusal)."""
    offered = TASK.available(request.user, task)
    forms = {"progress": ProgressForm, "complete": CompleteForm}
    return {"task": task, "events": services.events_of(user=request.user, task=task),
            **{name: bound.get(name) or form() for name, form in forms.items()
               if name in offered}}


class TaskDetail(Page):
    model = Task
    template_name = "alliance/task_detail.html"

    def get(self, request, pk):
        task = get_object_or_404(self.scoped().select_related(
            "owner_unit", "owner_org", "alliance", "meeting"), pk=pk)
        return self.render(task_page(request, task))


class TaskStep(StepView):
    """填报进展 and 办结, both on the task's page."""

    model = Task
    workflow = TASK
    inline = frozenset({"progress", "complete"})
    detail_template = "alliance/task_detail.html"

    def get_queryset(self):
        return self.scoped().select_related("owner_unit", "owner_org", "alliance", "meeting")

    forms = {"progress": ProgressForm, "complete": CompleteForm}

    def page_context(self, task, form):
        return task_page(self.request, task, **{self.step.name: form})


# ---- agreements -----------------------------------------------------------------------------

class AgreementList(ObjectListView):
    model = Agreement
    template_name = "alliance/agreement_list.html"
    filterset_class = AgreementFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org", "unit")

    def extra_context(self):
        today = timezone.localdate()
        counts = self.scoped().aggregate(
            signed=Count("pk", filter=Q(state=AgreementState.SIGNED)),
            draft=Count("pk", filter=Q(state=AgreementState.DRAFT)),
            expiring=Count("pk", filter=Q(
                state=AgreementState.SIGNED, ends_on__gte=today,
                ends_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))))
        return {"states": AgreementState.choices, "counts": counts}


class AgreementCreate(ObjectEditView):
    model = Agreement
    lookup_field = "pk"
    form_class = AgreementForm
    form_takes_user = True
    list_url = "agreement_list"
    title_add = "草拟共驻共建协议"
    saved_message = "协议草稿已保存。"

    def initial(self, obj):
        today = timezone.localdate()
        return {"starts_on": today,
                "ends_on": services.add_months(today, 24) - datetime.timedelta(days=1),
                "number": f"GJXY-{today:%Y}-", "rights_obligations": DEFAULT_RIGHTS}

    def save(self, form, obj):
        return services.create_agreement(user=self.request.user, **form.cleaned_data)


DEFAULT_RIGHTS = (
    "甲方为乙方党组织和党员提供党建指导、阵地共享和学习教育服务。\n"
    "甲方将乙方参与共建的情况作为评选先进、考评干部时听取意见的依据。\n"
    "乙方按约定开放场地、提供服务资源，参与社区治理和志愿服务。\n"
    "乙方在职党员到社区报到，参加“在职党员进社区”活动。\n"
    "双方定期沟通，共同研究解决共建中遇到的问题。")


class AgreementDetail(Page):
    model = Agreement
    template_name = "alliance/agreement_detail.html"

    def get(self, request, pk):
        agreement = get_object_or_404(self.scoped().select_related(
            "org", "unit", "org_liaison", "unit_liaison"), pk=pk)
        return self.render({
            "a": agreement, "events": services.events_of(user=request.user, agreement=agreement),
            "steps": AGREEMENT.available_steps(request.user, agreement),
            "form_steps": {"edit", "sign", "terminate"},
            "url_prefix": agreement.get_absolute_url(),
        })


class AgreementStep(StepView):
    """修改, 签订, 终止: each a page of its own."""

    model = Agreement
    workflow = AGREEMENT
    pages = {"edit": ("修改协议草稿", "保存"), "sign": ("签订协议", "确认签订"),
             "terminate": ("终止协议", "确认终止")}

    forms = {"edit": AgreementForm, "sign": SignForm, "terminate": TerminateForm}

    def form_kwargs(self, agreement):
        if self.step.name == "edit":
            # A copy: the form's cleaning must not change the object the service locks.
            return {"instance": copy.copy(agreement), "user": self.request.user}
        return {}


class AgreementDocx(Page):
    model = Agreement

    def get(self, request, pk):
        agreement = get_object_or_404(self.scoped().select_related(
            "org", "unit", "org_liaison", "unit_liaison"), pk=pk)
        response = HttpResponse(services.agreement_document(agreement, user=request.user),
                                content_type=DOCX)
        # ASCII only: the number is the part of the name every mail client keeps intact.
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_"
                       for c in agreement.number)
        response["Content-Disposition"] = f'attachment; filename="agreement-{safe}.docx"'
        return response
