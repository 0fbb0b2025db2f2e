"""The statistics page (班子、党员、专职队伍 of a subtree on a date) and its .xlsx export."""

import datetime
from urllib.parse import quote

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongjian.core.access import can
from gongjian.core.forms import DATE_INPUT, Styled
from gongjian.core.generic import ScopedView
from gongjian.core.spreadsheets import save_workbook
from gongjian.orgs.models import Organization

from . import stats
from .models import Membership, StaffAssignment, TeamSeat


class FiguresForm(Styled, forms.Form):
    """`org_name` is the box the user sees (a name, or a code typed there); `org` carries the
    code of the organisation picked from the suggestions, or given by a link (?org=CODE)."""

    org_name = forms.CharField(label="组织（含全部下级）", required=False, max_length=100)
    org = forms.CharField(required=False, widget=forms.HiddenInput)
    as_of = forms.CharField(label="统计日期", required=False, widget=DATE_INPUT)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # Suggestions as one types (orgs' search); picking one puts its name in the box and
        # its code in `org` (app.js).
        self.fields["org_name"].widget.attrs.update({
            "autocomplete": "off", "placeholder": "组织名称、拼音、首字母或编码",
            "data-pick-code-target": "id_org", "aria-describedby": "id_org_name-label",
            "hx-get": f"{reverse('org_search')}?pick=id_org_name&field=org_name",
            "hx-trigger": "input changed delay:250ms", "hx-target": "#id_org_name-results",
        })

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("org_name") or "").strip()
        code = (cleaned.get("org") or "").strip()
        org = error = None
        if code:
            org = stats.find_org(self.user, code)
            # The box edited after a pick names another organisation: the box wins.
            if org is not None and name and name not in (org.name, org.code):
                org = None
            elif org is None and not name:
                org, _ = stats.resolve_org(self.user, code)  # a name given as ?org=
                if org is None:
                    error = f"组织编码“{code}”不存在或不在您的管理范围内。"
        if org is None and error is None:
            if name:
                org, error = stats.resolve_org(self.user, name)
            else:
                org = stats.default_org(self.user)
                if org is None:
                    error = "请填写组织名称或编码。"
        if error:
            self.add_error("org_name", error)
        else:
            cleaned["org"] = org
        return cleaned

    def clean_as_of(self):
        try:
            return stats.parse_day(self.cleaned_data["as_of"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class FiguresView(ScopedView):
    """Organisations are what the figures are about; member figures need the roster's right,
    team and staff figures show only to those who may read teams and staff."""

    model = Organization

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "view", Membership):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def figures(self):
        """(form, figures or None) for the request's query."""
        user = self.request.user
        data = self.request.GET.copy()
        form = FiguresForm(user, data)
        if not form.is_valid():
            return form, None
        org, day = form.cleaned_data["org"], form.cleaned_data["as_of"]
        # Show what the figures are about: the organisation's name in the box, its code
        # carried along, and the date.
        shown = {"org": org.code, "org_name": org.name, "as_of": day.isoformat()}
        if any(data.get(key) != value for key, value in shown.items()):
            for key, value in shown.items():
                data[key] = value
            form = FiguresForm(user, data)
            form.is_valid()
        result = {"org": org, "as_of": day, "members": stats.member_figures(user, org, day)}
        if can(user, "view", TeamSeat):
            result["teams"] = stats.team_figures(user, org, day)
            result["sentence"] = stats.team_sentence(result["teams"])
        if can(user, "view", StaffAssignment):
            result["staff"] = stats.staff_figures(user, org, day)
        return form, result


def _chart(kind, mapping, unit="人"):
    return {"type": kind, "labels": list(mapping), "values": list(mapping.values()), "unit": unit}


def _children(rows):
    return {row["name"]: row["count"] for row in rows}


class _Panels:
    """Chart panels of one page: what the template lays out, and the data charts.js draws."""

    def __init__(self):
        self.data = {}

    def __call__(self, key, title, kind, mapping, unit="人", wide=False):
        self.data[key] = _chart(kind, mapping, unit)
        ratio = "ratio-4x3"
        if wide:  # one bar per organisation: taller when there are many
            n = len(mapping)
            ratio = ("ratio-21x9" if n <= 5 else "ratio-16x9" if n <= 10
                     else "ratio-4x3" if n <= 20 else "ratio-1x1")
        return {"key": key, "title": title, "rows": list(mapping.items()), "ratio": ratio,
                "wide": wide}


def _panels(result):
    chart = _Panels()
    sections = {}
    teams = result.get("teams")
    if teams and teams["headcount"]:
        sections["teams"] = [
            chart("teams-post", "按职务", "bar", teams["by_post"]),
            chart("teams-age", "按年龄段", "bar", teams["by_age_band"]),
            chart("teams-education", "按学历", "hbar", teams["by_education"]),
        ]
        if len(teams["by_org"]) > 1:
            sections["teams"].append(chart("teams-org", "按下级组织（人）", "hbar",
                                           _children(teams["by_org"]), wide=True))
    members = result["members"]
    if members["total"]:
        sections["members"] = [
            chart("members-age", "按年龄段", "bar", members["by_age_band"]),
            chart("members-education", "按学历", "hbar", members["by_education"]),
            chart("members-category", "按党员类别", "pie", members["by_category"]),
            chart("members-sex", "按性别", "pie", members["by_sex"]),
            chart("members-standing-years", "按党龄", "hbar", members["by_standing_years"]),
            chart("members-standing", "按党籍状态", "hbar", members["by_standing"]),
        ]
        if len(members["by_org"]) > 1:
            sections["members"].append(chart("members-org", "按下级组织（人）", "hbar",
                                             _children(members["by_org"]), wide=True))
    staff = result.get("staff")
    if staff and (staff["full_time"] or staff["instructors"]):
        sections["staff"] = [chart("staff-role", "按岗位", "hbar", staff["by_role"])]
    return sections, chart.data


class StatsPage(FiguresView):
    template_name = "members/stats_page.html"

    def get(self, request):
        form, result = self.figures()
        today = timezone.localdate()
        context = {"form": form, "result": result, "today": today,
                   "year_end": datetime.date(today.year - 1, 12, 31)}
        if result:
            context["panels"], context["charts"] = _panels(result)
        return self.render(context, status=200 if result else 400)


# ---- .xlsx export -------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="F3D7D7")


def _block(sheet, title, mapping, total=None):
    """A titled two-column table (label, count[, share]) and a blank row after it."""
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = _BOLD
    header = ["项目", "人数"] + (["占比（%）"] if total else [])
    sheet.append(header)
    for col in range(1, len(header) + 1):
        sheet.cell(sheet.max_row, col).fill = _HEAD
    for label, n in mapping.items():
        sheet.append([label, n] + ([stats.percent(n, total)] if total else []))
    sheet.append([])


def _pairs(sheet, title, rows):
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = _BOLD
    for label, value in rows:
        sheet.append([label, value])
    sheet.append([])


def _people_rows(figures, count_label, count):
    return [
        (count_label, count),
        ("平均年龄（周岁）", figures["average_age"]),
        ("35岁及以下（人）", figures["aged_35_and_under"]),
        ("35岁及以下占比（%）", figures["aged_35_and_under_share"]),
        ("大专及以上学历（人）", figures["college_or_above"]),
        ("大专及以上占比（%）", figures["college_or_above_share"]),
    ]


def _fit(sheet):
    for col in range(1, sheet.max_column + 1):
        width = max((len(str(c.value)) * 2 for c in sheet[get_column_letter(col)]
                     if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 10), 60)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(vertical="center")


def workbook(result):
    org, day = result["org"], result["as_of"]
    book = Workbook()
    sheet = book.active
    sheet.title = "概况"
    sheet.append([f"{org.name}（{org.code}）及全部下级统计"])
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append(["统计日期", day.isoformat()])
    sheet.append(["说明", "年龄按统计日的周岁计算；占比保留一位小数；学历、民族、党籍状态按当前登记信息统计。"])
    sheet.append([])
    members = result["members"]
    _pairs(sheet, "党员", _people_rows(members, "党员总数（人）", members["total"]))
    teams = result.get("teams")
    if teams:
        _pairs(sheet, "班子", [("班子数（个）", teams["teams"])]
               + _people_rows(teams, "班子成员（人）", teams["headcount"]))
        if result.get("sentence"):
            sheet.append(["表述", result["sentence"]])
    staff = result.get("staff")
    if staff:
        sheet.append([])
        _pairs(sheet, "专职队伍", [("专职党务工作人员（人）", staff["full_time"]),
                                ("党建指导员（人）", staff["instructors"])])
    _fit(sheet)

    sheet = book.create_sheet("党员")
    total = members["total"]
    for title, key in (("按党员类别", "by_category"), ("按性别", "by_sex"),
                       ("按民族", "by_ethnicity"), ("按学历", "by_education"),
                       ("按年龄段", "by_age_band"), ("按党籍状态", "by_standing"),
                       ("按党龄", "by_standing_years")):
        _block(sheet, title, members[key], total)
    _block(sheet, "按下级组织", _children(members["by_org"]), total)
    _fit(sheet)

    if teams:
        sheet = book.create_sheet("班子")
        for title, key in (("按职务", "by_post"), ("按性别", "by_sex"),
                           ("按学历", "by_education"), ("按年龄段", "by_age_band")):
            _block(sheet, title, teams[key], teams["headcount"])
        _block(sheet, "按下级组织", _children(teams["by_org"]), teams["headcount"])
        _fit(sheet)
    if staff:
        sheet = book.create_sheet("专职队伍")
        _block(sheet, "按岗位", staff["by_role"])
        _fit(sheet)
    return save_workbook(book)


class StatsExport(FiguresView):
    def get(self, request):
        form, result = self.figures()
        if result is None:
            errors = "；".join(e for field in form.errors.values() for e in field)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        name = f"统计_{result['org'].name}_{result['as_of']:%Y-%m-%d}.xlsx"
        response = HttpResponse(
            workbook(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (
            f"attachment; filename=\"stats-{result['org'].code}.xlsx\"; "
            f"filename*=UTF-8''{quote(name)}")
        return response
