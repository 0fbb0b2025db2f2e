from django import forms

from gongjian.core.forms import DATE_INPUT, Styled

from .models import Category, Urgency

CATEGORY_CHOICES = list(Category.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; each is checked as an image by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class DemandForm(Styled, forms.Form):
    category = forms.ChoiceField(label="类别", choices=CATEGORY_CHOICES)
    title = forms.CharField(label="需求名称", max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": "如：高龄老人上门理发"}))
    description = forms.CharField(label="需求描述", max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label="地点", max_length=200)
    beneficiaries = forms.IntegerField(label="受益人数", min_value=1, max_value=1_000_000,
                                       error_messages={"min_value": "受益人数至少为 1。"})
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices)
    org = forms.ChoiceField(label="所属社区/组织", required=False)
    grid = forms.ChoiceField(label="所在网格", required=False)

    def __init__(self, *args, orgs=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        if orgs:
            self.fields["org"].choices = [(o.code, o.name) for o in orgs]
            self.fields["org"].required = True
        else:
            del self.fields["org"]
        if grids:
            self.fields["grid"].choices = [("", "（不指定）")] + [(g.code, g.name) for g in grids]
        else:
            del self.fields["grid"]


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ResourceForm(Styled, forms.Form):
    unit = forms.ChoiceField(label="提供单位", required=False)
    category = forms.ChoiceField(label="类别", choices=CATEGORY_CHOICES)
    title = forms.CharField(label="资源名称", max_length=100)
    description = forms.CharField(label="资源描述", max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    capacity = forms.IntegerField(label="服务容量（人次）",
                                  help_text="可服务的人数或次数，不能为负数。")
    available_text = forms.CharField(label="服务时间", max_length=200, required=False,
                                     help_text="如：每月第三个周六上午")
    available_from = forms.DateField(label="起始日期", required=False, widget=DATE_INPUT)
    available_until = forms.DateField(label="截止日期", required=False, widget=DATE_INPUT)
    address = forms.CharField(label="服务地点", max_length=200, required=False,
                              help_text="不填则使用单位地址。")
    active = forms.BooleanField(label="有效（可被匹配）", required=False, initial=True)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        if units:
            self.fields["unit"].choices = [(u.code, u.name) for u in units]
            self.fields["unit"].required = True
        else:
            del self.fields["unit"]


class ProjectForm(Styled, forms.Form):
    title = forms.CharField(label="项目名称", max_length=100)
    category = forms.ChoiceField(label="类别", choices=CATEGORY_CHOICES)
    description = forms.CharField(label="项目内容", max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    org = forms.ChoiceField(label="申报社区/组织")
    target_beneficiaries = forms.IntegerField(label="计划受益人数", min_value=0,
                                              max_value=1_000_000)
    planned_start = forms.DateField(label="计划开始日期", required=False, widget=DATE_INPUT)
    planned_end = forms.DateField(label="计划完成日期", required=False, widget=DATE_INPUT)
    demands = forms.MultipleChoiceField(label="来源需求", required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orgs=(), demands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, o.name) for o in orgs]
        self.fields["demands"].choices = [(str(d.pk), f"{d.title}（{d.org.name}）")
                                          for d in demands]
        if demands:
            self.fields["demands"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["demands"]


class ApproveForm(Styled, forms.Form):
    note = forms.CharField(label="立项意见", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(ApproveForm):
    def __init__(self, *args, label="说明", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label


class ClaimForm(Styled, forms.Form):
    """A claim: the unit (staff choose among the street's units, a liaison claims for their
    own) and the resource put in, each cleaned to one of the objects offered."""

    unit = forms.ChoiceField(label="认领单位", required=False)
    share = forms.IntegerField(label="认领份额（%）", min_value=1, max_value=100,
                               error_messages={"max_value": "认领份额不能超过 100%%。",
                                               "min_value": "认领份额至少为 1%%。"})
    resource = forms.ChoiceField(label="投入资源", required=False)
    uses = forms.IntegerField(label="占用资源（人次）", min_value=0, required=False,
                              error_messages={"min_value": "占用资源不能为负数。"})
    note = forms.CharField(label="认领说明", max_length=300, required=False)

    def __init__(self, *args, units=(), resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.resources = {str(r.pk): r for r in resources}
        if units:
            self.fields["unit"].choices = [(u.code, u.name) for u in units]
            self.fields["unit"].required = True
        else:
            del self.fields["unit"]
        self.fields["resource"].choices = [("", "（不指定）")] + [
            (str(r.pk), f"{r.title}（剩余 {r.remaining} 人次）") for r in resources]

    def clean_unit(self):
        return self.units.get(self.cleaned_data.get("unit") or "")

    def clean_resource(self):
        return self.resources.get(self.cleaned_data.get("resource") or "")

    def clean_uses(self):
        return self.cleaned_data.get("uses") or 0


class DockForm(Styled, forms.Form):
    date = forms.DateField(label="对接日期", widget=DATE_INPUT)
    place = forms.CharField(label="对接地点", max_length=200)
    plan = forms.CharField(label="实施方案", max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 5}))


class ProgressForm(Styled, forms.Form):
    text = forms.CharField(label="进展情况", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleImageField(label="照片", required=False,
                                help_text="JPEG、PNG、GIF 或 WebP，每张不超过 10 MB，最多 9 张。")


class AcceptForm(Styled, forms.Form):
    rating = forms.TypedChoiceField(label="群众评分", coerce=int,
                                    choices=[(5, "5 分 非常满意"), (4, "4 分 满意"),
                                             (3, "3 分 基本满意"), (2, "2 分 不太满意"),
                                             (1, "1 分 不满意")])
    beneficiary_count = forms.IntegerField(label="实际受益人数", min_value=0,
                                           max_value=1_000_000)
    comment = forms.CharField(label="验收意见", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SupervisionFilterForm(Styled, forms.Form):
    org = forms.CharField(label="组织编码", required=False)
    category = forms.ChoiceField(label="类别", required=False,
                                 choices=[("", "全部类别")] + CATEGORY_CHOICES)
