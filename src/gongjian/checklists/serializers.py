"""Serializers of the checklists API. A row of any list has one shape: a line of the 资源清单
(a projects resource) comes in the items' shape, its own fields filled and the others empty,
so a client reads every `kind` alike."""

from django.utils import timezone
from rest_framework import serializers

from .models import Category, ChecklistItem, Kind, Source, State


def _codes(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


class ChecklistEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(label="时间")
    step = serializers.CharField(label="步骤")
    step_label = serializers.CharField(label="步骤名称")
    summary = serializers.CharField(label="内容")
    state_from = serializers.CharField(label="原状态")
    state_to = serializers.CharField(label="新状态")
    actor = serializers.CharField(source="actor_name", label="操作人")
    note = serializers.CharField(label="说明")


class ChecklistItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="清单", help_text=_codes(Kind.choices))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True,
                                       label="清单名称")
    org_code = serializers.CharField(source="org.code", read_only=True, label="组织编码")
    org_name = serializers.CharField(source="org.name", read_only=True, label="组织")
    publisher_code = serializers.CharField(source="publisher.code", read_only=True,
                                           allow_null=True, default=None, label="发布组织编码")
    category = serializers.CharField(read_only=True, label="类别",
                                     help_text=_codes(Category.choices))
    category_label = serializers.CharField(source="get_category_display", read_only=True,
                                           label="类别名称")
    source = serializers.CharField(read_only=True, label="问题来源",
                                   help_text=_codes(Source.choices))
    state = serializers.CharField(read_only=True, label="状态", help_text=_codes(State.choices))
    state_label = serializers.CharField(source="get_state_display", read_only=True,
                                        label="状态名称")
    overdue = serializers.SerializerMethodField(label="逾期")
    finished_late = serializers.BooleanField(read_only=True, label="逾期完成")
    unit_name = serializers.SerializerMethodField(label="提供单位（资源清单）")
    resource_url = serializers.SerializerMethodField(label="服务资源接口地址（资源清单）")

    class Meta:
        model = ChecklistItem
        fields = ["id", "kind", "kind_label", "org_code", "org_name", "publisher_code", "title",
                  "content", "category", "category_label", "target", "measures", "source",
                  "deadline", "original_deadline", "extension_reason", "starts_on", "ends_on",
                  "period", "place", "public", "state", "state_label", "overdue",
                  "finished_late", "evidence", "result", "completed_on", "created_at",
                  "unit_name", "resource_url"]
        read_only_fields = fields

    def get_overdue(self, item) -> bool:
        return item.is_overdue(timezone.localdate())

    def get_unit_name(self, item) -> str:
        return ""

    def get_resource_url(self, item) -> str:
        return ""


class ChecklistItemDetailSerializer(ChecklistItemSerializer):
    events = ChecklistEventSerializer(many=True, read_only=True, label="办理记录")

    class Meta(ChecklistItemSerializer.Meta):
        fields = [*ChecklistItemSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ChecklistResourceRowSerializer(serializers.Serializer):
    """A projects resource as a line of the 资源清单, in the items' shape."""

    def to_representation(self, r):
        return {
            "id": r.pk, "kind": Kind.RESOURCE.value, "kind_label": Kind.RESOURCE.label,
            "org_code": r.unit.org.code, "org_name": r.unit.org.name, "publisher_code": None,
            "title": r.title, "content": r.description, "category": r.category,
            "category_label": r.get_category_display(), "target": "", "measures": "",
            "source": "", "deadline": None, "original_deadline": None, "extension_reason": "",
            "starts_on": r.available_from.isoformat() if r.available_from else None,
            "ends_on": r.available_until.isoformat() if r.available_until else None,
            "period": r.available_text, "place": r.address, "public": r.active, "state": "",
            "state_label": "", "overdue": False, "finished_late": False, "evidence": "",
            "result": "", "completed_on": None,
            "created_at": serializers.DateTimeField().to_representation(r.created_at),
            "unit_name": r.unit.name, "resource_url": f"/api/v1/resources/{r.pk}/",
        }


class ChecklistCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(label="清单", help_text=(
        "responsibility 责任清单；problem 问题清单；learning 学习清单；activity 活动清单。"
        "资源清单（resource）在服务资源中登记（POST /api/v1/resources/），不在此重复录入。"))
    org = serializers.CharField(label="责任组织（或清单所属社区）编码", required=False,
                                allow_blank=True)
    orgs = serializers.ListField(child=serializers.CharField(), required=False,
                                 label="责任组织编码（责任清单可一次发给多个组织）")
    publisher = serializers.CharField(label="发布组织编码（责任清单）", required=False,
                                      allow_blank=True, help_text="不填为本账户所在组织。")
    title = serializers.CharField(label="事项/问题/名称", max_length=150)
    content = serializers.CharField(label="内容/问题描述", required=False, allow_blank=True)
    category = serializers.CharField(label="类别（责任清单）", required=False, allow_blank=True,
                                     help_text=_codes(Category.choices))
    target = serializers.CharField(label="目标", required=False, allow_blank=True)
    measures = serializers.CharField(label="措施", required=False, allow_blank=True)
    source = serializers.CharField(label="问题来源（问题清单）", required=False, allow_blank=True,
                                   help_text=_codes(Source.choices))
    deadline = serializers.DateField(label="完成时限", required=False, allow_null=True)
    starts_on = serializers.DateField(label="开始日期", required=False, allow_null=True)
    ends_on = serializers.DateField(label="结束日期", required=False, allow_null=True)
    period = serializers.CharField(label="时间安排", required=False, allow_blank=True)
    place = serializers.CharField(label="地点", required=False, allow_blank=True)
    public = serializers.BooleanField(label="公开", required=False)


class ChecklistEvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField(label="完成情况与佐证", max_length=4000)


class ChecklistResultSerializer(serializers.Serializer):
    result = serializers.CharField(label="意见", max_length=500, required=False,
                                   allow_blank=True)


class ChecklistReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="退回理由", max_length=500)


class ChecklistMeasuresSerializer(serializers.Serializer):
    measures = serializers.CharField(label="整改措施", max_length=4000)


class ChecklistExtendSerializer(serializers.Serializer):
    deadline = serializers.DateField(label="新的完成时限")
    reason = serializers.CharField(label="延期理由", max_length=300)


STEP_REQUESTS = {"progress": ChecklistEvidenceSerializer, "submit": ChecklistEvidenceSerializer,
                 "apply_close": ChecklistEvidenceSerializer,
                 "accept": ChecklistResultSerializer, "close_out": ChecklistResultSerializer,
                 "send_back": ChecklistReasonSerializer, "reject": ChecklistReasonSerializer,
                 "rectify": ChecklistMeasuresSerializer, "extend": ChecklistExtendSerializer}
