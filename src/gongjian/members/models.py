import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.crypto import EncryptedField, blind_index
from gongjian.orgs.models import Organization, PinyinNamed

from . import idnumber
from .choices import ON_ROSTER, Category, Education, Ethnicity, Post, Sex, StaffRole, Standing

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", "手机号须为 11 位，以 13–19 开头。")


# The person's attributes that member statistics count by, copied onto Membership so that the
# statistics scan one table (544,000 rows in a city) instead of joining memberships to people.
PERSON_COPIES = ("birth_date", "sex", "education", "ethnicity")


class Person(PinyinNamed):
    """Somebody the street knows: a member, a resident, a volunteer or a unit contact,
    entered once. The ID number and phone are stored encrypted (SM4) with blind indexes."""

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=2, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=Ethnicity.choices,
                                 default="汉族")
    birth_date = models.DateField("出生日期")
    id_number = EncryptedField("公民身份号码", blank=True)
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                       editable=False,
                                       error_messages={"unique": "该公民身份号码已登记。"})
    phone = EncryptedField("联系电话", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    education = models.CharField("学历", max_length=10, choices=Education.choices, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    job_post = models.CharField("工作岗位", max_length=50, blank=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people",
                            verbose_name="所属组织")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    # The audit log must not become a second, unencrypted copy of personal data.
    audit_hidden_fields = ("id_number", "phone", "id_number_index", "phone_index")
    scope_org_path = "org__path"
    scope_self = "account__pk"

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["birth_date"]), models.Index(fields=["education"])]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self):
        return idnumber.mask(self.id_number) if self.id_number else ""

    @property
    def birth_date_masked(self):
        return idnumber.mask_birth_date(self.birth_date)

    @property
    def phone_masked(self):
        return idnumber.mask_phone(self.phone) if self.phone else ""

    def age_on(self, day):
        return day.year - self.birth_date.year - (
            (day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = "出生日期不能晚于今天。"
        if self.id_number:
            self.id_number = idnumber.normalize(self.id_number)
            try:
                birth, sex = idnumber.parse(self.id_number)
            except ValidationError as error:
                errors["id_number"] = error.messages
            else:
                if self.birth_date and birth != self.birth_date:
                    errors["birth_date"] = (f"出生日期 {self.birth_date:%Y-%m-%d} 与公民身份号码中的"
                                            f" {birth:%Y-%m-%d} 不一致。")
                if self.sex and sex != self.sex:
                    errors["sex"] = f"性别“{self.sex}”与公民身份号码（{sex}）不一致。"
        if self.phone:
            self.phone = self.phone.strip()
            try:
                mobile_validator(self.phone)
            except ValidationError as error:
                errors["phone"] = error.messages
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.id_number_index = blind_index("id", self.id_number) if self.id_number else None
        self.phone_index = blind_index("phone", self.phone) if self.phone else ""
        super().save(*args, **kwargs)
        # Keep the copies on the person's memberships in step (one indexed UPDATE).
        Membership.objects.filter(person_id=self.pk).update(
            **{f"person_{name}": getattr(self, name) for name in PERSON_COPIES})


class _PersonCopy(DeferredAttribute):
    """Reads the attribute from the membership's person while that person is loaded on the
    instance, so whatever writes the membership (save, bulk_create, COPY through attname)
    stores the person's current value; else the stored copy."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        person = Membership.person.field.get_cached_value(instance, None)
        if person is not None:
            return getattr(person, self.field.copy_of)
        return super().__get__(instance, cls)

    def __set__(self, instance, value):  # a data descriptor, so __get__ sees every read
        instance.__dict__[self.field.attname] = value


class _PersonCopyMixin:
    descriptor_class = _PersonCopy

    def __init__(self, *args, copy_of, **kwargs):
        self.copy_of = copy_of
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["copy_of"] = self.copy_of
        path = f"gongjian.members.models.{type(self).__name__}"
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        if model_instance.person_id and not Membership.person.is_cached(model_instance):
            model_instance.person  # noqa: B018 — load it, so the copy is the current value
        return super().pre_save(model_instance, add)


class PersonCopyDateField(_PersonCopyMixin, models.DateField):
    pass


class PersonCopyCharField(_PersonCopyMixin, models.CharField):
    pass


def joined_under_age(birth: datetime.date | None, joined: datetime.date | None) -> str | None:
    """The refusal when someone joined the party before turning 18 (the Party Constitution's
    minimum age), else None. One rule for the form, the import and the model."""
    if not (birth and joined):
        return None
    leap_day = (birth.month, birth.day) == (2, 29)
    eighteen = birth.replace(year=birth.year + 18, day=28 if leap_day else birth.day)
    if joined < eighteen:
        return f"入党日期 {joined:%Y-%m-%d} 时未满 18 周岁（出生于 {birth:%Y-%m-%d}）。"
    return None


class Membership(models.Model):
    """A person's party membership in one organisation. One active membership per person;
    ended ones stay as history (transfers, deaths)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name="党员")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships",
                            verbose_name="所在党支部")
    category = models.CharField("党员类别", max_length=8, choices=Category.choices)
    joined_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    standing = models.CharField("党籍状态", max_length=8, choices=Standing.choices,
                                default=Standing.NORMAL)
    active = models.BooleanField("在册", default=True)
    ended_on = models.DateField("离册日期", null=True, blank=True)
    end_reason = models.CharField("离册原因", max_length=200, blank=True)
    # Copies of the person's attributes, for statistics without a join (see PERSON_COPIES);
    # never edited here: they follow the person.
    person_birth_date = PersonCopyDateField("出生日期", copy_of="birth_date", null=True,
                                            editable=False)
    person_sex = PersonCopyCharField("性别", copy_of="sex", max_length=2, blank=True,
                                     editable=False)
    person_education = PersonCopyCharField("学历", copy_of="education", max_length=10,
                                           blank=True, editable=False)
    person_ethnicity = PersonCopyCharField("民族", copy_of="ethnicity", max_length=10,
                                           blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    audit_hidden_fields = ("person_birth_date", "person_sex", "person_education",
                           "person_ethnicity")
    scope_org_path = "org__path"
    scope_self = "person__account__pk"

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(active=True),
                                    name="one_active_membership",
                                    violation_error_message="此人已有在册的党籍，不能重复登记。"),
        ]
        indexes = [models.Index(fields=["org", "active"]), models.Index(fields=["category"]),
                   models.Index(fields=["standing"]),
                   # Whether a branch has its third full member (a joint branch is due, RULES
                   # §9) is one index-only probe per branch in organisational-life compliance.
                   models.Index(fields=["org", "id"], name="members_full_on_roster",
                                condition=Q(active=True, category=Category.FULL,
                                            standing__in=sorted(ON_ROSTER)))]

    def __str__(self):
        return f"{self.person.name}（{self.org.name}）"

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.joined_on and self.joined_on > today:
            errors["joined_on"] = "入党日期不能晚于今天。"
        if self.confirmed_on and self.confirmed_on > today:
            errors["confirmed_on"] = "转正日期不能晚于今天。"
        if self.joined_on and self.confirmed_on and self.confirmed_on < self.joined_on:
            errors["confirmed_on"] = "转正日期不能早于入党日期。"
        if self.category == Category.FULL and self.joined_on and not self.confirmed_on \
                and "confirmed_on" not in errors:
            pass  # older records often lack the confirmation date; accepted as unknown
        if self.category == Category.PROBATIONARY and self.confirmed_on:
            errors["confirmed_on"] = "预备党员尚未转正，不应填写转正日期。"
        if self.person_id and (under_age := joined_under_age(self.person.birth_date,
                                                              self.joined_on)):
            errors["joined_on"] = under_age
        if self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if errors:
            raise ValidationError(errors)


class Team(models.Model):
    """A leadership team (班子) of an organisation from one election to the next."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams",
                            verbose_name="组织")
    elected_on = models.DateField("选举日期")
    ended_on = models.DateField("届满/换届日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "班子"
        verbose_name_plural = "班子"
        ordering = ["org__path", "-elected_on"]

    def __str__(self):
        return f"{self.org.name} {self.elected_on:%Y-%m-%d} 班子"


class TeamSeat(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="seats",
                             verbose_name="班子")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="seats",
                               verbose_name="人员")
    post = models.CharField("职务", max_length=20, default=Post.MEMBER)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "team__org__path"

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["team_id", "id"]
        indexes = [models.Index(fields=["started_on", "ended_on"])]

    def __str__(self):
        return f"{self.person.name} {self.post}"


class StaffAssignment(models.Model):
    """Full-time party workers of a community, and instructors sent to non-public units."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="staff_roles",
                               verbose_name="人员")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="staff",
                            verbose_name="所在组织")
    role = models.CharField("岗位", max_length=10, choices=StaffRole.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="instructors", verbose_name="指导单位")
    started_on = models.DateField("到岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "党务工作者"
        verbose_name_plural = "党务工作者"
        ordering = ["org__path", "role", "id"]

    def __str__(self):
        return f"{self.person.name} {self.get_role_display()}"

    def clean(self):
        if self.role == StaffRole.INSTRUCTOR and not self.unit_id:
            raise ValidationError({"unit": "党建指导员须指定所指导的单位。"})
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "离岗日期不能早于到岗日期。"})


class StaffingStandard(models.Model):
    """How many of each full-time role a community should have (configurable)."""

    role = models.CharField("岗位", max_length=10, choices=StaffRole.choices, unique=True)
    count = models.PositiveSmallIntegerField("每个社区配备人数", default=1)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_global = True

    class Meta:
        verbose_name = "配备标准"
        verbose_name_plural = "配备标准"

    def __str__(self):
        return f"{self.get_role_display()} {self.count} 名"
