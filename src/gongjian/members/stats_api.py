"""REST API of the statistics: leadership teams and members of a subtree on a date.

    GET /api/v1/stats/teams/?org=CODE&as_of=YYYY-MM-DD
    GET /api/v1/stats/members/?org=CODE&as_of=YYYY-MM-DD

`org` defaults to the account's own organisation (required when it has several), `as_of` to
today. A code that does not exist or lies outside the account's reach answers 400 with the
same message either way; a role that cannot read the figures at all answers 403.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.access import can
from gongjian.core.api import AuditContextMixin
from gongjian.core.api_views import GongjianAutoSchema
from gongjian.orgs.models import Organization
from gongjian.orgs.queries import tree_roots

from . import stats
from .models import Membership, StaffAssignment, TeamSeat


class StatsSchema(GongjianAutoSchema):
    """Reading figures takes query parameters that can be wrong: document the 400 as well."""

    def _error_codes(self):
        codes = super()._error_codes()
        return codes if "400" in codes else ["400", *codes]


class HoldsAll(permissions.BasePermission):
    """403 unless the user's roles grant every (model, action) the view reads, somewhere."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return all(can(user, action, model) for model, action in view.required)


# ---- schema of the answers ---------------------------------------------------------------

def _counts(label):
    return serializers.DictField(child=serializers.IntegerField(), label=label)


class ChildCountSerializer(serializers.Serializer):
    code = serializers.CharField(label="组织编码")
    name = serializers.CharField(label="组织名称")
    count = serializers.IntegerField(label="人数")


class _PeopleFigures(serializers.Serializer):
    org = serializers.CharField(label="组织编码")
    org_name = serializers.CharField(label="组织名称")
    as_of = serializers.DateField(label="统计日期")
    average_age = serializers.FloatField(label="平均年龄（周岁，一位小数）", allow_null=True)
    aged_35_and_under = serializers.IntegerField(label="35岁及以下人数")
    aged_35_and_under_share = serializers.FloatField(label="35岁及以下占比（%）",
                                                     allow_null=True)
    college_or_above = serializers.IntegerField(label="大专及以上学历人数")
    college_or_above_share = serializers.FloatField(label="大专及以上占比（%，一位小数）",
                                                    allow_null=True)
    by_sex = _counts("按性别")
    by_education = _counts("按学历")
    by_age_band = _counts("按年龄段")
    by_org = ChildCountSerializer(many=True, label="按下级组织")


class StaffFiguresSerializer(serializers.Serializer):
    full_time = serializers.IntegerField(label="专职党务工作人员（不含党建指导员）")
    instructors = serializers.IntegerField(label="党建指导员")
    by_role = _counts("按岗位")


class TeamFiguresSerializer(_PeopleFigures):
    teams = serializers.IntegerField(label="班子数")
    headcount = serializers.IntegerField(label="班子成员人数")
    by_post = _counts("按职务")
    staff = StaffFiguresSerializer(label="专职党务工作者与党建指导员")


class MemberFiguresSerializer(_PeopleFigures):
    total = serializers.IntegerField(label="党员总数")
    by_category = _counts("按党员类别")
    by_ethnicity = _counts("按民族")
    by_standing = _counts("按党籍状态")
    by_standing_years = _counts("按党龄")


_PARAMETERS = [
    OpenApiParameter("org", str, description="组织编码（统计该组织及其全部下级）；"
                     "缺省为本账户所在组织，账户有多个组织时必填"),
    OpenApiParameter("as_of", str, description="统计日期 YYYY-MM-DD，缺省为今天；"
                     "年龄按该日的周岁计算"),
]


# ---- views ----------------------------------------------------------------------------------

class _FiguresView(AuditContextMixin, APIView):
    permission_classes = [permissions.IsAuthenticated, HoldsAll]
    schema = StatsSchema()
    required: tuple = ()

    def scope(self, request):
        """(organisation, date) of the request, or a 400 naming what is wrong."""
        errors = {}
        try:
            day = stats.parse_day(request.query_params.get("as_of"))
        except ValueError as error:
            errors["as_of"] = [str(error)]
        code = (request.query_params.get("org") or "").strip()
        if code:
            org = stats.find_org(request.user, code)
            if org is None:
                errors["org"] = [f"党组织编码“{code}”不存在或不在您的管理范围内。"]
        else:
            roots = tree_roots(request.user)
            org = roots[0] if len(roots) == 1 else None
            if org is None:
                errors["org"] = ["您的账户关联多个组织，请用 org 参数指定组织编码。"]
        if errors:
            raise ValidationError(errors)
        return org, day


class TeamFiguresView(_FiguresView):
    """班子统计：某组织及其全部下级在统计日在任的班子成员。"""

    required = ((Organization, "view"), (TeamSeat, "view"), (StaffAssignment, "view"))

    @extend_schema(
        operation_id="stats_teams", summary="班子统计", parameters=_PARAMETERS,
        responses={200: TeamFiguresSerializer}, tags=["stats"],
        description="统计日在任的班子成员（每人计一次）：人数、平均年龄（周岁，一位小数）、"
                    "35岁及以下人数、大专及以上人数与占比（一位小数），按职务、性别、学历、"
                    "年龄段、下级组织分列；另附专职党务工作者与党建指导员人数。")
    def get(self, request):
        org, day = self.scope(request)
        figures = stats.team_figures(request.user, org, day)
        figures["staff"] = stats.staff_figures(request.user, org, day)
        return Response(figures)


class MemberFiguresView(_FiguresView):
    """党员统计：某组织及其全部下级在统计日在册的党员。"""

    required = ((Organization, "view"), (Membership, "view"))

    @extend_schema(
        operation_id="stats_members", summary="党员统计", parameters=_PARAMETERS,
        responses={200: MemberFiguresSerializer}, tags=["stats"],
        description="统计日在册的党员：总数、平均年龄、35岁及以下、大专及以上人数与占比，"
                    "按党员类别（该日是否已转正）、性别、民族、学历、年龄段、党籍状态、"
                    "党龄、下级组织分列。学历、民族、党籍状态按当前登记信息统计。")
    def get(self, request):
        org, day = self.scope(request)
        return Response(stats.member_figures(request.user, org, day))
