"""Party dues: a member's account (kind, current base, start and "paid through" month, kept by
the services so the ledger and the arrears list read one row per member), the bases per year,
the payments and their ledger rows (one per member per month covered), and the remittances
(上缴) of an organisation to its higher committee."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet

from . import rules

MONEY = {"max_digits": 12, "decimal_places": 2}


class Kind(models.TextChoices):
    IN_SERVICE = rules.IN_SERVICE, "在职"
    RETIRED = rules.RETIRED, "离退休"
    STUDENT = rules.STUDENT, "学生"
    OTHER = rules.OTHER, "其他（失业、低保等）"


class Method(models.TextChoices):
    CASH = "cash", "现金"
    TRANSFER = "transfer", "转账"
    PROXY = "proxy", "委托代交"


class Account(models.Model):
    """One member's dues: what they pay now and the month they have paid through. Months are
    paid in order from `start_month`, so the months paid are exactly those up to
    `paid_through`; arrears are the months after it."""

    membership = models.OneToOneField("members.Membership", on_delete=models.PROTECT,
                                      related_name="dues_account", verbose_name="党员")
    # The branch the member's dues are kept in (the membership's, kept in step by the services).
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="dues_accounts", verbose_name="所在党支部")
    kind = models.CharField("党员类别（党费）", max_length=12, choices=Kind.choices)
    base = models.DecimalField("月收入基数", null=True, blank=True, **MONEY)
    monthly = models.DecimalField("月缴党费", **MONEY)
    start_month = models.DateField("起缴月份")
    # The last month paid; the month before `start_month` while nothing is paid yet, so that
    # "months in arrears" is one indexed range on this column.
    paid_through = models.DateField("已缴至")
    # The membership's, kept in step by a signal (a member who left owes nothing more).
    active = models.BooleanField("在册", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "membership__person__account__pk"

    class Meta:
        verbose_name = "党费账户"
        verbose_name_plural = "党费账户"
        indexes = [models.Index(fields=["org", "paid_through"]),
                   models.Index(fields=["paid_through", "id"], condition=Q(active=True),
                                name="dues_account_arrears")]

    def __str__(self):
        return f"{self.membership.person.name}的党费"

    def get_absolute_url(self):
        return reverse("dues_account_detail", args=[self.pk])

    @property
    def first_unpaid(self):
        return rules.add_months(self.paid_through, 1)

    @property
    def has_paid(self) -> bool:
        return self.paid_through >= self.start_month

    def arrears_months(self, today=None) -> int:
        """Months unpaid before the current month."""
        current = rules.month_of(today or timezone.localdate())
        return rules.months_between(self.first_unpaid, rules.add_months(current, -1))


class Base(models.Model):
    """A member's base for a year (imported each year, or recorded for a changed income);
    it applies from `applies_from` until a later one."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bases",
                                verbose_name="党费账户")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("党员类别（党费）", max_length=12, choices=Kind.choices)
    base = models.DecimalField("月收入基数", null=True, blank=True,
                               validators=[MinValueValidator(0)], **MONEY)
    monthly = models.DecimalField("月缴党费", **MONEY)
    applies_from = models.DateField("适用起始月")
    note = models.CharField("备注", max_length=100, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "account__org__path"
    scope_self = "account__membership__person__account__pk"

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["-applies_from", "-id"]
        indexes = [models.Index(fields=["account", "applies_from"])]

    def __str__(self):
        return f"{self.year}年 {self.get_kind_display()} {self.base or '—'}"


class Payment(models.Model):
    """One payment: the months it covers are its ledger rows (`Month`)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments",
                                verbose_name="党费账户")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="dues_payments", verbose_name="收缴支部")
    paid_on = models.DateField("交纳日期")
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    months = models.PositiveSmallIntegerField("月数")
    method = models.CharField("交纳方式", max_length=10, choices=Method.choices)
    proxy_payer = models.CharField("代交人", max_length=50, blank=True)
    amount = models.DecimalField("实缴金额", **MONEY)
    makeup_approved_by = models.CharField("补交超过六个月的批准人", max_length=50, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name="经办人")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "account__membership__person__account__pk"

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["org", "paid_on"]),
                   models.Index(fields=["account", "paid_on"])]

    def __str__(self):
        return f"{self.account.membership.person.name} {rules.label(self.first_month)}起 {self.months} 个月"

    def get_absolute_url(self):
        return reverse("dues_account_detail", args=[self.account_id]) + f"#payment-{self.pk}"

    @property
    def number(self) -> str:
        return f"DF{self.paid_on:%Y%m}{self.pk:07d}"


class Month(models.Model):
    """A ledger row: one member, one month covered."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="rows",
                                verbose_name="交纳")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="rows",
                                verbose_name="党费账户")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="dues_months", verbose_name="收缴支部")
    month = models.DateField("所属月份")
    paid_month = models.DateField("交纳月份")
    base = models.DecimalField("月收入基数", null=True, blank=True, **MONEY)
    rate = models.DecimalField("比例", max_digits=6, decimal_places=4, null=True, blank=True)
    due = models.DecimalField("应缴", **MONEY)
    paid = models.DecimalField("实缴", **MONEY)
    reduction = models.DecimalField("减免", default=0, **MONEY)
    reduction_reason = models.CharField("减免原因", max_length=100, blank=True)
    reduction_approved_by = models.CharField("减免批准人", max_length=50, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "org__path"
    scope_self = "account__membership__person__account__pk"

    class Meta:
        verbose_name = "党费明细"
        verbose_name_plural = "党费明细"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(
            fields=["account", "month"], name="dues_one_row_per_month",
            violation_error_message="该月党费已交纳，不能重复登记。")]
        indexes = [models.Index(fields=["month", "org"]), models.Index(fields=["paid_month", "org"])]

    def __str__(self):
        return f"{rules.label(self.month)} 实缴 {self.paid}"

    @property
    def rate_label(self) -> str:
        return f"{(self.rate * 100).normalize():f}%" if self.rate is not None else "定额"


class Remittance(models.Model):
    """An organisation's dues of one month handed up to its higher committee (上缴)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="dues_remittances", verbose_name="上缴组织")
    to_org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True,
                               related_name="dues_remittances_in", verbose_name="上级党委")
    month = models.DateField("所属月份")
    amount = models.DecimalField("上缴金额", validators=[MinValueValidator(0)], **MONEY)
    remitted_on = models.DateField("上缴日期")
    note = models.CharField("备注", max_length=100, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name="经办人")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "党费上缴"
        verbose_name_plural = "党费上缴"
        ordering = ["-month", "org__path"]
        indexes = [models.Index(fields=["org", "month"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="dues_remittance_not_negative")]

    def __str__(self):
        return f"{self.org.name} {rules.label(self.month)} 上缴 {self.amount}"
