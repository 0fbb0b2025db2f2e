"""REST API of 双报到: `/api/v1/community-reports/` lists (the FilterSet the page and the export
use), reads one report with this year's hours, takes a member's report (POST), and one POST per
step (receive, evaluate, end, withdraw). Refusals follow gongjian.core.api_views: 403 without
the right anywhere, 404 out of scope, 400 for bad data, 409 for a step the report's state
does not allow, each with a Chinese `detail`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status

from gongjian.core.access import restrict
from gongjian.core.api_views import ScopedViewSet, WorkflowViewSetMixin, validated, workflow_actions
from gongjian.core.services import DomainError
from gongjian.orgs.models import Grid, Unit

from . import services
from .filtersets import ReportFilterSet
from .forms import communities_near
from .models import Report
from .serializers import (
    STEP_REQUESTS,
    CommunityReportCreateSerializer,
    CommunityReportDetailSerializer,
    CommunityReportSerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="报到 id")
STEP_DESCRIPTIONS = {
    "receive": "待社区接收→已报到，由报到社区办理；可编入本社区网格（grid）。回执发送至党员所在单位"
               "联络员和所在党支部。",
    "evaluate": "年度评价（11 月起评价本年度，此前评价上一年度）：优秀、称职、基本称职、不称职；"
                "服务时长未达要求的不能评为优秀。",
    "end": "已报到→已结束（搬离社区、退休、调离原单位等），须说明。",
    "withdraw": "待社区接收→已撤回，由报到党员本人办理。",
}


@extend_schema_view(
    list=extend_schema(summary="在职党员报到列表", responses=CommunityReportSerializer),
    retrieve=extend_schema(summary="在职党员报到详情（含本年度服务时长、评价、办理记录）",
                           parameters=[_ID], responses=CommunityReportDetailSerializer),
    create=extend_schema(summary="到社区报到（党员本人）", request=CommunityReportCreateSerializer,
                         responses={201: CommunityReportDetailSerializer}),
)
@workflow_actions(services.WORKFLOW, services=services, requests=STEP_REQUESTS,
                  descriptions=STEP_DESCRIPTIONS, parameters=[_ID],
                  responses=CommunityReportDetailSerializer)
class CommunityReportViewSet(WorkflowViewSetMixin, mixins.ListModelMixin,
                             mixins.RetrieveModelMixin, ScopedViewSet):
    """在职党员到社区报到（双报到）。"""

    model = Report
    serializer_class = CommunityReportDetailSerializer
    filterset_class = ReportFilterSet

    def base_queryset(self):
        rows = Report.objects.select_related("person", "branch", "unit", "community", "grid")
        if self.action != "list":
            rows = rows.prefetch_related("events", "evaluations", "demands")
        return rows.order_by("-reported_on", "-id")

    def get_serializer_class(self):
        return CommunityReportSerializer if self.action == "list" \
            else CommunityReportDetailSerializer

    def params_receive(self, request):
        data = validated(STEP_REQUESTS["receive"], request)
        code = (data.get("grid") or "").strip()
        if not code:
            return {}
        grid = restrict(request.user, "view", Grid).filter(code=code).first()
        if grid is None:
            raise DomainError(f"网格编码“{code}”不存在或不在您的管理范围内。", field="grid",
                              status=400)
        return {"grid": grid}

    def create(self, request):
        data = validated(CommunityReportCreateSerializer, request)
        user = request.user
        person = getattr(user, "person", None)
        if person is None:
            raise DomainError("您的账户未关联党员档案，不能报到；请联系所在党支部。")
        code = data["community"].strip()
        community = communities_near(person).filter(code=code).first()
        if community is None:
            raise DomainError(f"社区编码“{code}”不存在，或不是社区党组织。", field="community",
                              status=400)
        unit = None
        if data.get("unit"):
            unit = Unit.objects.filter(code=data["unit"].strip()).first()
            if unit is None:
                raise DomainError(f"单位编码“{data['unit']}”不存在。", field="unit", status=400)
        wanted = data.get("demands") or []
        demands = list(services.open_demands(community).filter(pk__in=wanted))
        if len(demands) != len(set(wanted)):
            raise DomainError(f"所选需求不是“{community.name}”当前的社区需求。", field="demands",
                              status=400)
        report = services.submit(
            user=user, community=community, address=data["address"],
            skills=data.get("skills", ""), fields=data["fields"], demands=demands,
            availability=data.get("availability") or "weekend",
            availability_note=data.get("availability_note", ""), unit=unit)
        return self.answer(report, status.HTTP_201_CREATED)
