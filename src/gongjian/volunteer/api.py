"""REST API of volunteer service: `/api/v1/volunteer-teams/` (list, create, a team with its
members and record, join and leave) and `/api/v1/activities/` (list, create, one POST per step
of the table in services.py, and `records/`). Thin: rows come through restrict, lists through
the FilterSets the pages use, every write is a service.

The two cancellations are named apart: `cancel_signup/` gives the caller's own place back;
`cancel/` cancels the activity (the organiser's step, with a reason). `checkin/` and
`checkout/` take the code scanned at the activity. Every refusal is JSON {"detail": "中文"}
(400 bad data, 409 a step the state or the rules refuse, 404 out of reach).
"""

from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api import filtered, reachable
from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.orgs.models import Organization, Unit

from . import services
from .filtersets import ActivityFilterSet, TeamFilterSet
from .models import Activity, ServiceRecord, SignupState, Team
from .serializers import (
    ActivityCancelSerializer,
    ActivityCodeSerializer,
    ActivityCreateSerializer,
    ActivityRecordSerializer,
    ActivityReviewSerializer,
    ActivitySerializer,
    VolunteerTeamCreateSerializer,
    VolunteerTeamDetailSerializer,
    VolunteerTeamMemberSerializer,
    VolunteerTeamSerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")


@extend_schema_view(
    list=extend_schema(summary="志愿服务队列表", responses=VolunteerTeamSerializer),
    retrieve=extend_schema(summary="服务队详情（队员、服务记录合计）", parameters=[_ID],
                           responses=VolunteerTeamDetailSerializer),
    create=extend_schema(summary="组建服务队", request=VolunteerTeamCreateSerializer,
                         responses={201: VolunteerTeamDetailSerializer}),
)
class VolunteerTeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """志愿服务队：社区、街道或驻区单位组建；队员加入、退出留有记录。"""

    model = Team
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = TeamFilterSet
    serializer_class = VolunteerTeamDetailSerializer
    model_actions = {**ScopedViewSet.model_actions, "join": "join", "leave": "join"}

    def base_queryset(self):
        return Team.objects.select_related("org", "unit", "leader")

    def get_serializer_class(self):
        return VolunteerTeamSerializer if self.action == "list" else VolunteerTeamDetailSerializer

    def list(self, request):
        rows = filtered(TeamFilterSet, request, self.get_queryset().order_by("org__path",
                                                                              "name", "id"))
        return self.paginated(rows, VolunteerTeamSerializer)

    def create(self, request):
        data = validated(VolunteerTeamCreateSerializer, request)
        user = request.user
        org = reachable(user, Organization, "org", data.pop("org"), "组织编码")
        unit = reachable(user, Unit, "unit", data.pop("unit", ""), "单位编码")
        team = services.create_team(user=user, org=org, unit=unit, **data)
        return self._answer(team, status.HTTP_201_CREATED)

    def _answer(self, team, status_code=status.HTTP_200_OK):
        team = self.base_queryset().restrict(self.request.user, "view").get(pk=team.pk)
        return Response(VolunteerTeamDetailSerializer(team, context=self.get_serializer_context())
                        .data, status=status_code)

    @extend_schema(summary="加入服务队（本人）", request=None, parameters=[_ID],
                   responses=VolunteerTeamMemberSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        member = services.join(self.get_object(), user=request.user)
        return Response(VolunteerTeamMemberSerializer(member).data)

    @extend_schema(summary="退出服务队（本人）", request=None, parameters=[_ID],
                   responses=VolunteerTeamMemberSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        member = services.leave(self.get_object(), user=request.user)
        return Response(VolunteerTeamMemberSerializer(member).data)


NOTES = {
    "publish": "草稿 → 招募中；结束时间已过的活动不能发布。",
    "signup": "本人报名：名额未满即录用，已满进入候补（按报名先后递补）；重复报名、超出报名范围或已截止的报名被拒绝。",
    "cancel_signup": "取消本人的报名（不是取消活动）；空出的名额由候补第一位递补。已签到的不能取消。",
    "start": "招募中 → 进行中（开放扫码签到）；最早在开始前 start_early_minutes 分钟。",
    "checkin": "本人签到：code 为现场二维码中的签到码（每约 10 秒更换，当前和上一个有效）；"
               "须已录用；同一天最多 3 次签到签退。",
    "checkout": "本人签退：code 同签到；须先签到。",
    "finish": "进行中 → 已结束：按签到记录生成服务记录（未签退的不计时长，待组织者补录）；未签到的记为缺席。",
    "review": "已结束 → 时长已审核：登记实际服务对象人数，确认各人时长。",
    "publicize": "时长已审核 → 已公示：公示 publicity_days 天后（counts_from）计入时长。",
    "cancel": "取消活动（组织者；不是取消本人报名）：reason 必填。",
}


@extend_schema_view(
    list=extend_schema(summary="志愿服务活动列表", responses=ActivitySerializer),
    retrieve=extend_schema(summary="活动详情", parameters=[_ID], responses=ActivitySerializer),
    create=extend_schema(summary="登记活动（草稿）", request=ActivityCreateSerializer,
                         responses={201: ActivitySerializer}),
)
@workflow_actions(services.WORKFLOW, services=services, responses=ActivitySerializer,
                  requests={"checkin": ActivityCodeSerializer,
                            "checkout": ActivityCodeSerializer,
                            "review": ActivityReviewSerializer,
                            "cancel": ActivityCancelSerializer},
                  descriptions=NOTES, parameters=[_ID], skip=("edit",))
class ActivityViewSet(WorkflowViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      ScopedViewSet):
    """志愿服务活动：草稿 → 招募中 → 进行中 → 已结束 → 时长已审核 → 已公示，或 已取消。"""

    model = Activity
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = ActivityFilterSet
    serializer_class = ActivitySerializer

    def base_queryset(self):
        return Activity.objects.select_related("org", "team").annotate(
            accepted_count=Count("signups", filter=Q(signups__state=SignupState.ACCEPTED)))

    def list(self, request):
        rows = filtered(ActivityFilterSet, request,
                         self.get_queryset().order_by("-starts_at", "-id"))
        return self.paginated(rows, ActivitySerializer)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(ActivityCreateSerializer, request)
        user = request.user
        org = reachable(user, Organization, "org", data.pop("org"), "组织编码")
        data["team"] = reachable(user, Team, "team", data.pop("team", None), "服务队")
        activity = services.create_activity(user=user, org=org, **data)
        return self.answer(activity, status.HTTP_201_CREATED)

    @extend_schema(summary="活动的服务记录", parameters=[_ID],
                   responses={200: ActivityRecordSerializer(many=True)},
                   description="组织者看到全部服务记录，志愿者只看到本人的。")
    @action(detail=True, methods=["get"])
    def records(self, request, pk=None):
        activity = self.get_object()
        rows = (restrict(request.user, "view", ServiceRecord).filter(activity=activity)
                .select_related("volunteer", "activity", "org").order_by("volunteer__name", "id"))
        return self.paginated(rows, ActivityRecordSerializer)
