"""REST API of the 15-minute circle.

    GET /api/v1/circle/?point=<venue id>&minutes=15
    GET /api/v1/circle/suggest/?org=<street or community code>&n=3&minutes=15

Street and community staff. A point or organisation outside the account's reach answers 400
with the same message as a missing one; bad minutes or n answer 400; every refusal is JSON
with a Chinese `detail` (and the `field`).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.access import can
from gongjian.members.stats_api import StatsSchema

from . import queries
from .models import RoadNetwork

_METHOD = "计算方法：network 沿路网步行距离；straight 直线距离×绕行系数"


class ReadsCircles(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and can(user, "view", RoadNetwork))


class CirclePointSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="阵地 ID")
    name = serializers.CharField(label="阵地名称")
    kind = serializers.CharField(label="类别")
    kind_label = serializers.CharField(label="类别名称")
    org = serializers.CharField(label="所属组织编码")
    org_name = serializers.CharField(label="所属组织")
    lng = serializers.FloatField(label="经度（WGS-84）")
    lat = serializers.FloatField(label="纬度（WGS-84）")


class CircleBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="楼栋 ID")
    name = serializers.CharField(label="楼栋")
    grid = serializers.CharField(label="网格")
    households = serializers.IntegerField(label="户数")
    lng = serializers.FloatField(label="经度（WGS-84）")
    lat = serializers.FloatField(label="纬度（WGS-84）")
    distance_m = serializers.IntegerField(label="步行距离（米）")
    method = serializers.CharField(label=_METHOD)


class CircleUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="单位 ID")
    code = serializers.CharField(label="单位编码")
    name = serializers.CharField(label="单位名称")
    lng = serializers.FloatField(label="经度（WGS-84）")
    lat = serializers.FloatField(label="纬度（WGS-84）")
    distance_m = serializers.IntegerField(label="步行距离（米）")
    method = serializers.CharField(label=_METHOD)


class CircleCommunitySerializer(serializers.Serializer):
    code = serializers.CharField(label="社区组织编码")
    name = serializers.CharField(label="社区")
    buildings = serializers.IntegerField(label="已定位楼栋")
    households = serializers.IntegerField(label="已定位户数")
    covered_buildings = serializers.IntegerField(label="圈内楼栋")
    covered_households = serializers.IntegerField(label="圈内户数")
    share = serializers.FloatField(label="户数占比（%）", allow_null=True)
    unlocated_buildings = serializers.IntegerField(label="未定位楼栋")
    unlocated_households = serializers.IntegerField(label="未定位楼栋的户数")


class CircleNetworkSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="路网 ID")
    name = serializers.CharField(label="路网名称")
    version = serializers.IntegerField(label="版本")
    nodes = serializers.IntegerField(label="节点数")
    edges = serializers.IntegerField(label="路段数")
    length_km = serializers.FloatField(label="道路总长（公里）")
    source = serializers.CharField(label="数据来源")


class CircleSerializer(serializers.Serializer):
    point = CirclePointSerializer(label="服务点")
    street = serializers.CharField(label="街道编码")
    street_name = serializers.CharField(label="街道")
    minutes = serializers.IntegerField(label="步行时间（分钟）")
    radius_m = serializers.IntegerField(label="步行距离上限（米）")
    method = serializers.CharField(label=_METHOD)
    method_label = serializers.CharField(label="计算方法名称")
    detour_factor = serializers.FloatField(label="绕行系数")
    network = CircleNetworkSerializer(label="路网（无则为 null）", allow_null=True)
    households = serializers.IntegerField(label="圈内户数")
    buildings = CircleBuildingSerializer(many=True, label="圈内楼栋（按距离）")
    units = CircleUnitSerializer(many=True, label="圈内驻区单位（按距离）")
    communities = CircleCommunitySerializer(many=True, label="各社区：圈内户数占已定位户数")
    members_counted = serializers.BooleanField(
        label="是否按楼栋统计党员（名册未关联楼栋，恒为 false）")


class CircleAddedSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="楼栋 ID")
    name = serializers.CharField(label="楼栋")
    households = serializers.IntegerField(label="户数")


class CircleSiteSerializer(serializers.Serializer):
    rank = serializers.IntegerField(label="次序")
    kind = serializers.CharField(label="候选类型：unit 驻区单位场所；building 楼栋")
    kind_label = serializers.CharField(label="候选类型名称")
    id = serializers.IntegerField(label="单位或楼栋 ID")
    code = serializers.CharField(label="单位编码（楼栋为空）")
    name = serializers.CharField(label="名称")
    lng = serializers.FloatField(label="经度（WGS-84）")
    lat = serializers.FloatField(label="纬度（WGS-84）")
    households_added = serializers.IntegerField(label="新增覆盖户数")
    buildings_added = CircleAddedSerializer(many=True, label="新增覆盖的楼栋")
    share_after = serializers.FloatField(label="设点后覆盖率（%）", allow_null=True)


class CircleSuggestSerializer(serializers.Serializer):
    org = serializers.CharField(label="组织编码")
    org_name = serializers.CharField(label="组织")
    minutes = serializers.IntegerField(label="步行时间（分钟）")
    radius_m = serializers.IntegerField(label="步行距离上限（米）")
    method = serializers.CharField(label=_METHOD)
    method_label = serializers.CharField(label="计算方法名称")
    share_before = serializers.FloatField(label="现有覆盖率（%）", allow_null=True)
    households = serializers.IntegerField(label="已定位户数")
    candidates = serializers.IntegerField(label="候选点位数")
    sites = CircleSiteSerializer(many=True, label="建议点位（贪心最大覆盖，依次）")


_MINUTES = OpenApiParameter("minutes", int, description="步行时间（分钟，1–30），缺省 15；"
                            "15 分钟约 1,000 米")


class CircleView(APIView):
    """一个服务点的 N 分钟服务圈：圈内楼栋（户数）、驻区单位，各社区覆盖，计算方法。"""

    permission_classes = [permissions.IsAuthenticated, ReadsCircles]
    schema = StatsSchema()

    @extend_schema(
        operation_id="circle", summary="服务点的服务圈", tags=["circle"],
        parameters=[OpenApiParameter("point", int, required=True, description="阵地 ID"),
                    _MINUTES],
        responses={200: CircleSerializer},
        description="有路网的街道按沿道路的步行距离，没有的按直线距离×绕行系数（1.3）。"
                    "只统计本账户可查看的楼栋和单位。")
    def get(self, request):
        venue = queries.find_venue(request.user, request.query_params.get("point"))
        minutes = queries.parse_minutes(request.query_params.get("minutes"))
        result = queries.circle(request.user, venue, minutes)
        result.pop("outside", None)
        return Response(result)


class CircleSuggestView(APIView):
    """在街道或社区新设服务站的建议：候选点位（驻区单位场所、楼栋）依次新增覆盖的户数。"""

    permission_classes = [permissions.IsAuthenticated, ReadsCircles]
    schema = StatsSchema()

    @extend_schema(
        operation_id="circle_suggest", summary="新设服务站建议", tags=["circle"],
        parameters=[OpenApiParameter("org", str, required=True, description="街道或社区组织编码"),
                    OpenApiParameter("n", int, description="建议点位数（1–10），缺省 3"),
                    _MINUTES],
        responses={200: CircleSuggestSerializer},
        description="以街道现有的党群服务中心和服务站为已覆盖，贪心最大覆盖：先选新增覆盖未覆盖户数"
                    "最多的候选点位，计入后再选下一处。")
    def get(self, request):
        org = queries.find_org(request.user, request.query_params.get("org"))
        n = queries.parse_count(request.query_params.get("n"))
        minutes = queries.parse_minutes(request.query_params.get("minutes"))
        return Response(queries.suggest(request.user, org, minutes, n))
