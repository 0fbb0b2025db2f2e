"""REST API of party dues:

    GET  /api/v1/dues/calc/?base=&kind=      the monthly dues for a base and a kind of member
    GET  /api/v1/dues/ledger/?org=&month=    an organisation's monthly ledger, by branch
    GET  /api/v1/dues/payments/              payments (the page's FilterSet), with their rows
    POST /api/v1/dues/payments/              record a payment (services.record_payment)
    GET  /api/v1/dues/arrears/               members with unpaid months (the page's FilterSet)

Rows come through restrict(); every refusal is JSON {"detail": "中文"} (400 bad data, 409 a
payment the rules refuse, 404 out of reach)."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.api import filtered
from gongjian.core.api_views import ScopedViewSet, validated
from gongjian.core.services import DomainError
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization

from . import queries, rules, services
from .filtersets import ArrearsFilterSet, PaymentFilterSet, parse_month
from .models import Account, Kind, Month, Payment
from .serializers import (
    DuesArrearsSerializer,
    DuesCalcSerializer,
    DuesLedgerSerializer,
    DuesPaymentCreateSerializer,
    DuesPaymentSerializer,
)
from .views import _default_org


class StaffOnlyMixin:
    """Ledgers and lists are for the staff who keep dues (403 to a member's own right)."""

    def check_permissions(self, request):
        super().check_permissions(request)
        if not reach_orgs(request.user, "view", self.model):
            self.permission_denied(request, message="角色无此操作权限。")


@extend_schema_view(list=extend_schema(
    summary="按基数计算月缴党费", responses=DuesCalcSerializer,
    description="依据中组发〔2008〕3号：在职党员按税后月工资性收入分档（3000 元以下 0.5%，"
                "3000–5000 元 1%，5000–10000 元 1.5%，10000 元以上 2%，全额按一个比例）；"
                "离退休党员 5000 元以下 0.5%，以上 1%；学生、失业、低保党员每月 0.20 元。"
                "金额四舍五入到分（可配置）。",
    parameters=[OpenApiParameter("base", str, description="月收入基数（元）；学生、其他可不填"),
                OpenApiParameter("kind", str, description="；".join(
                    f"{v} {label}" for v, label in Kind.choices) + "（默认 in_service）")]))
class DuesCalcViewSet(ScopedViewSet):
    """月缴党费计算。"""

    model = Account
    http_method_names = ["get", "head", "options"]
    pagination_class = None

    def list(self, request):
        kind = (request.query_params.get("kind") or Kind.IN_SERVICE).strip()
        base = request.query_params.get("base")
        return Response(DuesCalcSerializer(services.calc(kind, base, user=request.user)).data)


@extend_schema_view(list=extend_schema(
    summary="支部党费月度台账", responses=DuesLedgerSerializer,
    parameters=[OpenApiParameter("org", str, description="组织编码（默认本人所在的最高一级）"),
                OpenApiParameter("month", str, description="月份 YYYY-MM（默认本月）")]))
class DuesLedgerViewSet(StaffOnlyMixin, ScopedViewSet):
    """党费台账：每个支部一行，应缴、已缴人数与金额、未缴、欠缴、本月收缴、上缴。"""

    model = Month
    http_method_names = ["get", "head", "options"]
    pagination_class = None

    def list(self, request):
        today = timezone.localdate()
        month = parse_month(request.query_params.get("month"), rules.month_of(today))
        if month is None:
            raise DomainError("请按“年-月”填写月份，如 2026-03。", field="month", status=400)
        code = (request.query_params.get("org") or "").strip()
        if code:
            org = restrict(request.user, "view", Organization).filter(code=code).first()
            if org is None:
                raise DomainError(f"组织编码“{code}”不存在或不在您的管理范围内。", field="org",
                                  status=400)
        else:
            org = _default_org(request.user, Month)
            if org is None:
                raise DomainError("请指定组织编码。", field="org", status=400)
        return Response(DuesLedgerSerializer(queries.ledger(request.user, org, month)).data)


@extend_schema_view(
    list=extend_schema(summary="党费交纳记录", responses=DuesPaymentSerializer),
    create=extend_schema(summary="登记党费交纳", request=DuesPaymentCreateSerializer,
                         responses={201: DuesPaymentSerializer},
                         description="按所属月份登记（每月一行）。已交的月份、跳过欠缴月份、入党前的月份、"
                                     "补交超过六个月而未登记批准人的，均被拒绝，不写入任何数据。"),
)
class DuesPaymentViewSet(StaffOnlyMixin, mixins.ListModelMixin, ScopedViewSet):
    """党费交纳：一次交纳可覆盖多个月（补交、预交），明细每月一行。"""

    model = Payment
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = PaymentFilterSet
    serializer_class = DuesPaymentSerializer

    def base_queryset(self):
        return Payment.objects.select_related("account__membership__person", "org") \
            .prefetch_related("rows")

    def list(self, request):
        rows = filtered(PaymentFilterSet, request,
                         self.get_queryset().order_by("-paid_on", "-id"))
        return self.paginated(rows, DuesPaymentSerializer)

    def create(self, request):
        data = validated(DuesPaymentCreateSerializer, request)
        user = request.user
        membership = restrict(user, "view", Membership).filter(pk=data.pop("membership")).first()
        account = Account.objects.filter(membership=membership).first() if membership else None
        if account is None or not restrict(user, "pay", Account).filter(pk=account.pk).exists():
            raise DomainError("该党员不存在、不在您的管理范围内，或尚未核定党费基数。",
                              field="membership", status=400)
        first = datetime.date.fromisoformat(data.pop("first_month") + "-01")
        last_text = data.pop("last_month", "")
        last = datetime.date.fromisoformat(last_text + "-01") if last_text else None
        payment = services.record_payment(account, user=user, first_month=first,
                                          last_month=last, **data)
        payment = self.base_queryset().get(pk=payment.pk)
        return Response(DuesPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="党费欠缴名单（本月之前有未交月份的党员）",
                                       responses=DuesArrearsSerializer))
class DuesArrearsViewSet(StaffOnlyMixin, mixins.ListModelMixin, ScopedViewSet):
    """欠缴：欠几个月、从哪个月起，最早的在前。"""

    model = Account
    http_method_names = ["get", "head", "options"]
    filterset_class = ArrearsFilterSet
    serializer_class = DuesArrearsSerializer

    def list(self, request):
        rows = (self.get_queryset().filter(queries.arrears_condition())
                .select_related("membership__person", "org").order_by("paid_through", "id"))
        return self.paginated(filtered(ArrearsFilterSet, request, rows), DuesArrearsSerializer)
