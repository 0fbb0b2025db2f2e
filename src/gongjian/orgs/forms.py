from django import forms

from gongjian.core.forms import DATE_INPUT, Styled

from .models import Building, Grid, GridRole, Organization, Unit


class OrgPicker(forms.TextInput):
    """A code input that searches organisations by name, pinyin or initials as one types."""

    template_name = "orgs/widgets/org_picker.html"


def _code_field(label, required=True, help_text=""):
    return forms.CharField(label=label, required=required, widget=OrgPicker, help_text=help_text
                           or "输入名称、拼音或首字母查找，或直接填写组织编码。")


class OrgForm(Styled, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "sector", "is_regional", "project_name",
                  "established_on", "note"]
        widgets = {"established_on": DATE_INPUT,
                   "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class MoveForm(Styled, forms.Form):
    parent = _code_field("新的上级组织")


class MergeForm(Styled, forms.Form):
    survivor = _code_field("并入（存续）组织")
    reason = forms.CharField(label="合并原因", max_length=200, required=False)


class DissolveForm(Styled, forms.Form):
    dissolved_on = forms.DateField(label="撤销日期", widget=DATE_INPUT)
    reason = forms.CharField(label="撤销原因", max_length=200,
                             help_text="如：长期无党员活动的空壳支部，经街道党工委研究撤销。")


class GridForm(Styled, forms.ModelForm):
    org_code = _code_field("所属党组织", help_text="社区党委、党总支或网格党支部的编码。")

    class Meta:
        model = Grid
        fields = ["code", "name", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        self.order_fields(["code", "name", "org_code", "note"])


class GridPostForm(Styled, forms.Form):
    role = forms.ModelChoiceField(label="岗位", queryset=GridRole.objects.filter(active=True),
                                  empty_label=None)
    holder_name = forms.CharField(label="姓名", max_length=50)
    since = forms.DateField(label="任职日期", required=False, widget=DATE_INPUT)


class BuildingForm(Styled, forms.ModelForm):
    class Meta:
        model = Building
        fields = ["name", "address", "floors", "households"]


class UnitForm(Styled, forms.ModelForm):
    org_code = _code_field("所在街道/社区")
    party_org_code = _code_field("本单位党组织", required=False,
                                 help_text="单位建有党组织时填写；两新组织覆盖率据此统计。")

    class Meta:
        model = Unit
        fields = ["code", "name", "unit_type", "address", "lng", "lat", "contact_name",
                  "contact_phone", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        self.fields["lng"].help_text = "经纬度可选，须在中国境内。"


class GridRoleForm(Styled, forms.ModelForm):
    class Meta:
        model = GridRole
        fields = ["name", "order", "active"]
