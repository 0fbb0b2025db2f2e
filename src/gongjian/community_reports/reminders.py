"""The quarterly feedback of 双报到 (RULES §13): once a quarter has ended, each unit with members
reported to a community during it is sent a summary — who served, how many hours — as a
notification to its liaisons and its party organisation's committee, with a link to the
summary page (and its spreadsheet). The key is per unit and quarter, so the sweep, run every
hour, tells each account once."""

import datetime

from django.urls import reverse

from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.reminders import register
from gongjian.orgs.models import Unit

from . import rules, services
from .models import Report


def summary_url(unit: Unit, year: int, quarter: int) -> str:
    return f"{reverse('community_report_unit_summary', args=[unit.code])}?year={year}" \
           f"&quarter={quarter}"


@register("community_reports_quarterly")
def send_quarterly(today: datetime.date) -> int:
    year, quarter = rules.previous_quarter(today)
    first, last = rules.quarter_bounds(year, quarter)
    active = services.active_in(Report.objects.filter(unit__isnull=False), first, last)
    counts: dict[int, int] = {}
    for unit_id in active.values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    sent = 0
    for unit in Unit.objects.filter(pk__in=list(counts)).select_related("party_org") \
            .order_by("code"):
        people = [*unit_liaisons(unit), *org_staff(unit.party_org, ("branch_committee",))]
        sent += len(notify(
            people, f"{year}年第{quarter}季度在职党员到社区报到情况：{unit.name}",
            url=summary_url(unit, year, quarter), kind="community_report",
            body=f"本单位 {counts[unit.pk]} 名党员在社区报到。请查看各人本季度和全年的志愿服务"
                 f"时长（全年应达 {rules.yearly_hours()} 小时），可导出表格。",
            key=f"community-report-quarter:{unit.pk}:{year}Q{quarter}"))
    return sent
