"""Serializers of the 双报到 API."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongjian.projects.models import Category

from .models import Availability, EndReason, Grade, Report, ReportEvaluation, State


def _codes(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


class CommunityReportEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(label="时间")
    step = serializers.CharField(label="步骤")
    summary = serializers.CharField(label="内容")
    state_from = serializers.CharField(label="原状态")
    state_to = serializers.CharField(label="新状态")
    actor = serializers.CharField(source="actor_name", label="操作人")
    note = serializers.CharField(label="说明")


class CommunityReportEvaluationSerializer(serializers.ModelSerializer):
    grade = serializers.CharField(read_only=True, label="评价等次",
                                  help_text=_codes(Grade.choices))
    grade_label = serializers.CharField(source="get_grade_display", read_only=True,
                                        label="评价等次名称")

    class Meta:
        model = ReportEvaluation
        fields = ["year", "grade", "grade_label", "hours", "expected", "note", "evaluated_on"]
        read_only_fields = fields


class CommunityReportSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, label="党员")
    branch_code = serializers.CharField(source="branch.code", read_only=True,
                                        label="所在党支部编码")
    branch_name = serializers.CharField(source="branch.name", read_only=True, label="所在党支部")
    unit_code = serializers.CharField(source="unit.code", read_only=True, allow_null=True,
                                      default=None, label="所在单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True,
                                      default=None, label="所在单位")
    community_code = serializers.CharField(source="community.code", read_only=True,
                                           label="报到社区编码")
    community_name = serializers.CharField(source="community.name", read_only=True,
                                           label="报到社区")
    grid_code = serializers.CharField(source="grid.code", read_only=True, allow_null=True,
                                      default=None, label="网格编码")
    fields = serializers.ListField(child=serializers.CharField(), read_only=True,
                                   label="服务意向", help_text=_codes(Category.choices))
    availability = serializers.CharField(read_only=True, label="服务时间",
                                         help_text=_codes(Availability.choices))
    state = serializers.CharField(read_only=True, label="状态", help_text=_codes(State.choices))
    state_label = serializers.CharField(source="get_state_display", read_only=True,
                                        label="状态名称")
    end_kind = serializers.CharField(read_only=True, label="结束原因",
                                     help_text=_codes(EndReason.choices))

    class Meta:
        model = Report
        fields = ["id", "person_name", "branch_code", "branch_name", "unit_code", "unit_name",
                  "community_code", "community_name", "grid_code", "address", "skills",
                  "fields", "availability", "availability_note", "state", "state_label",
                  "reported_on", "received_on", "ended_on", "end_kind", "end_reason"]
        read_only_fields = fields


class CommunityReportFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField(label="年度")
    hours = serializers.DecimalField(max_digits=7, decimal_places=2,
                                     label="服务时长（小时，按今日已计入）")
    expected = serializers.DecimalField(max_digits=7, decimal_places=2, label="应达时长（小时）")
    short = serializers.BooleanField(label="未达要求")


class CommunityReportDetailSerializer(CommunityReportSerializer):
    figures = serializers.SerializerMethodField(label="本年度服务时长")
    demands = serializers.SerializerMethodField(label="认领的社区需求")
    evaluations = CommunityReportEvaluationSerializer(many=True, read_only=True,
                                                      label="年度评价")
    events = CommunityReportEventSerializer(many=True, read_only=True, label="办理记录")

    class Meta(CommunityReportSerializer.Meta):
        fields = [*CommunityReportSerializer.Meta.fields, "figures", "demands", "evaluations",
                  "events"]
        read_only_fields = fields

    @extend_schema_field(CommunityReportFiguresSerializer)
    def get_figures(self, report):
        from . import services

        today = timezone.localdate()
        return CommunityReportFiguresSerializer(
            services.year_figures(report, today.year, today)).data

    def get_demands(self, report) -> list[str]:
        return [d.title for d in report.demands.all()]


class CommunityReportCreateSerializer(serializers.Serializer):
    community = serializers.CharField(label="报到社区编码", max_length=40)
    address = serializers.CharField(label="居住地址", max_length=200)
    skills = serializers.CharField(label="特长", max_length=200, required=False,
                                   allow_blank=True)
    fields = serializers.ListField(child=serializers.CharField(), label="服务意向",
                                   help_text=_codes(Category.choices))
    demands = serializers.ListField(child=serializers.IntegerField(), required=False,
                                    label="认领的社区需求 id")
    availability = serializers.CharField(label="服务时间", required=False,
                                         help_text=_codes(Availability.choices))
    availability_note = serializers.CharField(label="时间说明", max_length=100,
                                              required=False, allow_blank=True)
    unit = serializers.CharField(label="所在单位编码（联合党支部的党员选填）", required=False,
                                 allow_blank=True)


class CommunityReportReceiveSerializer(serializers.Serializer):
    grid = serializers.CharField(label="编入网格编码", required=False, allow_blank=True)


class CommunityReportEndSerializer(serializers.Serializer):
    end_kind = serializers.CharField(label="结束原因", help_text=_codes(EndReason.choices))
    reason = serializers.CharField(label="结束说明", max_length=200)


class CommunityReportEvaluateSerializer(serializers.Serializer):
    grade = serializers.CharField(label="评价等次", help_text=_codes(Grade.choices))
    note = serializers.CharField(label="评语", max_length=500, required=False, allow_blank=True)


STEP_REQUESTS = {"receive": CommunityReportReceiveSerializer,
                 "end": CommunityReportEndSerializer,
                 "evaluate": CommunityReportEvaluateSerializer}
