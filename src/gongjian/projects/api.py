"""REST API of the three lists: demands, resources and projects, one POST endpoint per step.

The step endpoints come from the workflow tables (`workflow_actions`). A step out of order
answers 409 with the reason in Chinese ("项目尚未执行，不能验收。"), invalid data 400 naming the
field; scope and role refusals follow core.api_views. Lists are narrowed by the same
FilterSets as the pages.
"""

from collections import defaultdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.core.services import DomainError
from gongjian.orgs.models import Grid, Organization, Unit

from . import matching, queries, services
from .filtersets import DemandFilterSet, ProjectFilterSet, ResourceFilterSet
from .models import Demand, Project, ProjectPhoto, Resource
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
from .workflows import DEMAND_WORKFLOW, PROJECT_WORKFLOW

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


class _StepsInViewScope(WorkflowViewSetMixin):
    """Steps find their object in view scope; the service tells a step refused in this state
    (409) from an object beyond the user's reach for that step (404). The role must still
    hold the step's action somewhere (else 403)."""

    workflow = None

    def get_queryset(self):
        action = "view" if self.action in self.workflow.by_name else self.access_action()
        return self.base_queryset().restrict(self.request.user, action)


class _Matches:
    """`matches`: the other side's rows that suit this object (`find_matches`), best first,
    each under `match_key` with its reasons."""

    find_matches = None
    match_key = ""

    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        found = type(self).find_matches(request.user, self.get_object(), 20)
        return Response(MatchSuggestionSerializer(match_rows(found, self.match_key),
                                                  many=True).data)


# ---- demands --------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="服务需求列表", responses=DemandSerializer),
    create=extend_schema(summary="提出服务需求", request=DemandCreateSerializer,
                         responses={201: DemandSerializer}),
    retrieve=extend_schema(summary="服务需求详情", parameters=[_ID],
                           responses=DemandSerializer),
    matches=extend_schema(summary="为需求推荐资源（附理由）", parameters=[_ID],
                          responses=MatchSuggestionSerializer(many=True)),
)
@workflow_actions(DEMAND_WORKFLOW, services=services.DEMAND_STEPS,
                  requests={"decline": StepReasonSerializer, "withdraw": DemandReasonSerializer},
                  responses=DemandSerializer,
                  descriptions={"accept": "受理需求。", "decline": "不予受理，须说明原因。",
                                "withdraw": "撤回需求（提出人或工作人员）。"})
class DemandViewSet(_Matches, _StepsInViewScope, ScopedViewSet):
    """服务需求（服务项目订单）：居民只看到本人提出的，工作人员看到管理范围内的。"""

    model = Demand
    workflow = DEMAND_WORKFLOW
    model_actions = {**ScopedViewSet.model_actions, "matches": "view"}
    permission_for = {"matches": (Resource, "view")}
    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet
    find_matches = matching.resources_for
    match_key = "resource"

    def base_queryset(self):
        return Demand.objects.select_related("org", "grid", "posted_by")

    def answer(self, demand, status_code=status.HTTP_200_OK):
        demand = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                   pk=demand.pk)
        details = services.demand_detail_ids([demand], user=self.request.user)
        return Response(DemandSerializer(demand, context={"details": details}).data,
                        status=status_code)

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        shown = list(rows) if page is None else page
        context = {**self.get_serializer_context(),
                   "details": services.demand_detail_ids(shown, user=request.user)}
        data = DemandSerializer(shown, many=True, context=context).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(DemandCreateSerializer, request)
        user = request.user
        data["org"] = _by_code(user, Organization, data.get("org"), "org", "组织")
        data["grid"] = _by_code(user, Grid, data.get("grid"), "grid", "网格")
        return self.answer(services.create_demand(user=user, **data), status.HTTP_201_CREATED)


# ---- resources ------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="服务资源列表", responses=ResourceSerializer),
    create=extend_schema(summary="登记服务资源", request=ResourceWriteSerializer,
                         responses={201: ResourceSerializer}),
    retrieve=extend_schema(summary="服务资源详情", parameters=[_ID],
                           responses=ResourceSerializer),
    partial_update=extend_schema(summary="修改服务资源（部分字段）", parameters=[_ID],
                                 request=ResourceWriteSerializer, responses=ResourceSerializer),
    matches=extend_schema(summary="为资源推荐需求（附理由）", parameters=[_ID],
                          responses=MatchSuggestionSerializer(many=True)),
)
class ResourceViewSet(_Matches, ScopedViewSet):
    """服务资源清单：联络员只管理本单位的资源。容量不能为负数。"""

    model = Resource
    model_actions = {**ScopedViewSet.model_actions, "matches": "view"}
    permission_for = {"matches": (Demand, "view")}
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    find_matches = matching.demands_for
    match_key = "demand"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Resource.objects.select_related("unit", "unit__org")

    def _answer(self, resource, code=status.HTTP_200_OK):
        resource = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                     pk=resource.pk)
        return Response(ResourceSerializer(resource).data, status=code)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), ResourceSerializer)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def create(self, request):
        data = validated(ResourceWriteSerializer, request)
        unit = _by_code(request.user, Unit, data.pop("unit", ""), "unit", "单位")
        return self._answer(services.create_resource(user=request.user, unit=unit, **data),
                            status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        resource = self.get_object()
        serializer = ResourceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k != "unit"}
        return self._answer(services.update_resource(resource, user=request.user, **changes))


# ---- projects -------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="共建项目列表", responses=ProjectSerializer),
    create=extend_schema(summary="申报项目（可由需求转入）", request=ProjectCreateSerializer,
                         responses={201: ProjectDetailSerializer}),
    retrieve=extend_schema(summary="项目详情（含认领与项目记录）", parameters=[_ID],
                           responses=ProjectDetailSerializer),
)
@workflow_actions(
    PROJECT_WORKFLOW, services=services, responses=ProjectDetailSerializer,
    requests={"approve": StepNoteSerializer, "reject": StepReasonSerializer,
              "claim": ProjectClaimRequestSerializer, "dock": ProjectDockSerializer,
              "start": StepNoteSerializer, "progress": ProjectProgressSerializer,
              "accept": ProjectAcceptSerializer, "close": StepNoteSerializer,
              "withdraw": StepReasonSerializer},
    descriptions={"approve": "立项（街道）。", "reject": "驳回（街道）。",
                  "claim": "认领份额（驻区单位）；份额合计不超过 100%。",
                  "dock": "记录对接（会议与实施方案）。", "start": "开始执行。",
                  "progress": "填报执行进展（照片请在网页上传）。",
                  "accept": "验收（群众评分 1–5）。", "close": "结项。",
                  "withdraw": "撤回（执行前）。"})
class ProjectViewSet(_StepsInViewScope, ScopedViewSet):
    """共建项目：申报 → 立项 → 认领 → 对接 → 执行 → 验收 → 结项，或驳回、撤回。

    步骤不合流程时答 409 并说明原因；数据无效答 400。
    """

    model = Project
    workflow = PROJECT_WORKFLOW
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet

    def base_queryset(self):
        return Project.objects.select_related("org")

    def answer(self, project, status_code=status.HTTP_200_OK):
        """The project as the user reads it: claims, and the history through restrict (a
        resident following their demand's project without the staff's notes)."""
        user = self.request.user
        project = get_object_or_404(self.base_queryset().restrict(user, "view"), pk=project.pk)
        project.visible_claims = list(project.claims.select_related("unit"))
        project.visible_events = queries.history_for(user, project)
        photos = defaultdict(list)
        for event_id, photo_id in restrict(user, "view", ProjectPhoto).filter(
                project=project).values_list("event_id", "pk"):
            photos[event_id].append(photo_id)
        context = {"photos": photos, "poster": queries.reads_as_poster(user)}
        return Response(ProjectDetailSerializer(project, context=context).data,
                        status=status_code)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), ProjectSerializer)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(ProjectCreateSerializer, request)
        user = request.user
        data["org"] = _by_code(user, Organization, data.get("org"), "org", "组织")
        ids = data.pop("demands", None) or []
        demands = list(restrict(user, "change", Demand).filter(pk__in=ids))
        if len(demands) != len(set(ids)):
            raise DomainError("所选需求不存在或不在您的管理范围内。", field="demands", status=400)
        project = services.create_project(user=user, demands=demands, **data)
        return self.answer(project, status.HTTP_201_CREATED)

    def params_claim(self, request):
        """The claiming unit and the resource put in, named in the body, within the user's
        view scope (else 400)."""
        data = validated(ProjectClaimRequestSerializer, request)
        user = request.user
        data["unit"] = _by_code(user, Unit, data.get("unit"), "unit", "单位")
        if data.get("resource"):
            data["resource"] = restrict(user, "view", Resource).filter(
                pk=data["resource"]).first()
            if data["resource"] is None:
                raise DomainError("所选资源不存在或不在您的管理范围内。", field="resource",
                                  status=400)
        return data


__all__ = ["DemandViewSet", "ProjectViewSet", "ResourceViewSet"]
