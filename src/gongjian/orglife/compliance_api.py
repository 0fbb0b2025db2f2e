"""REST API of compliance: every active branch of a subtree in a period.

    GET /api/v1/orglife/compliance/?org=CODE&year=2026&quarter=1   (or &month=2, or the year)

Bad parameters answer 400, an organisation missing or outside the account's reach 404, both
as {"detail": "…"}. The answer is one object: the period, a summary, the kinds' labels once,
and one compact row per branch (no paging: a city's 15,000 branches in one answer).
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.api import AuditContextMixin
from gongjian.members.stats_api import HoldsAll, StatsSchema

from . import compliance, rules
from .compliance import FLAG_LABELS
from .compliance_views import ComplianceQuery
from .models import Meeting

_LIGHTS = "；".join(f"{code} {label}" for code, label in rules.LIGHT_LABELS.items())
_FLAGS = "；".join(f"{code} {label}" for code, label in FLAG_LABELS.items())
_KINDS = "；".join(f"{k.code} {k.label}" for k in rules.KINDS)


class ComplianceMissingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=f"类型：{_KINDS}")
    window = serializers.CharField(
        help_text="应开展的时间：月（2026-02）、季度（2026Q1）或年（2026）")


class ComplianceBranchSerializer(serializers.Serializer):
    org = serializers.CharField(label="组织编码")
    name = serializers.CharField(label="党支部名称")
    required = serializers.IntegerField(label="本期应开展项数（已开始的时段）")
    held = serializers.IntegerField(label="已开展项数")
    light = serializers.CharField(help_text=f"提示灯（帮助提示，不作排名）：{_LIGHTS}")
    # Left out when empty or zero, to keep a city's answer small.
    missing = ComplianceMissingSerializer(many=True, required=False,
                                          label="未开展（时段已结束；没有时省略）")
    pending = serializers.IntegerField(required=False,
                                       label="待开展项数（时段尚未结束，不算未开展；为 0 时省略）")
    open_makeups = serializers.IntegerField(required=False,
                                            label="缺席人员未完成补学的会议数（为 0 时省略）")
    flags = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text=f"标记（没有时省略）：{_FLAGS}")


class CompliancePeriodSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="2026Q1、2026-02 或 2026")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ComplianceSummarySerializer(serializers.Serializer):
    branches = serializers.IntegerField(label="党支部数")
    green = serializers.IntegerField(label="绿灯")
    yellow = serializers.IntegerField(label="黄灯")
    red = serializers.IntegerField(label="红灯")
    hollow = serializers.IntegerField(label="疑似空壳")
    joint_branch_needed = serializers.IntegerField(label="应建联合党支部")
    term_due = serializers.IntegerField(label="应换届")
    missing = serializers.IntegerField(label="未开展项合计")
    open_makeups = serializers.IntegerField(label="未完成补学的会议合计")


class ComplianceReportSerializer(serializers.Serializer):
    org = serializers.CharField(label="组织编码")
    org_name = serializers.CharField(label="组织名称")
    period = CompliancePeriodSerializer()
    today = serializers.DateField(label="计算日（时段是否结束、换届是否到期均按此日）")
    kinds = serializers.DictField(child=serializers.CharField(), label="类型名称")
    summary = ComplianceSummarySerializer()
    branches = ComplianceBranchSerializer(many=True)


def _branch(row) -> dict:
    """One branch's row; empty lists and zero counts are left out (a city answers 15,000)."""
    out = {"org": row.code, "name": row.name, "required": row.required, "held": row.held,
           "light": row.light}
    if row.missing:
        out["missing"] = [{"kind": w.kind, "window": w.code} for w in row.missing]
    if row.pending:
        out["pending"] = len(row.pending)
    if row.open_makeups:
        out["open_makeups"] = row.open_makeups
    if row.flags:
        out["flags"] = row.flags
    return out


def report_json(report, rows) -> dict:
    period = report.period
    return {
        "org": report.root.code, "org_name": report.root.name,
        "period": {"code": period.code, "label": period.label, "start": period.start,
                   "end": period.end},
        "today": report.today,
        "kinds": {k.code: k.label for k in rules.required_kinds()},
        "summary": report.summary,
        "branches": [_branch(r) for r in rows],
    }


class ComplianceView(AuditContextMixin, APIView):
    """组织生活合规情况：某组织及其全部下级的在册党支部在某一期间的应开展、已开展、未开展。"""

    permission_classes = [permissions.IsAuthenticated, HoldsAll]
    schema = StatsSchema()
    required = ((Meeting, "compliance"),)

    @extend_schema(
        operation_id="orglife_compliance", summary="组织生活合规情况", tags=["orglife"],
        parameters=[
            OpenApiParameter("org", str, description="组织编码（含全部下级）；缺省为本账户的最上级组织"),
            OpenApiParameter("year", int, description="年份；缺省为今天所在季度"),
            OpenApiParameter("quarter", int, description="季度 1–4（与 month 二选一；都不填为全年）"),
            OpenApiParameter("month", int, description="月份 1–12"),
            OpenApiParameter("light", str, description=f"只看某一提示灯：{_LIGHTS}"),
            OpenApiParameter("flag", str, description=f"只看有某一标记的：{_FLAGS}"),
        ],
        responses={200: ComplianceReportSerializer},
        description="每个应开展项按其时段（自然月、季度、年）计；期间只计结束于该期间内的时段"
                    "（季度含其三个月的每月项、该季度的每季项，含 12 月时含每年项）。时段未结束"
                    "的为待开展，不计未开展。提示灯按未开展项数加缺席人员未完成补学的会议数，"
                    "界限见设置；提示灯是帮助提示，不是排名。")
    def get(self, request):
        form = ComplianceQuery(request.user, request.query_params,
                               today=timezone.localdate())
        if not form.is_valid():
            return Response({"detail": form.first_error()},
                            status=404 if form.not_found else 400)
        # A city's answer (15,000 rows, 2–3 MB) is built and encoded at once, with the cyclic
        # garbage collector paused (see compliance.collector_paused): the same bytes as the
        # JSON renderer's, without the collector's passes over every row in between.
        with compliance.collector_paused():
            report = compliance.compliance(form.cleaned_data["org"],
                                           form.cleaned_data["period"], today=form.today)
            body = JSONRenderer().render(report_json(report, form.narrow(report.branches)))
        return HttpResponse(body, content_type="application/json")
