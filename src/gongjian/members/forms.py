"""Roster forms: the member form (person and membership in one) and the base of the list's
filter form.

The member form checks what the models check (ID check digit, birth date and sex against the
ID, phone, dates) so that every mistake shows at once beside its field; the services check it
all again, with what needs the database (a number already registered, a second active
membership), before anything is written.
"""

from django import forms
from django.core.exceptions import ValidationError

from gongjian.core.forms import DATE_INPUT, Styled
from gongjian.core.services import DomainError
from gongjian.orgs.forms import OrgPicker

from . import idnumber
from .choices import Category, Education, Sex
from .models import Membership, Person, joined_under_age
from .services import check_id_number_free, org_in_reach, registered_person

PERSON_FIELDS = ["name", "sex", "id_number", "birth_date", "ethnicity", "education", "phone",
                 "address", "work_unit", "job_post"]
MEMBERSHIP_FIELDS = ["org", "category", "joined_on", "confirmed_on", "standing"]
# Kept encrypted and never put into a page unless revealed: on edit, blank means unchanged.
SECRET_FIELDS = ("id_number", "phone")


def _any(label, choices):
    return [("", label)] + list(choices)


class RosterFilterForm(Styled, forms.Form):
    """The form of the roster's FilterSet (members.filtersets.RosterFilterSet, which declares
    the fields): the site's widget classes, in their small size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs["class"] = widget.attrs["class"].replace(
                "form-select", "form-select form-select-sm").replace(
                "form-control", "form-control form-control-sm")

    def full_clean(self):
        super().full_clean()
        for name in self._errors or ():  # outline a refused filter
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _model_field(model, name, **kwargs):
    field = model._meta.get_field(name).formfield(**kwargs)
    return field


class MemberForm(Styled, forms.Form):
    """One party member: who they are (Person) and their membership (Membership)."""

    name = _model_field(Person, "name")
    sex = _model_field(Person, "sex")
    id_number = forms.CharField(label="公民身份号码", max_length=18, min_length=18,
                                error_messages={"min_length": "公民身份号码须为 18 位。",
                                                "max_length": "公民身份号码须为 18 位。"})
    birth_date = forms.DateField(label="出生日期", widget=DATE_INPUT)
    ethnicity = _model_field(Person, "ethnicity")
    education = _model_field(Person, "education")
    phone = forms.CharField(label="联系电话", max_length=11, required=False,
                            help_text="11 位手机号。")
    address = _model_field(Person, "address")
    work_unit = _model_field(Person, "work_unit")
    job_post = _model_field(Person, "job_post")
    org = forms.CharField(label="所在党支部", widget=OrgPicker,
                          help_text="输入名称、拼音或首字母查找，或直接填写组织编码。")
    category = _model_field(Membership, "category")
    joined_on = forms.DateField(label="入党日期", widget=DATE_INPUT)
    confirmed_on = forms.DateField(label="转正日期", required=False, widget=DATE_INPUT,
                                   help_text="预备党员不填。")
    standing = _model_field(Membership, "standing")

    def __init__(self, *args, user, membership=None, **kwargs):
        self.user = user
        self.membership = membership
        if membership is not None and "initial" not in kwargs:
            kwargs["initial"] = member_initial(membership)
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = _any("请选择", Sex.choices)
        self.fields["category"].choices = _any("请选择", Category.choices)
        self.fields["education"].choices = _any("请选择", Education.choices)
        self.fields["education"].required = True
        self.existing_person = None
        if membership is not None:
            for name in SECRET_FIELDS:
                field = self.fields[name]
                field.required = False
                current = getattr(membership.person, f"{name}_masked") or "未填写"
                field.help_text = f"当前：{current}。留空表示不修改。"
                field.widget.attrs["autocomplete"] = "off"

    def mark_invalid(self):
        """Outline the fields with errors (also those a service refused after validation)."""
        for name in self._errors or ():
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])

    # The page's two groups of fields, read when it is drawn: by then every refusal (the
    # service's too) is on the form, so the fields with errors are outlined here.
    @property
    def person_fields(self):
        self.mark_invalid()
        return [self[name] for name in PERSON_FIELDS]

    @property
    def membership_fields(self):
        self.mark_invalid()
        return [self[name] for name in MEMBERSHIP_FIELDS]

    # -- field checks --------------------------------------------------------------------------

    def clean_id_number(self):
        value = idnumber.normalize(self.cleaned_data.get("id_number"))
        if not value:
            return value
        try:
            idnumber.parse(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return value

    def clean_org(self):
        code = (self.cleaned_data.get("org") or "").strip()
        action = "change" if self.membership is not None else "add"
        org = org_in_reach(code, user=self.user, action=action)
        if org is None:
            raise ValidationError(f"组织编码“{code}”不存在或不在您的管理范围内。")
        if not org.is_active:
            raise ValidationError(f"“{org.name}”已撤销，不能登记党员。")
        return org

    def clean(self):
        data = super().clean()
        if not self.errors.get("id_number") and data.get("id_number"):
            self.existing_person = self._existing_person(data["id_number"])
        person, membership = self.build()
        for instance, names in ((person, PERSON_FIELDS), (membership, MEMBERSHIP_FIELDS)):
            try:
                instance.clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    if field in names and field not in self.errors:
                        for message in messages:
                            self.add_error(field, message)
        if person.pk is None and "joined_on" not in self.errors \
                and (under_age := joined_under_age(person.birth_date, membership.joined_on)):
            self.add_error("joined_on", under_age)
        return data

    def _existing_person(self, number):
        try:
            if self.membership is not None:
                check_id_number_free(number, self.membership.person)
                return None
            return registered_person(number, user=self.user)
        except DomainError as error:
            self.add_error("id_number", error.message)
            return None

    # -- results -------------------------------------------------------------------------------

    def person_changes(self):
        data = self.cleaned_data
        changes = {name: data[name] for name in PERSON_FIELDS if name in data}
        if self.membership is not None:
            for name in SECRET_FIELDS:
                if not changes.get(name):
                    changes.pop(name, None)
        return changes

    def membership_changes(self):
        data = self.cleaned_data
        return {name: data[name] for name in MEMBERSHIP_FIELDS if name in data}

    def build(self):
        """Unsaved instances carrying the form's values (for checks and for the service)."""
        if self.membership is not None:
            membership = Membership.objects.select_related("person", "org").get(
                pk=self.membership.pk)
            person = membership.person
        else:
            person = self.existing_person or Person()
            membership = Membership()
        for name, value in self.person_changes().items():
            setattr(person, name, value)
        for name, value in self.membership_changes().items():
            setattr(membership, name, value)
        if person.pk is not None:
            membership.person = person
        return person, membership


def member_initial(membership):
    person = membership.person
    initial = {name: getattr(person, name) for name in PERSON_FIELDS
               if name not in SECRET_FIELDS}
    initial.update({name: getattr(membership, name) for name in MEMBERSHIP_FIELDS})
    initial["org"] = membership.org.code
    return initial
