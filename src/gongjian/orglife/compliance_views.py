"""Pages of compliance: one subtree's branches in a period (and its .xlsx), one branch's
calendar of the year. The query form is shared by the page, the export and the API."""

import datetime
from urllib.parse import quote, urlencode

from django import forms
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.forms import Styled
from gongjian.core.generic import ScopedView, paginate
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.members import stats
from gongjian.orgs.models import Organization

from . import compliance, rules
from .compliance import BRANCH_KINDS, FLAG_LABELS, Period
from .models import Meeting

ACTION = "compliance"
PER_PAGE = 100


def in_reach(user, org: Organization) -> bool:
    """Whether `org` lies in a subtree where the user follows compliance."""
    return any(org.path.startswith(node.path) for node in reach_orgs(user, ACTION, Meeting))


def find_org(user, text: str) -> Organization | None:
    """An organisation by code (or exact name) the user may see and follow; None otherwise
    (missing and out of reach look the same)."""
    org, _error = stats.resolve_org(user, text)
    return org if org is not None and in_reach(user, org) else None


def default_org(user) -> Organization | None:
    """The user's top organisation within reach."""
    roots = reach_orgs(user, ACTION, Meeting)
    top = [o for o in roots if not any(o.path != r.path and o.path.startswith(r.path)
                                       for r in roots)]
    return restrict(user, "view", Organization).filter(pk__in=[o.pk for o in top]) \
        .order_by("path").first()


def safe_reverse(name: str, *args) -> str:
    """A link into meeting pages kept elsewhere; empty while those pages are not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class ComplianceQuery(Styled, forms.Form):
    """org / year / quarter or month, and two narrowing filters (light, flag)."""

    org = forms.CharField(label="组织（含全部下级）", required=False, max_length=100)
    year = forms.IntegerField(label="年份", required=False,
                              error_messages={"invalid": "年份须为数字，如 2026。"})
    quarter = forms.TypedChoiceField(
        label="季度", required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(q, f"第{q}季度") for q in range(1, 5)],
        error_messages={"invalid_choice": "季度须为 1–4。"})
    month = forms.TypedChoiceField(
        label="月份", required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(m, f"{m}月") for m in range(1, 13)],
        error_messages={"invalid_choice": "月份须为 1–12。"})
    light = forms.ChoiceField(label="提示灯", required=False,
                              choices=[("", "全部")] + list(rules.LIGHT_LABELS.items()),
                              error_messages={"invalid_choice": "提示灯须为 green、yellow 或 red。"})
    flag = forms.ChoiceField(label="标记", required=False,
                             choices=[("", "全部")] + list(FLAG_LABELS.items()),
                             error_messages={"invalid_choice": "标记须为 hollow、"
                                             "joint_branch_needed 或 term_due。"})

    def __init__(self, user, *args, today: datetime.date, **kwargs):
        self.user, self.today = user, today
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.attrs.update({"placeholder": "组织名称或编码",
                                                "autocomplete": "off"})
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})
        # An org out of reach is a 404 on the API, not a bad request.
        self.not_found = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = (cleaned.get("org") or "").strip()
        if text:
            org = find_org(self.user, text)
            if org is None:
                self.not_found = True
                self.add_error("org", f"组织“{text}”不存在或不在您的管理范围内。")
        else:
            org = default_org(self.user)
            if org is None:
                self.add_error("org", "请填写组织名称或编码。")
        year = cleaned.get("year")
        quarter, month = cleaned.get("quarter"), cleaned.get("month")
        if year is None and (quarter or month):
            self.add_error("year", "请同时填写年份。")
            return cleaned
        try:
            period = (Period.of(year, quarter, month) if year is not None
                      else Period.current_quarter(self.today))
        except ValueError as error:
            self.add_error("month" if month and quarter else "year", str(error))
            return cleaned
        cleaned["org"], cleaned["period"] = org, period
        return cleaned

    def first_error(self) -> str:
        return next(iter(e for errors in self.errors.values() for e in errors))

    def narrow(self, rows):
        """The rows that match the light and flag filters (a choice, never a ranking)."""
        light, flag = self.cleaned_data.get("light"), self.cleaned_data.get("flag")
        return [r for r in rows if (not light or r.light == light)
                and (not flag or flag in r.flags)]


class ComplianceMixin(ScopedView):
    model = Meeting
    action = ACTION

    def report(self):
        """(form, report or None, rows shown)."""
        form = ComplianceQuery(self.request.user, self.request.GET,
                               today=timezone.localdate())
        if not form.is_valid():
            return form, None, []
        report = compliance.compliance(form.cleaned_data["org"], form.cleaned_data["period"],
                                       today=form.today)
        return form, report, form.narrow(report.branches)


class CompliancePage(ComplianceMixin):
    template_name = "orglife/compliance.html"

    def get(self, request):
        form, report, rows = self.report()
        context = {"form": form, "report": report}
        if report is None:
            return self.render(context, status=404 if form.not_found else 400)
        org, period = report.root, report.period
        page, query = paginate(request, rows, PER_PAGE)
        compliance.name_communities(org, page.object_list)

        def link(p):
            return "?" + urlencode({"org": org.code, **p.query()})

        context.update({
            "page": page, "query": query, "summary": report.summary, "rows": page.object_list,
            "shown": len(rows), "light_labels": rules.LIGHT_LABELS, "flag_labels": FLAG_LABELS,
            "previous": link(period.previous()), "next": link(period.next()),
            "this_quarter": link(Period.current_quarter(report.today)),
            "export": reverse("orglife_compliance_xlsx") + "?" + request.GET.urlencode(),
            "bounds": (rules.setting("light_green_max"), rules.setting("light_yellow_max")),
            "hollow_months": rules.setting("hollow_months"),
            "min_full": rules.setting("branch_min_full"),
            "term_years": rules.setting("committee_term_years"),
            "filters": _filter_links(org, period),
        })
        return self.render(context)


def _filter_links(org, period) -> dict[str, str]:
    """The summary's figures link to the rows they count."""
    base = {"org": org.code, **period.query()}
    links = {light: "?" + urlencode({**base, "light": light}) for light in rules.LIGHT_LABELS}
    links.update({flag: "?" + urlencode({**base, "flag": flag}) for flag in FLAG_LABELS})
    return links


def export_rows(report, rows):
    for row in rows:
        yield [row.name, row.code, row.community, row.required, row.held, len(row.missing),
               "、".join(f"{w.kind_label}（{w.label}）" for w in row.missing),
               "、".join(f"{w.kind_label}（{w.label}）" for w in row.pending),
               row.open_makeups, row.light_label, "、".join(row.flag_labels)]


class ComplianceExport(ComplianceMixin):
    def get(self, request):
        form, report, rows = self.report()
        if report is None:
            if form.not_found:
                raise Http404(form.first_error())
            return HttpResponseBadRequest(form.first_error(), content_type="text/plain; charset=utf-8")
        compliance.name_communities(report.root, rows)
        body = write_xlsx(
            "组织生活合规情况",
            ["党支部", "组织编码", "所属社区", "应开展", "已开展", "未开展项数", "未开展（名称及时间）",
             "待开展（期限未到）", "未完成补学的会议", "提示灯", "标记"],
            export_rows(report, rows), widths=[30, 16, 20, 8, 8, 10, 60, 40, 12, 8, 24])
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        name = f"orglife-compliance-{report.root.code}-{report.period.code}.xlsx"
        local = quote(f"组织生活合规情况-{report.root.name}-{report.period.label}.xlsx")
        response["Content-Disposition"] = (f'attachment; filename="{name}"; '
                                           f"filename*=UTF-8''{local}")
        return response


class CalendarPage(ScopedView):
    model = Meeting
    action = ACTION
    template_name = "orglife/calendar.html"

    def get(self, request, code, year):
        org = restrict(request.user, "view", Organization).filter(
            code=code, kind__in=BRANCH_KINDS).first()
        if org is None or not in_reach(request.user, org):
            raise Http404("党支部不存在或不在您的管理范围内。")
        if not 2000 <= year <= 2100:
            raise Http404("年份须在 2000–2100 之间。")
        today = timezone.localdate()
        calendar = compliance.branch_calendar(org, year, today=today)
        may_add = can(request.user, "add", Meeting) and _may_add_at(request.user, org)
        create = safe_reverse("branch_meeting_create") if may_add else ""
        for row in calendar.rows:
            for cell in row.cells:
                cell.create_url = ""
                if create and cell.open and row.every:
                    day = (cell.window.start if cell.status == compliance.DUE
                           else today if cell.status == compliance.PENDING
                           else cell.window.end)
                    cell.create_url = create + "?" + urlencode(
                        {"org": org.code, "kind": row.kind, "date": day.isoformat()})
                for meeting in cell.held + cell.planned:
                    meeting["url"] = safe_reverse("branch_meeting_detail", meeting["id"])
        for meeting in calendar.planned:
            meeting["url"] = safe_reverse("branch_meeting_detail", meeting["id"])
            meeting["kind_label"] = rules.kind_rule(meeting["kind"]).label
        months = list(range(1, 13))
        return self.render({
            "org": org, "calendar": calendar, "months": months, "today": today,
            "year": year, "previous": year - 1, "next": year + 1,
            "status_labels": compliance.STATUS_LABELS, "source": rules.SOURCE,
            "compliance_url": reverse("orglife_compliance") + "?" + urlencode(
                {"org": org.code, "year": year}),
        })


def _may_add_at(user, org: Organization) -> bool:
    """Whether the user may add meetings for this branch (the add right's reach)."""
    return any(org.path.startswith(node.path) for node in reach_orgs(user, "add", Meeting))
