"""REST API of the roster: members (memberships with their person), by membership id.

Lists use the roster's one FilterSet (members.filtersets.RosterFilterSet), the same as the
list page and the export. ID numbers and phones are always answered masked; `reveal` gives
one in full to a user whose role has the personal-data right over that person, and logs that
they saw it.
Refusals follow gongjian.core.api_views: 403 without the right anywhere, 404 out of scope,
400 for a bad value (naming the field) or an organisation code out of reach.
"""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import ScopedViewSet
from gongjian.core.services import DomainError

from . import services
from .filtersets import RosterFilterSet
from .models import Membership, Person
from .serializers import (
    MemberDetailSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    RevealRequestSerializer,
    RevealSerializer,
)
from .services import check_id_number_free, registered_person
from .views import history_of

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="党籍记录 id")


@extend_schema_view(
    list=extend_schema(summary="党员名册", responses=MemberSerializer,
                       description="按管理范围过滤；公民身份号码和联系电话均为遮蔽值。"),
    create=extend_schema(
        summary="登记党员", request=MemberWriteSerializer,
        responses={201: MemberDetailSerializer},
        description="人员和党籍一并登记。性别、学历、党员类别等用中文名称（如“男”“大学专科”"
                    "“正式党员”），org 为党组织编码。公民身份号码已登记且此人没有在册党籍时，"
                    "登记为同一人。"),
    retrieve=extend_schema(summary="党员详情（含党籍记录）", parameters=[_ID],
                           responses=MemberDetailSerializer),
    partial_update=extend_schema(
        summary="修改党员信息", parameters=[_ID], request=MemberWriteSerializer,
        responses=MemberDetailSerializer,
        description="只改提供的字段；公民身份号码、联系电话须给完整值。已离册的记录不能修改。"),
    reveal=extend_schema(
        summary="查看完整的公民身份号码或联系电话", parameters=[_ID],
        request=RevealRequestSerializer, responses=RevealSerializer,
        description="需要个人信息查看权限；每次查看都记入审计日志（查看人、对象、时间）。"),
)
class MemberViewSet(ScopedViewSet):
    """党员（按党籍记录 id）：人员信息与党籍。公民身份号码、联系电话只给遮蔽值。"""

    model = Membership
    model_actions = {**ScopedViewSet.model_actions, "reveal": "view"}
    permission_for = {"reveal": (Person, "reveal")}
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = RosterFilterSet
    serializer_class = MemberSerializer

    def base_queryset(self):
        # Whether the user may reveal each row's person decides how its birth date is
        # answered (MemberSerializer): asked in the list's own query, not once per page.
        revealable = restrict(self.request.user, "reveal", Person).filter(pk=OuterRef("person_id"))
        return Membership.objects.select_related("person", "org").annotate(
            person_revealable=Exists(revealable))

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return MemberWriteSerializer
        if self.action == "reveal":
            return RevealRequestSerializer
        if self.action == "retrieve":
            return MemberDetailSerializer
        return MemberSerializer

    def _answer(self, membership, status_code=status.HTTP_200_OK):
        membership = get_object_or_404(
            self.base_queryset().restrict(self.request.user, "view"), pk=membership.pk)
        membership.history = history_of(self.request.user, membership)
        return Response(MemberDetailSerializer(membership,
                                               context=self.get_serializer_context()).data,
                        status=status_code)

    def filter_queryset(self, queryset):
        # The roster's filters narrow the list; one record is found whatever they say (an
        # ended membership is still answered by its id).
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), MemberSerializer)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def create(self, request):
        serializer = MemberWriteSerializer(data=request.data,
                                           context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        person_data = serializer.person_data()
        person = registered_person(person_data["id_number"], user=request.user) or Person()
        for field, value in person_data.items():
            setattr(person, field, value)
        membership = Membership(**serializer.membership_data())
        membership = services.register_member(user=request.user, person=person,
                                              membership=membership)
        return self._answer(membership, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        membership = self.get_object()
        if not membership.active:
            raise DomainError("已离册的党籍记录不能修改。", status=409)
        serializer = MemberWriteSerializer(membership, data=request.data, partial=True,
                                           context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        person_data = serializer.person_data()
        if "id_number" in person_data:
            check_id_number_free(person_data["id_number"], membership.person)
        services.update_member(membership, user=request.user, person_changes=person_data,
                               membership_changes=serializer.membership_data())
        return self._answer(membership)

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        membership = self.get_object()
        serializer = RevealRequestSerializer(data=request.data)
        if not serializer.is_valid():
            # {"field": [...]} would read as the error schema's own "field" key.
            messages = [str(m) for m in serializer.errors.get("field", ["请求内容有误。"])]
            raise DomainError(" ".join(messages), field="field", status=400)
        value = services.reveal(membership.person, user=request.user,
                                field=serializer.validated_data["field"])
        response = Response(RevealSerializer({"value": value}).data)
        add_never_cache_headers(response)
        return response
