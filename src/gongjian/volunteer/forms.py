"""Forms of volunteer service. They check the shape of the input; the services check the rules
(and refuse with the same messages in the API)."""

from django import forms
from django.db.models import Q

from gongjian.core.forms import DATE_INPUT, ScopedChoices, Styled
from gongjian.members.models import Person
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization, Unit

from .models import Activity, Evaluation, SignupState, Team, Volunteer

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
# Teams and activities belong to a street or a community, not to a branch or a group.
ORGANISER_KINDS = (OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        return f"{org.name}（{org.code}）"


def _organisers():
    return Organization.objects.filter(kind__in=ORGANISER_KINDS, dissolved_on__isnull=True) \
        .order_by("path")


def _datetime_field(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DATETIME_INPUT,
                               input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M",
                                              "%Y-%m-%d %H:%M:%S"], help_text=help_text)


class TeamForm(ScopedChoices, Styled, forms.ModelForm):
    org = OrgChoiceField(label="所属社区/街道", to_field_name="code", queryset=_organisers())
    unit = forms.ModelChoiceField(label="所属单位（单位的服务队填写）", required=False,
                                  queryset=Unit.objects.order_by("code"))
    leader = forms.ModelChoiceField(label="队长", required=False,
                                    queryset=Volunteer.objects.order_by("name"))

    class Meta:
        model = Team
        fields = ["org", "name", "speciality", "unit", "leader", "founded_on", "description"]
        widgets = {"founded_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        team = self.instance if self.instance.pk else None
        if team is not None:
            del self.fields["org"]  # a team stays where it was formed
            self.fields["leader"].queryset = self.fields["leader"].queryset.filter(
                team_memberships__team=team, team_memberships__left_on__isnull=True)
        else:
            self.fields["leader"].queryset = self.fields["leader"].queryset.none()
            del self.fields["leader"]

    def _post_clean(self):
        # The service validates and refuses with its own messages (nothing written).
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data


class ActivityForm(ScopedChoices, Styled, forms.ModelForm):
    org = OrgChoiceField(label="组织单位", to_field_name="code", queryset=_organisers())
    team = forms.ModelChoiceField(label="服务队（可不选）", required=False,
                                  queryset=Team.objects.filter(dissolved_on__isnull=True)
                                  .order_by("name"))
    starts_at = _datetime_field("开始时间")
    ends_at = _datetime_field("结束时间")
    signup_deadline = _datetime_field("报名截止", required=False,
                                      help_text="不填为活动结束前均可报名。")

    class Meta:
        model = Activity
        fields = ["org", "team", "title", "content", "place", "starts_at", "ends_at",
                  "signup_deadline", "places", "eligibility", "beneficiaries_expected"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            del self.fields["org"]  # an activity stays with its organiser

    def _post_clean(self):
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class ReviewForm(Styled, forms.Form):
    beneficiaries_served = forms.IntegerField(label="实际服务对象（人）", min_value=0)
    note = forms.CharField(label="审核说明", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, volunteer):
        return f"{volunteer.name}（{volunteer.number}）"


class ManualForm(Styled, forms.Form):
    """The organiser's hand-made entry: a volunteer picked from those accepted, or named by
    the volunteer number they show; sign-in or sign-out; the time; why by hand."""

    volunteer = VolunteerChoiceField(label="志愿者", required=False,
                                     queryset=Volunteer.objects.none())
    number = forms.CharField(label="或输入志愿者编号", required=False, max_length=20)
    direction = forms.ChoiceField(label="登记", choices=[("in", "签到"), ("out", "签退")],
                                  widget=forms.RadioSelect, initial="in")
    at = _datetime_field("时间")
    reason = forms.CharField(label="手工录入原因", max_length=200,
                             help_text="如：手机没电、无法扫码。手工录入会标注并记入审计日志。")

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            signups__activity=activity, signups__state=SignupState.ACCEPTED).order_by("name")

    def clean(self):
        data = super().clean()
        number = (data.get("number") or "").strip().upper()
        if number:
            found = self.fields["volunteer"].queryset.filter(number=number).first()
            if found is None:
                self.add_error("number", f"编号“{number}”不在本活动的录用名单中。")
            else:
                data["volunteer"] = found
        if not data.get("volunteer") and "number" not in self.errors:
            self.add_error("volunteer", "请选择志愿者，或输入志愿者编号。")
        return data

    def service_params(self):
        data = self.cleaned_data
        return {"volunteer": data["volunteer"], "direction": data["direction"],
                "at": data["at"], "reason": data["reason"]}


class CloseForm(Styled, forms.Form):
    out_at = _datetime_field("签退时间")
    reason = forms.CharField(label="补录原因", max_length=200)


class AdjustForm(Styled, forms.Form):
    hours = forms.DecimalField(label="认定时长（小时）", min_value=0, max_digits=7,
                               decimal_places=2)
    reason = forms.CharField(label="调整原因", max_length=200, required=False,
                             help_text="时长与核算结果不同时必填。")
    evaluation = forms.ChoiceField(label="服务评价", required=False,
                                   choices=[("", "—")] + list(Evaluation.choices))


class MemberAddForm(ScopedChoices, Styled, forms.Form):
    """Take a volunteer into a team: by the volunteer number, or a person of the register in
    the team's community (registered as a volunteer on the way)."""

    number = forms.CharField(label="志愿者编号", required=False, max_length=20)
    person = forms.ModelChoiceField(label="或从人员名册选择", required=False,
                                    queryset=Person.objects.order_by("name_pinyin", "id"))

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["person"].queryset = self.fields["person"].queryset.filter(
            Q(org__path__startswith=team.org.path))

    def clean(self):
        data = super().clean()
        number = (data.get("number") or "").strip().upper()
        if number:
            found = Volunteer.objects.filter(number=number).first()
            if found is None:
                self.add_error("number", f"没有编号为“{number}”的志愿者。")
            data["volunteer"] = found
        elif not data.get("person"):
            self.add_error("number", "请输入志愿者编号，或从人员名册选择。")
        return data
