"""REST API of positions and bookings: `/api/v1/venues/` (list, one venue with its rooms,
create) and `/api/v1/bookings/` (list, one booking, create — once or recurring — and one POST
per step: confirm/, decline/, cancel/, done/, no_show/). Thin: rows come through restrict,
lists through the FilterSets the pages use, every write is a service. Every refusal is JSON
{"detail": "中文"} (400 bad data, 409 a clash or a step the state refuses, 404 out of reach)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api import filtered, reachable
from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.core.geo import check_point, parse_system
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization, Unit

from . import services
from .filtersets import BookingFilterSet, VenueFilterSet
from .models import Booking, Room, Venue
from .serializers import (
    BookingCreateSerializer,
    BookingReasonSerializer,
    BookingSerializer,
    VenueCreateSerializer,
    VenueSerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")


@extend_schema_view(
    list=extend_schema(summary="阵地列表", responses=VenueSerializer),
    retrieve=extend_schema(summary="阵地详情（房间/场地）", parameters=[_ID],
                           responses=VenueSerializer),
    create=extend_schema(summary="登记阵地", request=VenueCreateSerializer,
                         responses={201: VenueSerializer}),
)
class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """阵地：党群服务中心、服务站（驿站）、组织生活基地、驻区单位的共享场地。坐标为 WGS-84。"""

    model = Venue
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = VenueFilterSet
    serializer_class = VenueSerializer

    def base_queryset(self):
        return Venue.objects.select_related("org", "unit").prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name", "id")))

    def list(self, request):
        rows = filtered(VenueFilterSet, request,
                         self.get_queryset().order_by("org__path", "kind", "name", "id"))
        return self.paginated(rows, VenueSerializer)

    def create(self, request):
        data = validated(VenueCreateSerializer, request)
        user = request.user
        org = reachable(user, Organization, "org", data.pop("org", ""), "组织编码")
        unit = reachable(user, Unit, "unit", data.pop("unit", ""), "单位编码")
        system = parse_system(data.pop("coordinate_system", "wgs84"))
        if system is None:
            raise DomainError("没有这个坐标系（可选 wgs84、gcj02、bd09）。",
                              field="coordinate_system", status=400)
        lng, lat = str(data.pop("lng", "")).strip(), str(data.pop("lat", "")).strip()
        if lng or lat:
            if not (lng and lat):
                raise DomainError("经度和纬度须同时填写。", field="lng", status=400)
            try:
                data["lng"], data["lat"] = check_point(system, lng, lat)
            except ValidationError as error:
                raise DomainError(" ".join(error.messages), field="lng", status=400) from error
        venue = services.create_venue(user=user, org=org, unit=unit, **data)
        venue = self.base_queryset().restrict(user, "view").get(pk=venue.pk)
        return Response(VenueSerializer(venue).data, status=status.HTTP_201_CREATED)


NOTES = {
    "confirm": "场地方确认（申请 → 已确认）；重复预约的其余待确认日期一并确认。",
    "decline": "场地方驳回（申请 → 驳回），reason 必填；重复预约的其余待确认日期一并驳回。",
    "cancel": "预约方或场地方取消一次预约（开始前），reason 可填。",
    "done": "场地方登记已使用（预约开始后）。",
    "no_show": "场地方登记爽约（预约开始后，预约方未到场）。",
}


@extend_schema_view(
    list=extend_schema(summary="场地预约列表", responses=BookingSerializer),
    retrieve=extend_schema(summary="预约详情", parameters=[_ID], responses=BookingSerializer),
    create=extend_schema(
        summary="预约场地", request=BookingCreateSerializer,
        responses={201: BookingSerializer(many=True)},
        description="一次或重复（frequency daily/weekly，until 截止日期，最多 52 次）；时段为左闭右开"
                    "[start, end)，须在阵地开放时间内；每一次都检查，有一次冲突则全部不写入（409，"
                    "指出冲突的日期）。返回创建的全部预约。"),
)
@workflow_actions(services.WORKFLOW, services=services, responses=BookingSerializer,
                  requests={"decline": BookingReasonSerializer,
                            "cancel": BookingReasonSerializer},
                  descriptions=NOTES, parameters=[_ID])
class BookingViewSet(WorkflowViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     ScopedViewSet):
    """场地预约：申请 → 已确认 → 已使用，或 驳回 / 取消 / 爽约。"""

    model = Booking
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = BookingFilterSet
    serializer_class = BookingSerializer

    def base_queryset(self):
        return Booking.objects.select_related("venue", "room", "org", "unit")

    def list(self, request):
        rows = filtered(BookingFilterSet, request, self.get_queryset().order_by("-start", "-id"))
        return self.paginated(rows, BookingSerializer)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(BookingCreateSerializer, request)
        user = request.user
        room = restrict(user, "view", Room).select_related("venue").filter(
            pk=data.pop("room")).first()
        if room is None:
            raise DomainError("房间/场地不存在或不在您可预约的范围内。", field="room", status=400)
        unit_code, org_code = data.pop("unit", ""), data.pop("org", "")
        unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
        org = Organization.objects.filter(code=org_code).first() if org_code else None
        if (unit_code and unit is None) or (org_code and org is None):
            raise DomainError("您不能以该组织或单位的名义预约场地。", field="org", status=400)
        made = services.request_booking(room, user=user, org=org, unit=unit, **data)
        rows = self.base_queryset().filter(pk__in=[b.pk for b in made]).order_by("start", "id")
        return Response(BookingSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)
