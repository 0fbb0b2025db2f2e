"""REST API of micro-wishes and their rounds. Thin: rows through `restrict`, steps through
services.py. A step refused in this state answers 409, invalid data 400 (Chinese `detail`).
`recipient` is present only for the poster, the claimer and the wish's community staff."""

from django.db.models import Q
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gongjian.core.api_views import (
    ScopedViewSet,
    WorkflowViewSetMixin,
    validated,
    workflow_actions,
)
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization

from . import services
from .models import Group, Round, State, Wish
from .queries import with_counts

RELATED = ("org", "round", "claimer_unit", "claimer_person", "claimed_by", "posted_by")


class WishEventSerializer(serializers.Serializer):
    step = serializers.CharField(label="步骤")
    step_label = serializers.CharField(label="步骤名称")
    state_to = serializers.CharField(label="新状态")
    at = serializers.DateTimeField(label="时间")
    note = serializers.CharField(label="说明")


STATE_HELP = "；".join(f"{s.value} {s.label}" for s in State)
GROUP_HELP = "；".join(f"{g.value} {g.label}" for g in Group)


class WishSerializer(serializers.ModelSerializer):
    # Plain strings with their values listed: enum components named "state"/"group" would
    # collide with other capabilities' workflows in the schema.
    state = serializers.CharField(label="状态", help_text=STATE_HELP)
    group = serializers.CharField(label="受助人群", help_text=GROUP_HELP)
    group_label = serializers.CharField(source="get_group_display", label="受助人群名称")
    state_label = serializers.CharField(source="get_state_display", label="状态名称")
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, label="社区编码")
    org_name = serializers.CharField(source="org.name", label="社区名称")
    round_name = serializers.SerializerMethodField(label="征集活动名称")
    claimer = serializers.SerializerMethodField(label="认领人（单位名称或遮蔽的党员姓名）")
    claimer_kind = serializers.SerializerMethodField(label="认领方式：unit 单位、member 党员")
    photo_url = serializers.SerializerMethodField(label="实现照片地址")
    recipient = serializers.SerializerMethodField(label="受助人（仅发布人、认领人和本社区工作人员可见）")

    class Meta:
        model = Wish
        fields = ["id", "title", "description", "group", "group_label", "estimated_value",
                  "org", "org_name", "round", "round_name", "state", "state_label",
                  "posted_at", "on_behalf", "published_at", "reject_reason", "claimer",
                  "claimer_kind", "claimed_at", "fulfilled_at", "fulfil_note", "photo_url",
                  "confirmed_at", "thanks", "thanked_at", "recipient"]
        read_only_fields = fields

    def get_round_name(self, wish) -> str:
        return wish.round.name if wish.round_id else ""

    def _privileged(self, wish):
        visible = self.context.get("recipient_visible")
        if visible is None:
            return services.may_see_recipient(wish, user=self.context["request"].user)
        # A list: the rights were read for the whole page at once.
        return wish.pk in visible

    def get_claimer(self, wish) -> str:
        return wish.claimer_name if self._privileged(wish) else wish.claimer_public_name

    def get_claimer_kind(self, wish) -> str:
        if wish.claimer_unit_id:
            return "unit"
        return "member" if wish.claimed_at else ""

    def get_photo_url(self, wish) -> str:
        return reverse("wish_photo", args=[wish.pk]) if wish.has_photo else ""

    @extend_schema_field({
        "type": "object", "nullable": True,
        "description": "受助人；无权查看时为 null",
        "properties": {"name": {"type": "string", "description": "受助人姓名"},
                       "phone_masked": {"type": "string", "description": "联系电话（遮蔽）"},
                       "address": {"type": "string", "description": "住址"}},
        "required": ["name", "phone_masked", "address"]})
    def get_recipient(self, wish) -> dict | None:
        if not self._privileged(wish):
            return None
        return {"name": wish.recipient_name, "phone_masked": wish.recipient_phone_masked,
                "address": wish.recipient_address}


class WishDetailSerializer(WishSerializer):
    events = WishEventSerializer(many=True, read_only=True, label="办理记录")

    class Meta(WishSerializer.Meta):
        fields = [*WishSerializer.Meta.fields, "events"]
        read_only_fields = fields


class WishCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label="心愿", max_length=60)
    description = serializers.CharField(
        label="详细说明", required=False, allow_blank=True,
        help_text="请勿在说明中填写受助人姓名、电话、住址，这些信息请填在受助人字段中。")
    group = serializers.ChoiceField(label="受助人群", choices=Group.choices)
    recipient_name = serializers.CharField(label="受助人姓名", max_length=50)
    recipient_phone = serializers.CharField(label="受助人联系电话", required=False,
                                            allow_blank=True, max_length=20)
    recipient_address = serializers.CharField(label="受助人住址", required=False,
                                              allow_blank=True, max_length=200)
    estimated_value = serializers.DecimalField(label="预估价值（元）", max_digits=10,
                                               decimal_places=2, required=False, allow_null=True)
    org = serializers.CharField(label="社区编码", required=False, allow_blank=True,
                                help_text="社区工作人员代为发布时必填；居民和党员默认本人所在社区。")


class PublishSerializer(serializers.Serializer):
    round = serializers.IntegerField(label="征集活动 id", required=False, allow_null=True,
                                     help_text="不填时使用心愿已有的或当前进行中的征集活动。")
    note = serializers.CharField(label="说明", required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", required=False, allow_blank=True)


class ClaimSerializer(serializers.Serializer):
    unit = serializers.CharField(label="单位编码", required=False, allow_blank=True,
                                 help_text="以单位名义认领时填写（须为本人联络的单位）。")


class FulfilSerializer(serializers.Serializer):
    photo = serializers.FileField(label="实现照片", help_text="JPG/PNG 等图片，不超过上传大小上限。",
                                  error_messages={"required": "请上传心愿实现的照片。"})
    note = serializers.CharField(label="实现情况", error_messages={
        "required": "请填写实现情况说明。", "blank": "请填写实现情况说明。"})


class ConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", required=False, allow_blank=True)


class ThankSerializer(serializers.Serializer):
    text = serializers.CharField(label="感谢留言", required=False, allow_blank=True)


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(label="受助人联系电话")


class WishQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(label="状态", choices=State.choices, required=False)
    group = serializers.ChoiceField(label="受助人群", choices=Group.choices, required=False)
    round = serializers.IntegerField(label="征集活动 id", required=False)
    mine = serializers.ChoiceField(label="我的", choices=[("posted", "我发布的"),
                                                         ("claimed", "我认领的")],
                                   required=False)


_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="心愿 id")


@extend_schema_view(
    list=extend_schema(summary="心愿列表", parameters=[WishQuerySerializer],
                       responses=WishSerializer,
                       description="按范围：社区工作人员看本社区全部；党员和单位联络员看本街道已发布的和"
                                   "自己认领的；居民看自己发布的。"),
    retrieve=extend_schema(summary="心愿详情（含办理记录）", parameters=[_ID],
                           responses=WishDetailSerializer),
    create=extend_schema(summary="发布心愿（待社区审核）", request=WishCreateSerializer,
                         responses={201: WishDetailSerializer}),
    reveal=extend_schema(summary="查看受助人完整联系电话", parameters=[_ID], request=None,
                         responses=PhoneSerializer, description="每次查看都记入审计日志。"),
)
@workflow_actions(
    services.WORKFLOW, services=services, responses=WishDetailSerializer, parameters=[_ID],
    requests={"publish": PublishSerializer, "reject": ReasonSerializer,
              "withdraw": ReasonSerializer, "claim": ClaimSerializer,
              "release": ReasonSerializer, "fulfil": FulfilSerializer,
              "confirm": ConfirmSerializer, "thank": ThankSerializer},
    parsers={"fulfil": [MultiPartParser, FormParser]},
    descriptions={
        "publish": "发布到所选征集活动；不选时用心愿已有的或当前进行中的征集活动。",
        "reject": "reason 必填。",
        "withdraw": "认领前可撤回。",
        "claim": "同一心愿只能被一人（或一个单位）认领；已被认领时答 409“该心愿已被认领”。",
        "release": "reason 必填；心愿重新发布。",
        "fulfil": "上传照片标记实现。multipart/form-data：photo（图片，必填）和 note（必填）。",
        "confirm": "受助人或社区代为确认。",
        "thank": "感谢留言公开展示。",
    })
class WishViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """微心愿：提交、审核发布、认领、实现、确认、感谢（每一步一个 POST …/{id}/{步骤}/）。"""

    model = Wish
    model_actions = {**ScopedViewSet.model_actions, "reveal": "view"}
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = ()
    serializer_class = WishSerializer

    def base_queryset(self):
        return Wish.objects.select_related(*RELATED)

    def answer(self, wish, status_code=status.HTTP_200_OK):
        """The wish with its history, as the user now sees it."""
        wish = self.base_queryset().restrict(self.request.user, "view").prefetch_related(
            "events").filter(pk=wish.pk).first()
        if wish is None:  # the step took it out of the user's sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        response = Response(WishDetailSerializer(wish, context=self.get_serializer_context())
                            .data, status=status_code)
        add_never_cache_headers(response)
        return response

    def list(self, request):
        query = WishQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.get_queryset()
        data = query.validated_data
        if data.get("state"):
            rows = rows.filter(state=data["state"])
        if data.get("group"):
            rows = rows.filter(group=data["group"])
        if data.get("round"):
            rows = rows.filter(round_id=data["round"])
        if data.get("mine") == "posted":
            rows = rows.filter(posted_by=request.user)
        elif data.get("mine") == "claimed":
            units = [u.pk for u in services.claim_units(user=request.user)]
            rows = rows.filter(Q(claimed_by=request.user) | Q(claimer_unit_id__in=units))
        page = self.paginate_queryset(rows.order_by("-posted_at", "-id"))
        context = self.get_serializer_context()
        context["recipient_visible"] = services.recipient_visible(page, user=request.user)
        return self.get_paginated_response(WishSerializer(page, many=True, context=context).data)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def create(self, request):
        data = validated(WishCreateSerializer, request)
        org = None
        code = (data.pop("org", "") or "").strip()
        if code:
            org = Organization.objects.filter(code=code).first()
            if org is None:
                raise DomainError(f"社区编码“{code}”不存在。", field="org", status=400)
        wish = services.post_wish(Wish(org=org, **data), user=request.user)
        return self.answer(wish, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        wish = self.get_object()
        response = Response(PhoneSerializer({"phone": services.reveal_phone(
            wish, user=request.user)}).data)
        add_never_cache_headers(response)
        return response


# ---- rounds ---------------------------------------------------------------------------------

class GroupCountSerializer(serializers.Serializer):
    group = serializers.CharField(label="受助人群")
    label = serializers.CharField(label="受助人群名称")
    posted = serializers.IntegerField(label="心愿数")
    fulfilled = serializers.IntegerField(label="已实现")


class RoundSerializer(serializers.ModelSerializer):
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, label="主办组织编码")
    org_name = serializers.CharField(source="org.name", read_only=True, label="主办组织名称")
    posted = serializers.SerializerMethodField(label="心愿数")
    published = serializers.SerializerMethodField(label="已发布（含已认领、已实现）")
    claimed = serializers.SerializerMethodField(label="已认领（含已实现）")
    fulfilled = serializers.SerializerMethodField(label="已实现（含已确认）")
    groups = serializers.SerializerMethodField(label="按受助人群")

    class Meta:
        model = Round
        fields = ["id", "name", "org", "org_name", "starts_on", "ends_on", "description",
                  "posted", "published", "claimed", "fulfilled", "groups"]
        read_only_fields = fields

    def get_posted(self, r) -> int:
        return r.counts["posted"]

    def get_published(self, r) -> int:
        return r.counts["published"]

    def get_claimed(self, r) -> int:
        return r.counts["claimed"]

    def get_fulfilled(self, r) -> int:
        return r.counts["fulfilled"]

    @extend_schema_field(GroupCountSerializer(many=True))
    def get_groups(self, r) -> list[dict]:
        return [{"group": key, **value} for key, value in r.counts["groups"].items()]


class RoundWriteSerializer(serializers.Serializer):
    name = serializers.CharField(label="活动名称", max_length=100)
    org = serializers.CharField(label="主办组织编码（街道或社区）")
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(label="结束日期")
    description = serializers.CharField(label="活动说明", required=False, allow_blank=True)


_RID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="征集活动 id")


@extend_schema_view(
    list=extend_schema(summary="心愿征集活动（含统计）", responses=RoundSerializer),
    retrieve=extend_schema(summary="征集活动详情（含统计）", parameters=[_RID],
                           responses=RoundSerializer),
    create=extend_schema(summary="新建征集活动", request=RoundWriteSerializer,
                         responses={201: RoundSerializer}),
)
class RoundViewSet(ScopedViewSet):
    """心愿征集活动（批次）：按心愿记录统计征集、认领、实现数。"""

    model = Round
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = ()
    serializer_class = RoundSerializer

    def base_queryset(self):
        return Round.objects.select_related("org")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-starts_on", "-id"))
        rows = with_counts(page)
        return self.get_paginated_response(
            RoundSerializer(rows, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request, pk=None):
        round_ = with_counts([self.get_object()])[0]
        return Response(RoundSerializer(round_, context=self.get_serializer_context()).data)

    def create(self, request):
        data = validated(RoundWriteSerializer, request)
        org = Organization.objects.filter(code=data.pop("org").strip()).first()
        if org is None:
            raise DomainError("主办组织编码不存在。", field="org", status=400)
        round_ = services.save_round(Round(org=org, **data), user=request.user)
        round_ = with_counts([Round.objects.select_related("org").get(pk=round_.pk)])[0]
        return Response(RoundSerializer(round_, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
