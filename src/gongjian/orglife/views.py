"""Pages of a branch's meetings: the list (with the attendance export), plan and change, the
meeting's page (record, attendance, make-ups, votes, grades, history), one page per step of
the two tables in services.py, and the minutes as a Word document. Rows come through
restrict(); a member reads the branch's meetings and only their own attendance line."""

from collections import Counter

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from gongjian.core.access import can, restrict
from gongjian.core.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
)
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.members.choices import Standing

from . import services
from .document import minutes_docx
from .filtersets import MeetingFilterSet
from .forms import (
    ConfirmForm,
    GradeForm,
    MeetingForm,
    MinutesForm,
    ReasonForm,
    RecordForm,
    VoteForm,
)
from .models import Appraisal, Attendance, Grade, MakeUp, MakeUpState, Meeting, MeetingEvent, Vote

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORM_STEPS = {"edit", "record", "minutes", "vote", "grade", "cancel"}


def _attachment(response, ascii_name, chinese_name):
    from urllib.parse import quote

    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(chinese_name)}")
    return response


class MeetingList(ObjectListView):
    model = Meeting
    template_name = "orglife/meeting_list.html"
    filterset_class = MeetingFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org", "group")

    def extra_context(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        return {"export_query": query.urlencode(), "today": timezone.localdate()}


class MeetingEdit(ObjectEditView):
    """Plan a meeting (the compliance calendar links here with `?org=&kind=&date=`) or change
    a planned one."""

    model = Meeting
    lookup_field = "pk"
    form_class = MeetingForm
    template_name = "orglife/meeting_form.html"
    list_url = "branch_meeting_list"
    title_add = "安排组织生活"
    title_change = "修改计划：{obj.title}"
    submit_label = "保存计划"
    saved_message = "已保存：{saved.title}。"

    def initial(self, obj):
        if obj is not None:
            return {}
        get = self.request.GET
        # The calendar's org, kind and date; the whole form's values when another branch is
        # chosen (the page is asked again and its form swapped in).
        values = {name: get[name] for name in services.PLAN_FIELDS if get.get(name)}
        values.setdefault("date", timezone.localdate())
        values.setdefault("kind", "")
        if get.get("org"):
            values["org"] = get["org"]
        else:
            # A branch committee keeping one branch starts from it.
            branches = restrict(self.request.user, "view",
                                MeetingForm.base_fields["org"].queryset)
            only = list(branches.values_list("code", flat=True)[:2])
            if len(only) == 1:
                values["org"] = only[0]
        return values

    def get(self, request, **kwargs):
        if self.editing:
            meeting = self.get_object()
            if not services.WORKFLOW.allows("edit", meeting.state):
                messages.error(request, services.WORKFLOW.refuse("edit", meeting))
                return redirect(meeting.get_absolute_url())
        return super().get(request, **kwargs)

    def save(self, form, obj):
        fields = form.service_fields()
        if obj is None:
            return services.plan(form.cleaned_data["org"], user=self.request.user, **fields)
        return services.edit(obj, user=self.request.user, **fields)


class MeetingDetail(ObjectDetailView):
    model = Meeting
    lookup_field = "pk"
    template_name = "orglife/meeting_detail.html"
    context_object_name = "meeting"
    object_actions = ("change",)

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related(
            "org", "group", "host", "recorder"))

    def extra_context(self):
        meeting, user = self.object, self.request.user
        rows = list(restrict(user, "view", Attendance).filter(meeting=meeting)
                    .select_related("membership__person").order_by("membership__person__name"))
        for row in rows:
            row.age = row.membership.person.age_on(meeting.date)
        makeups = list(restrict(user, "view", MakeUp).filter(attendance__meeting=meeting)
                       .select_related("attendance__membership__person", "confirmed_by")
                       .order_by("state", "attendance__membership__person__name"))
        confirmable = set(restrict(user, "change", MakeUp).filter(
            attendance__meeting=meeting, state=MakeUpState.OPEN).values_list("pk", flat=True))
        grades = list(restrict(user, "view", Appraisal).filter(meeting=meeting)
                      .select_related("membership__person"))
        counts = Counter(g.grade for g in grades)
        due = []
        if meeting.state == "planned" and restrict(user, "change", Meeting).filter(
                pk=meeting.pk).exists():
            due = list(services.due_memberships(meeting))
        return {
            "attendance": [r for r in rows if r.membership.standing != Standing.MOBILE],
            "mobile": [r for r in rows if r.membership.standing == Standing.MOBILE],
            "reasons": services.reasons_visible(meeting, user=user),
            "makeups": makeups, "confirmable": confirmable,
            "votes": restrict(user, "view", Vote).filter(meeting=meeting),
            "grades": grades,
            "distribution": [(label, counts[code]) for code, label in Grade.choices],
            "events": restrict(user, "view", MeetingEvent).filter(meeting=meeting),
            "steps": services.WORKFLOW.available_steps(user, meeting),
            "form_steps": FORM_STEPS, "url_prefix": meeting.get_absolute_url(),
            "due": due, "due_mobile": sum(1 for m in due if m.standing == Standing.MOBILE),
            "today": timezone.localdate(),
        }


class StepPage(WorkflowStepView):
    """A step's page; a step the object's state refuses answers with the reason on the
    object's own page."""

    services = services
    answer_refusal_status = True
    template_name = "core/object_form.html"
    titles: dict = {}
    submits: dict = {}

    def get(self, request, **kwargs):
        obj = self.get_object()
        if not self.workflow.allows(self.step.name, self.workflow.state_of(obj)):
            messages.error(request, self.workflow.refuse(self.step.name, obj))
            return redirect(obj.get_absolute_url())
        return super().get(request, **kwargs)

    def params(self, request, form=None):
        if form is not None and hasattr(form, "service_params"):
            return form.service_params()
        return super().params(request, form)

    def form_context(self, obj, form):
        return {"object": obj, "form": form, "title": self.titles.get(self.step.name,
                                                                       self.step.label),
                "subtitle": str(obj), "submit": self.submits.get(self.step.name, "保存"),
                "cancel": obj.get_absolute_url(),
                "danger": self.step.style == "danger"}


class MeetingStep(StepPage):
    model = Meeting
    workflow = services.WORKFLOW
    forms = {"record": RecordForm, "minutes": MinutesForm, "vote": VoteForm,
             "grade": GradeForm, "cancel": ReasonForm}
    forms_guarded = True
    titles = {"record": "登记召开情况", "minutes": "修改会议记录", "vote": "登记表决结果",
              "grade": "民主评议：评定等次", "cancel": "取消会议"}
    submits = {"record": "确认登记", "vote": "登记表决", "grade": "保存等次", "cancel": "确认取消"}

    def get_queryset(self):
        return self.scoped().select_related("org", "group")

    @property
    def template_name(self):
        return "orglife/meeting_record.html" if self.step.name == "record" \
            else "core/object_form.html"

    def form_kwargs(self, meeting):
        if self.step.name == "record":
            return {"meeting": meeting, "due": services.due_memberships(meeting)}
        if self.step.name in ("minutes", "grade"):
            return {"meeting": meeting}
        return {}

    def form_context(self, meeting, form):
        context = super().form_context(meeting, form)
        if self.step.name == "record":
            context["meeting"] = meeting
            context["rows"] = [r for r in form.rows
                               if r["membership"].standing != Standing.MOBILE]
            context["mobile_rows"] = [r for r in form.rows
                                      if r["membership"].standing == Standing.MOBILE]
        return context


class MakeUpStep(StepPage):
    model = MakeUp
    workflow = services.MAKEUP_WORKFLOW
    forms = {"confirm": ConfirmForm}
    titles = {"confirm": "确认补学"}
    submits = {"confirm": "确认补学"}

    def get_queryset(self):
        return self.scoped().select_related("attendance__meeting", "attendance__membership__person")

    def form_context(self, makeup, form):
        context = super().form_context(makeup, form)
        meeting = makeup.attendance.meeting
        context["subtitle"] = (f"{makeup.attendance.membership.person.name} · {meeting} · "
                               f"{makeup.attendance.get_presence_display()}")
        return context


class MeetingRecordFile(ScopedView):
    """The full record (every member's attendance) is for those who keep it: the branch's
    committee and the staff above it ("change"), not every member who reads the meeting."""

    model = Meeting
    action = "change"
    lookup_field = "pk"


class MinutesDocx(MeetingRecordFile):
    def get(self, request, pk):
        meeting = self.get_object(queryset=self.scoped().select_related(
            "org", "group", "host", "recorder"))
        body = minutes_docx(meeting, reasons=services.reasons_visible(meeting, user=request.user))
        return _attachment(HttpResponse(body, content_type=DOCX), f"minutes-{meeting.pk}.docx",
                           f"会议记录-{meeting.date:%Y%m%d}-{meeting.get_kind_display()}.docx")


class MinutesScan(MeetingRecordFile):
    def get(self, request, pk):
        meeting = self.get_object()
        if not meeting.minutes_scan:
            raise Http404("没有上传扫描件。")
        name = meeting.minutes_scan.name.rsplit("/", 1)[-1]
        return FileResponse(meeting.minutes_scan.open("rb"), filename=name)


class AttendanceXlsx(ScopedView):
    """One row per meeting × member of the filtered list; the reason column only for those
    who may read reasons, and filled only on the rows they may."""

    model = Meeting

    def get(self, request):
        meetings = self.scoped()
        filterset = MeetingFilterSet(request.GET, queryset=meetings, request=request)
        meetings = filterset.qs if filterset.is_valid() else meetings.none()
        user = request.user
        rows = (restrict(user, "view", Attendance).filter(meeting__in=meetings.values("pk"))
                .select_related("meeting__org", "membership__person")
                .order_by("meeting__date", "meeting_id", "membership__person__name"))
        with_reasons = can(user, "reason", Attendance)
        shown = set(restrict(user, "reason", Attendance).filter(
            meeting__in=meetings.values("pk")).values_list("pk", flat=True)) \
            if with_reasons else set()
        headers = ["日期", "党支部", "类型", "主题", "党员", "出席情况"]
        if with_reasons:
            headers.append("原因")

        def lines():
            for a in rows.iterator(chunk_size=500):
                m = a.meeting
                line = [m.date, m.org.name, m.get_kind_display(), m.title,
                        a.membership.person.name, a.get_presence_display()]
                if with_reasons:
                    line.append(a.reason if a.pk in shown else "")
                yield line

        body = write_xlsx("出席情况", headers, lines(), widths=[12, 24, 12, 30, 10, 10, 30])
        today = timezone.localdate()
        return _attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE),
                           f"attendance-{today:%Y%m%d}.xlsx", f"出席情况-{today:%Y%m%d}.xlsx")
