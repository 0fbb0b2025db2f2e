"""Forms of 双报到. The member's form offers what anyone reads on the public boards (the
communities, their open needs: `public_scope("board")` through restrict) and the units of the
member's own branch; the community's step forms go through ScopedChoices. The services check
everything again and refuse in Chinese."""

from django import forms
from django.contrib.auth.models import AnonymousUser

from gongjian.core.access import restrict
from gongjian.core.forms import ScopedChoices, Styled
from gongjian.orgs.models import Grid, Organization, Unit
from gongjian.projects.models import Category

from . import services
from .models import Availability, EndReason, Grade

TEXTAREA = forms.Textarea(attrs={"rows": 2})


class CommunityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def communities_near(person) -> object:
    """The communities of the member's own tree (their district or city): those on a public
    board, active."""
    if person is None:
        return Organization.objects.none()
    root = person.org.path[:Organization.steplen]
    return (restrict(AnonymousUser(), "board", Organization).communities()
            .filter(path__startswith=root).order_by("path"))


class CommunityPickForm(Styled, forms.Form):
    """Step one: where the member lives (the rest of the form offers that community's
    needs)."""

    community = CommunityChoice(Organization.objects.none(), label="居住地所在社区",
                                empty_label="请选择社区",
                                error_messages={"invalid_choice": "请选择居住地所在社区。"})

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_near(person)


class DemandChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.get_category_display()}）"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReportForm(Styled, forms.Form):
    """The report form (报到登记表) for one community."""

    address = forms.CharField(label="居住地址", max_length=200,
                              help_text="小区、楼栋、单元、门牌号，社区据此核实并编入网格。")
    skills = forms.CharField(label="特长", max_length=200, required=False,
                             help_text="如：法律咨询、医疗护理、电脑维修、书法。")
    fields = forms.MultipleChoiceField(label="服务意向", choices=Category.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "请至少选择一项服务意向。"})
    demands = DemandChoices(None, label="认领社区需求", required=False,
                            widget=forms.CheckboxSelectMultiple,
                            help_text="社区公示栏上尚未办结的需求，可选。")
    availability = forms.ChoiceField(label="服务时间", choices=Availability.choices)
    availability_note = forms.CharField(label="时间说明", max_length=100, required=False,
                                        help_text="如：每月第二个周六上午。")
    unit = UnitChoice(Unit.objects.none(), label="所在单位", required=False,
                      empty_label="请选择",
                      help_text="您的党支部是联合党支部，请选择本人所在单位，回执将送达该单位。")

    def __init__(self, *args, community, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("fields", "demands"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        demands = services.open_demands(community)
        self.fields["demands"].queryset = demands
        if not demands.exists():
            del self.fields["demands"]
        membership = services.own_membership(person) if person is not None else None
        candidates = services.unit_candidates(membership.org) if membership else []
        if len(candidates) > 1:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in candidates])
            self.fields["unit"].initial = services.own_unit(person, membership.org)
        else:
            del self.fields["unit"]


class GridChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReceiveForm(ScopedChoices, Styled, forms.Form):
    grid = GridChoice(Grid.objects.all(), label="编入网格", required=False, empty_label="暂不编入",
                      help_text="核实居住地址后编入所在网格，便于网格联系服务。")

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = self.fields["grid"].queryset.filter(
            org__path__startswith=report.community.path).order_by("code")
        if report.grid_id:
            self.fields["grid"].initial = report.grid_id


class EndForm(Styled, forms.Form):
    end_kind = forms.ChoiceField(label="结束原因", choices=EndReason.choices)
    reason = forms.CharField(label="结束说明", max_length=200, widget=TEXTAREA)


class EvaluateForm(Styled, forms.Form):
    grade = forms.ChoiceField(label="评价等次", choices=Grade.choices)
    note = forms.CharField(label="评语", max_length=500, required=False, widget=TEXTAREA)


STEP_FORMS = {"receive": ReceiveForm, "end": EndForm, "evaluate": EvaluateForm}
