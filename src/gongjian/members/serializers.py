"""API representations of the roster. A member is a membership (its id) with the person's
data; ID numbers and phones are always given masked, and accepted in full on writes.

Serializers only check the shape of a request (Chinese labels for the choices, codes for
organisations); the rules live in services.py, which the views call with the values.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongjian.orgs.models import Organization
from gongjian.orgs.serializers import ScopedCodeField

from . import idnumber
from .choices import Category, Education, Ethnicity, Sex, Standing
from .models import Membership, Person

PERSON_FIELDS = ["name", "sex", "id_number", "birth_date", "ethnicity", "education", "phone",
                 "address", "work_unit", "job_post"]
MEMBERSHIP_FIELDS = ["org", "category", "joined_on", "confirmed_on", "standing"]


class LabelChoiceField(serializers.ChoiceField):
    """A choice given as its Chinese value (“男”, “大学专科”, “正式党员”); a wrong one is
    refused with the field's name and the accepted values."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, **kwargs)
        values = list(self.choices)
        accepted = "、".join(values) if len(values) <= 10 else \
            f"{values[0]}、{values[1]}等 {len(values)} 项之一（写全称）"
        label = kwargs.get("label", "")
        self.error_messages["invalid_choice"] = f"“{{input}}”不是有效的{label}，可选：{accepted}。"


def label_choice(choices, label, **kwargs):
    """A LabelChoiceField from TextChoices (same values and names as the model's field, so the
    schema has one enum for both) or from a list of values."""
    pairs = choices.choices if hasattr(choices, "choices") else [(v, v) for v in choices]
    return LabelChoiceField(pairs, label=label, **kwargs)


class MembershipHistorySerializer(serializers.ModelSerializer):
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, label="党组织编码")
    org_name = serializers.CharField(source="org.name", read_only=True, label="党组织名称")

    class Meta:
        model = Membership
        fields = ["id", "org", "org_name", "category", "joined_on", "confirmed_on", "standing",
                  "active", "ended_on", "end_reason"]
        read_only_fields = fields


# A member as lists show it: the membership with its person (selected with it).
class MemberSerializer(serializers.ModelSerializer):

    name = serializers.CharField(source="person.name", label="姓名")
    sex = serializers.CharField(source="person.sex", label="性别")
    ethnicity = serializers.CharField(source="person.ethnicity", label="民族")
    birth_date = serializers.SerializerMethodField(
        label="出生日期", help_text="可查看完整身份号码的用户才得到；其他用户为 null，只有 birth_year"
        "（身份号码遮蔽的正是出生日期）。")
    birth_year = serializers.SerializerMethodField(label="出生年份")
    age = serializers.SerializerMethodField(label="年龄（周岁）")
    id_number_masked = serializers.CharField(source="person.id_number_masked",
                                             label="公民身份号码（遮蔽）")
    phone_masked = serializers.CharField(source="person.phone_masked", label="联系电话（遮蔽）")
    education = serializers.CharField(source="person.education", label="学历")
    address = serializers.CharField(source="person.address", label="家庭住址")
    work_unit = serializers.CharField(source="person.work_unit", label="工作单位")
    job_post = serializers.CharField(source="person.job_post", label="工作岗位")
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, label="所在党支部编码")
    org_name = serializers.CharField(source="org.name", label="所在党支部名称")

    class Meta:
        model = Membership
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "birth_year", "age",
                  "id_number_masked",
                  "phone_masked", "education", "address", "work_unit", "job_post", "org",
                  "org_name", "category", "joined_on", "confirmed_on", "standing", "active",
                  "ended_on", "end_reason"]
        read_only_fields = fields

    def _revealable(self) -> set[int]:
        """The people of this answer (the page, or the one record) whose full ID number the
        user may reveal: one query for the whole page, kept in the serializer's context."""
        context = self.context
        if "revealable_people" not in context:
            from gongjian.core.access import restrict

            rows = self.parent.instance if self.parent is not None else [self.instance]
            request = context.get("request")
            user = getattr(request, "user", None)
            context["revealable_people"] = set(
                restrict(user, "reveal", Person).filter(pk__in=[m.person_id for m in rows])
                .values_list("pk", flat=True)) if user is not None else set()
        return context["revealable_people"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, membership):
        revealable = getattr(membership, "person_revealable", None)  # the API's annotation
        if revealable is None:
            revealable = membership.person_id in self._revealable()
        return membership.person.birth_date if revealable else None

    @extend_schema_field(serializers.IntegerField())
    def get_birth_year(self, membership):
        return membership.person.birth_date.year

    @extend_schema_field(serializers.IntegerField())
    def get_age(self, membership):
        return membership.person.age_on(timezone.localdate())


# One member with the memberships of their record (`history` set by the view).
class MemberDetailSerializer(MemberSerializer):

    history = MembershipHistorySerializer(many=True, read_only=True, label="党籍记录")

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "history"]
        read_only_fields = fields


class MemberWriteSerializer(serializers.Serializer):
    """Registering or changing a member. On change every field is optional; an ID number or
    phone left out keeps the stored one."""

    name = serializers.CharField(max_length=50, label="姓名")
    sex = label_choice(Sex, "性别")
    id_number = serializers.CharField(max_length=18, label="公民身份号码",
                                      help_text="18 位，末位可为 X；校验位和出生日期、性别须与记录一致。")
    birth_date = serializers.DateField(label="出生日期")
    ethnicity = label_choice(Ethnicity, "民族", required=False)
    education = label_choice(Education, "学历")
    phone = serializers.CharField(max_length=11, required=False, allow_blank=True,
                                  label="联系电话", help_text="11 位手机号。")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    label="家庭住址")
    work_unit = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                      label="工作单位")
    job_post = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                     label="工作岗位")
    org = ScopedCodeField(noun="党组织", queryset=Organization.objects.all(),
                          label="所在党支部编码")
    category = label_choice(Category, "党员类别")
    joined_on = serializers.DateField(label="入党日期")
    confirmed_on = serializers.DateField(required=False, allow_null=True, label="转正日期")
    standing = label_choice(Standing, "党籍状态", required=False,
                       help_text="不填为“正常”。")

    def validate_id_number(self, value):
        return idnumber.normalize(value)

    def person_data(self):
        return {k: v for k, v in self.validated_data.items() if k in PERSON_FIELDS}

    def membership_data(self):
        return {k: v for k, v in self.validated_data.items() if k in MEMBERSHIP_FIELDS}


class RevealRequestSerializer(serializers.Serializer):
    field = label_choice(["id_number", "phone"], "字段", help_text="id_number 或 phone")


class RevealSerializer(serializers.Serializer):
    value = serializers.CharField(label="完整值", allow_blank=True)
