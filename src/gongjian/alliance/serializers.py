from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongjian.core.access import restrict
from gongjian.members.models import Person
from gongjian.orgs.models import Organization, Unit

from .models import (
    Agreement,
    Alliance,
    AllianceMember,
    ChairTerm,
    Event,
    Invitation,
    Meeting,
    MemberRole,
    Reply,
    Task,
)


class ReachableSlug(serializers.SlugRelatedField):
    """A code naming an object within the requesting user's view scope (else 400)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(slug_field="code", queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        return restrict(self.context["request"].user, "view", self.model)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(code=data)
        except (self.model.DoesNotExist, TypeError, ValueError):
            raise serializers.ValidationError(f"编码“{data}”不存在或不在您的管理范围内。") \
                from None


@extend_schema_field(OpenApiTypes.INT)
class ReachablePerson(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return restrict(self.context["request"].user, "view", Person)

    default_error_messages = {"does_not_exist": "人员 {pk_value} 不存在或不在您的管理范围内。",
                              "incorrect_type": "人员须以 id（整数）指定。"}


def person_fields(name, label):
    """A person as three flat, nullable fields: id, name and masked phone."""
    return (serializers.IntegerField(source=f"{name}_id", allow_null=True,
                                     label=f"{label}（人员 id）"),
            serializers.CharField(source=f"{name}.name", allow_null=True, default=None,
                                  label=f"{label}姓名"),
            serializers.CharField(source=f"{name}.phone_masked", allow_null=True, default=None,
                                  label=f"{label}电话（遮蔽）"))


class AllianceEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", label="操作人")
    kind = serializers.CharField(source="step", label="事件")

    class Meta:
        model = Event
        fields = ["at", "actor", "kind", "text", "note"]
        read_only_fields = fields


# ---- alliances ------------------------------------------------------------------------------

class AllianceMemberSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", label="单位编码")
    unit_name = serializers.CharField(source="unit.name", label="单位名称")
    liaison, liaison_name, liaison_phone = person_fields("liaison", "联络人")
    committee_person, committee_person_name, committee_person_phone = person_fields("committee_person", "兼职委员")
    active = serializers.BooleanField(label="在册")
    role = serializers.CharField(label="身份", help_text="member 成员单位、concurrent 兼职委员。")

    class Meta:
        model = AllianceMember
        fields = ["id", "unit", "unit_name", "role", "committee_person", "committee_person_name",
                  "committee_person_phone", "liaison", "liaison_name", "liaison_phone",
                  "term_start",
                  "term_end", "joined_on", "left_on", "left_reason", "active"]
        read_only_fields = fields


class AllianceChairTermSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", label="单位编码")
    unit_name = serializers.CharField(source="unit.name", label="单位名称")

    class Meta:
        model = ChairTerm
        fields = ["unit", "unit_name", "starts_on", "ends_on"]
        read_only_fields = fields


class AllianceSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="所属组织编码")
    org_name = serializers.CharField(source="org.name", label="所属组织名称")
    n_members = serializers.IntegerField(label="在册成员单位数")
    n_open_tasks = serializers.IntegerField(label="进行中任务数")
    n_overdue_tasks = serializers.IntegerField(label="逾期任务数")

    class Meta:
        model = Alliance
        fields = ["id", "name", "org", "org_name", "founded_on", "description", "n_members",
                  "n_open_tasks", "n_overdue_tasks"]
        read_only_fields = fields


class AllianceDetailSerializer(AllianceSerializer):
    members = AllianceMemberSerializer(many=True, label="成员单位（含已退出）")
    chair_terms = AllianceChairTermSerializer(many=True, label="轮值主席安排")
    current_chair = AllianceChairTermSerializer(many=True, label="现任轮值主席（0 或 1 项）")
    next_chair = AllianceChairTermSerializer(many=True, label="下一任轮值主席（0 或 1 项）")
    events = AllianceEventSerializer(many=True, label="历史记录")

    class Meta(AllianceSerializer.Meta):
        fields = [*AllianceSerializer.Meta.fields, "members", "chair_terms", "current_chair",
                  "next_chair", "events"]
        read_only_fields = fields


class AllianceCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="所属组织编码", max_length=40)
    name = serializers.CharField(label="联盟名称", max_length=100)
    founded_on = serializers.DateField(label="成立日期")
    description = serializers.CharField(label="简介", required=False, allow_blank=True,
                                        default="")

    def validate_org(self, code):
        found = Organization.objects.filter(code=code).first()
        if found is None or not restrict(self.context["request"].user, "view",
                                         Organization).filter(pk=found.pk).exists():
            raise serializers.ValidationError(f"组织编码“{code}”不存在或不在您的管理范围内。")
        return found


class AllianceMemberCreateSerializer(serializers.Serializer):
    unit = ReachableSlug(Unit, label="单位编码")
    role = serializers.ChoiceField(label="身份", choices=MemberRole.choices,
                                   default=MemberRole.MEMBER)
    committee_person = ReachablePerson(label="兼职委员（人员 id）", required=False,
                                       allow_null=True, default=None)
    liaison = ReachablePerson(label="联络人（人员 id）", required=False, allow_null=True,
                              default=None)
    joined_on = serializers.DateField(label="加入日期", required=False, default=None)
    term_start = serializers.DateField(label="任期开始", required=False, allow_null=True,
                                       default=None)
    term_end = serializers.DateField(label="任期结束", required=False, allow_null=True,
                                     default=None)


# ---- meetings and tasks ---------------------------------------------------------------------

class MeetingInvitationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", label="单位编码")
    unit_name = serializers.CharField(source="unit.name", label="单位名称")
    reply = serializers.CharField(label="回复", help_text="pending 未回复、attend 参会、leave 请假。")

    class Meta:
        model = Invitation
        fields = ["unit", "unit_name", "reply", "reply_note", "replied_at", "attended"]
        read_only_fields = fields


class DecisionTaskSerializer(serializers.ModelSerializer):
    alliance = serializers.IntegerField(source="alliance_id", label="联盟 id")
    meeting = serializers.IntegerField(source="meeting_id", label="会议 id")
    owner_unit = serializers.CharField(source="owner_unit.code", allow_null=True, default=None,
                                       label="责任单位编码")
    owner_org = serializers.CharField(source="owner_org.code", allow_null=True, default=None,
                                      label="责任组织编码")
    owner_name = serializers.CharField(source="owner.name", label="责任方名称")
    overdue = serializers.BooleanField(label="已逾期")
    state = serializers.CharField(label="状态", help_text="open 进行中、done 已完成。")

    class Meta:
        model = Task
        fields = ["id", "title", "alliance", "meeting", "owner_unit", "owner_org", "owner_name",
                  "deadline", "state", "completed_on", "completion_note", "overdue"]
        read_only_fields = fields


class DecisionTaskDetailSerializer(DecisionTaskSerializer):
    events = AllianceEventSerializer(many=True, label="进展与历史")

    class Meta(DecisionTaskSerializer.Meta):
        fields = [*DecisionTaskSerializer.Meta.fields, "events"]
        read_only_fields = fields


class JointMeetingSerializer(serializers.ModelSerializer):
    alliance = serializers.IntegerField(source="alliance_id", label="联盟 id")
    alliance_name = serializers.CharField(source="alliance.name", label="联盟名称")
    state = serializers.CharField(label="状态",
                                  help_text="called 已通知、held 已召开、cancelled 已取消。")

    class Meta:
        model = Meeting
        fields = ["id", "alliance", "alliance_name", "title", "starts_at", "place", "state",
                  "cancel_reason"]
        read_only_fields = fields


class JointMeetingDetailSerializer(JointMeetingSerializer):
    invitations = MeetingInvitationSerializer(many=True, label="参会单位")
    tasks = DecisionTaskSerializer(many=True, label="决议事项")
    events = AllianceEventSerializer(many=True, label="历史记录")

    class Meta(JointMeetingSerializer.Meta):
        fields = [*JointMeetingSerializer.Meta.fields, "agenda", "minutes", "invitations", "tasks",
                  "events"]
        read_only_fields = fields


class JointMeetingCreateSerializer(serializers.Serializer):
    alliance = serializers.IntegerField(label="联盟 id")
    title = serializers.CharField(label="会议名称", max_length=150)
    starts_at = serializers.DateTimeField(label="会议时间")
    place = serializers.CharField(label="地点", max_length=150)
    agenda = serializers.CharField(label="议程")
    units = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                  label="邀请单位编码", help_text="缺省时邀请全部在册成员单位。")


class MeetingDecisionSerializer(serializers.Serializer):
    title = serializers.CharField(label="决议事项", max_length=300)
    owner_unit = serializers.CharField(label="责任单位编码", required=False, allow_null=True,
                                       default=None)
    owner_org = serializers.CharField(label="责任组织编码", required=False, allow_null=True,
                                      default=None)
    deadline = serializers.DateField(label="完成期限")


class MeetingHoldSerializer(serializers.Serializer):
    minutes = serializers.CharField(label="会议纪要")
    attended = serializers.ListField(child=serializers.CharField(max_length=40),
                                     label="出席单位编码", required=False, default=list)
    decisions = MeetingDecisionSerializer(many=True, required=False, default=list, label="决议事项")


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=200)


class MeetingReplySerializer(serializers.Serializer):
    unit = serializers.CharField(label="单位编码", max_length=40)
    reply = serializers.ChoiceField(label="回复", choices=[(Reply.ATTEND, "参会"),
                                                          (Reply.LEAVE, "请假")])
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class DecisionTaskProgressSerializer(serializers.Serializer):
    note = serializers.CharField(label="进展情况")


class DecisionTaskNoteSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明")
    completed_on = serializers.DateField(label="完成日期（办结时）", required=False,
                                         default=None)


# ---- agreements -----------------------------------------------------------------------------

class AgreementSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="甲方组织编码")
    org_name = serializers.CharField(source="org.name", label="甲方名称")
    unit = serializers.CharField(source="unit.code", label="乙方单位编码")
    unit_name = serializers.CharField(source="unit.name", label="乙方名称")
    expiry = serializers.CharField(label="到期提示", help_text="expiring 即将到期（30 天内）、"
                                   "expired 已到期，其余为空。", source="expiry_code")
    state = serializers.CharField(label="状态",
                                  help_text="draft 草拟、signed 已签订、terminated 已终止。")

    class Meta:
        model = Agreement
        fields = ["id", "number", "title", "org", "org_name", "unit", "unit_name", "starts_on",
                  "ends_on", "state", "signed_on", "terminated_on", "termination_reason",
                  "expiry"]
        read_only_fields = fields


class AgreementDetailSerializer(AgreementSerializer):
    org_liaison, org_liaison_name, org_liaison_phone = person_fields("org_liaison", "甲方联络员")
    unit_liaison, unit_liaison_name, unit_liaison_phone = person_fields("unit_liaison", "乙方联络员")
    events = AllianceEventSerializer(many=True, source="events_list", label="历史记录")

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "rights_obligations", "service_items",
                  "org_liaison", "org_liaison_name", "org_liaison_phone", "unit_liaison",
                  "unit_liaison_name", "unit_liaison_phone", "events"]
        read_only_fields = fields


class AgreementWriteSerializer(serializers.Serializer):
    number = serializers.CharField(label="协议编号", max_length=40)
    title = serializers.CharField(label="协议名称", max_length=150)
    org = ReachableSlug(Organization, label="甲方组织编码")
    unit = ReachableSlug(Unit, label="乙方单位编码")
    rights_obligations = serializers.CharField(label="权利义务（每行一条）")
    service_items = serializers.CharField(label="服务事项（每行一项）")
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(label="结束日期")
    org_liaison = ReachablePerson(label="甲方联络员（人员 id）", required=False,
                                  allow_null=True)
    unit_liaison = ReachablePerson(label="乙方联络员（人员 id）", required=False,
                                   allow_null=True)


class AgreementSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(label="签订日期", required=False,
                                      default=timezone.localdate)


class AgreementTerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(label="终止原因", max_length=200)
    terminated_on = serializers.DateField(label="终止日期", required=False,
                                          default=timezone.localdate)
