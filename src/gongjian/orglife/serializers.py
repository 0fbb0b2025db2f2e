"""Serializers of the branch meetings API. Names are prefixed (BranchMeeting…, BranchMakeUp…):
the schema's components are global. A reason for absence is given only to those who may read
it (the committee); a member reads only their own attendance line."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongjian.core.access import restrict

from .models import (
    Appraisal,
    Attendance,
    Grade,
    MakeUp,
    MakeUpState,
    Meeting,
    MeetingEvent,
    Presence,
    State,
    Vote,
)
from .rules import KIND_CHOICES


def _codes(choices):
    return "；".join(f"{value} {label}" for value, label in choices)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class BranchMeetingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="党支部编码")
    org_name = serializers.CharField(source="org.name", label="党支部名称")
    group = serializers.CharField(source="group.code", default=None, allow_null=True,
                                  label="党小组编码")
    kind = serializers.CharField(label="类型", help_text=_codes(KIND_CHOICES))
    kind_label = serializers.CharField(source="get_kind_display", label="类型名称")
    state = serializers.CharField(label="状态", help_text=_codes(State.choices))

    class Meta:
        model = Meeting
        fields = ["id", "org", "org_name", "group", "kind", "kind_label", "state", "title",
                  "date", "start_time", "place", "due_count", "present_count", "notified_at"]
        read_only_fields = fields


class BranchMeetingAttendanceSerializer(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id", label="党籍 id")
    name = serializers.CharField(source="membership.person.name", label="姓名")
    presence = serializers.CharField(label="出席情况", help_text=_codes(Presence.choices))
    presence_label = serializers.CharField(source="get_presence_display", label="出席情况名称")
    reason = serializers.SerializerMethodField(label="原因（仅支部委员会可见，其他人为 null）")
    voting = serializers.BooleanField(label="有表决权")

    class Meta:
        model = Attendance
        fields = ["id", "membership", "name", "presence", "presence_label", "reason", "voting"]
        read_only_fields = fields

    def get_reason(self, row) -> str | None:
        return row.reason if row.pk in self.context.get("reasons", ()) else None


class BranchMakeUpSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="attendance.meeting_id", label="会议 id")
    membership = serializers.IntegerField(source="attendance.membership_id", label="党籍 id")
    name = serializers.CharField(source="attendance.membership.person.name", label="姓名")
    presence = serializers.CharField(source="attendance.presence", label="出席情况")
    state = serializers.CharField(label="状态", help_text=_codes(MakeUpState.choices))
    org = serializers.CharField(source="org.code", label="党支部编码")

    class Meta:
        model = MakeUp
        fields = ["id", "meeting", "membership", "name", "presence", "org", "state", "content",
                  "done_on"]
        read_only_fields = fields


class BranchMeetingVoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "subject", "election", "entitled", "present", "in_favour", "against",
                  "abstain", "quorate", "passed"]
        read_only_fields = fields


class BranchMeetingGradeSerializer(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id", label="党籍 id")
    name = serializers.CharField(source="membership.person.name", label="姓名")
    grade = serializers.CharField(label="等次", help_text=_codes(Grade.choices))

    class Meta:
        model = Appraisal
        fields = ["membership", "name", "grade"]
        read_only_fields = fields


class BranchMeetingEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", label="操作人")
    summary = serializers.CharField(label="内容")

    class Meta:
        model = MeetingEvent
        fields = ["at", "actor", "step", "summary", "note"]
        read_only_fields = fields


class BranchMeetingDetailSerializer(BranchMeetingSerializer):
    host = serializers.CharField(source="host.name", default=None, allow_null=True,
                                 label="主持人")
    recorder = serializers.CharField(source="recorder.name", default=None, allow_null=True,
                                     label="记录人")
    has_scan = serializers.SerializerMethodField(label="已上传扫描件")
    attendance = serializers.SerializerMethodField()
    makeups = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()
    grades = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(BranchMeetingSerializer.Meta):
        fields = BranchMeetingSerializer.Meta.fields + [
            "topics", "x_item", "host", "recorder", "lecturer", "observers", "minutes",
            "has_scan", "resolutions", "cancel_reason", "attendance", "makeups", "votes",
            "grades", "events"]
        read_only_fields = fields

    def get_has_scan(self, meeting) -> bool:
        return bool(meeting.minutes_scan)

    def _rows(self, model, **where):
        return restrict(_user(self), "view", model).filter(**where)

    @extend_schema_field(BranchMeetingAttendanceSerializer(many=True))
    def get_attendance(self, meeting):
        rows = self._rows(Attendance, meeting=meeting).select_related("membership__person")
        reasons = set(restrict(_user(self), "reason", Attendance).filter(meeting=meeting)
                      .values_list("pk", flat=True))
        return BranchMeetingAttendanceSerializer(rows, many=True,
                                                 context={"reasons": reasons}).data

    @extend_schema_field(BranchMakeUpSerializer(many=True))
    def get_makeups(self, meeting):
        rows = self._rows(MakeUp, attendance__meeting=meeting).select_related(
            "org", "attendance__membership__person")
        return BranchMakeUpSerializer(rows, many=True).data

    @extend_schema_field(BranchMeetingVoteSerializer(many=True))
    def get_votes(self, meeting):
        return BranchMeetingVoteSerializer(self._rows(Vote, meeting=meeting), many=True).data

    @extend_schema_field(BranchMeetingGradeSerializer(many=True))
    def get_grades(self, meeting):
        rows = self._rows(Appraisal, meeting=meeting).select_related("membership__person")
        return BranchMeetingGradeSerializer(rows, many=True).data

    @extend_schema_field(BranchMeetingEventSerializer(many=True))
    def get_events(self, meeting):
        return BranchMeetingEventSerializer(self._rows(MeetingEvent, meeting=meeting),
                                            many=True).data


# ---- requests ------------------------------------------------------------------------------

class BranchMeetingCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="党支部编码")
    # A string, not a choice field: the schema's enum names are global ("kind" is taken).
    kind = serializers.CharField(label="类型", help_text=_codes(KIND_CHOICES))
    title = serializers.CharField(max_length=120, label="主题")
    date = serializers.DateField(label="日期")
    start_time = serializers.TimeField(required=False, allow_null=True, label="开始时间")
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, label="地点")
    topics = serializers.CharField(required=False, allow_blank=True, label="议题")
    x_item = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                   label="自选动作（X，主题党日）")
    lecturer = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                     label="授课人")
    group = serializers.CharField(required=False, allow_blank=True, label="党小组编码（党小组会）")
    host = serializers.IntegerField(required=False, allow_null=True, label="主持人（人员 id）")
    recorder = serializers.IntegerField(required=False, allow_null=True,
                                        label="记录人（人员 id）")

    def validate_kind(self, value):
        if value not in dict(KIND_CHOICES):
            raise serializers.ValidationError(f"没有类型“{value}”。")
        return value


_ATTENDANCE_ITEM = {
    "type": "object",
    "properties": {"membership": {"type": "integer", "description": "党籍 id"},
                   "presence": {"type": "string", "enum": list(Presence.values),
                                "description": _codes(Presence.choices)},
                   "reason": {"type": "string", "description": "请假或缺席原因"}},
    "required": ["membership", "presence"],
}


class _ObjectListField(serializers.Field):
    """A list of objects the service checks row by row (with its Chinese messages); in a
    multipart request (with a scan) the same list as a JSON string."""

    shape = ""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(f"{self.label}须为 JSON 列表。") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise serializers.ValidationError(f"{self.label}须为列表，每项为 {self.shape}。")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "array", "items": _ATTENDANCE_ITEM})
class BranchAttendanceListField(_ObjectListField):
    shape = "{membership, presence, reason}"


@extend_schema_field({"type": "array", "items": {
    "type": "object", "required": ["membership", "grade"],
    "properties": {"membership": {"type": "integer", "description": "党籍 id"},
                   "grade": {"type": "string", "enum": list(Grade.values),
                             "description": _codes(Grade.choices)}}}})
class BranchGradeListField(_ObjectListField):
    shape = "{membership, grade}"


class BranchMeetingMinutesSerializer(serializers.Serializer):
    observers = serializers.CharField(required=False, allow_blank=True, default="",
                                      label="列席人员")
    minutes = serializers.CharField(required=False, allow_blank=True, default="",
                                    label="会议记录（与扫描件 minutes_scan 任选其一）")
    resolutions = serializers.CharField(required=False, allow_blank=True, default="",
                                        label="决议")


class BranchMeetingRecordSerializer(BranchMeetingMinutesSerializer):
    date = serializers.DateField(required=False, allow_null=True,
                                 label="召开日期（默认计划日期，不能晚于今天）")
    attendance = BranchAttendanceListField(label="出席情况")


class BranchMeetingVoteRequestSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, label="表决事项")
    election = serializers.BooleanField(required=False, default=False, label="选举")
    in_favour = serializers.IntegerField(min_value=0, label="赞成")
    against = serializers.IntegerField(min_value=0, required=False, default=0, label="反对")
    abstain = serializers.IntegerField(min_value=0, required=False, default=0, label="弃权")


class BranchMeetingGradeRequestSerializer(serializers.Serializer):
    grades = BranchGradeListField(label="评议等次")
    confirm_excess = serializers.BooleanField(required=False, default=False,
                                              label="确认优秀超过比例")


class BranchMeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="取消原因")


class BranchMakeUpConfirmSerializer(serializers.Serializer):
    content = serializers.CharField(label="补学内容")
    done_on = serializers.DateField(label="补学日期")
