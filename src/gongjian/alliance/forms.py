from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.forms import DATE_INPUT, Styled
from gongjian.members.models import Person
from gongjian.orgs.models import Organization, Unit, street_path

from .models import Agreement, Alliance, AllianceMember, MemberRole, Reply
from .services import owner_choices

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        phone = f" {person.phone_masked}" if person.phone else ""
        return f"{person.name}{phone}"


def people_choices(user, org):
    """People the user may see within `org`'s street (phones masked in the labels)."""
    return (restrict(user, "view", Person).filter(org__path__startswith=street_path(org))
            .order_by("name_pinyin", "id").only("id", "name", "phone"))


def managed_orgs(user, model, action="add"):
    """Streets and communities within the user's reach for `action` on `model`."""
    paths = [o.path for o in reach_orgs(user, action, model)]
    if not paths:
        return Organization.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return (Organization.objects.filter(condition, sector__in=("street", "community"),
                                        dissolved_on__isnull=True).order_by("path"))


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        return ("　" * (org.depth - 1)) + org.name


class AllianceForm(Styled, forms.ModelForm):
    org = OrgChoiceField(label="所属组织", queryset=Organization.objects.none())

    class Meta:
        model = Alliance
        fields = ["org", "name", "founded_on", "description"]
        widgets = {"founded_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = managed_orgs(user, Alliance)


class MemberForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none())
    role = forms.ChoiceField(label="身份", choices=MemberRole.choices)
    committee_person = PersonField(label="兼职委员（人员）", required=False,
                                   queryset=Person.objects.none(),
                                   help_text="身份为兼职委员时必填：在联盟委员会任职的人。")
    liaison = PersonField(label="联络人", required=False, queryset=Person.objects.none())
    joined_on = forms.DateField(label="加入日期", widget=DATE_INPUT)
    term_start = forms.DateField(label="任期开始", required=False, widget=DATE_INPUT)
    term_end = forms.DateField(label="任期结束", required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, alliance, **kwargs):
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        street = street_path(alliance.org)
        taken = AllianceMember.objects.filter(alliance=alliance, left_on__isnull=True)
        self.fields["unit"].queryset = (restrict(user, "view", Unit)
                                        .filter(org__path__startswith=street)
                                        .exclude(pk__in=taken.values("unit_id")).order_by("code"))
        people = people_choices(user, alliance.org)
        self.fields["committee_person"].queryset = people
        self.fields["liaison"].queryset = people


class LeaveForm(Styled, forms.Form):
    left_on = forms.DateField(label="退出日期", widget=DATE_INPUT)
    left_reason = forms.CharField(label="退出原因", max_length=200)


class CodedUnits(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name}（{unit.code}）"


class RotationForm(Styled, forms.Form):
    units = CodedUnits(
        label="轮值单位", queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="按下方“轮值顺序”排列；未填顺序的按单位编码。")
    order = forms.CharField(label="轮值顺序", required=False,
                            help_text="可选：单位编码用逗号分隔，如 XZ-JSQ-U02,XZ-JSQ-U01。")
    months = forms.IntegerField(label="每任月数", min_value=1, max_value=24, initial=6)
    starts_on = forms.DateField(label="起始日期", widget=DATE_INPUT)
    rounds = forms.IntegerField(label="轮数", min_value=1, max_value=5, initial=1)

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(
            alliance_memberships__alliance=alliance,
            alliance_memberships__left_on__isnull=True).order_by("code")
        self.fields["units"].widget.attrs["class"] = "form-check-input"

    def ordered_units(self):
        units = list(self.cleaned_data["units"])
        codes = [c.strip() for c in (self.cleaned_data.get("order") or "").replace("，", ",")
                 .split(",") if c.strip()]
        rank = {code: i for i, code in enumerate(codes)}
        return sorted(units, key=lambda u: (rank.get(u.code, len(rank)), u.code))


class ChairTermForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(label="轮值单位", queryset=Unit.objects.none())
    starts_on = forms.DateField(label="开始日期", widget=DATE_INPUT)
    ends_on = forms.DateField(label="结束日期", widget=DATE_INPUT)

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            alliance_memberships__alliance=alliance,
            alliance_memberships__left_on__isnull=True).order_by("code")


class MeetingForm(Styled, forms.Form):
    title = forms.CharField(label="会议名称", max_length=150)
    starts_at = forms.DateTimeField(label="会议时间", widget=DATETIME_INPUT,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label="地点", max_length=150)
    agenda = forms.CharField(label="议程", widget=forms.Textarea(attrs={"rows": 5}))
    units = forms.ModelMultipleChoiceField(label="邀请单位", queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(alliance_memberships__alliance=alliance,
                                    alliance_memberships__left_on__isnull=True).order_by("code")
        self.fields["units"].queryset = units
        self.fields["units"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial.setdefault("units", list(units))


class DecisionForm(Styled, forms.Form):
    title = forms.CharField(label="决议事项", max_length=300, required=False)
    owner = forms.ChoiceField(label="责任方", required=False)
    deadline = forms.DateField(label="完成期限", required=False, widget=DATE_INPUT)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—— 请选择 ——"), *owners]


DecisionFormSet = forms.formset_factory(DecisionForm, extra=4, max_num=20)


class HoldForm(Styled, forms.Form):
    """The hold page: attendance, minutes and the decisions (a formset, prefix "d"); its
    cleaned data are the hold step's parameters: minutes, attended_units, decisions."""

    attended = forms.MultipleChoiceField(label="出席单位", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, data=None, files=None, *, meeting, **kwargs):
        super().__init__(data, files, **kwargs)
        invitations = list(meeting.invitations.select_related("unit"))
        self.invited = {str(i.unit_id): i.unit for i in invitations}
        self.fields["attended"].choices = [
            (str(i.unit_id), f"{i.unit.name}（{i.get_reply_display()}）") for i in invitations]
        self.fields["attended"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial["attended"] = [str(i.unit_id) for i in invitations
                                        if i.reply == Reply.ATTEND]
        units, orgs = owner_choices(meeting.alliance)
        self.owners = {**{f"o{o.pk}": ("owner_org", o) for o in orgs},
                       **{f"u{u.pk}": ("owner_unit", u) for u in units}}
        self.decisions = DecisionFormSet(data, prefix="d", form_kwargs={"owners": [
            ("组织", [(f"o{o.pk}", o.name) for o in orgs]),
            ("成员单位", [(f"u{u.pk}", u.name) for u in units])]})

    def clean(self):
        data = super().clean()
        if not self.decisions.is_valid():
            raise ValidationError("请核对决议事项。")
        rows = []
        for d in self.decisions.cleaned_data:
            if not d or not (d.get("title") or "").strip():
                continue  # rows left blank
            row = {"title": d["title"], "deadline": d.get("deadline"),
                   "owner_unit": None, "owner_org": None}
            if d.get("owner") in self.owners:
                key, owner = self.owners[d["owner"]]
                row[key] = owner
            rows.append(row)
        return {"minutes": data.get("minutes", ""), "decisions": rows,
                "attended_units": [self.invited[pk] for pk in data.get("attended", [])]}


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class ReplyForm(Styled, forms.Form):
    """One invited unit's reply; `units` are the invited units the user answers for."""

    unit = forms.CharField(widget=forms.HiddenInput, required=False)
    reply = forms.ChoiceField(label="回复", choices=[(Reply.ATTEND, "参会"),
                                                    (Reply.LEAVE, "请假")])
    note = forms.CharField(label="说明", max_length=200, required=False,
                           help_text="请假须说明原因；参会可填写参会人。")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}

    def clean(self):
        data = super().clean()
        unit = self.units.get(data.get("unit") or "")
        if unit is None:
            raise ValidationError("请选择本单位回复。")
        return {**data, "unit": unit}


class ProgressForm(Styled, forms.Form):
    note = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(Styled, forms.Form):
    note = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 3}))
    completed_on = forms.DateField(label="完成日期", widget=DATE_INPUT,
                                   initial=timezone.localdate)


class AgreementForm(Styled, forms.ModelForm):
    org = OrgChoiceField(label="甲方（街道/社区）", queryset=Organization.objects.none())
    unit = forms.ModelChoiceField(label="乙方（驻区单位）", queryset=Unit.objects.none())
    org_liaison = PersonField(label="甲方联络员", required=False, queryset=Person.objects.none())
    unit_liaison = PersonField(label="乙方联络员", required=False, queryset=Person.objects.none())

    class Meta:
        model = Agreement
        fields = ["number", "title", "org", "unit", "starts_on", "ends_on",
                  "rights_obligations", "service_items", "org_liaison", "unit_liaison"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT,
                   "rights_obligations": forms.Textarea(attrs={"rows": 6}),
                   "service_items": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = managed_orgs(user, Agreement)
        # Units and people of the streets the user works in (read from the few grants, not
        # from every organisation offered).
        within = Q(pk__in=[])
        for street in {street_path(o) for o in reach_orgs(user, "add", Agreement)}:
            within |= Q(org__path__startswith=street)
        self.fields["unit"].queryset = restrict(user, "view", Unit).filter(within).order_by("code")
        people = (restrict(user, "view", Person).filter(within)
                  .order_by("name_pinyin", "id").only("id", "name", "phone"))
        self.fields["org_liaison"].queryset = people
        self.fields["unit_liaison"].queryset = people

    def _post_clean(self):
        # The model's rules are checked by the service (one Chinese message naming the field).
        pass


class SignForm(Styled, forms.Form):
    signed_on = forms.DateField(label="签订日期", widget=DATE_INPUT, initial=timezone.localdate)


class TerminateForm(Styled, forms.Form):
    terminated_on = forms.DateField(label="终止日期", widget=DATE_INPUT,
                                    initial=timezone.localdate)
    reason = forms.CharField(label="终止原因", max_length=200)
