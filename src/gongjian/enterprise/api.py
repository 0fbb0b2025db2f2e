"""REST API of services for companies: cases with one POST endpoint per step of the case
workflow (CASE_FLOW), and cadre links.

Refusals follow gongjian.core.api_views: 403 without the right anywhere, 404 out of scope,
400 for invalid data (a Chinese message naming the field), 409 for a step the case's state
does not allow.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization, Unit

from . import filters, services
from .models import Cadre, CadreLink, Case, Category, Satisfaction, Source, State


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceField(serializers.ChoiceField):
    """A choice given by its code. Documented as a string listing the codes: the names
    category/state are used by other capabilities with other choices, and one enum component
    per name is all the schema can hold."""


def _choice(choices, label, help_text="", **kwargs):
    choices = list(choices)
    codes = "、".join(f"{value} {name}" for value, name in choices)
    return CodeChoiceField(label=label, choices=choices,
                           help_text=f"{help_text}可选：{codes}。".strip(), **kwargs)


def _code(choices, label, **kwargs):
    """The read-only counterpart of _choice."""
    codes = "、".join(f"{value} {name}" for value, name in choices)
    return serializers.CharField(read_only=True, label=label, help_text=f"{codes}。", **kwargs)


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, label="编号")
    company_code = serializers.CharField(source="company.code", read_only=True, label="企业编码")
    company_name = serializers.CharField(source="company.name", read_only=True, label="企业")
    category_label = serializers.CharField(source="get_category_display", read_only=True,
                                           label="类别名称")
    state_label = serializers.CharField(source="get_state_display", read_only=True,
                                        label="状态名称")
    assignee_name = serializers.SerializerMethodField(label="承办干部")
    assignee_org_code = serializers.SerializerMethodField(label="承办组织编码")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, label="逾期")
    category = _code(Category.choices, "类别")
    state = _code(State.choices, "状态")
    source = _code(Source.choices, "提出方式")
    satisfaction = _code([*Satisfaction.choices, ("", "未评价（空）")], "满意度")

    class Meta:
        model = Case
        fields = ["id", "number", "company_code", "company_name", "category", "category_label",
                  "title", "description", "raised_on", "source", "state", "state_label",
                  "assignee", "assignee_name", "assignee_org_code", "deadline", "overdue",
                  "resolution", "resolved_on", "close_reason", "closed_on", "satisfaction",
                  "satisfaction_comment", "rated_on"]
        read_only_fields = fields

    def get_assignee_name(self, case) -> str:
        return case.assignee.person.name if case.assignee_id else ""

    def get_assignee_org_code(self, case) -> str:
        return case.assignee_org.code if case.assignee_org_id else ""


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(label="时间")
    kind = serializers.CharField(source="step", label="步骤")
    kind_label = serializers.CharField(source="step_label", label="步骤名称")
    state = serializers.CharField(source="state_to", label="之后状态")
    actor = serializers.CharField(source="actor_name", label="操作人")
    note = serializers.CharField(label="说明")


class CaseVisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField(label="走访日期")
    visitor_name = serializers.CharField(label="走访人")
    done = serializers.CharField(label="办理情况")
    next_step = serializers.CharField(label="下一步")


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True, label="办理过程")
    visits = CaseVisitSerializer(many=True, read_only=True, label="走访记录")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events", "visits"]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    company = serializers.CharField(label="企业编码", max_length=40)
    category = _choice(Category.choices, "类别")
    title = serializers.CharField(label="标题", max_length=100)
    description = serializers.CharField(label="诉求内容")
    raised_on = serializers.DateField(label="提出日期", required=False)
    on_behalf_of = serializers.IntegerField(label="代为提出的挂钩干部 id", required=False,
                                            allow_null=True)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(label="承办干部 id", required=False, allow_null=True)
    assignee_org = serializers.CharField(label="承办组织编码", required=False, allow_blank=True)
    deadline = serializers.DateField(label="办理期限")
    note = serializers.CharField(label="说明", required=False, allow_blank=True, max_length=300)


class VisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField(label="走访日期", required=False)
    visitor = serializers.IntegerField(label="走访干部 id", required=False, allow_null=True)
    visitor_name = serializers.CharField(label="走访人", required=False, allow_blank=True,
                                         max_length=50)
    done = serializers.CharField(label="办理情况")
    next_step = serializers.CharField(label="下一步", required=False, allow_blank=True,
                                      max_length=300)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(label="解决情况")
    resolved_on = serializers.DateField(label="解决日期", required=False)


class RateSerializer(serializers.Serializer):
    satisfaction = _choice(Satisfaction.choices, "满意度")
    comment = serializers.CharField(label="企业意见", required=False, allow_blank=True,
                                    max_length=300)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(label="关闭原因")


class ReopenSerializer(serializers.Serializer):
    note = serializers.CharField(label="重新办理说明", max_length=300)


class CadreLinkSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.person.name", read_only=True,
                                       label="挂钩干部")
    post = serializers.CharField(source="cadre.get_post_display", read_only=True, label="岗位")
    area = serializers.SerializerMethodField(label="片区")
    company_code = serializers.CharField(source="company.code", read_only=True, label="企业编码")
    company_name = serializers.CharField(source="company.name", read_only=True, label="企业")
    current = serializers.BooleanField(source="is_current", read_only=True, label="挂钩中")

    class Meta:
        model = CadreLink
        fields = ["id", "cadre", "cadre_name", "post", "area", "company_code", "company_name",
                  "started_on", "ended_on", "current", "note"]
        read_only_fields = fields

    def get_area(self, row) -> str:
        return row.cadre.area.name if row.cadre.area_id else ""


class CadreLinkCreateSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(label="挂钩干部 id")
    company = serializers.CharField(label="企业编码", max_length=40)
    started_on = serializers.DateField(label="挂钩开始日期", required=False)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=200)


_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="诉求 id")


def _cadre(user, pk, field):
    """A cadre named by id in a request body, within the user's reach."""
    if pk is None:
        return None
    cadre = restrict(user, "view", Cadre).select_related("street", "person").filter(pk=pk).first()
    if cadre is None:
        raise DomainError(f"挂钩干部 {pk} 不存在或不在您的管理范围内。", field=field, status=400)
    return cadre


def _reachable_unit(user, code):
    company = restrict(user, "view", Unit).filter(code=code).first()
    if company is None:
        raise DomainError(f"企业编码“{code}”不存在或不在您的管理范围内。", field="company",
                          status=400)
    return company


STEP_REQUESTS = {"assign": AssignSerializer, "visit": VisitSerializer,
                 "resolve": ResolveSerializer, "rate": RateSerializer, "close": CloseSerializer,
                 "reopen": ReopenSerializer}
STEP_DESCRIPTIONS = {
    "assign": "已提交→已分派；已分派、跟进中时为改派。",
    "visit": "已分派/跟进中→跟进中。",
    "resolve": "已分派/跟进中→已解决。",
    "rate": "已解决且尚未评价时；不满意须填写意见。",
    "close": "未办结的诉求可关闭，须说明原因。",
    "reopen": "企业评价“不满意”的诉求→跟进中。",
}


@extend_schema_view(
    list=extend_schema(summary="企业诉求列表", responses=CaseSerializer,
                       description="按管理范围过滤：街道看全街道，社区看本社区企业，企业联络员只看本企业。"),
    create=extend_schema(summary="提出企业诉求", request=CaseCreateSerializer,
                         responses={201: CaseDetailSerializer},
                         description="企业联络员为本企业提出；街道、社区可代企业提出（可注明挂钩干部）。"),
    retrieve=extend_schema(summary="企业诉求详情（含办理过程、走访记录）", parameters=[_ID],
                           responses=CaseDetailSerializer),
    # Each step's schema is declared here: DRF's @action replaces the one workflow_actions
    # attaches to the step function.
    **{step.name: extend_schema(summary=step.label, description=STEP_DESCRIPTIONS[step.name],
                                parameters=[_ID], request=STEP_REQUESTS[step.name],
                                responses=CaseDetailSerializer)
       for step in services.CASE_FLOW},
)
@workflow_actions(services.CASE_FLOW, services=services, requests=STEP_REQUESTS)
class CaseViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """企业诉求：提出、受理分派、走访跟进、办结、企业评价、关闭与重新办理。"""

    model = Case
    serializer_class = CaseDetailSerializer
    filterset_class = filters.CaseFilterSet

    def base_queryset(self):
        rows = Case.objects.select_related("company__org", "assignee__person", "assignee_org")
        if self.action != "list":
            rows = rows.prefetch_related("events", "visits")
        return rows

    def get_serializer_class(self):
        # Request bodies are documented per action; every answer but the list's is the detail.
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset())
        return self.paginated(filters.case_rows(rows), CaseSerializer)

    def retrieve(self, request, pk=None):
        return Response(CaseDetailSerializer(self.get_object()).data)

    def create(self, request):
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = services.raise_case(
            user=request.user, company=_reachable_unit(request.user, data["company"]),
            category=data["category"], title=data["title"], description=data["description"],
            raised_on=data.get("raised_on"),
            on_behalf_of=_cadre(request.user, data.get("on_behalf_of"), "on_behalf_of"))
        return self.answer(case, status.HTTP_201_CREATED)

    def params_assign(self, request):
        data = validated(AssignSerializer, request)
        org = None
        if data.get("assignee_org"):
            org = (restrict(request.user, "view", Organization)
                   .filter(code=data["assignee_org"]).first())
            if org is None:
                raise DomainError(f"组织编码“{data['assignee_org']}”不存在或不在您的管理范围内。",
                                  field="assignee_org", status=400)
        return {**data, "assignee": _cadre(request.user, data.get("assignee"), "assignee"),
                "assignee_org": org}

    def params_visit(self, request):
        data = validated(VisitSerializer, request)
        return {**data, "visitor": _cadre(request.user, data.get("visitor"), "visitor")}


@extend_schema_view(
    list=extend_schema(summary="挂钩关系列表", responses=CadreLinkSerializer),
    create=extend_schema(summary="建立挂钩关系", request=CadreLinkCreateSerializer,
                         responses={201: CadreLinkSerializer}),
)
class CadreLinkViewSet(ScopedViewSet):
    """挂钩服务：干部与企业的挂钩关系。"""

    model = CadreLink
    serializer_class = CadreLinkSerializer
    filterset_class = filters.CadreLinkFilterSet

    def base_queryset(self):
        return CadreLink.objects.select_related("cadre__person", "cadre__area", "company")

    def get_serializer_class(self):
        return CadreLinkCreateSerializer if self.action == "create" else CadreLinkSerializer

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset())
        return self.paginated(rows.order_by("company__code", "started_on", "id"),
                              CadreLinkSerializer)

    def create(self, request):
        body = CadreLinkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cadre = restrict(request.user, "view", Cadre).filter(pk=data["cadre"]).first()
        if cadre is None:
            raise DomainError(f"挂钩干部 {data['cadre']} 不存在或不在您的管理范围内。",
                              field="cadre", status=400)
        row = services.link(user=request.user, cadre=cadre,
                            company=_reachable_unit(request.user, data["company"]),
                            started_on=data.get("started_on"), note=data.get("note", ""))
        row = self.base_queryset().get(pk=row.pk)
        return Response(CadreLinkSerializer(row).data, status=status.HTTP_201_CREATED)
