from django import forms

from gongjian.core.forms import DATE_INPUT, CodeChoiceField, ScopedChoices, Styled, scoped

from .models import Building, Grid, GridRole, Organization, Unit


class OrgPicker(forms.TextInput):
    """A code input that searches organisations by name, pinyin or initials as one types."""

    template_name = "orgs/widgets/org_picker.html"


def _org_field(label, action="view", required=True, help_text=""):
    """An organisation named by its code, among those the user may `action` (ScopedChoices)."""
    return scoped(CodeChoiceField(
        Organization.objects.all(), noun="组织", label=label, required=required,
        widget=OrgPicker, help_text=help_text or "输入名称、拼音或首字母查找，或直接填写组织编码。"),
        action)


class _CodeOnCreate:
    """A code is given once, when the object is set up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["code"]


class OrgForm(_CodeOnCreate, Styled, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "sector", "is_regional", "project_name",
                  "established_on", "note"]
        widgets = {"established_on": DATE_INPUT,
                   "note": forms.Textarea(attrs={"rows": 3})}


class MoveForm(ScopedChoices, Styled, forms.Form):
    parent = _org_field("新的上级组织", "move")


class MergeForm(ScopedChoices, Styled, forms.Form):
    survivor = _org_field("并入（存续）组织", "merge")
    reason = forms.CharField(label="合并原因", max_length=200, required=False)


class DissolveForm(Styled, forms.Form):
    dissolved_on = forms.DateField(label="撤销日期", widget=DATE_INPUT)
    reason = forms.CharField(label="撤销原因", max_length=200,
                             help_text="如：长期无党员活动的空壳支部，经街道党工委研究撤销。")


class GridForm(ScopedChoices, _CodeOnCreate, Styled, forms.ModelForm):
    org = _org_field("所属党组织", help_text="社区党委、党总支或网格党支部的编码。")

    class Meta:
        model = Grid
        fields = ["code", "name", "org", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class GridPostForm(ScopedChoices, Styled, forms.Form):
    role = forms.ModelChoiceField(label="岗位", queryset=GridRole.objects.filter(active=True),
                                  empty_label=None)
    holder_name = forms.CharField(label="姓名", max_length=50)
    since = forms.DateField(label="任职日期", required=False, widget=DATE_INPUT)


class BuildingForm(Styled, forms.ModelForm):
    class Meta:
        model = Building
        fields = ["name", "address", "floors", "households"]


class UnitForm(ScopedChoices, _CodeOnCreate, Styled, forms.ModelForm):
    org = _org_field("所在街道/社区")
    party_org = _org_field("本单位党组织", required=False,
                           help_text="单位建有党组织时填写；两新组织覆盖率据此统计。")

    class Meta:
        model = Unit
        fields = ["code", "name", "unit_type", "org", "address", "lng", "lat", "contact_name",
                  "contact_phone", "party_org", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lng"].help_text = "经纬度可选，须在中国境内。"


class GridRoleForm(Styled, forms.ModelForm):
    class Meta:
        model = GridRole
        fields = ["name", "order", "active"]
