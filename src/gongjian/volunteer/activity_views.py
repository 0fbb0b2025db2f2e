"""Pages of the activities: the list (with its spreadsheet), registering and changing one, its
page (sign-ups, check-ins, records, history, the buttons of the table in services.py), one
page per step, the organiser's rotating QR code and hand-made entries, declining a sign-up,
closing a missing sign-out and adjusting a record's hours."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    run_service,
)
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx

from . import services, tokens
from .document import qr_data_uri, qr_svg
from .filtersets import ActivityFilterSet
from .forms import (
    ActivityForm,
    AdjustForm,
    CloseForm,
    ManualForm,
    ReasonForm,
    ReviewForm,
)
from .models import Activity, ActivityEvent, CheckIn, ServiceRecord, Signup, SignupState, State

FORM_STEPS = {"edit", "review", "cancel", "checkin", "checkout"}


def attachment(response, ascii_name, chinese_name):
    from urllib.parse import quote

    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(chinese_name)}")
    return response


class ActivityList(ObjectListView):
    model = Activity
    template_name = "volunteer/activity_list.html"
    filterset_class = ActivityFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org", "team").order_by("-starts_at", "-id")

    def annotate_rows(self, rows):
        from django.db.models import Count, Q

        return rows.annotate(accepted=Count("signups", filter=Q(
            signups__state=SignupState.ACCEPTED)))

    def extra_context(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        return {"export_query": query.urlencode()}


class ActivityExport(ScopedView):
    """The filtered list as a spreadsheet (the same FilterSet as the page and the API)."""

    model = Activity

    def get(self, request):
        rows = self.scoped()
        filterset = ActivityFilterSet(request.GET, queryset=rows, request=request)
        rows = filterset.qs if filterset.is_valid() else rows.none()
        from django.db.models import Count, Q, Sum

        rows = (rows.select_related("org", "team").order_by("-starts_at", "-id")
                .annotate(accepted=Count("signups", filter=Q(
                    signups__state=SignupState.ACCEPTED), distinct=True))
                .annotate(hours=Sum("records__hours")))
        headers = ["活动名称", "组织单位", "服务队", "开始时间", "结束时间", "地点", "名额",
                   "已录用", "报名范围", "预计服务对象", "实际服务对象", "状态", "服务时长（小时）",
                   "时长计入日期"]

        def lines():
            for a in rows.iterator(chunk_size=500):
                yield [a.title, a.org.name, a.team.name if a.team_id else "",
                       timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
                       timezone.localtime(a.ends_at).strftime("%Y-%m-%d %H:%M"), a.place,
                       a.places, a.accepted, a.get_eligibility_display(),
                       a.beneficiaries_expected, a.beneficiaries_served,
                       a.get_state_display(), float(a.hours or 0), a.counts_from]

        body = write_xlsx("志愿服务活动", headers, lines(),
                          widths=[30, 22, 18, 17, 17, 22, 8, 8, 12, 12, 12, 10, 14, 14])
        today = timezone.localdate()
        return attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE),
                          f"activities-{today:%Y%m%d}.xlsx", f"志愿服务活动-{today:%Y%m%d}.xlsx")


class ActivityEdit(ObjectEditView):
    model = Activity
    lookup_field = "pk"
    form_class = ActivityForm
    list_url = "volunteer_activity_list"
    title_add = "登记志愿服务活动"
    title_change = "修改活动：{obj.title}"
    submit_label = "保存"
    saved_message = "已保存：{saved.title}。"

    def initial(self, obj):
        if obj is not None:
            return {}
        values = {}
        for name in ("org", "team"):
            if self.request.GET.get(name):
                values[name] = self.request.GET[name]
        return values

    def get(self, request, **kwargs):
        if self.editing:
            activity = self.get_object()
            if not services.WORKFLOW.allows("edit", activity.state):
                messages.error(request, services.WORKFLOW.refuse("edit", activity))
                return redirect(activity.get_absolute_url())
        return super().get(request, **kwargs)

    def save(self, form, obj):
        fields = form.service_fields()
        if obj is None:
            return services.create_activity(user=self.request.user,
                                            org=form.cleaned_data["org"], **fields)
        return services.edit(obj, user=self.request.user, **fields)


class ActivityDetail(ObjectDetailView):
    model = Activity
    lookup_field = "pk"
    template_name = "volunteer/activity_detail.html"
    context_object_name = "activity"
    object_actions = ("change",)

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related("org", "team",
                                                                             "created_by"))

    def extra_context(self):
        activity, user = self.object, self.request.user
        organiser = self.allowed(activity)["change"]
        signups = list(restrict(user, "view", Signup).filter(activity=activity)
                       .select_related("volunteer").order_by("created_at", "id"))
        pairs = list(restrict(user, "view", CheckIn).filter(activity=activity)
                     .select_related("volunteer").order_by("in_at", "id"))
        records = list(restrict(user, "view", ServiceRecord).filter(activity=activity)
                       .select_related("volunteer").order_by("volunteer__name", "id"))
        mine = services.my_signup(activity, user=user)
        accepted = sum(1 for s in signups if s.state == SignupState.ACCEPTED) if organiser \
            else activity.signups.filter(state=SignupState.ACCEPTED).count()
        return {
            "organiser": organiser, "mine": mine, "accepted": accepted,
            "waiting": [s for s in signups if s.state == SignupState.WAITING],
            "signups": signups, "pairs": pairs, "records": records,
            "open_pairs": [p for p in pairs if p.out_at is None],
            "my_pairs": [p for p in pairs if mine is not None
                         and p.volunteer_id == mine.volunteer_id],
            "steps": services.WORKFLOW.available_steps(user, activity),
            "next_line": services.WORKFLOW.next_line(activity, exclude=(
                "edit", "signup", "cancel_signup", "checkin", "checkout")),
            "form_steps": FORM_STEPS - {"checkin", "checkout"},
            "url_prefix": activity.get_absolute_url(),
            "events": restrict(user, "view", ActivityEvent).filter(activity=activity),
            "adjustable": organiser and activity.state == State.ENDED,
            "manual_open": organiser and activity.state in services.MANUAL_STATES,
            "decidable": organiser and activity.state in services.SIGNUP_OPEN,
        }


class ActivityStep(WorkflowStepView):
    model = Activity
    workflow = services.WORKFLOW
    services = services
    forms = {"review": ReviewForm, "cancel": ReasonForm}
    answer_refusal_status = True
    template_name = "core/object_form.html"
    gone_url = "volunteer_activity_list"
    titles = {"review": "审核时长", "cancel": "取消活动"}

    def get_queryset(self):
        return self.scoped().select_related("org", "team")

    def dispatch(self, request, *args, **kwargs):
        # Editing has its own page; a check-in is taken by scanning the code on the spot.
        if kwargs.get("step") == "edit":
            return redirect("volunteer_activity_edit", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        obj = self.get_object()
        if not self.workflow.allows(self.step.name, self.workflow.state_of(obj)):
            messages.error(request, self.workflow.refuse(self.step.name, obj))
            return redirect(obj.get_absolute_url())
        return super().get(request, **kwargs)

    def form_context(self, activity, form):
        subtitle = str(activity)
        if self.step.name == "review":
            records = ServiceRecord.objects.filter(activity=activity)
            open_pairs = CheckIn.objects.filter(activity=activity, out_at__isnull=True).count()
            subtitle = (f"{activity.title} · {records.count()} 条服务记录"
                        + (f" · {open_pairs} 次签到未签退，审核后不计时长（如需计入，请先补录签退）"
                           if open_pairs else ""))
        return {"object": activity, "form": form, "subtitle": subtitle,
                "title": self.titles.get(self.step.name, self.step.label),
                "submit": f"确认{self.step.label}", "cancel": activity.get_absolute_url(),
                "danger": self.step.style == "danger"}


class QrPage(ScopedView):
    """The organiser's screen at the activity: the QR code, changing every few seconds."""

    model = Activity
    action = "change"
    lookup_field = "pk"
    template_name = "volunteer/activity_qr.html"

    def get(self, request, pk):
        activity = self.get_object()
        return self.render({"activity": activity, **_code_context(request, activity)})


def _code_context(request, activity):
    from django.urls import reverse

    if activity.state != State.IN_PROGRESS:
        return {"code_url": "", "running": False}
    now = timezone.now()
    code = tokens.code_for(activity.pk, now)
    url = request.build_absolute_uri(reverse("volunteer_scan", args=[code]))
    return {"running": True, "code_url": url, "qr": qr_data_uri(url),
            "seconds_left": tokens.seconds_left(now), "window": tokens.window(now),
            "signed_in": CheckIn.objects.filter(activity=activity).values(
                "volunteer_id").distinct().count(),
            "on_site": CheckIn.objects.filter(activity=activity, out_at__isnull=True).count()}


class QrCode(QrPage):
    """The code alone (the page polls it with htmx)."""

    template_name = "volunteer/_qr_code.html"


class QrSvg(ScopedView):
    """The current code as an SVG image (to show it on another screen or print it live)."""

    model = Activity
    action = "change"
    lookup_field = "pk"

    def get(self, request, pk):
        from django.urls import reverse

        activity = self.get_object()
        if activity.state != State.IN_PROGRESS:
            return HttpResponse("活动未在进行中，没有签到码。", status=409,
                                content_type="text/plain; charset=utf-8")
        url = request.build_absolute_uri(reverse("volunteer_scan", args=[
            tokens.code_for(activity.pk)]))
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        return response


class ManualEntry(ScopedView):
    """The organiser signs a volunteer in or out by hand: flagged and audited."""

    model = Activity
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, activity, form, status=200):
        return self.render({"form": form, "title": "手工签到/签退", "subtitle": activity.title,
                            "submit": "登记", "cancel": activity.get_absolute_url()}, status)

    def get(self, request, pk):
        activity = self.get_object()
        return self.page(activity, ManualForm(activity=activity,
                                              initial={"at": timezone.localtime()
                                                       .replace(second=0, microsecond=0)}))

    def post(self, request, pk):
        activity = self.get_object()
        form = ManualForm(request.POST, activity=activity)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.manual_entry(
                activity, user=request.user, **form.service_params()), "已手工登记。")
            if ok:
                return redirect(activity.get_absolute_url())
        return self.page(activity, form, status=400)


class _ActivityRowEdit(ObjectEditView):
    """A step the organiser takes with a form on one row of an activity (a sign-up, a
    check-in pair, a record); back to the activity after."""

    lookup_field = "pk"
    form_takes_user = False

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related(
            "volunteer", "activity"))

    def subtitle(self, obj):
        return obj.activity.title

    def extra_context(self):
        return {"subtitle": self.subtitle(self.object)}

    def cancel_url(self, obj):
        return obj.activity.get_absolute_url()

    def success_url(self, saved):
        return self.object.activity.get_absolute_url()


class SignupDecline(_ActivityRowEdit):
    model = Signup
    form_class = ReasonForm
    title_change = "不予录用：{obj.volunteer.name}"
    submit_label = "确认不予录用"
    danger = True
    saved_message = "已不予录用。"

    def subtitle(self, row):
        return f"{row.activity.title} · 名额将递补给候补第一位"

    def save(self, form, row):
        return services.decline(row, user=self.request.user,
                                reason=form.cleaned_data["reason"])


class CheckInClose(_ActivityRowEdit):
    """The organiser closes a missing sign-out, setting the time by hand."""

    model = CheckIn
    form_class = CloseForm
    title_change = "补录签退：{obj.volunteer.name}"
    submit_label = "补录签退"
    saved_message = "已补录签退。"

    def subtitle(self, pair):
        return f"{pair.activity.title} · 签到于 {timezone.localtime(pair.in_at):%Y-%m-%d %H:%M}"

    def initial(self, pair):
        return {"out_at": timezone.localtime(pair.activity.ends_at).replace(
            second=0, microsecond=0)}

    def save(self, form, pair):
        return services.close_pair(pair, user=self.request.user,
                                   out_at=form.cleaned_data["out_at"],
                                   reason=form.cleaned_data["reason"])


class RecordAdjust(_ActivityRowEdit):
    """Before the review: a record's hours (with the reason) and its evaluation."""

    model = ServiceRecord
    form_class = AdjustForm
    title_change = "核定时长：{obj.volunteer.name}"

    def subtitle(self, record):
        return (f"{record.activity.title} · 实际 {record.raw_hours} 小时，"
                f"按规则核算 {record.computed_hours} 小时")

    def initial(self, record):
        return {"hours": record.hours, "reason": record.adjust_reason,
                "evaluation": record.evaluation}

    def save(self, form, record):
        return services.adjust(record, user=self.request.user, **form.cleaned_data)
