"""Pages of the alliance, its meetings and tasks, and the co-building agreements. Thin: rows
come through restrict(), every change through services.py."""

import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.generic import ScopedView, paginate, run_action, run_service
from gongjian.orgs.models import Organization, Unit

from . import services
from .document import agreement_docx
from .forms import (
    AgreementForm,
    AllianceForm,
    ChairTermForm,
    CompleteForm,
    DecisionFormSet,
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
    MeetingState,
    Task,
    TaskState,
)

FORM_TEMPLATE = "alliance/form.html"


def allowed(user, action, obj):
    return restrict(user, action, type(obj)).filter(pk=obj.pk).exists()


class Page(ScopedView):
    lookup_field = "pk"
    title = ""
    submit = "保存"

    def form_page(self, form, *, cancel, subtitle="", status=200, **extra):
        context = {"form": form, "title": self.title, "subtitle": subtitle,
                   "submit": self.submit, "cancel": cancel}
        context.update(extra)
        return self.render(context, status=status)


# ---- alliances ------------------------------------------------------------------------------

class AllianceList(Page):
    model = Alliance
    template_name = "alliance/alliance_list.html"

    def get(self, request):
        today = timezone.localdate()
        rows = (self.scoped().select_related("org")
                .annotate(n_members=Count("members", filter=Q(members__left_on__isnull=True),
                                          distinct=True),
                          n_open=Count("tasks", filter=Q(tasks__state=TaskState.OPEN),
                                       distinct=True),
                          n_overdue=Count("tasks", filter=Q(tasks__state=TaskState.OPEN,
                                                            tasks__deadline__lt=today),
                                          distinct=True))
                .order_by("org__path", "name"))
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "can_add": self.can("add")})


class AllianceCreate(Page):
    model = Alliance
    action = "add"
    template_name = FORM_TEMPLATE
    title = "成立共建联盟"

    def get(self, request):
        form = AllianceForm(user=request.user, initial={"founded_on": timezone.localdate()})
        return self.form_page(form, cancel=reverse("alliance_list"))

    def post(self, request):
        form = AllianceForm(request.POST, user=request.user)
        if form.is_valid():
            ok, alliance = run_service(request, form, lambda: services.create_alliance(
                request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}),
                "联盟已成立。")
            if ok:
                return redirect("alliance_detail", pk=alliance.pk)
        return self.form_page(form, cancel=reverse("alliance_list"), status=400)


class AllianceEdit(Page):
    model = Alliance
    action = "change"
    template_name = FORM_TEMPLATE
    title = "修改联盟信息"

    def get(self, request, pk):
        alliance = self.get_object()
        form = AllianceForm(instance=alliance, user=request.user)
        return self.form_page(form, cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name)

    def post(self, request, pk):
        alliance = self.get_object()
        form = AllianceForm(request.POST, instance=Alliance.objects.get(pk=pk),
                            user=request.user)
        if form.is_valid():
            changes = {k: form.cleaned_data[k] for k in form.Meta.fields}
            ok, _ = run_service(request, form, lambda: services.update_alliance(
                request.user, Alliance.objects.get(pk=pk), **changes), "已保存。")
            if ok:
                return redirect("alliance_detail", pk=pk)
        return self.form_page(form, cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name, status=400)


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
        can_change = allowed(user, "change", alliance)
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
            "events": services.events_of(user, alliance=alliance)[:20],
            "can_change": can_change,
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
                request.user, alliance, **form.cleaned_data), "成员单位已加入。")
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
                request.user, member, left_on=form.cleaned_data["left_on"],
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
                    request.user, alliance, **form.cleaned_data), "轮值任期已添加。")
                if ok:
                    return redirect("alliance_rotation", pk=pk)
            return self.page(alliance, single=form, status=400)
        form = RotationForm(request.POST, alliance=alliance)
        if form.is_valid():
            data = form.cleaned_data
            ok, _ = run_service(request, form, lambda: services.generate_rotation(
                request.user, alliance, units=form.ordered_units(), months=data["months"],
                starts_on=data["starts_on"], rounds=data["rounds"]), "轮值安排已生成。")
            if ok:
                return redirect("alliance_rotation", pk=pk)
        return self.page(alliance, rotation=form, status=400)


class ChairTermDelete(Page):
    model = ChairTerm
    action = "delete"

    def post(self, request, pk):
        term = self.get_object()
        run_action(request, lambda: services.remove_chair_term(request.user, term),
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
                request.user, alliance, **form.cleaned_data), "会议通知已发出。")
            if ok:
                return redirect("meeting_detail", pk=meeting.pk)
        return self.form_page(form, cancel=reverse("alliance_detail", args=[pk]),
                              subtitle=alliance.name, status=400)


class MeetingDetail(Page):
    model = Meeting
    template_name = "alliance/meeting_detail.html"

    def get(self, request, pk, reply_form=None, status=200):
        meeting = get_object_or_404(self.scoped().select_related("alliance", "called_by"),
                                    pk=pk)
        user = request.user
        invitations = list(restrict(user, "view", Invitation).filter(meeting=meeting)
                           .select_related("unit"))
        mine = [i for i in restrict(user, "change", Invitation).filter(meeting=meeting)
                .select_related("unit")]
        return self.render({
            "meeting": meeting, "invitations": invitations,
            "counts": {"attend": sum(1 for i in invitations if i.reply == "attend"),
                       "leave": sum(1 for i in invitations if i.reply == "leave"),
                       "attended": sum(1 for i in invitations if i.attended)},
            "tasks": restrict(user, "view", Task).filter(meeting=meeting)
            .select_related("owner_unit", "owner_org"),
            "events": services.events_of(user, meeting=meeting),
            "can_change": meeting.state == MeetingState.CALLED and allowed(user, "change",
                                                                          meeting),
            "reply_to": mine if meeting.state == MeetingState.CALLED else [],
            "reply_form": reply_form or ReplyForm(),
            "today": timezone.localdate(),
        }, status=status)


class MeetingReply(Page):
    model = Invitation
    action = "change"

    def post(self, request, pk):
        mine = restrict(request.user, "change", Invitation).filter(meeting_id=pk)
        meeting = get_object_or_404(restrict(request.user, "view", Meeting), pk=pk,
                                    pk__in=mine.values("meeting_id"))
        invitation = mine.select_related("unit").filter(
            unit__code=request.POST.get("unit", "")).first()
        if invitation is None:
            messages.error(request, "请选择本单位回复。")
            return redirect("meeting_detail", pk=pk)
        form = ReplyForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.reply_invitation(
                request.user, meeting, unit=invitation.unit, reply=form.cleaned_data["reply"],
                note=form.cleaned_data["note"]), "已回复。")
            if ok:
                return redirect("meeting_detail", pk=pk)
        view = MeetingDetail()
        view.setup(request, pk=pk)
        return view.get(request, pk, reply_form=form, status=400)


class MeetingHold(Page):
    model = Meeting
    action = "change"
    template_name = "alliance/meeting_hold.html"

    def page(self, meeting, form, decisions, status=200):
        return self.render({"meeting": meeting, "form": form, "decisions": decisions},
                           status=status)

    def owners(self, alliance):
        units, orgs = services.owner_choices(alliance)
        return [("组织", [(f"o{o.pk}", o.name) for o in orgs]),
                ("成员单位", [(f"u{u.pk}", u.name) for u in units])]

    def setup_forms(self, meeting, data=None):
        invitations = list(meeting.invitations.select_related("unit"))
        form = HoldForm(data, invitations=invitations)
        decisions = DecisionFormSet(data, prefix="d",
                                    form_kwargs={"owners": self.owners(meeting.alliance)})
        return form, decisions

    def get(self, request, pk):
        meeting = self.get_object()
        if meeting.state != MeetingState.CALLED:
            run_action(request, lambda: services.check_step(services.MEETING_STEPS, "hold",
                                                            meeting), "")
            return redirect("meeting_detail", pk=pk)
        form, decisions = self.setup_forms(meeting)
        return self.page(meeting, form, decisions)

    def post(self, request, pk):
        meeting = self.get_object()
        form, decisions = self.setup_forms(meeting, request.POST)
        if form.is_valid() and decisions.is_valid():
            rows = []
            for d in decisions.cleaned_data:
                if not d or not (d.get("title") or "").strip():
                    continue
                owner = d.get("owner") or ""
                rows.append({
                    "title": d["title"], "deadline": d.get("deadline"),
                    "owner_unit": Unit.objects.filter(pk=owner[1:]).first()
                    if owner.startswith("u") else None,
                    "owner_org": Organization.objects.filter(pk=owner[1:]).first()
                    if owner.startswith("o") else None,
                })
            attended = Unit.objects.filter(pk__in=[int(x) for x in form.cleaned_data["attended"]])
            ok, _ = run_service(request, form, lambda: services.hold_meeting(
                request.user, meeting, minutes=form.cleaned_data["minutes"],
                attended_units=list(attended), decisions=rows), "会议已记录召开，决议已转为任务。")
            if ok:
                return redirect("meeting_detail", pk=pk)
        return self.page(meeting, form, decisions, status=400)


class MeetingCancel(Page):
    model = Meeting
    action = "change"
    template_name = FORM_TEMPLATE
    title = "取消会议"
    submit = "确认取消"

    def get(self, request, pk):
        meeting = self.get_object()
        return self.form_page(ReasonForm(), cancel=reverse("meeting_detail", args=[pk]),
                              subtitle=meeting.title, danger=True)

    def post(self, request, pk):
        meeting = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.cancel_meeting(
                request.user, meeting, reason=form.cleaned_data["reason"]), "会议已取消。")
            if ok:
                return redirect("meeting_detail", pk=pk)
        return self.form_page(form, cancel=reverse("meeting_detail", args=[pk]),
                              subtitle=meeting.title, danger=True, status=400)


# ---- tasks ----------------------------------------------------------------------------------

class TaskList(Page):
    model = Task
    template_name = "alliance/task_list.html"

    def get(self, request):
        today = timezone.localdate()
        rows = self.scoped().select_related("owner_unit", "owner_org", "alliance", "meeting")
        state = request.GET.get("state", "open")
        if state == "open":
            rows = rows.filter(state=TaskState.OPEN)
        elif state == "done":
            rows = rows.filter(state=TaskState.DONE)
        elif state == "overdue":
            rows = rows.overdue(today)
        owner = request.GET.get("owner", "").strip()
        if owner:
            rows = rows.filter(Q(owner_unit__name__contains=owner)
                               | Q(owner_org__name__contains=owner))
        alliance = request.GET.get("alliance", "")
        if alliance.isdigit():
            rows = rows.filter(alliance_id=int(alliance))
        page, query = paginate(request, rows.order_by("state", "deadline", "id"))
        return self.render({"page": page, "query": query, "state": state, "owner": owner,
                            "alliance": alliance, "today": today,
                            "alliances": restrict(request.user, "view", Alliance)
                            .values_list("pk", "name")})


class TaskDetail(Page):
    model = Task
    template_name = "alliance/task_detail.html"

    def get(self, request, pk, progress=None, complete=None, status=200):
        task = get_object_or_404(self.scoped().select_related(
            "owner_unit", "owner_org", "alliance", "meeting"), pk=pk)
        can_act = task.state == TaskState.OPEN and allowed(request.user, "change", task)
        return self.render({
            "task": task, "events": services.events_of(request.user, task=task), "can_act": can_act,
            "progress": progress or ProgressForm(),
            "complete": complete or CompleteForm(initial={"completed_on": timezone.localdate()}),
        }, status=status)


class TaskStep(Page):
    model = Task
    action = "change"

    def post(self, request, pk):
        task = self.get_object()
        if self.step == "progress":
            form = ProgressForm(request.POST)
            call = lambda: services.add_progress(request.user, task,  # noqa: E731
                                                 note=form.cleaned_data["note"])
            message, forms = "进展已填报。", {"progress": form}
        else:
            form = CompleteForm(request.POST)
            call = lambda: services.complete_task(  # noqa: E731
                request.user, task, note=form.cleaned_data["note"],
                completed_on=form.cleaned_data["completed_on"])
            message, forms = "任务已办结。", {"complete": form}
        if form.is_valid():
            ok, _ = run_service(request, form, call, message)
            if ok:
                return redirect("task_detail", pk=pk)
        view = TaskDetail()
        view.setup(request, pk=pk)
        return view.get(request, pk, status=400, **forms)


class TaskProgress(TaskStep):
    step = "progress"


class TaskComplete(TaskStep):
    step = "complete"


# ---- agreements -----------------------------------------------------------------------------

class AgreementList(Page):
    model = Agreement
    template_name = "alliance/agreement_list.html"

    def get(self, request):
        today = timezone.localdate()
        rows = self.scoped().select_related("org", "unit")
        state = request.GET.get("state", "")
        if state in AgreementState.values:
            rows = rows.filter(state=state)
        expiry = request.GET.get("expiry", "")
        if expiry == "expiring":
            rows = rows.expiring(today)
        elif expiry == "expired":
            rows = rows.expired(today)
        q_unit = request.GET.get("unit", "").strip()
        if q_unit:
            rows = rows.filter(Q(unit__name__contains=q_unit) | Q(unit__code=q_unit))
        q_org = request.GET.get("org", "").strip()
        if q_org:
            rows = rows.filter(Q(org__name__contains=q_org) | Q(org__code=q_org))
        page, query = paginate(request, rows)
        counts = self.scoped().aggregate(
            signed=Count("pk", filter=Q(state=AgreementState.SIGNED)),
            draft=Count("pk", filter=Q(state=AgreementState.DRAFT)),
            expiring=Count("pk", filter=Q(
                state=AgreementState.SIGNED, ends_on__gte=today,
                ends_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))))
        return self.render({"page": page, "query": query, "state": state, "expiry": expiry,
                            "unit": q_unit, "org": q_org, "states": AgreementState.choices,
                            "counts": counts, "can_add": self.can("add")})


class AgreementCreate(Page):
    model = Agreement
    action = "add"
    template_name = FORM_TEMPLATE
    title = "草拟共驻共建协议"

    def get(self, request):
        today = timezone.localdate()
        initial = {"starts_on": today, "ends_on": services.add_months(today, 24)
                   - datetime.timedelta(days=1),
                   "number": f"GJXY-{today:%Y}-", "rights_obligations": DEFAULT_RIGHTS}
        form = AgreementForm(user=request.user, initial=initial)
        return self.form_page(form, cancel=reverse("agreement_list"))

    def post(self, request):
        form = AgreementForm(request.POST, user=request.user)
        if form.is_valid():
            ok, agreement = run_service(request, form, lambda: services.create_agreement(
                request.user, **form.cleaned_data), "协议草稿已保存。")
            if ok:
                return redirect("agreement_detail", pk=agreement.pk)
        return self.form_page(form, cancel=reverse("agreement_list"), status=400)


DEFAULT_RIGHTS = (
    "甲方为乙方党组织和党员提供党建指导、阵地共享和学习教育服务。\n"
    "甲方将乙方参与共建的情况作为评选先进、考评干部时听取意见的依据。\n"
    "乙方按约定开放场地、提供服务资源，参与社区治理和志愿服务。\n"
    "乙方在职党员到社区报到，参加“在职党员进社区”活动。\n"
    "双方定期沟通，共同研究解决共建中遇到的问题。")


class AgreementEdit(Page):
    model = Agreement
    action = "change"
    template_name = FORM_TEMPLATE
    title = "修改协议草稿"

    def get(self, request, pk):
        agreement = self.get_object()
        if agreement.state != AgreementState.DRAFT:
            run_action(request, lambda: services.check_step(services.AGREEMENT_STEPS, "edit",
                                                            agreement), "")
            return redirect("agreement_detail", pk=pk)
        form = AgreementForm(instance=agreement, user=request.user)
        return self.form_page(form, cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement))

    def post(self, request, pk):
        agreement = self.get_object()
        form = AgreementForm(request.POST, instance=Agreement.objects.get(pk=pk),
                             user=request.user)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.update_agreement(
                request.user, agreement, **form.cleaned_data), "已保存。")
            if ok:
                return redirect("agreement_detail", pk=pk)
        return self.form_page(form, cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement), status=400)


class AgreementDetail(Page):
    model = Agreement
    template_name = "alliance/agreement_detail.html"

    def get(self, request, pk):
        agreement = get_object_or_404(self.scoped().select_related(
            "org", "unit", "org_liaison", "unit_liaison"), pk=pk)
        can_change = allowed(request.user, "change", agreement)
        return self.render({
            "a": agreement, "events": services.events_of(request.user, agreement=agreement),
            "can_change": can_change, "today": timezone.localdate(),
        })


class AgreementSign(Page):
    model = Agreement
    action = "change"
    template_name = FORM_TEMPLATE
    title = "签订协议"
    submit = "确认签订"

    def get(self, request, pk):
        agreement = self.get_object()
        return self.form_page(SignForm(initial={"signed_on": timezone.localdate()}),
                              cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement))

    def post(self, request, pk):
        agreement = self.get_object()
        form = SignForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.sign_agreement(
                request.user, agreement, signed_on=form.cleaned_data["signed_on"]),
                "协议已签订。")
            if ok:
                return redirect("agreement_detail", pk=pk)
        return self.form_page(form, cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement), status=400)


class AgreementTerminate(Page):
    model = Agreement
    action = "change"
    template_name = FORM_TEMPLATE
    title = "终止协议"
    submit = "确认终止"

    def get(self, request, pk):
        agreement = self.get_object()
        return self.form_page(TerminateForm(initial={"terminated_on": timezone.localdate()}),
                              cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement), danger=True)

    def post(self, request, pk):
        agreement = self.get_object()
        form = TerminateForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.terminate_agreement(
                request.user, agreement, reason=form.cleaned_data["reason"],
                terminated_on=form.cleaned_data["terminated_on"]), "协议已终止。")
            if ok:
                return redirect("agreement_detail", pk=pk)
        return self.form_page(form, cancel=reverse("agreement_detail", args=[pk]),
                              subtitle=str(agreement), danger=True, status=400)


class AgreementDocx(Page):
    model = Agreement

    def get(self, request, pk):
        agreement = get_object_or_404(self.scoped().select_related(
            "org", "unit", "org_liaison", "unit_liaison"), pk=pk)
        response = HttpResponse(
            agreement_docx(agreement),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        # ASCII only: the number is the part of the name every mail client keeps intact.
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_"
                       for c in agreement.number)
        filename = f"agreement-{safe}.docx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
