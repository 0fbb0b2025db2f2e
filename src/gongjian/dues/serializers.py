"""Serializers of the dues API (prefixed Dues…: the schema's components are global). A member
is named by name and membership id, never an ID number."""

from rest_framework import serializers

from .models import Kind, Method, Month, Payment


def _codes(choices):
    return "；".join(f"{value} {label}" for value, label in choices)


class DuesCalcSerializer(serializers.Serializer):
    kind = serializers.CharField(label="党员类别", help_text=_codes(Kind.choices))
    kind_label = serializers.CharField(label="党员类别名称")
    base = serializers.DecimalField(label="月收入基数", max_digits=12, decimal_places=2,
                                    allow_null=True)
    rate = serializers.DecimalField(label="比例（定额时为空）", max_digits=6, decimal_places=4,
                                    allow_null=True)
    monthly = serializers.DecimalField(label="月缴党费（元）", max_digits=12, decimal_places=2)
    source = serializers.CharField(label="依据")


class DuesMonthSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", label="所属月份")
    paid_month = serializers.DateField(format="%Y-%m", label="交纳月份")

    class Meta:
        model = Month
        fields = ["month", "paid_month", "base", "rate", "due", "paid", "reduction",
                  "reduction_reason", "reduction_approved_by"]


class DuesPaymentSerializer(serializers.ModelSerializer):
    number = serializers.CharField(label="收据编号")
    account = serializers.IntegerField(source="account_id", label="党费账户 id")
    membership = serializers.IntegerField(source="account.membership_id", label="党籍 id")
    name = serializers.CharField(source="account.membership.person.name", label="姓名")
    org = serializers.CharField(source="org.code", label="收缴支部编码")
    org_name = serializers.CharField(source="org.name", label="收缴支部")
    first_month = serializers.DateField(format="%Y-%m", label="起始月份")
    last_month = serializers.DateField(format="%Y-%m", label="截止月份")
    method = serializers.CharField(label="交纳方式", help_text=_codes(Method.choices))
    rows = DuesMonthSerializer(many=True, read_only=True, label="明细（每月一行）")

    class Meta:
        model = Payment
        fields = ["id", "number", "account", "membership", "name", "org", "org_name", "paid_on",
                  "first_month", "last_month", "months", "method", "proxy_payer", "amount",
                  "makeup_approved_by", "rows"]


class DuesPaymentCreateSerializer(serializers.Serializer):
    membership = serializers.IntegerField(label="党籍 id（党员在册记录）")
    first_month = serializers.RegexField(r"^\d{4}-\d{2}$", label="起始月份（YYYY-MM）",
                                         error_messages={"invalid": "月份须为 YYYY-MM。"})
    last_month = serializers.RegexField(r"^\d{4}-\d{2}$", label="截止月份（YYYY-MM，可不填）",
                                        required=False, allow_blank=True,
                                        error_messages={"invalid": "月份须为 YYYY-MM。"})
    paid_on = serializers.DateField(label="交纳日期（默认今天）", required=False)
    method = serializers.ChoiceField(choices=Method.choices, label="交纳方式",
                                     error_messages={"invalid_choice": "没有交纳方式“{input}”。"})
    proxy_payer = serializers.CharField(label="代交人", max_length=50, required=False,
                                        allow_blank=True)
    reduction = serializers.DecimalField(label="每月减免金额", max_digits=12, decimal_places=2,
                                         required=False)
    reduction_reason = serializers.CharField(label="减免原因", max_length=100, required=False,
                                             allow_blank=True)
    reduction_approved_by = serializers.CharField(label="减免批准人", max_length=50,
                                                  required=False, allow_blank=True)
    makeup_approved_by = serializers.CharField(label="补交超过六个月的批准人", max_length=50,
                                               required=False, allow_blank=True)


class DuesLedgerRowSerializer(serializers.Serializer):
    org = serializers.CharField(source="org.code", label="组织编码")
    org_name = serializers.CharField(source="org.name", label="组织名称")
    members = serializers.IntegerField(label="应缴人数")
    paid_count = serializers.IntegerField(label="已缴人数")
    unpaid = serializers.IntegerField(label="未缴人数")
    arrears = serializers.IntegerField(label="此前月份有欠缴的人数")
    due = serializers.DecimalField(max_digits=14, decimal_places=2, label="应缴金额")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, label="实缴金额")
    reduction = serializers.DecimalField(max_digits=14, decimal_places=2, label="减免金额")
    unpaid_due = serializers.DecimalField(max_digits=14, decimal_places=2, label="未缴金额")
    collected = serializers.DecimalField(max_digits=14, decimal_places=2,
                                         label="本月收缴（含补交、预交）")
    remitted = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                        label="已上缴金额（未登记为空）")


class DuesLedgerTotalSerializer(serializers.Serializer):
    members = serializers.IntegerField(label="应缴人数")
    paid_count = serializers.IntegerField(label="已缴人数")
    unpaid = serializers.IntegerField(label="未缴人数")
    arrears = serializers.IntegerField(label="此前月份有欠缴的人数")
    due = serializers.DecimalField(max_digits=14, decimal_places=2, label="应缴金额")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, label="实缴金额")
    reduction = serializers.DecimalField(max_digits=14, decimal_places=2, label="减免金额")
    unpaid_due = serializers.DecimalField(max_digits=14, decimal_places=2, label="未缴金额")
    collected = serializers.DecimalField(max_digits=14, decimal_places=2, label="本月收缴")
    remitted = serializers.DecimalField(max_digits=14, decimal_places=2, label="已上缴金额")


class DuesLedgerSerializer(serializers.Serializer):
    org = serializers.CharField(source="org.code", label="组织编码")
    org_name = serializers.CharField(source="org.name", label="组织名称")
    month = serializers.DateField(format="%Y-%m", label="月份")
    rows = DuesLedgerRowSerializer(many=True, label="按支部")
    total = DuesLedgerTotalSerializer(label="合计")


class DuesArrearsSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="pk", label="党费账户 id")
    membership = serializers.IntegerField(source="membership_id", label="党籍 id")
    name = serializers.CharField(source="membership.person.name", label="姓名")
    org = serializers.CharField(source="org.code", label="组织编码")
    org_name = serializers.CharField(source="org.name", label="所在党支部")
    monthly = serializers.DecimalField(max_digits=12, decimal_places=2, label="月缴党费")
    paid_through = serializers.SerializerMethodField(label="已缴至（YYYY-MM，未交过为空）")
    since = serializers.SerializerMethodField(label="欠缴起始月（YYYY-MM）")
    months = serializers.SerializerMethodField(label="欠缴月数（本月之前）")

    def get_paid_through(self, obj) -> str | None:
        return f"{obj.paid_through:%Y-%m}" if obj.has_paid else None

    def get_since(self, obj) -> str:
        return f"{obj.first_unpaid:%Y-%m}"

    def get_months(self, obj) -> int:
        return obj.arrears_months()
