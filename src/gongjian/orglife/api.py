"""REST API of a branch's meetings and make-ups. Thin: rows come through restrict, the list is
narrowed by the FilterSet the page and the export use, every write is a service, and the steps
are the actions `workflow_actions` builds from the tables in services.py. Every refusal is
JSON {"detail": "中文"} (400 bad data, 409 a step out of order)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from gongjian.core.api import filtered, reachable
from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.members.models import Person
from gongjian.orgs.models import Organization

from . import services
from .filtersets import MakeUpFilterSet, MeetingFilterSet
from .models import MakeUp, Meeting
from .serializers import (
    BranchMakeUpConfirmSerializer,
    BranchMakeUpSerializer,
    BranchMeetingCancelSerializer,
    BranchMeetingCreateSerializer,
    BranchMeetingDetailSerializer,
    BranchMeetingGradeRequestSerializer,
    BranchMeetingMinutesSerializer,
    BranchMeetingRecordSerializer,
    BranchMeetingSerializer,
    BranchMeetingVoteRequestSerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")
WITH_SCAN = [JSONParser, MultiPartParser, FormParser]
REQUESTS = {"record": BranchMeetingRecordSerializer, "minutes": BranchMeetingMinutesSerializer,
            "vote": BranchMeetingVoteRequestSerializer,
            "grade": BranchMeetingGradeRequestSerializer,
            "cancel": BranchMeetingCancelSerializer}
NOTES = {
    "notify": "通知应到党员（有平台账户的）；可重复通知。",
    "record": "attendance 为每位应到党员一项 {membership, presence, reason}；会议记录 minutes 与"
              "扫描件 minutes_scan（multipart/form-data，attendance 以 JSON 字符串提交）任选其一；"
              "日期晚于今天的会议不能登记为已召开。缺席、请假的党员自动列入补学。",
    "minutes": "修改会议记录、决议、列席人员，或上传扫描件（multipart/form-data）。",
    "vote": "有表决权的应到、实到人数由出席记录计算（预备党员无表决权）；合计票数不能超过实到人数。",
    "grade": "仅民主评议党员会议；预备党员不评定等次；优秀超过三分之一须 confirm_excess=true。",
    "cancel": "reason 必填。",
}


@extend_schema_view(
    list=extend_schema(summary="组织生活会议列表", responses=BranchMeetingSerializer),
    retrieve=extend_schema(summary="会议详情（出席、补学、表决、评议、记录）", parameters=[_ID],
                           responses=BranchMeetingDetailSerializer),
    create=extend_schema(summary="安排会议", request=BranchMeetingCreateSerializer,
                         responses={201: BranchMeetingDetailSerializer}),
)
@workflow_actions(services.WORKFLOW, services=services, responses=BranchMeetingDetailSerializer,
                  requests=REQUESTS, descriptions=NOTES, parameters=[_ID], skip=("edit",),
                  parsers={"record": WITH_SCAN, "minutes": WITH_SCAN})
class BranchMeetingViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """党支部组织生活：已计划 → 已召开（出席、会议记录、决议，之后表决、评议）或 已取消。"""

    model = Meeting
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = MeetingFilterSet
    serializer_class = BranchMeetingSerializer

    def base_queryset(self):
        return Meeting.objects.select_related("org", "group", "host", "recorder")

    def get_serializer_class(self):
        return BranchMeetingSerializer if self.action == "list" else BranchMeetingDetailSerializer

    def list(self, request):
        return self.paginated(filtered(MeetingFilterSet, request, self.get_queryset()),
                              BranchMeetingSerializer)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(BranchMeetingCreateSerializer, request)
        user = request.user
        org = reachable(user, Organization, "org", data.pop("org"), "党支部编码")
        data["group"] = reachable(user, Organization, "group", data.pop("group", ""),
                                   "党小组编码")
        for name, noun in (("host", "主持人"), ("recorder", "记录人")):
            data[name] = reachable(user, Person, name, data.pop(name, None), noun)
        meeting = services.plan(org, user=user, **data)
        return self.answer(meeting, status.HTTP_201_CREATED)

    def params_grade(self, request):
        data = validated(BranchMeetingGradeRequestSerializer, request)
        grades = {}
        for item in data["grades"]:
            grades[item.get("membership")] = item.get("grade")
        return {"grades": grades, "confirm_excess": data["confirm_excess"]}


@extend_schema_view(
    list=extend_schema(summary="补学列表", responses=BranchMakeUpSerializer),
    retrieve=extend_schema(summary="补学详情", parameters=[_ID], responses=BranchMakeUpSerializer),
)
@workflow_actions(services.MAKEUP_WORKFLOW, services=services, responses=BranchMakeUpSerializer,
                  requests={"confirm": BranchMakeUpConfirmSerializer}, parameters=[_ID],
                  descriptions={"confirm": "支部委员会确认补学：内容和日期（不早于会议日期）。"})
class BranchMakeUpViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """补学：缺席、请假的党员会后补学，由支部委员会确认。"""

    model = MakeUp
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = MakeUpFilterSet
    serializer_class = BranchMakeUpSerializer

    def base_queryset(self):
        return MakeUp.objects.select_related("org", "attendance__membership__person")

    def list(self, request):
        return self.paginated(filtered(MakeUpFilterSet, request, self.get_queryset()),
                              BranchMakeUpSerializer)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

