"""在职党员到社区报到 (双报到; RULES §13, seed 003 "在职党员进社区").

    Report ── person ──── members.Person        the in-service member who reports
       │    ── membership ─ members.Membership  their own membership (its branch, in a unit)
       │    ── branch ──── Organization         copy of the membership's branch (scope)
       │    ── unit ────── orgs.Unit (optional) the member's own unit (its liaison reads it
       │                                        and gets the receipt and the quarterly summary)
       │    ── community ─ Organization         the community where the member lives
       │    state: submitted → received → ended, or withdrawn
       ├── ReportEvaluation                     the community's year-end grade, one a year,
       │                                        with the hours and expectation at the time
       └── ReportEvent                          the report's history

A member's hours are never stored here: they are the volunteer app's counted service records
(see rules.py for which ones).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent
from gongjian.projects.models import Category


class State(models.TextChoices):
    SUBMITTED = "submitted", "待社区接收"
    RECEIVED = "received", "已报到"
    ENDED = "ended", "已结束"
    WITHDRAWN = "withdrawn", "已撤回"


# A member holds at most one such report per community.
ACTIVE_STATES = (State.SUBMITTED, State.RECEIVED)


class Availability(models.TextChoices):
    WEEKEND = "weekend", "周末"
    EVENING = "evening", "工作日晚间"
    HOLIDAY = "holiday", "节假日"
    FLEXIBLE = "flexible", "时间灵活"


class EndReason(models.TextChoices):
    MOVED = "moved", "搬离社区"
    RETIRED = "retired", "退休（组织关系转入社区）"
    TRANSFERRED = "transferred", "调离原单位"
    OTHER = "other", "其他"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class Report(models.Model):
    """One member's report to the community where they live."""

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT,
                               related_name="community_reports", verbose_name="党员")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT,
                                   related_name="community_reports", verbose_name="党籍")
    # Copies taken at reporting: who reads the report does not move when the member does.
    branch = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                               verbose_name="所在党支部")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="community_reports", verbose_name="所在单位")
    community = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                  related_name="community_reports", verbose_name="报到社区")
    grid = models.ForeignKey("orgs.Grid", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="所在网格")
    address = models.CharField("居住地址", max_length=200)
    skills = models.CharField("特长", max_length=200, blank=True)
    # What the member offers, in the words of the community's needs (projects' categories).
    fields = models.JSONField("服务意向", default=list, blank=True)
    demands = models.ManyToManyField("projects.Demand", blank=True, related_name="+",
                                     verbose_name="认领的社区需求")
    availability = models.CharField("服务时间", max_length=10, choices=Availability.choices,
                                    default=Availability.WEEKEND)
    availability_note = models.CharField("时间说明", max_length=100, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices,
                             default=State.SUBMITTED)
    reported_on = models.DateField("报到日期", default=timezone.localdate)
    received_on = models.DateField("接收日期", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="接收人")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_kind = models.CharField("结束原因", max_length=12, choices=EndReason.choices, blank=True)
    end_reason = models.CharField("结束说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="填报人")
    created_at = models.DateTimeField("填报时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "community__path"      # the community and the street above it
    scope_unit = "unit_id"                  # the unit's liaison: its own members
    scope_self = "person__account__pk"      # the member

    class Meta:
        verbose_name = "在职党员报到"
        verbose_name_plural = "在职党员报到"
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["person", "state"]),
                   models.Index(fields=["unit", "state"]),
                   models.Index(fields=["community", "state"])]

    def __str__(self):
        return f"{self.person.name} → {self.community.name}"

    def get_absolute_url(self):
        return reverse("community_report_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        # The member's own branch committee reads the reports of its members (it gets the
        # receipt too).
        if action == "view" and grant.role == "branch_committee" and grant.org_id:
            return Q(branch__path__startswith=grant.org.path)
        return None

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    @property
    def field_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.fields or ()]

    def clean(self):
        errors = {}
        unknown = [c for c in self.fields or () if c not in Category.values]
        if unknown:
            errors["fields"] = f"没有服务意向“{'、'.join(map(str, unknown))}”。"
        if self.community_id and not self.community.is_active:
            errors["community"] = f"“{self.community.name}”已撤销。"
        if self.grid_id and self.community_id and not self.grid.org.path.startswith(
                self.community.path):
            errors["grid"] = f"网格“{self.grid.name}”不在“{self.community.name}”。"
        if self.ended_on and self.received_on and self.ended_on < self.received_on:
            errors["ended_on"] = "结束日期不能早于接收日期。"
        if errors:
            raise ValidationError(errors)


class ReportEvaluation(models.Model):
    """The community's year-end evaluation of a reported member: the grade, and the hours and
    the expectation it was given against (kept as they were on the day)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evaluations",
                               verbose_name="报到")
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("评价等次", max_length=12, choices=Grade.choices)
    hours = models.DecimalField("年度服务时长（小时）", max_digits=7, decimal_places=2)
    expected = models.DecimalField("应达时长（小时）", max_digits=7, decimal_places=2)
    note = models.CharField("评语", max_length=500, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name="评价人")
    evaluated_on = models.DateField("评价日期", default=timezone.localdate)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "report__community__path"
    scope_unit = "report__unit_id"
    scope_self = "report__person__account__pk"

    class Meta:
        verbose_name = "年度评价"
        verbose_name_plural = "年度评价"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["report", "year"],
                                               name="community_report_one_evaluation",
                                               violation_error_message="该年度已评价。")]

    def __str__(self):
        return f"{self.report} {self.year} {self.get_grade_display()}"

    @classmethod
    def open_scope(cls, action, grant):
        if action == "view" and grant.role == "branch_committee" and grant.org_id:
            return Q(report__branch__path__startswith=grant.org.path)
        return None

    @property
    def short(self) -> bool:
        return self.hours < self.expected


class ReportEvent(HistoryEvent):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events",
                               verbose_name="报到")
    step_labels = {"submit": "报到", "receive": "社区接收", "end": "结束报到",
                   "withdraw": "撤回", "evaluate": "年度评价"}

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "report__community__path"
    scope_unit = "report__unit_id"
    scope_self = "report__person__account__pk"

    class Meta(HistoryEvent.Meta):
        verbose_name = "报到记录"
        verbose_name_plural = "报到记录"

    @classmethod
    def open_scope(cls, action, grant):
        if action == "view" and grant.role == "branch_committee" and grant.org_id:
            return Q(report__branch__path__startswith=grant.org.path)
        return None
