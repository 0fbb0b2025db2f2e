"""REST API of the three lists: demands, resources and projects, one POST endpoint per step.

A step out of order answers 409 with the reason in Chinese ("项目尚未执行，不能验收。"),
invalid data 400 naming the field; scope and role refusals follow core.api_views.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import ScopedViewSet
from gongjian.core.services import DomainError
from gongjian.orgs.models import Grid, Organization, Unit

from . import matching, services
from .models import (
    ACTIVE_STATES,
    Category,
    Demand,
    DemandState,
    Project,
    ProjectState,
    Resource,
)
from .serializers import (
    DemandCreateSerializer,
    DemandReasonSerializer,
    DemandSerializer,
    MatchSuggestionSerializer,
    ProjectAcceptSerializer,
    ProjectClaimRequestSerializer,
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectDockSerializer,
    ProjectProgressSerializer,
    ProjectSerializer,
    ResourceSerializer,
    ResourceWriteSerializer,
    StepNoteSerializer,
    StepReasonSerializer,
    match_rows,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")


def _by_code(user, model, code, field, label):
    """An object named by code in the body, within the user's view scope, or 400."""
    if not code:
        return None
    obj = restrict(user, "view", model).filter(code=code).first()
    if obj is None:
        raise DomainError(f"{label}“{code}”不存在或不在您的管理范围内。", field=field,
                          status=400)
    return obj


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# ---- demands --------------------------------------------------------------------------------

class DemandQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(label="状态", choices=DemandState.choices, required=False)
    category = serializers.ChoiceField(label="类别", choices=Category.choices, required=False)


@extend_schema_view(
    list=extend_schema(summary="服务需求列表", parameters=[DemandQuerySerializer],
                       responses=DemandSerializer),
    create=extend_schema(summary="提出服务需求", request=DemandCreateSerializer,
                         responses={201: DemandSerializer}),
    retrieve=extend_schema(summary="服务需求详情", parameters=[_ID],
                           responses=DemandSerializer),
    accept=extend_schema(summary="受理需求", parameters=[_ID], request=None,
                         responses=DemandSerializer),
    decline=extend_schema(summary="不予受理", parameters=[_ID], request=StepReasonSerializer,
                          responses=DemandSerializer),
    withdraw=extend_schema(summary="撤回需求", parameters=[_ID], request=DemandReasonSerializer,
                           responses=DemandSerializer),
    matches=extend_schema(summary="为需求推荐资源（附理由）", parameters=[_ID],
                          responses=MatchSuggestionSerializer(many=True)),
)
class DemandViewSet(ScopedViewSet):
    """服务需求（服务项目订单）：居民只看到本人提出的，工作人员看到管理范围内的。"""

    model = Demand
    model_actions = {**ScopedViewSet.model_actions, "accept": "change", "decline": "change",
                     "withdraw": "withdraw", "matches": "view"}
    permission_for = {"matches": (Resource, "view")}
    serializer_class = DemandSerializer

    def base_queryset(self):
        return Demand.objects.select_related("org", "grid", "posted_by")

    def _answer(self, demand, code=status.HTTP_200_OK):
        demand = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                   pk=demand.pk)
        details = services.demand_detail_ids(self.request.user, [demand])
        return Response(DemandSerializer(demand, context={"details": details}).data,
                        status=code)

    def list(self, request):
        query = DemandQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.get_queryset()
        for key in ("state", "category"):
            if query.validated_data.get(key):
                rows = rows.filter(**{key: query.validated_data[key]})
        page = self.paginate_queryset(rows)
        shown = list(rows) if page is None else page
        context = {**self.get_serializer_context(),
                   "details": services.demand_detail_ids(request.user, shown)}
        data = DemandSerializer(shown, many=True, context=context).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def create(self, request):
        data = _valid(DemandCreateSerializer, request)
        user = request.user
        org = _by_code(user, Organization, data.get("org"), "org", "组织")
        grid = _by_code(user, Grid, data.get("grid"), "grid", "网格")
        demand = services.create_demand(
            user, org=org, grid=grid, category=data["category"], title=data["title"],
            description=data["description"], place=data["place"],
            beneficiaries=data["beneficiaries"], urgency=data["urgency"])
        return self._answer(demand, status.HTTP_201_CREATED)

    def _visible(self, pk):
        return get_object_or_404(restrict(self.request.user, "view", Demand), pk=pk)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.accept_demand(request.user, self._visible(pk)))

    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = _valid(StepReasonSerializer, request)
        return self._answer(services.decline_demand(request.user, self._visible(pk),
                                                    data["reason"]))

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = _valid(DemandReasonSerializer, request)
        return self._answer(services.withdraw_demand(request.user, self._visible(pk),
                                                     data["reason"]))

    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        demand = get_object_or_404(self.get_queryset(), pk=pk)
        rows = match_rows(matching.resources_for(request.user, demand, 20), "resource")
        return Response(MatchSuggestionSerializer(rows, many=True).data)


# ---- resources ------------------------------------------------------------------------------

class ResourceQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(label="类别", choices=Category.choices, required=False)
    active = serializers.BooleanField(label="仅有效", required=False, allow_null=True,
                                      default=None)
    unit = serializers.CharField(label="单位编码", required=False)


@extend_schema_view(
    list=extend_schema(summary="服务资源列表", parameters=[ResourceQuerySerializer],
                       responses=ResourceSerializer),
    create=extend_schema(summary="登记服务资源", request=ResourceWriteSerializer,
                         responses={201: ResourceSerializer}),
    retrieve=extend_schema(summary="服务资源详情", parameters=[_ID],
                           responses=ResourceSerializer),
    partial_update=extend_schema(summary="修改服务资源（部分字段）", parameters=[_ID],
                                 request=ResourceWriteSerializer, responses=ResourceSerializer),
    matches=extend_schema(summary="为资源推荐需求（附理由）", parameters=[_ID],
                          responses=MatchSuggestionSerializer(many=True)),
)
class ResourceViewSet(ScopedViewSet):
    """服务资源清单：联络员只管理本单位的资源。容量不能为负数。"""

    model = Resource
    model_actions = {**ScopedViewSet.model_actions, "matches": "view"}
    permission_for = {"matches": (Demand, "view")}
    serializer_class = ResourceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Resource.objects.select_related("unit", "unit__org")

    def _answer(self, resource, code=status.HTTP_200_OK):
        resource = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                     pk=resource.pk)
        return Response(ResourceSerializer(resource).data, status=code)

    def list(self, request):
        query = ResourceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = self.get_queryset()
        if data.get("category"):
            rows = rows.filter(category=data["category"])
        if data.get("active") is not None:
            rows = rows.filter(active=data["active"])
        if data.get("unit"):
            rows = rows.filter(unit__code=data["unit"])
        return self.paginated(rows, ResourceSerializer)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def create(self, request):
        data = dict(_valid(ResourceWriteSerializer, request))
        unit = _by_code(request.user, Unit, data.pop("unit", ""), "unit", "单位")
        return self._answer(services.create_resource(request.user, unit=unit, **data),
                            status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        resource = self.get_object()
        serializer = ResourceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k != "unit"}
        return self._answer(services.update_resource(request.user, resource, **changes))

    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        resource = get_object_or_404(self.get_queryset(), pk=pk)
        rows = match_rows(matching.demands_for(request.user, resource, 20), "demand")
        return Response(MatchSuggestionSerializer(rows, many=True).data)


# ---- projects -------------------------------------------------------------------------------

class ProjectQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(label="状态", choices=ProjectState.choices, required=False)
    category = serializers.ChoiceField(label="类别", choices=Category.choices, required=False)
    org = serializers.CharField(label="组织编码（含下级）", required=False)
    overdue = serializers.BooleanField(label="只看逾期", required=False, default=False)
    unit = serializers.CharField(label="认领单位编码", required=False)


def _step_schema(summary, request):
    return extend_schema(summary=summary, parameters=[_ID], request=request,
                         responses=ProjectDetailSerializer)


@extend_schema_view(
    list=extend_schema(summary="共建项目列表", parameters=[ProjectQuerySerializer],
                       responses=ProjectSerializer),
    create=extend_schema(summary="申报项目（可由需求转入）", request=ProjectCreateSerializer,
                         responses={201: ProjectDetailSerializer}),
    retrieve=extend_schema(summary="项目详情（含认领与项目记录）", parameters=[_ID],
                           responses=ProjectDetailSerializer),
    approve=_step_schema("立项（街道）", StepNoteSerializer),
    reject=_step_schema("驳回（街道）", StepReasonSerializer),
    claim=_step_schema("认领份额（驻区单位）", ProjectClaimRequestSerializer),
    dock=_step_schema("记录对接（会议与实施方案）", ProjectDockSerializer),
    start=_step_schema("开始执行", StepNoteSerializer),
    progress=_step_schema("填报执行进展（照片请在网页上传）", ProjectProgressSerializer),
    accept=_step_schema("验收（群众评分 1–5）", ProjectAcceptSerializer),
    close=_step_schema("结项", StepNoteSerializer),
    withdraw=_step_schema("撤回（执行前）", StepReasonSerializer),
)
class ProjectViewSet(ScopedViewSet):
    """共建项目：申报 → 立项 → 认领 → 对接 → 执行 → 验收 → 结项，或驳回、撤回。

    步骤不合流程时答 409 并说明原因；数据无效答 400。
    """

    model = Project
    model_actions = {**ScopedViewSet.model_actions,
                     **{step: spec[2] for step, spec in services.TRANSITIONS.items()}}
    serializer_class = ProjectSerializer

    def base_queryset(self):
        return Project.objects.select_related("org")

    def _answer(self, project, code=status.HTTP_200_OK):
        user = self.request.user
        project = get_object_or_404(
            self.base_queryset().restrict(user, "view").prefetch_related(
                Prefetch("claims", queryset=services.ProjectClaim.objects.select_related("unit")),
                Prefetch("events", queryset=restrict(user, "view", services.ProjectEvent)
                         .prefetch_related("photos"))),
            pk=project.pk)
        return Response(ProjectDetailSerializer(project).data, status=code)

    def list(self, request):
        query = ProjectQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = self.get_queryset()
        if data.get("state"):
            rows = rows.filter(state=data["state"])
        if data.get("category"):
            rows = rows.filter(category=data["category"])
        if data.get("org"):
            org = restrict(request.user, "view", Organization).filter(code=data["org"]).first()
            rows = rows.filter(org__path__startswith=org.path) if org else rows.none()
        if data.get("overdue"):
            rows = rows.filter(state__in=ACTIVE_STATES, step_deadline__lt=timezone.localdate())
        if data.get("unit"):
            rows = rows.filter(pk__in=services.ProjectClaim.objects.filter(
                unit__code=data["unit"]).values("project_id"))
        return self.paginated(rows, ProjectSerializer)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def create(self, request):
        data = _valid(ProjectCreateSerializer, request)
        user = request.user
        org = _by_code(user, Organization, data.get("org"), "org", "组织")
        ids = data.get("demands") or []
        demands = list(restrict(user, "change", Demand).filter(pk__in=ids))
        if len(demands) != len(set(ids)):
            raise DomainError("所选需求不存在或不在您的管理范围内。", field="demands", status=400)
        project = services.create_project(
            user, title=data["title"], category=data["category"],
            description=data["description"], org=org,
            target_beneficiaries=data.get("target_beneficiaries"),
            planned_start=data.get("planned_start"), planned_end=data.get("planned_end"),
            demands=demands)
        return self._answer(project, status.HTTP_201_CREATED)

    def _visible(self, pk):
        # Steps look the project up in view scope; the service decides between a refused
        # step (409) and a project beyond the user's reach for that step (404).
        return get_object_or_404(restrict(self.request.user, "view", Project), pk=pk)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _valid(StepNoteSerializer, request)
        return self._answer(services.approve(request.user, self._visible(pk), data["note"]))

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = _valid(StepReasonSerializer, request)
        return self._answer(services.reject(request.user, self._visible(pk), data["reason"]))

    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        data = _valid(ProjectClaimRequestSerializer, request)
        user = request.user
        project = self._visible(pk)
        unit = _by_code(user, Unit, data.get("unit"), "unit", "单位")
        resource = None
        if data.get("resource"):
            resource = restrict(user, "view", Resource).filter(pk=data["resource"]).first()
            if resource is None:
                raise DomainError("所选资源不存在或不在您的管理范围内。", field="resource",
                                  status=400)
        services.claim(user, project, share=data["share"], unit=unit, resource=resource,
                       uses=data["uses"], note=data["note"])
        return self._answer(project)

    @action(detail=True, methods=["post"])
    def dock(self, request, pk=None):
        data = _valid(ProjectDockSerializer, request)
        return self._answer(services.dock(request.user, self._visible(pk), **data))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = _valid(StepNoteSerializer, request)
        return self._answer(services.start(request.user, self._visible(pk), data["note"]))

    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = _valid(ProjectProgressSerializer, request)
        project = self._visible(pk)
        services.progress(request.user, project, text=data["text"])
        return self._answer(project)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = _valid(ProjectAcceptSerializer, request)
        return self._answer(services.accept(request.user, self._visible(pk), **data))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = _valid(StepNoteSerializer, request)
        return self._answer(services.close(request.user, self._visible(pk), data["note"]))

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = _valid(StepReasonSerializer, request)
        return self._answer(services.withdraw(request.user, self._visible(pk),
                                              data["reason"]))


__all__ = ["DemandViewSet", "ProjectViewSet", "ResourceViewSet"]
