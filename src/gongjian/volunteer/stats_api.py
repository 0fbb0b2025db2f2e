"""REST API of the volunteer-service figures.

    GET /api/v1/volunteer-stats/?org=CODE&team=ID&unit=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
    GET /api/v1/volunteer-stats/volunteers/<number>/

`org` defaults to the account's own organisation (a unit's liaison has none: the unit's teams),
`from` to 1 January, `to` to today. A code, team or unit that does not exist or lies outside
the account's reach answers 400 with the same message either way; a role that reads no figures
(members, residents: their own records are on their own page) answers 403.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.api import AuditContextMixin
from gongjian.members.stats_api import StatsSchema

from . import stats


class ReadsFigures(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and stats.may_read(user))


# ---- schema of the answers ---------------------------------------------------------------

class _VolunteerCounts(serializers.Serializer):
    activities = serializers.IntegerField(label="活动（次，已开展）")
    person_times = serializers.IntegerField(label="人次（志愿者与活动的组合，每人每次活动计一次）")
    people = serializers.IntegerField(label="人数（不同志愿者）")
    hours = serializers.FloatField(label="服务时长（小时，公示期满已计入的）")
    beneficiaries = serializers.IntegerField(label="服务对象（人，审核时登记）")


class VolunteerStatsOrgSerializer(_VolunteerCounts):
    code = serializers.CharField(label="组织编码")
    name = serializers.CharField(label="组织名称")


class VolunteerStatsMonthSerializer(_VolunteerCounts):
    month = serializers.CharField(label="月份（YYYY-MM）")


class VolunteerStatsSerializer(_VolunteerCounts):
    org = serializers.CharField(label="组织编码", allow_null=True)
    org_name = serializers.CharField(label="组织名称", allow_null=True)
    team = serializers.IntegerField(label="服务队 ID", allow_null=True)
    team_name = serializers.CharField(label="服务队名称", allow_null=True)
    unit = serializers.CharField(label="单位编码", allow_null=True)
    unit_name = serializers.CharField(label="单位名称", allow_null=True)
    from_ = serializers.DateField(label="起始日期")
    to = serializers.DateField(label="截止日期")
    as_of = serializers.DateField(label="时长计入的判断日（今天）")
    by_org = VolunteerStatsOrgSerializer(
        many=True, label="按下级组织（本级组织的活动列在本级名下；联络员按组织单位）")
    by_month = VolunteerStatsMonthSerializer(many=True, label="按月份")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword as a key of the answer
        return fields


class VolunteerYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(label="年份")
    person_times = serializers.IntegerField(label="人次")
    hours = serializers.FloatField(label="已计入时长（小时）")


class VolunteerRecordLineSerializer(serializers.Serializer):
    date = serializers.DateField(label="服务日期")
    activity = serializers.CharField(label="活动名称")
    activity_id = serializers.IntegerField(label="活动 ID")
    org = serializers.CharField(label="组织单位")
    hours = serializers.FloatField(label="认定时长（小时）")
    counts = serializers.BooleanField(label="是否已计入（公示期满）")
    counts_from = serializers.DateField(label="计入日期", allow_null=True)
    evaluation = serializers.CharField(label="服务评价")


class VolunteerRecordSerializer(serializers.Serializer):
    number = serializers.CharField(label="志愿者编号")
    name = serializers.CharField(label="姓名")
    org = serializers.CharField(label="所在组织编码")
    org_name = serializers.CharField(label="所在组织")
    registered_on = serializers.DateField(label="注册日期")
    person_times = serializers.IntegerField(label="参加活动（人次）")
    hours = serializers.FloatField(label="累计服务时长（小时，已计入）")
    hours_pending = serializers.FloatField(label="待计入时长（审核或公示中）")
    star = serializers.CharField(label="星级")
    by_year = VolunteerYearSerializer(many=True, label="按年份")
    records = VolunteerRecordLineSerializer(many=True, label="最近的服务记录（至多 50 条）")


_PARAMETERS = [
    OpenApiParameter("org", str, description="组织编码（统计该组织及其全部下级组织开展的活动）；"
                     "缺省为本账户所在组织"),
    OpenApiParameter("team", int, description="服务队 ID：只统计该服务队的活动"),
    OpenApiParameter("unit", str, description="单位编码：只统计该单位的服务队的活动"),
    OpenApiParameter("from", str, description="起始日期 YYYY-MM-DD，缺省为当年 1 月 1 日"),
    OpenApiParameter("to", str, description="截止日期 YYYY-MM-DD，缺省为今天"),
]


def query_of(user, params) -> stats.Query:
    """The figures' query from request parameters, or ValidationError naming what is wrong
    (field → [Chinese message])."""
    errors: dict[str, list[str]] = {}
    try:
        start, end = stats.parse_period(params.get("from"), params.get("to"))
    except ValueError as error:
        errors["from"] = [str(error)]
        start = end = None
    code = (params.get("org") or "").strip()
    org = None
    if code:
        org = stats.find_org(user, code)
        if org is None:
            errors["org"] = [f"组织编码“{code}”不存在或不在您的管理范围内。"]
    elif stats.org_reach(user):
        org = stats.default_org(user)
    team = unit = None
    if "org" not in errors:
        value = (params.get("team") or "").strip()
        if value:
            team = stats.find_team(user, org, value)
            if team is None:
                errors["team"] = [f"服务队“{value}”不存在或不在统计范围内。"]
        value = (params.get("unit") or "").strip()
        if value:
            unit = stats.find_unit(user, org, value)
            if unit is None:
                errors["unit"] = [f"单位“{value}”没有在统计范围内的服务队。"]
    if errors:
        raise ValidationError(errors)
    return stats.Query(org=org, start=start, end=end, team=team, unit=unit)


class VolunteerStatsView(AuditContextMixin, APIView):
    """志愿服务统计：某组织及其全部下级（或服务队、单位）在期间内的活动、人次、人数、时长、服务对象。"""

    permission_classes = [permissions.IsAuthenticated, ReadsFigures]
    schema = StatsSchema()

    @extend_schema(
        operation_id="volunteer_stats", summary="志愿服务统计", parameters=_PARAMETERS,
        responses={200: VolunteerStatsSerializer}, tags=["stats"],
        description="期间内已开展的志愿服务活动数、人次（每名志愿者每次活动计一次）、人数（不同志愿者）、"
                    "服务时长（公示期满已计入的小时数）和服务对象人数，按下级组织和月份分列。"
                    "街道、社区工作人员统计其管辖范围；共建单位联络员统计本单位服务队的活动。")
    def get(self, request):
        return Response(stats.figures(request.user, query_of(request.user, request.query_params)))


class VolunteerRecordView(AuditContextMixin, APIView):
    """一名志愿者的服务记录：人次、已计入与待计入时长、星级、按年份、最近的记录。"""

    permission_classes = [permissions.IsAuthenticated, ReadsFigures]
    schema = StatsSchema()

    @extend_schema(
        operation_id="volunteer_stats_volunteer", summary="志愿者服务记录",
        responses={200: VolunteerRecordSerializer}, tags=["stats"],
        description="按志愿者编号查看其在本账户管辖范围内的服务记录：参加活动人次、已计入时长"
                    "（公示期满）及星级、待计入时长、按年份汇总和最近 50 条记录。")
    def get(self, request, number):
        volunteer = stats.find_volunteer(request.user, number)
        if volunteer is None:
            raise NotFound(f"志愿者编号“{number}”不存在或不在您的管理范围内。")
        return Response(stats.volunteer_record(request.user, volunteer))
