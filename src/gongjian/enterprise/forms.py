import functools

from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.forms import DATE_INPUT, Styled
from gongjian.members.models import Person
from gongjian.orgs.models import Organization, Unit, community_condition, street_path

from .models import COMPANY_TYPES, Cadre, Category, Satisfaction, ServiceArea


class Named(Styled):
    """Styled, and a missing or bad value names its field (“请填写办理情况。”)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label or ""
            chosen = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField))
            field.error_messages["required"] = f"请{'选择' if chosen else '填写'}{label}。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{label}格式不正确，应为 年-月-日。"
            if chosen:
                field.error_messages["invalid_choice"] = f"所选{label}不可用，请重新选择。"


def companies_in_reach(user, action="view"):
    return (restrict(user, action, Unit).filter(unit_type__in=COMPANY_TYPES)
            .select_related("org").order_by("name_pinyin", "id"))


class CadreChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        area = f" · {obj.area.name}" if obj.area_id else ""
        return f"{obj.person.name}（{obj.get_post_display()}{area}）"


class AreaForm(Named, forms.ModelForm):
    communities = forms.ModelMultipleChoiceField(
        label="覆盖社区", queryset=Organization.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ServiceArea
        fields = ["name", "leader", "communities", "order", "note"]
        field_classes = {"leader": CadreChoice}

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (Cadre.objects.filter(street=street, active=True)
                                          .select_related("person", "area"))
        self.fields["communities"].queryset = Organization.objects.active().communities().filter(
            path__startswith=street.path).order_by("path")
        self.fields["communities"].widget.attrs.pop("class", None)


class CadreForm(Named, forms.ModelForm):
    person_name = forms.CharField(label="姓名", max_length=50,
                                  help_text="须为本街道已登记的人员。")
    person_id = forms.IntegerField(label="人员编号", required=False,
                                   help_text="有同名人员时填写（见人员页面地址中的编号）。")

    class Meta:
        model = Cadre
        fields = ["post", "title", "area", "in_leading_group", "active"]

    def __init__(self, *args, street, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.street, self.user = street, user
        self.fields["area"].queryset = ServiceArea.objects.filter(street=street)
        self.order_fields(["person_name", "person_id"])
        if self.instance.pk:
            self.fields["person_name"].initial = self.instance.person.name
            self.fields["person_id"].initial = self.instance.person_id

    def clean(self):
        data = super().clean()
        name = (data.get("person_name") or "").strip()
        if not name:
            return data
        people = restrict(self.user, "view", Person).filter(
            org__path__startswith=self.street.path, name=name)
        if data.get("person_id"):
            people = people.filter(pk=data["person_id"])
        found = list(people[:2])
        if not found:
            self.add_error("person_name", f"本街道没有登记名为“{name}”的人员，请先在人员中登记。")
        elif len(found) > 1:
            self.add_error("person_id", f"本街道有多名“{name}”，请填写人员编号。")
        else:
            self.instance.person = found[0]
        return data


class LinkForm(Named, forms.Form):
    cadre = CadreChoice(label="挂钩干部", queryset=Cadre.objects.none())
    company = forms.ModelChoiceField(label="企业", queryset=Unit.objects.none())
    started_on = forms.DateField(label="挂钩开始日期", widget=DATE_INPUT,
                                 initial=timezone.localdate)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = (restrict(user, "view", Cadre).filter(active=True)
                                         .select_related("person", "area")
                                         .order_by("area__order", "post", "id"))
        self.fields["company"].queryset = companies_in_reach(user, "view")


class CaseForm(Named, forms.Form):
    company = forms.ModelChoiceField(label="企业", queryset=Unit.objects.none())
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    title = forms.CharField(label="标题", max_length=100)
    description = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 4}))
    raised_on = forms.DateField(label="提出日期", widget=DATE_INPUT, initial=timezone.localdate)
    on_behalf_of = CadreChoice(label="代为提出的挂钩干部", required=False,
                               queryset=Cadre.objects.none(),
                               help_text="挂钩干部走访时代企业提出的，选择该干部。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        companies = companies_in_reach(user, "view")
        self.fields["company"].queryset = companies
        cadres = restrict(user, "view", Cadre).filter(active=True).select_related(
            "person", "area")
        if cadres.exists():
            self.fields["on_behalf_of"].queryset = cadres
        else:
            del self.fields["on_behalf_of"]
        if len(companies[:2]) == 1:
            self.fields["company"].initial = companies[0].pk


class CaseStepForm(Named, forms.Form):
    """The form of one step of a case; `case` is the case it is taken on."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


def street_cadres(case):
    """The active cadres of the street of a case's company (who may handle or visit it)."""
    return (Cadre.objects.filter(street__path=street_path(case.company.org), active=True)
            .select_related("person", "area").order_by("area__order", "post", "id"))


class AssignForm(CaseStepForm):
    assignee = CadreChoice(label="承办干部", queryset=Cadre.objects.none(), required=False)
    assignee_org = forms.ModelChoiceField(label="承办组织", required=False,
                                          queryset=Organization.objects.none())
    deadline = forms.DateField(label="办理期限", widget=DATE_INPUT)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        street = street_path(case.company.org)
        self.fields["assignee"].queryset = street_cadres(case)
        self.fields["assignee_org"].queryset = Organization.objects.active().filter(
            Q(path=street) | community_condition(), path__startswith=street).order_by("path")
        if case.assignee_id:
            self.fields["assignee"].initial = case.assignee_id
        if case.deadline:
            self.fields["deadline"].initial = case.deadline


class VisitForm(CaseStepForm):
    visited_on = forms.DateField(label="走访日期", widget=DATE_INPUT, initial=timezone.localdate)
    visitor = CadreChoice(label="走访干部", queryset=Cadre.objects.none(), required=False)
    visitor_name = forms.CharField(label="走访人（非挂钩干部时填写）", max_length=50,
                                   required=False)
    done = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label="下一步", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitor"].queryset = street_cadres(self.case)
        if self.case.assignee_id:
            self.fields["visitor"].initial = self.case.assignee_id


class ResolveForm(CaseStepForm):
    resolution = forms.CharField(label="解决情况", widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label="解决日期", widget=DATE_INPUT, initial=timezone.localdate)


class RateForm(CaseStepForm):
    satisfaction = forms.ChoiceField(label="企业满意度", choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label="企业意见", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].widget.attrs.pop("class", None)


class CloseForm(CaseStepForm):
    reason = forms.CharField(label="关闭原因", widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(CaseStepForm):
    note = forms.CharField(label="重新办理说明", max_length=300)


STEP_FORMS = {"assign": AssignForm, "visit": VisitForm, "resolve": ResolveForm,
              "rate": RateForm, "close": CloseForm, "reopen": ReopenForm}


def step_forms(case):
    """Each step's form made for `case` (the assignees and visitors offered are its street's)."""
    return {step: functools.partial(form, case=case) for step, form in STEP_FORMS.items()}


__all__ = ["AreaForm", "CadreForm", "CaseForm", "LinkForm", "STEP_FORMS", "companies_in_reach",
           "step_forms"]
