"""Pages of 双报到: the list (its export), the member's report form, a report's page with its
figures, history and steps, the year-end list of those short of the expectation, and a unit's
quarterly summary. Thin: rows come through restrict(), every write through services.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.access import restrict
from gongjian.core.generic import (
    ObjectDetailView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    run_service,
)
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.orgs.models import Organization, Unit

from . import queries, rules, services
from .filtersets import ReportFilterSet
from .forms import STEP_FORMS, CommunityPickForm, ReportForm
from .models import Report, State

HOURS_RULE = ("服务时长：报到社区及其下属组织组织的志愿服务活动中，已审核并公示期满计入的时长，"
              "按服务日期计入年度。")


def _xlsx(body, stem, today=None):
    today = today or timezone.localdate()
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    # The file name in Chinese for browsers that read filename*, ASCII for the rest.
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename=\"community-reports-{today:%Y%m%d}.xlsx\"; "
        f"filename*=UTF-8''{quote(f'{stem}-{today:%Y%m%d}.xlsx')}")
    response["Cache-Control"] = "no-store"  # names and addresses: not kept by proxies
    return response


def _year(request, default):
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= timezone.localdate().year else default


# ---- the list -----------------------------------------------------------------------------------

class ReportList(ObjectListView):
    model = Report
    template_name = "community_reports/list.html"
    filterset_class = ReportFilterSet

    def get_queryset(self):
        return queries.reports_for(self.request.user)

    def extra_context(self):
        today = timezone.localdate()
        return {"export_url": f"{reverse('community_report_export')}?"
                              f"{self.request.GET.urlencode()}",
                "year": today.year, "yearly_hours": rules.yearly_hours(),
                "hours_rule": HOURS_RULE, "can_evaluate": self.can("evaluate"),
                "year_end_url": reverse("community_report_year_end")}

    def list_context(self):
        context = super().list_context()
        today = timezone.localdate()
        # Hours for the rows shown only (a page, not the whole list).
        received = [r for r in context["page"] if r.state == State.RECEIVED]
        figures = services.year_figures_of(received, today.year, today)
        context["rows"] = [{"report": r, "figures": figures.get(r.pk)} for r in context["page"]]
        return context


EXPORT_HEADERS = ["党员", "所在党支部", "所在单位", "报到社区", "所在网格", "居住地址", "特长",
                  "服务意向", "服务时间", "状态", "报到日期", "接收日期", "结束日期",
                  "本年服务时长（小时）", "本年应达（小时）", "未达要求"]
EXPORT_WIDTHS = [10, 24, 24, 16, 16, 30, 16, 24, 12, 10, 12, 12, 12, 12, 12, 10]


class ReportExport(ReportList):
    """The filtered list as a spreadsheet (the same FilterSet as the page and the API)."""

    def get(self, request, **kwargs):
        rows, filterset = self.filtered(request)
        if not filterset.is_valid():
            messages.error(request, "筛选条件有误，未导出。")
            return redirect(f"{reverse('community_report_list')}?{request.GET.urlencode()}")
        today = timezone.localdate()
        data = []
        rows = list(rows)
        all_figures = services.year_figures_of(
            [r for r in rows if r.state == State.RECEIVED], today.year, today)
        for r in rows:
            figures = all_figures.get(r.pk)
            data.append([
                r.person.name, r.branch.name, r.unit.name if r.unit_id else "", r.community.name,
                r.grid.name if r.grid_id else "", r.address, r.skills,
                "、".join(r.field_labels), r.get_availability_display(), r.get_state_display(),
                r.reported_on, r.received_on, r.ended_on,
                float(figures["hours"]) if figures else None,
                float(figures["expected"]) if figures else None,
                "是" if figures and figures["short"] else ""])
        audit.record("export", None, object_type="community_reports.report",
                     object_repr="在职党员报到", detail=f"导出在职党员报到 {len(data)} 条",
                     after={"filter": {k: v for k, v in request.GET.items() if v},
                            "count": len(data)})
        return _xlsx(write_xlsx("在职党员报到", EXPORT_HEADERS, data, EXPORT_WIDTHS),
                     "在职党员报到", today)


# ---- reporting ------------------------------------------------------------------------------------

class ReportCreate(ScopedView):
    """报到: the member picks the community where they live (step one), then fills the form
    with that community's needs."""

    model = Report
    action = "add"
    template_name = "community_reports/form.html"

    def person(self):
        return getattr(self.request.user, "person", None)

    def community(self, data):
        pick = CommunityPickForm(data, person=self.person())
        if data.get("community") and pick.is_valid():
            return pick, pick.cleaned_data["community"]
        return pick, None

    def page(self, pick, community, form=None, status=200):
        person = self.person()
        membership = services.own_membership(person) if person is not None else None
        refusal = ""
        if person is None:
            refusal = "您的账户未关联党员档案，不能报到；请联系所在党支部。"
        elif community is not None:
            refusal = services.report_refusal(person, community) or ""
        return self.render({"pick": pick, "community": community, "form": form,
                            "membership": membership, "refusal": refusal,
                            "yearly_hours": rules.yearly_hours(), "hours_rule": HOURS_RULE,
                            "cancel": reverse("community_report_list")}, status=status)

    def get(self, request):
        pick, community = self.community(request.GET)
        form = ReportForm(community=community, person=self.person()) if community else None
        return self.page(pick, community, form)

    def post(self, request):
        pick, community = self.community(request.POST)
        if community is None:
            return self.page(pick, None, status=400)
        form = ReportForm(request.POST, community=community, person=self.person())
        if form.is_valid():
            data = dict(form.cleaned_data)
            ok, report = run_service(request, form, lambda: services.submit(
                user=request.user, community=community, address=data["address"],
                skills=data.get("skills", ""), fields=data["fields"],
                demands=data.get("demands") or (), availability=data["availability"],
                availability_note=data.get("availability_note", ""), unit=data.get("unit")),
                "已提交报到，待社区接收。")
            if ok:
                return redirect(report.get_absolute_url())
        return self.page(pick, community, form, status=400)


# ---- one report -----------------------------------------------------------------------------------

class ReportDetail(ObjectDetailView):
    model = Report
    lookup_field = "pk"
    template_name = "community_reports/detail.html"
    object_actions = ()

    def get_object(self, action=None, queryset=None):
        rows = self.scoped(action).select_related("person", "branch", "unit", "community",
                                                  "grid", "received_by")
        return super().get_object(action, rows)

    def extra_context(self):
        report, user = self.object, self.request.user
        today = timezone.localdate()
        years = sorted({today.year, rules.evaluation_year(today)}, reverse=True)
        figures = [services.year_figures(report, y, today) for y in years
                   if rules.expected_hours(y, report.received_on, report.ended_on)]
        return {"report": report, "steps": services.WORKFLOW.available_steps(user, report),
                "form_steps": set(STEP_FORMS), "next_line": services.WORKFLOW.next_line(report),
                "events": report.events.all(), "figures": figures,
                "evaluations": list(report.evaluations.select_related("evaluated_by")),
                "demands": list(report.demands.all()), "hours_rule": HOURS_RULE,
                "evaluation_year": rules.evaluation_year(today)}


class ReportStep(WorkflowStepView):
    model = Report
    workflow = services.WORKFLOW
    services = services
    forms = STEP_FORMS
    forms_guarded = True
    answer_refusal_status = True
    template_name = "community_reports/step_form.html"
    gone_url = "community_report_list"

    def form_kwargs(self, obj):
        if self.step.name == "receive":
            return {"report": obj, "user": self.request.user}
        return {}

    def get(self, request, **kwargs):
        obj = self.get_object()
        if not self.workflow.allows(self.step.name, self.workflow.state_of(obj)):
            messages.error(request, self.workflow.refuse(self.step.name, obj))
            return redirect(obj.get_absolute_url())
        return super().get(request, **kwargs)

    def form_context(self, obj, form):
        context = {"object": obj, "report": obj, "form": form,
                   "title": f"{self.step.label}：{obj.person.name}",
                   "subtitle": f"{obj.branch.name} → {obj.community.name}",
                   "submit": f"确认{self.step.label}", "cancel": obj.get_absolute_url(),
                   "danger": self.step.style == "danger", "step": self.step.name}
        if self.step.name == "evaluate":
            today = timezone.localdate()
            context["figures"] = services.year_figures(obj, rules.evaluation_year(today), today)
            context["hours_rule"] = HOURS_RULE
        return context


# ---- year end -------------------------------------------------------------------------------------

YEAR_END_HEADERS = ["党员", "所在单位", "所在党支部", "报到社区", "接收日期", "结束日期",
                    "年度服务时长（小时）", "应达时长（小时）", "差额（小时）", "年度评价"]


class YearEnd(ScopedView):
    """The year's reported members short of the expectation (48 of 50 h → listed), or all
    of them with `all=1`, within the user's reach."""

    model = Report
    template_name = "community_reports/year_end.html"

    def rows(self, request):
        today = timezone.localdate()
        year = _year(request, rules.evaluation_year(today))
        everyone = request.GET.get("all") == "1"
        base = queries.reports_for(request.user)
        community = request.GET.get("community", "").strip()
        if community:
            org = restrict(request.user, "view", Organization).filter(code=community).first()
            base = base.filter(community__path__startswith=org.path) if org else base.none()
        return year, everyone, queries.year_end_rows(request.user, year, short_only=not everyone,
                                                     base=base)

    def get(self, request):
        year, everyone, rows = self.rows(request)
        today = timezone.localdate()
        return self.render({"rows": rows, "year": year, "all": everyone,
                            "years": list(range(today.year, today.year - 5, -1)),
                            "yearly_hours": rules.yearly_hours(), "hours_rule": HOURS_RULE,
                            "community": request.GET.get("community", ""),
                            "export_url": f"{reverse('community_report_year_end_export')}?"
                                          f"{request.GET.urlencode()}",
                            "can_evaluate": self.can("evaluate"),
                            "opens": rules.evaluation_opens(year)})


class YearEndExport(YearEnd):
    def get(self, request):
        year, everyone, rows = self.rows(request)
        data = [[r["report"].person.name, r["report"].unit.name if r["report"].unit_id else "",
                 r["report"].branch.name, r["report"].community.name, r["report"].received_on,
                 r["report"].ended_on, float(r["hours"]), float(r["expected"]),
                 float(r["missing"]), _grade(r["grade"])] for r in rows]
        title = f"{year}年在职党员服务时长" + ("" if everyone else "未达要求名单")
        audit.record("export", None, object_type="community_reports.report", object_repr=title,
                     detail=f"导出{title} {len(data)} 条", after={"year": year,
                                                                "count": len(data)})
        return _xlsx(write_xlsx(title, YEAR_END_HEADERS, data,
                                [10, 24, 24, 16, 12, 12, 14, 14, 12, 10]), title)


def _grade(code):
    from .models import Grade

    return Grade(code).label if code in Grade.values else ""


# ---- a unit's quarterly summary -------------------------------------------------------------------

SUMMARY_HEADERS = ["党员", "所在党支部", "报到社区", "状态", "本季度服务时长（小时）",
                   "年内累计（小时）", "全年应达（小时）"]


class UnitSummary(ScopedView):
    """What the unit is sent each quarter: its members reported to communities, their hours
    in the quarter and in the year so far. The unit's liaison, and the street and community
    staff whose reach covers the unit, read it."""

    model = Report
    template_name = "community_reports/unit_summary.html"

    def summary(self, request, code):
        unit = get_object_or_404(restrict(request.user, "view", Unit), code=code)
        today = timezone.localdate()
        default_year, default_quarter = rules.previous_quarter(today)
        year = _year(request, default_year)
        try:
            quarter = int(request.GET.get("quarter") or default_quarter)
        except ValueError:
            quarter = default_quarter
        if quarter not in (1, 2, 3, 4):
            raise Http404("没有这个季度。")
        return queries.unit_summary(request.user, unit, year, quarter)

    def get(self, request, code):
        summary = self.summary(request, code)
        today = timezone.localdate()
        quarters = []
        year, quarter = today.year, rules.quarter_of(today)
        for _ in range(6):
            quarters.append((year, quarter))
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        return self.render({**summary, "quarters": quarters, "hours_rule": HOURS_RULE,
                            "yearly_hours": rules.yearly_hours(),
                            "export_url": reverse("community_report_unit_summary_export",
                                                  args=[code])
                            + f"?year={summary['year']}&quarter={summary['quarter']}"})


class UnitSummaryExport(UnitSummary):
    def get(self, request, code):
        s = self.summary(request, code)
        data = [[r["report"].person.name, r["report"].branch.name, r["report"].community.name,
                 r["report"].get_state_display(), float(r["quarter_hours"]), float(r["hours"]),
                 float(r["expected"])] for r in s["rows"]]
        title = f"{s['unit'].name}{s['year']}年第{s['quarter']}季度在职党员报到情况"
        audit.record("export", None, object_type="community_reports.report",
                     object_repr=title[:200],
                     detail=f"导出{title} {len(data)} 条", after={"unit": s["unit"].code,
                                                                "count": len(data)})
        return _xlsx(write_xlsx(f"{s['year']}Q{s['quarter']}", SUMMARY_HEADERS, data,
                                [10, 24, 16, 10, 16, 14, 14]), title)
