from django.utils import timezone
from rest_framework import serializers

from .models import (
    Category,
    Demand,
    Project,
    ProjectClaim,
    ProjectEvent,
    Resource,
    Urgency,
)


class DemandSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True, label="所属组织编码")
    org_name = serializers.CharField(source="org.name", read_only=True, label="所属组织")
    grid_code = serializers.CharField(source="grid.code", read_only=True, allow_null=True,
                                      default=None, label="网格编码")
    category_label = serializers.CharField(source="get_category_display", read_only=True,
                                           label="类别名称")
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True,
                                          label="紧急程度名称")
    state_label = serializers.CharField(source="get_state_display", read_only=True,
                                        label="状态名称")
    posted_by = serializers.CharField(source="posted_by.display_name", read_only=True,
                                      allow_null=True, label="提出人")
    project_id = serializers.IntegerField(read_only=True, allow_null=True, label="项目 ID")
    description = serializers.CharField(read_only=True, allow_null=True, label="需求描述",
                                        help_text="仅提出人和可受理该需求的工作人员可见，否则为 null。")
    place = serializers.CharField(read_only=True, allow_null=True, label="地点",
                                  help_text="同上。")
    reason = serializers.CharField(read_only=True, allow_null=True, label="原因",
                                   help_text="同上。")
    handled_at = serializers.DateTimeField(read_only=True, allow_null=True, label="处理时间")

    # Shown only to whom the view names in context["details"] (ids): the poster and staff
    # who may act on the demand; a unit looking for needs to meet sees the outline alone.
    PRIVATE = ("description", "place", "grid_code", "posted_by", "reason", "handled_at")

    class Meta:
        model = Demand
        fields = ["id", "org_code", "org_name", "grid_code", "category", "category_label",
                  "title", "description", "place", "beneficiaries", "urgency", "urgency_label",
                  "state", "state_label", "reason", "project_id", "posted_by", "created_at",
                  "handled_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("details", ()):
            for name in self.PRIVATE:
                data[name] = None
        return data


class DemandCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="所属社区/组织编码", required=False, allow_blank=True,
                                help_text="居民不填，即本人所在社区。")
    grid = serializers.CharField(label="网格编码", required=False, allow_blank=True)
    category = serializers.ChoiceField(label="类别", choices=Category.choices)
    title = serializers.CharField(label="需求名称", max_length=100)
    description = serializers.CharField(label="需求描述", max_length=2000)
    place = serializers.CharField(label="地点", max_length=200)
    beneficiaries = serializers.IntegerField(label="受益人数")
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices,
                                      default=Urgency.NORMAL)


class DemandReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=300, required=False,
                                   allow_blank=True, default="")


class StepReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=300)


class StepNoteSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", max_length=500, required=False, allow_blank=True,
                                 default="")


class MatchSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="ID")
    title = serializers.CharField(label="名称")
    category = serializers.CharField(label="类别")
    category_label = serializers.CharField(label="类别名称")
    where = serializers.CharField(label="单位或社区")
    score = serializers.FloatField(label="匹配度")
    reasons = serializers.ListField(child=serializers.CharField(), label="推荐理由")
    distance_km = serializers.FloatField(label="距离（公里）", allow_null=True)


def match_rows(matches, kind):
    rows = []
    for m in matches:
        obj = m.obj
        rows.append({"id": obj.pk, "title": obj.title, "category": obj.category,
                     "category_label": obj.get_category_display(),
                     "where": obj.unit.name if kind == "resource" else obj.org.name,
                     "score": m.score, "reasons": m.reasons,
                     "distance_km": round(m.distance_km, 2) if m.distance_km is not None
                     else None})
    return rows


class ResourceSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, label="单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True, label="单位名称")
    category_label = serializers.CharField(source="get_category_display", read_only=True,
                                           label="类别名称")
    remaining = serializers.IntegerField(read_only=True, label="剩余容量")

    class Meta:
        model = Resource
        fields = ["id", "unit_code", "unit_name", "category", "category_label", "title",
                  "description", "capacity", "committed", "remaining", "available_text",
                  "available_from", "available_until", "address", "active", "created_at"]
        read_only_fields = fields


class ResourceWriteSerializer(serializers.Serializer):
    unit = serializers.CharField(label="单位编码", required=False, allow_blank=True,
                                 help_text="联络员不填，即本单位。")
    category = serializers.ChoiceField(label="类别", choices=Category.choices)
    title = serializers.CharField(label="资源名称", max_length=100)
    description = serializers.CharField(label="资源描述", max_length=2000)
    capacity = serializers.IntegerField(label="服务容量（人次）")
    available_text = serializers.CharField(label="服务时间", max_length=200, required=False,
                                           allow_blank=True)
    available_from = serializers.DateField(label="起始日期", required=False, allow_null=True)
    available_until = serializers.DateField(label="截止日期", required=False, allow_null=True)
    address = serializers.CharField(label="服务地点", max_length=200, required=False,
                                    allow_blank=True)
    active = serializers.BooleanField(label="有效", required=False, default=True)


class ProjectClaimSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, label="单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True, label="单位名称")

    class Meta:
        model = ProjectClaim
        fields = ["unit_code", "unit_name", "share", "resource", "uses", "note", "claimed_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("poster"):  # a unit's note on its claim is the staff's side
            data["note"] = ""
        return data


class ProjectEventSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(read_only=True, label="时间")
    photos = serializers.SerializerMethodField(label="照片 ID")

    class Meta:
        model = ProjectEvent
        fields = ["at", "step", "actor_name", "state_from", "state_to", "text", "note",
                  "photos"]
        read_only_fields = fields

    def get_photos(self, event) -> list[int]:
        # The ids of the photos the reader may open (context["photos"]: event id → ids).
        return self.context.get("photos", {}).get(event.pk, [])


class ProjectSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True, label="组织编码")
    org_name = serializers.CharField(source="org.name", read_only=True, label="组织名称")
    category_label = serializers.CharField(source="get_category_display", read_only=True,
                                           label="类别名称")
    state_label = serializers.CharField(source="get_state_display", read_only=True,
                                        label="状态名称")
    overdue_days = serializers.SerializerMethodField(label="逾期天数")

    class Meta:
        model = Project
        fields = ["id", "title", "category", "category_label", "description", "org_code",
                  "org_name", "target_beneficiaries", "planned_start", "planned_end", "state",
                  "state_label", "step_deadline", "overdue_days", "claimed_share", "reason",
                  "dock_date", "dock_place", "dock_plan", "rating", "beneficiary_count",
                  "acceptance_comment", "declared_at", "approved_at", "started_at",
                  "accepted_at", "closed_at"]
        read_only_fields = fields

    def get_overdue_days(self, project) -> int:
        return project.overdue_days(timezone.localdate())


class ProjectDetailSerializer(ProjectSerializer):
    """A project with its claims and history, as the view prepared them for the reader
    (`visible_claims`, `visible_events`)."""

    claims = ProjectClaimSerializer(source="visible_claims", many=True, read_only=True,
                                    label="认领")
    events = ProjectEventSerializer(source="visible_events", many=True, read_only=True,
                                    label="项目记录")

    class Meta(ProjectSerializer.Meta):
        fields = ProjectSerializer.Meta.fields + ["claims", "events"]
        read_only_fields = fields


class ProjectCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label="项目名称", max_length=100)
    category = serializers.ChoiceField(label="类别", choices=Category.choices)
    description = serializers.CharField(label="项目内容", max_length=4000)
    org = serializers.CharField(label="申报社区/组织编码", required=False, allow_blank=True,
                                help_text="不填则取第一条来源需求所属组织。")
    target_beneficiaries = serializers.IntegerField(label="计划受益人数", required=False,
                                                    allow_null=True)
    planned_start = serializers.DateField(label="计划开始日期", required=False, allow_null=True)
    planned_end = serializers.DateField(label="计划完成日期", required=False, allow_null=True)
    demands = serializers.ListField(child=serializers.IntegerField(), label="来源需求 ID",
                                    required=False, default=list)


class ProjectClaimRequestSerializer(serializers.Serializer):
    share = serializers.IntegerField(label="认领份额（%）")
    unit = serializers.CharField(label="单位编码", required=False, allow_blank=True,
                                 help_text="联络员不填，即本单位。")
    resource = serializers.IntegerField(label="投入资源 ID", required=False, allow_null=True)
    uses = serializers.IntegerField(label="占用资源（人次）", required=False, default=0)
    note = serializers.CharField(label="认领说明", max_length=300, required=False,
                                 allow_blank=True, default="")


class ProjectDockSerializer(serializers.Serializer):
    date = serializers.DateField(label="对接日期")
    place = serializers.CharField(label="对接地点", max_length=200)
    plan = serializers.CharField(label="实施方案", max_length=4000)


class ProjectProgressSerializer(serializers.Serializer):
    text = serializers.CharField(label="进展情况", max_length=2000)


class ProjectAcceptSerializer(serializers.Serializer):
    rating = serializers.IntegerField(label="群众评分（1–5）")
    beneficiary_count = serializers.IntegerField(label="实际受益人数")
    comment = serializers.CharField(label="验收意见", max_length=2000, required=False,
                                    allow_blank=True, default="")
