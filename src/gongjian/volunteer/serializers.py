"""Serializers of the volunteer API. Names are prefixed (VolunteerTeam…, Activity…): the schema's
components are global. A volunteer is named by the volunteer number and name, never an ID
number."""

from rest_framework import serializers

from .models import (
    ACTIVE_SIGNUP,
    Activity,
    Eligibility,
    Evaluation,
    ServiceRecord,
    Signup,
    SignupState,
    Speciality,
    State,
    Team,
    TeamMember,
)


def _codes(choices):
    return "；".join(f"{value} {label}" for value, label in choices)


class VolunteerTeamSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="所属组织编码")
    org_name = serializers.CharField(source="org.name", label="所属组织")
    unit = serializers.CharField(source="unit.code", default=None, allow_null=True,
                                 label="所属单位编码")
    speciality = serializers.CharField(label="服务专长", help_text=_codes(Speciality.choices))
    speciality_label = serializers.CharField(source="get_speciality_display",
                                             label="服务专长名称")
    leader = serializers.CharField(source="leader.name", default=None, allow_null=True,
                                   label="队长")
    leader_number = serializers.CharField(source="leader.number", default=None,
                                          allow_null=True, label="队长志愿者编号")

    class Meta:
        model = Team
        fields = ["id", "name", "org", "org_name", "unit", "speciality", "speciality_label",
                  "leader", "leader_number", "description", "founded_on", "dissolved_on"]
        read_only_fields = fields


class VolunteerTeamMemberSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="volunteer.number", label="志愿者编号")
    name = serializers.CharField(source="volunteer.name", label="姓名")

    class Meta:
        model = TeamMember
        fields = ["number", "name", "joined_on", "left_on", "left_reason"]
        read_only_fields = fields


class VolunteerTeamFiguresSerializer(serializers.Serializer):
    activities = serializers.IntegerField(label="活动数")
    person_times = serializers.IntegerField(label="服务人次")
    people = serializers.IntegerField(label="服务人数")
    hours = serializers.DecimalField(max_digits=10, decimal_places=2, label="已计入服务时长")
    members = serializers.IntegerField(label="现有队员")


class VolunteerTeamDetailSerializer(VolunteerTeamSerializer):
    members = serializers.SerializerMethodField(label="队员（含已退出）")
    figures = serializers.SerializerMethodField(label="服务队记录（由活动记录计算）")

    class Meta(VolunteerTeamSerializer.Meta):
        fields = [*VolunteerTeamSerializer.Meta.fields, "members", "figures"]
        read_only_fields = fields

    def get_members(self, team) -> list[dict]:
        rows = team.members.select_related("volunteer").order_by("left_on", "joined_on", "id")
        return VolunteerTeamMemberSerializer(rows, many=True).data

    def get_figures(self, team) -> dict:
        from .services import team_figures

        figures = team_figures(team)
        return VolunteerTeamFiguresSerializer({
            "activities": figures["activities"], "hours": figures["hours"],
            "person_times": figures["turnout"].person_times,
            "people": figures["turnout"].people, "members": figures["members"]}).data


class VolunteerTeamCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="所属社区/街道编码")
    name = serializers.CharField(label="服务队名称", max_length=100)
    speciality = serializers.ChoiceField(label="服务专长", choices=Speciality.choices,
                                         default=Speciality.OTHER,
                                         error_messages={"invalid_choice": "没有专长“{input}”。"})
    unit = serializers.CharField(label="所属单位编码（单位的服务队）", required=False,
                                 allow_blank=True)
    description = serializers.CharField(label="简介", required=False, allow_blank=True,
                                        max_length=2000)
    founded_on = serializers.DateField(label="成立日期", required=False, allow_null=True)


class ActivitySerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="组织单位编码")
    org_name = serializers.CharField(source="org.name", label="组织单位")
    team = serializers.IntegerField(source="team_id", allow_null=True, label="服务队 id")
    team_name = serializers.CharField(source="team.name", default=None, allow_null=True,
                                      label="服务队")
    eligibility = serializers.CharField(label="报名范围", help_text=_codes(Eligibility.choices))
    state = serializers.CharField(label="状态", help_text=_codes(State.choices))
    state_label = serializers.CharField(source="get_state_display", label="状态名称")
    accepted = serializers.SerializerMethodField(label="已录用人数")
    my_signup = serializers.SerializerMethodField(
        label="我的报名状态", help_text=_codes(SignupState.choices) + "；null 未报名")

    class Meta:
        model = Activity
        fields = ["id", "org", "org_name", "team", "team_name", "title", "content", "place",
                  "starts_at", "ends_at", "signup_deadline", "places", "accepted",
                  "eligibility", "beneficiaries_expected", "beneficiaries_served", "state",
                  "state_label", "publicised_on", "counts_from", "my_signup"]
        read_only_fields = fields

    def get_accepted(self, activity) -> int:
        value = getattr(activity, "accepted_count", None)
        if value is None:
            value = activity.signups.filter(state=SignupState.ACCEPTED).count()
        return value

    def get_my_signup(self, activity) -> str | None:
        # The account's sign-ups, read once per answer (not once per row).
        cache = self.context.setdefault("_my_signups", None)
        if cache is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            cache = dict(Signup.objects.filter(volunteer__account_id=getattr(user, "pk", None),
                                               state__in=ACTIVE_SIGNUP)
                         .values_list("activity_id", "state")) if user else {}
            self.context["_my_signups"] = cache
        return cache.get(activity.pk)


class ActivityCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="组织单位编码")
    team = serializers.IntegerField(label="服务队 id", required=False, allow_null=True)
    title = serializers.CharField(label="活动名称", max_length=120)
    content = serializers.CharField(label="服务内容", max_length=4000)
    place = serializers.CharField(label="地点", max_length=150)
    starts_at = serializers.DateTimeField(label="开始时间")
    ends_at = serializers.DateTimeField(label="结束时间")
    signup_deadline = serializers.DateTimeField(label="报名截止", required=False,
                                                allow_null=True)
    places = serializers.IntegerField(label="名额", min_value=1)
    eligibility = serializers.ChoiceField(label="报名范围", choices=Eligibility.choices,
                                          default=Eligibility.ANYONE,
                                          error_messages={"invalid_choice": "没有报名范围“{input}”。"})
    beneficiaries_expected = serializers.IntegerField(label="预计服务对象（人）", min_value=0,
                                                      default=0)


class ActivityCodeSerializer(serializers.Serializer):
    code = serializers.CharField(label="扫描到的签到码", help_text="现场二维码中的签到码（链接末段）。")


class ActivityReviewSerializer(serializers.Serializer):
    beneficiaries_served = serializers.IntegerField(label="实际服务对象（人）", min_value=0)
    note = serializers.CharField(label="审核说明", required=False, allow_blank=True,
                                 max_length=500)


class ActivityCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label="取消原因", max_length=200)


class ActivityRecordSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="volunteer.number", label="志愿者编号")
    name = serializers.CharField(source="volunteer.name", label="姓名")
    activity = serializers.CharField(source="activity.title", label="活动名称")
    place = serializers.CharField(source="activity.place", label="地点")
    content = serializers.CharField(source="activity.content", label="服务内容")
    organiser = serializers.CharField(source="org.name", label="组织单位（记录单位）")
    evaluation = serializers.CharField(label="服务评价", help_text=_codes(Evaluation.choices))
    counted = serializers.BooleanField(source="counts", label="已计入（公示期满）")

    class Meta:
        model = ServiceRecord
        fields = ["id", "number", "name", "activity", "date", "place", "content", "raw_hours",
                  "computed_hours", "hours", "adjusted", "adjust_reason", "open_pairs",
                  "evaluation", "organiser", "counts_from", "counted"]
        read_only_fields = fields
