"""REST API of the organisation system: organisations, grids (with their posts), buildings and
units. Thin: rows come through `restrict`, every write goes through services.py.

Refusals (see gongjian.core.api_views): 403 when the user's roles lack the action on that
kind of object everywhere, 404 when the object is outside the user's scope for the action,
400 when a code in the body names an object missing or out of reach.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Length, Substr
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.api_views import ScopedViewSet
from gongjian.core.services import DomainError

from . import services
from .filtersets import BuildingFilterSet, GridFilterSet, OrganizationFilterSet, UnitFilterSet
from .models import Building, Grid, GridPost, GridRole, Organization, OrgEvent, Unit
from .serializers import (
    BuildingSerializer,
    DissolveSerializer,
    GridPostCreateSerializer,
    GridPostSerializer,
    GridSerializer,
    MergeSerializer,
    MoveSerializer,
    OrganizationCreateSerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    UnitSerializer,
)

RECENT_EVENTS = 20


def with_parent_code(queryset):
    """Annotate each organisation with its parent's code: one subquery on the unique path
    index instead of a query per row."""
    steplen = Organization.steplen
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen))
    return queryset.annotate(parent_code=Subquery(parent.values("code")[:1]))


# ---- organisations ------------------------------------------------------------------------

_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="组织编码")


@extend_schema_view(
    list=extend_schema(summary="党组织列表", responses=OrganizationSerializer),
    create=extend_schema(summary="设立党组织", request=OrganizationCreateSerializer,
                         responses={201: OrganizationDetailSerializer}),
    retrieve=extend_schema(summary="党组织详情（含近期沿革）", parameters=[_CODE],
                           responses=OrganizationDetailSerializer),
    update=extend_schema(summary="修改党组织", parameters=[_CODE],
                         request=OrganizationUpdateSerializer,
                         responses=OrganizationDetailSerializer),
    partial_update=extend_schema(summary="修改党组织（部分字段）", parameters=[_CODE],
                                 request=OrganizationUpdateSerializer,
                                 responses=OrganizationDetailSerializer),
    destroy=extend_schema(
        summary="撤销党组织", parameters=[
            _CODE,
            OpenApiParameter("reason", str, description="撤销原因（也可放在请求体中）"),
        ],
        request=DissolveSerializer, responses={204: None},
        description="撤销（不删除记录）。还有存续的下级组织或网格时拒绝，并说明数量。"),
    move=extend_schema(summary="移动党组织（连同全部下级）", parameters=[_CODE],
                       request=MoveSerializer, responses=OrganizationDetailSerializer),
    merge=extend_schema(
        summary="合并党组织", parameters=[_CODE], request=MergeSerializer,
        responses=OrganizationDetailSerializer,
        description="把本组织并入 into 指定的组织：下级组织、网格、单位关联转入存续方，"
                    "本组织撤销并记下并入去向。返回存续方。"),
)
class OrganizationViewSet(ScopedViewSet):
    """党组织：列表按管理范围过滤；写操作经业务规则校验并记入组织沿革与审计日志。

    拒绝的约定：角色根本没有该操作权限 → 403；对象不在管理范围内 → 404；
    请求中的编码指向不存在或范围外的组织 → 400（说明该编码）；违反业务规则 → 400/409。
    """

    model = Organization
    model_actions = {**ScopedViewSet.model_actions, "move": "move", "merge": "merge"}
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    filterset_class = OrganizationFilterSet
    serializer_class = OrganizationSerializer

    def base_queryset(self):
        return with_parent_code(Organization.objects.select_related("merged_into"))

    def get_serializer_class(self):
        action = self.action
        if action == "metadata":  # OPTIONS describes the bodies of POST and PUT
            action = {"POST": "create", "PUT": "update"}.get(self.request.method, action)
        return {
            "create": OrganizationCreateSerializer,
            "update": OrganizationUpdateSerializer,
            "partial_update": OrganizationUpdateSerializer,
            "move": MoveSerializer,
            "merge": MergeSerializer,
            "destroy": DissolveSerializer,
        }.get(action, OrganizationSerializer)

    def _detail(self, org, status_code=status.HTTP_200_OK):
        """The detail answer, re-read through the user's view scope."""
        org = get_object_or_404(
            self.base_queryset().restrict(self.request.user, "view"), pk=org.pk)
        org.recent_events = list(
            OrgEvent.objects.restrict(self.request.user, "view").filter(org=org)
            .select_related("actor")[:RECENT_EVENTS])
        return Response(OrganizationDetailSerializer(org, context=self.get_serializer_context())
                        .data, status=status_code)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), OrganizationSerializer)

    def retrieve(self, request, code=None):
        return self._detail(self.get_object())

    def create(self, request):
        serializer = OrganizationCreateSerializer(data=request.data,
                                                  context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org = services.create_organization(user=request.user, **data)
        return self._detail(org, status.HTTP_201_CREATED)

    def update(self, request, code=None, partial=False):
        org = self.get_object()
        serializer = OrganizationUpdateSerializer(org, data=request.data, partial=partial,
                                                  context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k != "code"}
        services.update_organization(org, user=request.user, **changes)
        return self._detail(org)

    def partial_update(self, request, code=None):
        return self.update(request, code, partial=True)

    def destroy(self, request, code=None):
        org = self.get_object()
        body = request.data if hasattr(request.data, "get") else {}
        reason = request.query_params.get("reason") or body.get("reason") or ""
        serializer = DissolveSerializer(data={"reason": reason})
        serializer.is_valid(raise_exception=True)
        services.dissolve_organization(org, user=request.user,
                                       reason=serializer.validated_data.get("reason", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def move(self, request, code=None):
        org = self.get_object()
        serializer = MoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.move_organization(org, user=request.user,
                                   new_parent=serializer.validated_data["parent"])
        return self._detail(org)

    @action(detail=True, methods=["post"])
    def merge(self, request, code=None):
        org = self.get_object()
        serializer = MergeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        survivor = services.merge_organizations(
            org, user=request.user, survivor=serializer.validated_data["into"],
            reason=serializer.validated_data.get("reason", ""))
        return self._detail(survivor)


# ---- grids, buildings, units -------------------------------------------------------------

class _SavedByService(ScopedViewSet):
    """Grids, buildings and units: rows read through the user's scope and written by one
    service function each (`save_service`: a new or changed instance; `delete_service`;
    not `delete`, which names the HTTP method's handler). Every answer is the object re-read
    through the user's view scope."""

    save_service = delete_service = None  # staticmethod(services.save_…) and delete_…

    def _answer(self, obj, status_code=status.HTTP_200_OK):
        obj = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                pk=obj.pk)
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data,
                        status=status_code)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), self.serializer_class)

    def retrieve(self, request, **lookup):
        return self._answer(self.get_object())

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.save_service(self.model(**serializer.validated_data), user=request.user)
        return self._answer(obj, status.HTTP_201_CREATED)

    def update(self, request, partial=False, **lookup):
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        for field, value in serializer.validated_data.items():
            setattr(obj, field, value)
        self.save_service(obj, user=request.user)
        return self._answer(obj)

    def partial_update(self, request, **lookup):
        return self.update(request, partial=True, **lookup)

    def destroy(self, request, **lookup):
        self.delete_service(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_GRID_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="网格编码")


@extend_schema_view(
    list=extend_schema(summary="网格列表"),
    create=extend_schema(summary="新设网格", responses={201: GridSerializer}),
    retrieve=extend_schema(summary="网格详情", parameters=[_GRID_CODE]),
    update=extend_schema(summary="修改网格", parameters=[_GRID_CODE]),
    partial_update=extend_schema(summary="修改网格（部分字段）", parameters=[_GRID_CODE]),
    destroy=extend_schema(summary="撤销网格（须先移除楼栋）", parameters=[_GRID_CODE]),
    add_post=extend_schema(summary="任命网格岗位人员", parameters=[_GRID_CODE],
                           request=GridPostCreateSerializer,
                           responses={201: GridPostSerializer}),
    remove_post=extend_schema(
        summary="免去网格岗位人员", request=None, responses={204: None},
        parameters=[_GRID_CODE, OpenApiParameter("post_id", int, OpenApiParameter.PATH,
                                                 description="岗位人员记录 id")]),
)
class GridViewSet(_SavedByService):
    """网格（按编码）：所属党组织、一格五员岗位人员、楼栋数与户数合计。"""

    model = Grid
    model_actions = {**ScopedViewSet.model_actions, "add_post": "change", "remove_post": "view"}
    permission_for = {"add_post": (GridPost, "add"), "remove_post": (GridPost, "delete")}
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    filterset_class = GridFilterSet
    serializer_class = GridSerializer
    save_service = staticmethod(services.save_grid)
    delete_service = staticmethod(services.delete_grid)

    def base_queryset(self):
        posts = GridPost.objects.restrict(self.request.user, "view").select_related("role")
        return (Grid.objects.select_related("org").order_by("code")
                .prefetch_related(Prefetch("posts", queryset=posts))
                .annotate(building_count=Count("buildings"),
                          household_total=Coalesce(Sum("buildings__households"),
                                                   Value(0), output_field=IntegerField())))

    @action(detail=True, methods=["post"], url_path="posts")
    def add_post(self, request, code=None):
        grid = self.get_object()
        serializer = GridPostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        role = GridRole.objects.restrict(request.user, "view").filter(name=data["role"]).first()
        if role is None:
            raise DomainError(f"岗位“{data['role']}”不存在。", field="role", status=400)
        post = services.add_grid_post(grid, user=request.user, role=role,
                                      holder_name=data["holder_name"], since=data.get("since"))
        return Response(GridPostSerializer(post).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["delete"], url_path=r"posts/(?P<post_id>\d+)")
    def remove_post(self, request, code=None, post_id=None):
        grid = self.get_object()
        post = get_object_or_404(GridPost.objects.restrict(request.user, "delete"),
                                 grid=grid, pk=post_id)
        services.remove_grid_post(post, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_BUILDING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="楼栋 id")


def _crud_schema(name, lookup):
    """The summaries of a row's six endpoints (`name`: 楼栋, 驻区单位…; `lookup`: its path
    parameter)."""
    return extend_schema_view(
        list=extend_schema(summary=f"{name}列表"),
        create=extend_schema(summary=f"新增{name}"),
        retrieve=extend_schema(summary=f"{name}详情", parameters=[lookup]),
        update=extend_schema(summary=f"修改{name}", parameters=[lookup]),
        partial_update=extend_schema(summary=f"修改{name}（部分字段）", parameters=[lookup]),
        destroy=extend_schema(summary=f"删除{name}", parameters=[lookup]),
    )


@_crud_schema("楼栋", _BUILDING_ID)
class BuildingViewSet(_SavedByService):
    """楼栋（按 id）：所属网格、地址、层数、户数。"""

    model = Building
    filterset_class = BuildingFilterSet
    serializer_class = BuildingSerializer
    save_service = staticmethod(services.save_building)
    delete_service = staticmethod(services.delete_building)

    def base_queryset(self):
        return Building.objects.select_related("grid")


_UNIT_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="单位编码")


@_crud_schema("驻区单位", _UNIT_CODE)
class UnitViewSet(_SavedByService):
    """驻区单位（按编码）：所在组织、本单位党组织、坐标与联系人。共建单位联络员只见本单位。"""

    model = Unit
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    filterset_class = UnitFilterSet
    serializer_class = UnitSerializer
    save_service = staticmethod(services.save_unit)
    delete_service = staticmethod(services.delete_unit)

    def base_queryset(self):
        return Unit.objects.select_related("org", "party_org")
