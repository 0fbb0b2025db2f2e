"""REST API of the checklists: `/api/v1/checklist-items/` lists every kind (`kind=` filter,
the FilterSet the page and the export use), creates items, and takes one POST per step of the
责任清单 and 问题清单 table. `kind=resource` lists the projects app's resources — the 资源清单
is kept there and entered there (POST /api/v1/resources/), never twice.

Refusals follow gongjian.core.api_views: 403 without the right anywhere, 404 out of scope,
400 for bad data and 409 for a step the item's state or the user's level does not allow,
each with a Chinese `detail`.
"""

from django_filters import utils
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.api_views import ScopedViewSet, WorkflowViewSetMixin, validated, workflow_actions
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization

from . import services
from .filtersets import ChecklistFilterSet
from .models import PUBLIC_LIST_KINDS, Category, ChecklistItem, Kind, Source
from .queries import resources_for
from .serializers import (
    STEP_REQUESTS,
    ChecklistCreateSerializer,
    ChecklistItemDetailSerializer,
    ChecklistItemSerializer,
    ChecklistResourceRowSerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="清单事项 id")
STEP_DESCRIPTIONS = {
    "claim": "责任清单：待认领→已认领，由责任组织办理。",
    "progress": "报告进展（晒单）：已认领→进行中，或进行中、整改中时补充进展。",
    "submit": "责任清单：已认领/进行中→待验收，须写明完成情况与佐证。",
    "accept": "责任清单：待验收→已完成，由上级组织验收。",
    "send_back": "责任清单：待验收→进行中，须说明退回理由。",
    "rectify": "问题清单：已登记→整改中，须写明整改措施。",
    "apply_close": "问题清单：整改中→申请销号，须写明整改结果。",
    "close_out": "问题清单：申请销号→已销号，由上级组织中非登记人、非整改人办理。",
    "reject": "问题清单：申请销号→整改中（退回），须说明理由；办理人要求同销号。",
    "extend": "延期：新的完成时限（晚于原时限）和理由，由上级组织批准；原时限保留。",
}


def _org(user, code, field):
    org = restrict(user, "view", Organization).filter(code=code).first() if code else None
    if org is None:
        raise DomainError(f"组织编码“{code}”不存在或不在您的管理范围内。" if code
                          else "请填写责任组织编码。", field=field, status=400)
    return org


def _choice(value, choices, label, field, required=True):
    if not value and not required:
        return ""
    if value not in dict(choices):
        options = "、".join(f"{v}（{n}）" for v, n in choices)
        raise DomainError(f"{label}“{value}”无效，可选：{options}。" if value
                          else f"请选择{label}：{options}。", field=field, status=400)
    return value


@extend_schema_view(
    list=extend_schema(
        summary="清单事项列表", responses=ChecklistItemSerializer,
        description="按 kind 筛选责任清单、问题清单、学习清单、活动清单；kind=resource 列出"
                    "服务资源（资源清单，与服务资源同源，字段形同清单事项）。"),
    retrieve=extend_schema(summary="清单事项详情（含办理记录）", parameters=[_ID],
                           responses=ChecklistItemDetailSerializer),
    create=extend_schema(summary="建单、登记问题或列入学习/活动清单",
                         request=ChecklistCreateSerializer,
                         responses={201: ChecklistItemDetailSerializer}),
    **{step.name: extend_schema(summary=step.label, description=STEP_DESCRIPTIONS[step.name],
                                parameters=[_ID], request=STEP_REQUESTS.get(step.name),
                                responses=ChecklistItemDetailSerializer)
       for step in services.WORKFLOW},
)
@workflow_actions(services.WORKFLOW, services=services, requests=STEP_REQUESTS)
class ChecklistItemViewSet(WorkflowViewSetMixin, mixins.ListModelMixin,
                           mixins.RetrieveModelMixin, ScopedViewSet):
    """清单式管理：责任清单、问题清单、学习清单、活动清单，及资源清单（服务资源）。"""

    model = ChecklistItem
    serializer_class = ChecklistItemDetailSerializer
    filterset_class = ChecklistFilterSet

    def base_queryset(self):
        rows = ChecklistItem.objects.select_related("org", "publisher")
        if self.action != "list":
            rows = rows.prefetch_related("events")
        return rows.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return ChecklistItemSerializer if self.action == "list" else ChecklistItemDetailSerializer

    def list(self, request):
        if request.query_params.get("kind") == Kind.RESOURCE:
            # The same FilterSet over the projects' resources (the backend insists on one
            # model per FilterSet, so it is applied here).
            found = ChecklistFilterSet(request.query_params, queryset=resources_for(request.user),
                                       request=request)
            if not found.is_valid():
                raise utils.translate_validation(found.errors)
            return self.paginated(found.qs, ChecklistResourceRowSerializer)
        rows = self.filter_queryset(self.get_queryset())
        return self.paginated(rows, ChecklistItemSerializer)

    def create(self, request):
        data = validated(ChecklistCreateSerializer, request)
        user = request.user
        kind = data.get("kind", "")
        if kind == Kind.RESOURCE:
            raise DomainError("资源清单在“服务资源”中登记（POST /api/v1/resources/），不在此重复录入。",
                              field="kind", status=400)
        _choice(kind, [(k.value, k.label) for k in (Kind.RESPONSIBILITY, Kind.PROBLEM,
                                                    *PUBLIC_LIST_KINDS)], "清单", "kind")
        common = {"title": data["title"], "content": data.get("content", "")}
        if kind == Kind.RESPONSIBILITY:
            codes = data.get("orgs") or ([data["org"]] if data.get("org") else [])
            if not codes:
                raise DomainError("请填写责任组织编码（org 或 orgs）。", field="orgs", status=400)
            orgs = [_org(user, code, "orgs") for code in codes]
            if data.get("publisher"):
                publisher = _org(user, data["publisher"], "publisher")
            else:
                mine = reach_orgs(user, "add", ChecklistItem)
                publisher = min(mine, key=lambda o: o.depth) if mine else None
                if publisher is None:
                    raise DomainError("请填写发布组织编码。", field="publisher", status=400)
            items = services.publish(
                user=user, publisher=publisher, orgs=orgs,
                category=_choice(data.get("category", ""), Category.choices, "类别", "category"),
                deadline=data.get("deadline"), target=data.get("target", ""),
                measures=data.get("measures", ""), public=data.get("public", False), **common)
            item = items[0]
        elif kind == Kind.PROBLEM:
            item = services.register_problem(
                user=user, org=_org(user, data.get("org", ""), "org"),
                source=_choice(data.get("source", ""), Source.choices, "问题来源", "source"),
                deadline=data.get("deadline"), **common)
        else:
            item = services.list_item(
                user=user, kind=kind, org=_org(user, data.get("org", ""), "org"),
                starts_on=data.get("starts_on"), ends_on=data.get("ends_on"),
                period=data.get("period", ""), place=data.get("place", ""),
                public=data.get("public", True), **common)
        return self.answer(item, status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(ChecklistItemDetailSerializer(self.get_object()).data)
