"""清单式管理 (seed 002; RULES §12): the street's 责任清单 that organisations claim, report on
and have accepted by the level above (建单 → 领单 → 晒单 → 查单 → 验单); the 问题清单 whose
problems are rectified and closed out (整改销号) by the level above only; and the 学习清单 and
活动清单 a community publishes on its public board. The 资源清单 is the projects app's
Resource list (the 三张清单 keep it): it is read from there, never copied here.

Overdue is not a state: an open item past its deadline is flagged (`is_overdue`), reminded,
and can still be finished; a finished item shows whether it was finished late."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent
from gongjian.orgs.models import Organization


class Kind(models.TextChoices):
    RESPONSIBILITY = "responsibility", "责任清单"
    PROBLEM = "problem", "问题清单"
    LEARNING = "learning", "学习清单"
    RESOURCE = "resource", "资源清单"
    ACTIVITY = "activity", "活动清单"


# Kinds kept in this app's table; `resource` is read from the projects app.
STORED_KINDS = (Kind.RESPONSIBILITY, Kind.PROBLEM, Kind.LEARNING, Kind.ACTIVITY)
PUBLIC_LIST_KINDS = (Kind.LEARNING, Kind.ACTIVITY)


class State(models.TextChoices):
    # 责任清单
    PUBLISHED = "published", "待认领"
    CLAIMED = "claimed", "已认领"
    IN_PROGRESS = "in_progress", "进行中"
    SUBMITTED = "submitted", "待验收"
    DONE = "done", "已完成"
    # 问题清单
    REGISTERED = "registered", "已登记"
    RECTIFYING = "rectifying", "整改中"
    APPLIED = "applied", "申请销号"
    CLOSED = "closed", "已销号"
    # 学习清单、活动清单
    LISTED = "listed", "在列"


KIND_STATES = {
    Kind.RESPONSIBILITY: (State.PUBLISHED, State.CLAIMED, State.IN_PROGRESS, State.SUBMITTED,
                          State.DONE),
    Kind.PROBLEM: (State.REGISTERED, State.RECTIFYING, State.APPLIED, State.CLOSED),
    Kind.LEARNING: (State.LISTED,),
    Kind.ACTIVITY: (State.LISTED,),
}
INITIAL_STATE = {kind: states[0] for kind, states in KIND_STATES.items()}
FINISHED_STATES = (State.DONE, State.CLOSED)
# States with a deadline running (the ones that can fall overdue).
OPEN_STATES = (State.PUBLISHED, State.CLAIMED, State.IN_PROGRESS, State.SUBMITTED,
               State.REGISTERED, State.RECTIFYING, State.APPLIED)


class Category(models.TextChoices):
    ORGANISATION = "organisation", "组织建设"
    ORG_LIFE = "org_life", "组织生活"
    EDUCATION = "education", "学习教育"
    POSITION = "position", "阵地建设"
    SERVICE = "service", "服务群众"
    GOVERNANCE = "governance", "基层治理"
    OTHER = "other", "其他"


class Source(models.TextChoices):
    INSPECTION = "inspection", "检查"
    APPRAISAL = "appraisal", "述职评议"
    RESIDENT = "resident", "居民反映"


class ItemQuerySet(RestrictedQuerySet):
    def overdue(self, today=None):
        return self.filter(state__in=OPEN_STATES, deadline__lt=today or timezone.localdate())

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.filter(state__in=OPEN_STATES, deadline__gte=today,
                           deadline__lte=today + datetime.timedelta(days=days))


class ChecklistItem(models.Model):
    """One line of a list. `org` is the organisation the item belongs to: the one responsible
    (责任清单, 问题清单) or the one whose list it is (学习清单, 活动清单); `publisher` is the
    organisation that published or registered it (the level that checks it)."""

    kind = models.CharField("清单", max_length=16, choices=[
        (k.value, k.label) for k in STORED_KINDS])
    org = models.ForeignKey(Organization, on_delete=models.PROTECT,
                            related_name="checklist_items", verbose_name="责任组织")
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="发布组织")
    title = models.CharField("事项", max_length=150)
    content = models.TextField("内容", max_length=4000, blank=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices, blank=True)
    target = models.CharField("目标", max_length=500, blank=True)
    measures = models.TextField("措施", max_length=4000, blank=True)
    source = models.CharField("问题来源", max_length=12, choices=Source.choices, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    original_deadline = models.DateField("原定时限", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    period = models.CharField("时间安排", max_length=100, blank=True,
                              help_text="如：每月第一个周五下午")
    place = models.CharField("地点", max_length=150, blank=True)
    public = models.BooleanField("公开", default=False,
                                 help_text="公开的学习、活动清单在社区公示栏展示。")
    state = models.CharField("状态", max_length=16, choices=State.choices)
    evidence = models.TextField("完成情况与佐证", max_length=4000, blank=True)
    result = models.CharField("验收意见", max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="验收人")
    completed_on = models.DateField("验收日期", null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = ItemQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "state", "deadline"]),
                   models.Index(fields=["state", "deadline"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("checklist_detail", args=[self.pk])

    @classmethod
    def public_scope(cls, action):
        # The community's public board: its public learning and activity lists.
        if action == "board":
            return Q(public=True, kind__in=PUBLIC_LIST_KINDS)
        return None

    # ---- dates ---------------------------------------------------------------------------

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def is_overdue(self, today=None):
        """Open and past its deadline (due 2025-06-30 and open on 07-01: overdue)."""
        return (self.is_open and self.deadline is not None
                and self.deadline < (today or timezone.localdate()))

    @property
    def overdue(self):
        return self.is_overdue()

    @property
    def finished_late(self):
        return (self.state in FINISHED_STATES and self.deadline is not None
                and self.completed_on is not None and self.completed_on > self.deadline)

    @property
    def has_workflow(self):
        return self.kind in (Kind.RESPONSIBILITY, Kind.PROBLEM)

    def clean(self):
        errors = {}
        if self.kind and self.state and self.state not in KIND_STATES.get(self.kind, ()):
            errors["state"] = f"{self.get_kind_display()}没有“{self.get_state_display()}”状态。"
        if self.kind in (Kind.RESPONSIBILITY, Kind.PROBLEM):
            if self.deadline is None:
                errors["deadline"] = "请填写完成时限。"
            if self.kind == Kind.PROBLEM and not self.source:
                errors["source"] = "请选择问题来源。"
            if self.kind == Kind.RESPONSIBILITY and not self.category:
                errors["category"] = "请选择类别。"
        if self.kind in PUBLIC_LIST_KINDS and not (self.starts_on or self.period):
            errors["starts_on"] = "请填写日期或时间安排。"
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "结束日期不能早于开始日期。"
        if self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if self.org_id and self.publisher_id and (
                self.publisher.path == self.org.path
                or not self.org.path.startswith(self.publisher.path)) \
                and self.kind == Kind.RESPONSIBILITY:
            errors["org"] = f"“{self.org.name}”不是“{self.publisher.name}”的下级组织。"
        if errors:
            raise ValidationError(errors)


class ChecklistEvent(HistoryEvent):
    """An item's history: who published, claimed, reported, checked, extended it, when."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="events")
    step_labels = {"publish": "建单", "register": "登记问题", "list": "列入清单", "edit": "修改",
                   "claim": "领单", "progress": "报告进展", "submit": "提交验收",
                   "accept": "验收通过", "send_back": "退回", "rectify": "制定整改措施",
                   "apply_close": "申请销号", "close_out": "销号", "reject": "退回整改",
                   "extend": "延期"}

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "item__org__path"

    class Meta(HistoryEvent.Meta):
        verbose_name = "清单记录"
        verbose_name_plural = "清单记录"
