"""Forms of the checklists. Every organisation offered goes through restrict() (ScopedChoices);
the services check the rest (levels, dates) and refuse in Chinese."""

from django import forms
from django.db.models import Q

from gongjian.core.access import reach_orgs
from gongjian.core.forms import DATE_INPUT, ScopedChoices, Styled
from gongjian.orgs.models import Organization

from .models import Category, ChecklistItem, Kind, Source
from .services import EDIT_FIELDS

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrgChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _active():
    return Organization.objects.active().order_by("path")


def _under(orgs, *, depth_below=None, include_self=False):
    """Organisations under any of `orgs` (`depth_below` levels down only, if given)."""
    condition = Q(pk__in=[])
    for org in orgs:
        below = Q(path__startswith=org.path) & ~Q(pk=org.pk) if not include_self \
            else Q(path__startswith=org.path)
        if depth_below is not None:
            below &= Q(depth=org.depth + depth_below)
        condition |= below
    return condition


class PublishForm(ScopedChoices, Styled, forms.Form):
    """建单: a 责任清单 item for the organisations right below the publisher."""

    publisher = OrgChoice(_active(), label="发布组织", empty_label=None)
    orgs = OrgChoices(_active(), label="责任组织", widget=forms.CheckboxSelectMultiple,
                      help_text="每个组织各领一单，分别报告、验收。",
                      error_messages={"required": "请选择至少一个责任组织。"})
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    title = forms.CharField(label="事项", max_length=150)
    content = forms.CharField(label="内容", widget=TEXTAREA, required=False)
    target = forms.CharField(label="目标", max_length=500, required=False)
    measures = forms.CharField(label="措施", widget=TEXTAREA, required=False)
    deadline = forms.DateField(label="完成时限", widget=DATE_INPUT)
    public = forms.BooleanField(label="晒单（公开）", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        mine = reach_orgs(user, "add", ChecklistItem)
        self.fields["publisher"].queryset = self.fields["publisher"].queryset.filter(
            pk__in=[o.pk for o in mine])
        self.fields["orgs"].queryset = self.fields["orgs"].queryset.filter(
            _under(mine, depth_below=1))
        self.fields["orgs"].widget.attrs["class"] = "form-check-input"


class ProblemForm(ScopedChoices, Styled, forms.Form):
    """登记问题: where it was found, what, who rectifies it, by when."""

    org = OrgChoice(_active(), label="责任组织", empty_label="请选择")
    source = forms.ChoiceField(label="问题来源", choices=Source.choices)
    title = forms.CharField(label="问题", max_length=150)
    content = forms.CharField(label="问题描述", widget=TEXTAREA)
    deadline = forms.DateField(label="整改时限", widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        mine = reach_orgs(user, "add", ChecklistItem)
        self.fields["org"].queryset = self.fields["org"].queryset.filter(
            _under(mine, include_self=True))


class ListForm(ScopedChoices, Styled, forms.Form):
    """A line of a community's 学习清单 or 活动清单."""

    org = OrgChoice(_active(), label="社区（组织）", empty_label=None)
    title = forms.CharField(label="名称", max_length=150)
    content = forms.CharField(label="内容", widget=TEXTAREA, required=False)
    starts_on = forms.DateField(label="开始日期", widget=DATE_INPUT, required=False)
    ends_on = forms.DateField(label="结束日期", widget=DATE_INPUT, required=False)
    period = forms.CharField(label="时间安排", max_length=100, required=False,
                             help_text="如：每月第一个周五下午；填写日期或时间安排之一。")
    place = forms.CharField(label="地点", max_length=150, required=False)
    public = forms.BooleanField(label="在公示栏公开", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        mine = reach_orgs(user, "add", ChecklistItem)
        # The community's own list, or the communities of the user's street.
        self.fields["org"].queryset = self.fields["org"].queryset.filter(
            Q(pk__in=[o.pk for o in mine]) | _under(mine, depth_below=1)).filter(
            sector__in=("community", "street"))


CREATE_FORMS = {Kind.RESPONSIBILITY: PublishForm, Kind.PROBLEM: ProblemForm,
                Kind.LEARNING: ListForm, Kind.ACTIVITY: ListForm}


class EditForm(Styled, forms.ModelForm):
    """The fields of an item still open to correction (services.EDIT_FIELDS per kind)."""

    class Meta:
        model = ChecklistItem
        fields = ["title", "category", "source", "content", "target", "measures", "starts_on",
                  "ends_on", "period", "place", "public"]
        widgets = {"content": TEXTAREA, "measures": TEXTAREA, "starts_on": DATE_INPUT,
                   "ends_on": DATE_INPUT}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = EDIT_FIELDS[Kind(self.instance.kind)]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


# ---- step forms ----------------------------------------------------------------------------

class EvidenceForm(Styled, forms.Form):
    evidence = forms.CharField(label="完成情况与佐证", widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=4000, help_text="写明做了什么、效果如何；无需上传照片。")


class ResultForm(Styled, forms.Form):
    result = forms.CharField(label="意见", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="退回理由", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class MeasuresForm(Styled, forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=4000)


class ExtendForm(Styled, forms.Form):
    deadline = forms.DateField(label="新的完成时限", widget=DATE_INPUT)
    reason = forms.CharField(label="延期理由", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


STEP_FORMS = {"progress": EvidenceForm, "submit": EvidenceForm, "apply_close": EvidenceForm,
              "accept": ResultForm, "close_out": ResultForm, "send_back": ReasonForm,
              "reject": ReasonForm, "rectify": MeasuresForm, "extend": ExtendForm}
