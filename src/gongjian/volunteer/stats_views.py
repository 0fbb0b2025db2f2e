"""Pages of the volunteer-service figures: a subtree, team or unit over a period, with its
charts and .xlsx export, and one volunteer's record."""

import datetime
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from gongjian.core.forms import DATE_INPUT
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.members.stats_views import FiguresForm, _Panels

from . import stats

# More teams than this in the subtree: the figures are narrowed to a team from a street or
# community down (a select of thousands helps nobody).
TEAMS_OFFERED = 300


class VolunteerFiguresForm(FiguresForm):
    """The organisation box of the members' figures, a period instead of a date, and a team
    and a unit to narrow to. A unit's liaison has no organisation to pick: the unit's teams."""

    as_of = None

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        start, end = stats.default_period()
        self.fields["from"] = forms.CharField(label="起始日期", required=False,
                                              widget=DATE_INPUT)
        self.fields["to"] = forms.CharField(label="截止日期", required=False, widget=DATE_INPUT)
        self.organiser = bool(stats.org_reach(user))
        if not self.organiser:
            del self.fields["org_name"], self.fields["org"]
        data = self.data or {}
        org = (stats.find_org(user, data.get("org", "")) if data.get("org")
               else stats.default_org(user) if self.organiser else None)
        teams = stats.teams_for(user, org).order_by("org__path", "name", "id")
        self.too_many_teams = teams.count() > TEAMS_OFFERED
        team_choices = [("", "全部服务队")]
        if not self.too_many_teams:
            team_choices += [(str(t.pk), t.name + ("（已解散）" if t.dissolved_on else ""))
                             for t in teams.only("pk", "name", "dissolved_on")]
        self.fields["team"] = forms.ChoiceField(label="服务队", required=False,
                                                choices=team_choices)
        self.fields["unit"] = forms.ChoiceField(
            label="单位的服务队", required=False,
            choices=[("", "不限")] + [(u.code, u.name) for u in stats.units_for(user, org)])
        for name in ("from", "to", "team", "unit"):
            self.fields[name].widget.attrs.setdefault(
                "class", "form-select" if name in ("team", "unit") else "form-control")

    def clean(self):
        if self.organiser:
            cleaned = super().clean()
        else:
            cleaned = forms.Form.clean(self)
            cleaned["org"] = None
        try:
            cleaned["start"], cleaned["end"] = stats.parse_period(self.data.get("from"),
                                                                  self.data.get("to"))
        except ValueError as error:
            self.add_error("from", str(error))
        org = cleaned.get("org")
        if self.organiser and org is not None and stats.find_org(self.user, org.code) is None:
            self.add_error("org_name", f"“{org.name}”不在您的志愿服务统计范围内。")
            return cleaned
        team = unit = None
        if cleaned.get("team"):
            team = stats.find_team(self.user, org, cleaned["team"])
            if team is None:
                self.add_error("team", "该服务队不在所选组织内。")
        if cleaned.get("unit"):
            unit = stats.find_unit(self.user, org, cleaned["unit"])
            if unit is None:
                self.add_error("unit", "该单位在所选组织内没有服务队。")
        cleaned["team_obj"], cleaned["unit_obj"] = team, unit
        return cleaned

    def query(self) -> stats.Query:
        c = self.cleaned_data
        return stats.Query(org=c.get("org"), start=c["start"], end=c["end"],
                           team=c["team_obj"], unit=c["unit_obj"])


class _FiguresView(LoginRequiredMixin, View):
    """Street and community staff read their subtrees' figures, a unit's liaison its teams';
    members and residents have their own records on their own page."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not stats.may_read(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def figures(self):
        """(form, figures or None) for the request's query; the form shows what the figures
        are about (the organisation's name and code, the period)."""
        user = self.request.user
        data = self.request.GET.copy()
        form = VolunteerFiguresForm(user, data)
        if not form.is_valid():
            return form, None
        query = form.query()
        shown = {"from": query.start.isoformat(), "to": query.end.isoformat()}
        if query.org is not None:
            shown.update(org=query.org.code, org_name=query.org.name)
        if any(data.get(key) != value for key, value in shown.items()):
            data.update(shown)
            form = VolunteerFiguresForm(user, data)
            form.is_valid()
        return form, stats.figures(user, query)


def _params(result) -> str:
    params = {"from": result["from"], "to": result["to"]}
    for key in ("org", "team", "unit"):
        if result[key] is not None:
            params[key] = result[key]
    return urlencode(params)


def _panels(result):
    chart = _Panels()
    months = result["by_month"]
    one_year = len({m["month"][:4] for m in months}) == 1
    label = {m["month"]: f"{int(m['month'][5:])}月" if one_year
             else f"{m['month'][2:4]}年{int(m['month'][5:])}月" for m in months}
    panels = [
        chart("month-times", "各月服务人次", "bar",
              {label[m["month"]]: m["person_times"] for m in months}, unit="人次"),
        chart("month-hours", "各月计入时长", "bar",
              {label[m["month"]]: float(m["hours"]) for m in months}, unit="小时"),
        chart("month-activities", "各月开展活动", "bar",
              {label[m["month"]]: m["activities"] for m in months}, unit="次"),
    ]
    children = result["by_org"]
    if len(children) > 1:
        panels.append(chart("org-times", "按下级组织（人次）", "hbar",
                            {c["name"]: c["person_times"] for c in children}, unit="人次",
                            wide=True))
        panels.append(chart("org-hours", "按下级组织（计入时长）", "hbar",
                            {c["name"]: float(c["hours"]) for c in children}, unit="小时",
                            wide=True))
    return panels, chart.data


def _quick_periods(result):
    """(label, query) of this year, last year and the last twelve months."""
    start, end = stats.default_period()
    months_ago = end.year * 12 + end.month - 1 - 11
    twelve = datetime.date(months_ago // 12, months_ago % 12 + 1, 1)
    base = {k: result[k] for k in ("org", "team", "unit") if result[k] is not None}
    periods = [("今年", start, end),
               (f"{start.year - 1}年", datetime.date(start.year - 1, 1, 1),
                datetime.date(start.year - 1, 12, 31)),
               ("近12个月", twelve, end)]
    return [(label, urlencode({**base, "from": first.isoformat(), "to": last.isoformat()}))
            for label, first, last in periods]


class StatsPage(_FiguresView):
    def get(self, request):
        form, result = self.figures()
        context = {"form": form, "result": result}
        if result:
            context["panels"], context["charts"] = _panels(result)
            context["export"] = reverse("volunteer_stats_export") + "?" + _params(result)
            context["quick"] = _quick_periods(result)
        return render(request, "volunteer/stats_page.html", context,
                      status=200 if result else 400)


HEADERS = ["分组", "名称", "活动（次）", "人次", "人数", "计入时长（小时）", "服务对象（人）"]


def rows(result):
    """The export's rows: the total, each child organisation, each month."""
    def line(group, name, row):
        return [group, name, row["activities"], row["person_times"], row["people"],
                float(row["hours"]), row["beneficiaries"]]

    scope = result["team_name"] or result["unit_name"] or result["org_name"] or "本单位服务队"
    out = [line("合计", f"{scope}（{result['from']} 至 {result['to']}）", result)]
    out += [line("下级组织", row["name"], row) for row in result["by_org"]]
    out += [line("月份", row["month"], row) for row in result["by_month"]]
    return out


class StatsExport(_FiguresView):
    def get(self, request):
        form, result = self.figures()
        if result is None:
            errors = "；".join(e for field in form.errors.values() for e in field)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        body = write_xlsx("志愿服务统计", HEADERS, rows(result),
                          widths=[12, 40, 12, 12, 12, 16, 16])
        code = result["org"] or result["unit"] or "units"
        name = f"志愿服务统计_{result['org_name'] or result['unit_name'] or '本单位服务队'}_" \
               f"{result['from']}_{result['to']}.xlsx"
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename=\"volunteer-stats-{code}.xlsx\"; "
            f"filename*=UTF-8''{quote(name)}")
        return response


class VolunteerRecordPage(_FiguresView):
    """One volunteer's record, found by volunteer number (an organiser's look-up)."""

    def get(self, request, number):
        volunteer = stats.find_volunteer(request.user, number)
        if volunteer is None:
            raise Http404
        return render(request, "volunteer/stats_volunteer.html",
                      {"record": stats.volunteer_record(request.user, volunteer),
                       "volunteer": volunteer})


class VolunteerLookup(_FiguresView):
    """The figures page's look-up box: to the volunteer's record, or back with a message."""

    def get(self, request):
        number = (request.GET.get("number") or "").strip().upper()
        volunteer = stats.find_volunteer(request.user, number) if number else None
        if volunteer is None:
            messages.error(request, f"志愿者编号“{number}”不存在或不在您的管理范围内。"
                           if number else "请填写志愿者编号。")
            return redirect("volunteer_stats")
        return redirect("volunteer_stats_volunteer", number=volunteer.number)
