"""API representations of the organisation system. Related objects are named by their codes.

Serializers only check the shape of a request; the rules live in services.py, which the API
views call with the validated values.
"""

from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import OrgKind, Sector
from .models import Building, Grid, GridPost, Organization, OrgEvent, Unit

# The sector a new organisation gets when the request names none.
DEFAULT_SECTOR_BY_KIND = {
    OrgKind.WORKING_COMMITTEE: Sector.STREET,
    OrgKind.COMMITTEE: Sector.COMMUNITY,
    OrgKind.GENERAL_BRANCH: Sector.COMMUNITY,
    OrgKind.BRANCH: Sector.RESIDENTIAL,
    OrgKind.TEMPORARY_BRANCH: Sector.PROJECT,
    OrgKind.GROUP: Sector.BUILDING,
}


class ScopedCodeField(serializers.SlugRelatedField):
    """A related object named by its code, found only among the rows the requesting user may
    `action` (through `restrict`). Anything else is answered with a message naming the code,
    the same whether the object is missing or out of reach.

    On update, the value the object already has is accepted without a lookup: keeping a
    relation as it is needs no reach over its target (a unit liaison editing its unit).
    """

    default_error_messages = {
        "not_found": "{noun}编码“{code}”不存在或不在您的管理范围内。",
        "invalid": "请填写{noun}编码。",
    }

    def __init__(self, *, noun, action="view", **kwargs):
        self.noun = noun
        self.action = action
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        user = getattr(request, "user", None)
        return queryset.restrict(user, self.action)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid", noun=self.noun)
        code = data.strip()
        instance = getattr(self.parent, "instance", None)
        if instance is not None and not isinstance(instance, list | tuple):
            current = getattr(instance, self.source, None)
            if current is not None and current.code == code:
                return current
        found = self.get_queryset().filter(code=code).first()
        if found is None:
            self.fail("not_found", noun=self.noun, code=code)
        return found


class ImmutableCodeMixin:
    """`code` may be given on create; on update it may only repeat the current value."""

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError("编码创建后不可修改。")
        return value


class CoordinateField(serializers.DecimalField):
    """Degrees with 6 decimals (about 0.1 m); finer input from GPS is rounded, not refused."""

    def __init__(self, **kwargs):
        kwargs.update(max_digits=9, decimal_places=6, coerce_to_string=False)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_precision(self, value):
        # Round only what can be a coordinate: 1e308 would not fit the quantized context and
        # is refused by the digit count instead.
        if value.is_finite() and abs(value) < 1000:
            value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        return super().validate_precision(value)


# ---- organisations ------------------------------------------------------------------------

class OrgEventSerializer(serializers.ModelSerializer):
    # The API answers the history step under the name it has always had.
    kind = serializers.CharField(source="step", label="事件")
    actor = serializers.SerializerMethodField(label="操作人")

    class Meta:
        model = OrgEvent
        fields = ["at", "kind", "text", "actor"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        return str(event.actor) if event.actor_id else None


# An organisation as lists show it. Expects `parent_code` annotated on the row.
class OrganizationSerializer(serializers.ModelSerializer):

    parent = serializers.CharField(source="parent_code", read_only=True, allow_null=True,
                                   label="上级组织编码")
    children_count = serializers.IntegerField(source="numchild", read_only=True,
                                              label="直接下级组织数（含已撤销）")
    depth = serializers.IntegerField(read_only=True, label="层级（顶层为 1）")
    active = serializers.BooleanField(source="is_active", read_only=True, label="存续")
    merged_into = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                               allow_null=True, label="并入组织编码")

    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "sector", "parent", "depth", "children_count",
                  "active", "is_regional", "project_name", "established_on", "dissolved_on",
                  "merged_into"]
        read_only_fields = fields


# One organisation with its recent history (`recent_events` set by the view).
class OrganizationDetailSerializer(OrganizationSerializer):

    events = OrgEventSerializer(source="recent_events", many=True, read_only=True,
                                label="近期沿革")

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "dissolution_reason", "note", "events"]
        read_only_fields = fields


class OrganizationCreateSerializer(serializers.ModelSerializer):
    parent = ScopedCodeField(noun="上级组织", action="add", queryset=Organization.objects.all(),
                             label="上级组织编码")

    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "parent", "sector", "established_on", "is_regional",
                  "project_name", "note"]
        extra_kwargs = {"sector": {"help_text": "不填时按类别取默认值（党工委→街道，党委/党总支→社区，"
                                                "党支部→小区/网格，临时党支部→项目，党小组→楼栋/楼道）。"}}

    def validate(self, attrs):
        attrs.setdefault("sector", DEFAULT_SECTOR_BY_KIND[attrs["kind"]])
        return attrs


class OrganizationUpdateSerializer(ImmutableCodeMixin, serializers.ModelSerializer):
    code = serializers.CharField(required=False, label="组织编码",
                                 help_text="不可修改；如提供须与原编码相同。")

    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "sector", "established_on", "is_regional",
                  "project_name", "note"]


class MoveSerializer(serializers.Serializer):
    parent = ScopedCodeField(noun="新上级组织", action="move", queryset=Organization.objects.all(),
                             label="新上级组织编码")


class MergeSerializer(serializers.Serializer):
    into = ScopedCodeField(noun="目标组织", action="merge", queryset=Organization.objects.all(),
                           label="并入的组织（存续方）编码")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   label="原因")


class DissolveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   label="撤销原因")


# ---- grids and buildings --------------------------------------------------------------------

class GridPostSerializer(serializers.ModelSerializer):
    role = serializers.SlugRelatedField(slug_field="name", read_only=True, label="岗位")

    class Meta:
        model = GridPost
        fields = ["id", "role", "holder_name", "since"]


class GridPostCreateSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=30, label="岗位名称")
    holder_name = serializers.CharField(max_length=50, label="姓名")
    since = serializers.DateField(required=False, allow_null=True, label="任职日期")


# Expects `building_count` and `household_total` annotated and `posts` prefetched.
class GridSerializer(ImmutableCodeMixin, serializers.ModelSerializer):

    org = ScopedCodeField(noun="党组织", queryset=Organization.objects.all(),
                          label="所属党组织编码")
    posts = GridPostSerializer(many=True, read_only=True, label="网格岗位人员")
    building_count = serializers.IntegerField(read_only=True, label="楼栋数")
    household_total = serializers.IntegerField(read_only=True, label="户数合计")

    class Meta:
        model = Grid
        fields = ["code", "name", "org", "note", "posts", "building_count", "household_total"]


class BuildingSerializer(serializers.ModelSerializer):
    grid = ScopedCodeField(noun="网格", queryset=Grid.objects.all(), label="网格编码")

    class Meta:
        model = Building
        fields = ["id", "grid", "name", "address", "floors", "households"]
        extra_kwargs = {"households": {"error_messages": {"min_value": "户数不能为负数。"}}}
        validators = []  # the unique name within a grid is checked by the service


# ---- units ----------------------------------------------------------------------------------

class UnitSerializer(ImmutableCodeMixin, serializers.ModelSerializer):
    org = ScopedCodeField(noun="所在组织", queryset=Organization.objects.all(),
                          label="所在街道/社区党组织编码")
    party_org = ScopedCodeField(noun="本单位党组织", queryset=Organization.objects.all(),
                                required=False, allow_null=True, label="本单位党组织编码")
    lng = CoordinateField(label="经度")
    lat = CoordinateField(label="纬度")
    is_non_public = serializers.BooleanField(read_only=True, label="两新组织")

    class Meta:
        model = Unit
        fields = ["code", "name", "unit_type", "org", "party_org", "address", "lng", "lat",
                  "contact_name", "contact_phone", "note", "is_non_public"]

