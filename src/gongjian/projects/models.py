"""The three lists (三单): residents' demands, units' resources, and the projects that join them.

A project moves through the workflow table of `workflows.py`; each step writes a
ProjectEvent, the history shown on the project page. `step_deadline` is the date by which
the current step's owner must act: the supervision page counts what is past it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import SELF_ROLES, RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent
from gongjian.orgs.models import Grid, Organization, Unit, community_path, street_path

STEPLEN = Organization.steplen


class Category(models.TextChoices):
    # The fields the seeds name: 法律、文化体育、卫生健康、就业创业 (000), 居家养老、困难救助、
    # 四点钟学校 (001), 医药超市、环卫驿站、义务法官、爱心帮扶 (003).
    ELDERLY = "elderly", "助老助残"
    CHILDREN = "children", "少儿教育"
    HEALTH = "health", "医疗健康"
    LEGAL = "legal", "法律服务"
    EMPLOYMENT = "employment", "就业创业"
    ENVIRONMENT = "environment", "环境卫生"
    CULTURE = "culture", "文体活动"
    RELIEF = "relief", "帮困救助"
    SPACE = "space", "阵地共享"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    PRESSING = "pressing", "较急"
    URGENT = "urgent", "紧急"


class DemandState(models.TextChoices):
    OPEN = "open", "待受理"
    ACCEPTED = "accepted", "已受理"
    PROJECT = "project", "转为项目"
    DECLINED = "declined", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_DEMAND_STATES = (DemandState.OPEN, DemandState.ACCEPTED)


class ProjectState(models.TextChoices):
    DECLARED = "declared", "申报"
    APPROVED = "approved", "立项"
    CLAIMED = "claimed", "认领"
    DOCKED = "docked", "对接"
    EXECUTING = "executing", "执行"
    ACCEPTED = "accepted", "验收"
    CLOSED = "closed", "结项"
    REJECTED = "rejected", "驳回"
    WITHDRAWN = "withdrawn", "撤回"


# States in which somebody still has a step to take (and may be late with it).
ACTIVE_STATES = (ProjectState.DECLARED, ProjectState.APPROVED, ProjectState.CLAIMED,
                 ProjectState.DOCKED, ProjectState.EXECUTING, ProjectState.ACCEPTED)
# Open to unit liaisons of the street for claiming.
CLAIMABLE_STATES = (ProjectState.APPROVED, ProjectState.CLAIMED)
# Shown on public boards: past approval, not rejected or withdrawn.
PUBLIC_STATES = (ProjectState.APPROVED, ProjectState.CLAIMED, ProjectState.DOCKED,
                 ProjectState.EXECUTING, ProjectState.ACCEPTED, ProjectState.CLOSED)


class Demand(models.Model):
    """服务项目订单: what residents need, posted by them, a grid worker or community staff."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="demands",
                            verbose_name="所属社区/组织")
    grid = models.ForeignKey(Grid, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="demands", verbose_name="所在网格")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="demands", verbose_name="提出人")
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    title = models.CharField("需求名称", max_length=100)
    description = models.TextField("需求描述", max_length=2000)
    place = models.CharField("地点", max_length=200)
    beneficiaries = models.PositiveIntegerField(
        "受益人数", validators=[MinValueValidator(1, "受益人数至少为 1。"),
                            MaxValueValidator(1_000_000, "受益人数不能超过 1,000,000。")])
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    state = models.CharField("状态", max_length=10, choices=DemandState.choices,
                             default=DemandState.OPEN)
    reason = models.CharField("不予受理/撤回原因", max_length=300, blank=True)
    project = models.ForeignKey("Project", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="demands", verbose_name="转为项目")
    keywords = models.CharField("关键词", max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField("提出时间", default=timezone.now)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="处理人")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "posted_by"

    class Meta:
        verbose_name = "服务需求"
        verbose_name_plural = "服务需求"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "category"]),
                   models.Index(fields=["org", "state"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("demand_detail", args=[self.pk])

    def clean(self):
        if self.grid_id and self.org_id and not self.grid.org.path.startswith(
                community_path(self.org.path, street_path(self.org))):
            raise ValidationError({"grid": f"网格“{self.grid.name}”不在“{self.org.name}”内。"})
        if self.org_id and not self.org.is_active:
            raise ValidationError({"org": f"“{self.org.name}”已撤销。"})

    @property
    def is_open(self):
        return self.state in OPEN_DEMAND_STATES

    @classmethod
    def public_scope(cls, action):
        # The public board lists open demands (its own fields say who may see which columns).
        return Q(state__in=OPEN_DEMAND_STATES) if action == "board" else None

    @classmethod
    def open_scope(cls, action, grant):
        # A unit looks for needs it can meet among the open demands of its street.
        if action == "view" and grant.role == "unit_liaison" and grant.unit is not None:
            return Q(state__in=OPEN_DEMAND_STATES,
                     org__path__startswith=street_path(grant.unit.org))
        return None


class Resource(models.Model):
    """服务资源清单: what a unit can offer, how much of it, when and where."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="resources",
                             verbose_name="提供单位")
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    title = models.CharField("资源名称", max_length=100)
    description = models.TextField("资源描述", max_length=2000)
    capacity = models.IntegerField("服务容量（人次）", help_text="可服务的人数或次数。")
    committed = models.PositiveIntegerField("已承诺（人次）", default=0, editable=False)
    available_text = models.CharField("服务时间", max_length=200, blank=True,
                                      help_text="如：每月第三个周六上午")
    available_from = models.DateField("起始日期", null=True, blank=True)
    available_until = models.DateField("截止日期", null=True, blank=True)
    address = models.CharField("服务地点", max_length=200, blank=True)
    active = models.BooleanField("有效", default=True)
    keywords = models.CharField("关键词", max_length=400, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "unit__org__path"
    scope_unit = "unit"

    class Meta:
        verbose_name = "服务资源"
        verbose_name_plural = "服务资源"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["active", "category"]),
                   models.Index(fields=["unit", "active"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resource_detail", args=[self.pk])

    @property
    def remaining(self):
        return max(0, self.capacity - self.committed)

    @classmethod
    def public_scope(cls, action):
        return Q(active=True) if action == "board" else None

    @classmethod
    def open_scope(cls, action, grant):
        # A street's resource list serves all its communities: staff and grid workers see
        # the active resources of every unit in their street, not only of their own area.
        if action == "view" and grant.role in ("community_staff", "grid_staff") \
                and grant.org is not None:
            return Q(active=True, unit__org__path__startswith=street_path(grant.org))
        return None

    def clean(self):
        errors = {}
        if self.capacity is not None and self.capacity < 0:
            errors["capacity"] = "服务容量不能为负数。"
        elif self.capacity is not None and self.capacity > 1_000_000:
            errors["capacity"] = "服务容量不能超过 1,000,000。"
        elif self.capacity is not None and self.capacity < self.committed:
            errors["capacity"] = f"服务容量不能少于已承诺的 {self.committed} 人次。"
        if self.available_from and self.available_until \
                and self.available_until < self.available_from:
            errors["available_until"] = "截止日期不能早于起始日期。"
        if errors:
            raise ValidationError(errors)


def _claimed_by(unit_id, prefix=""):
    claims = ProjectClaim.objects.filter(unit_id=unit_id).values("project_id")
    return Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": claims})


def _followed_by(user_id, prefix=""):
    posted = Demand.objects.filter(posted_by_id=user_id, project__isnull=False).values("project_id")
    return Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": posted})


def project_open_scope(action, grant, prefix=""):
    """What a grant reaches beyond its own scope. A resident (or member) reads — only reads —
    the projects their own demands became, to follow what happens to them. A unit liaison
    reaches the projects their unit claimed, and (to view and claim) approved projects of
    their unit's street still open to claims."""
    if grant.role in SELF_ROLES:
        return _followed_by(grant.user_id, prefix) if action == "view" else None
    if grant.role != "unit_liaison" or grant.unit is None:
        return None
    claimed = _claimed_by(grant.unit_id, prefix)
    open_to_claim = Q(**{f"{prefix}state__in": CLAIMABLE_STATES,
                         f"{prefix}org__path__startswith": street_path(grant.unit.org)})
    if action == "claim":
        return open_to_claim
    if action == "view":
        return claimed | open_to_claim
    if action in ("start", "progress"):
        return claimed
    return None


class Project(models.Model):
    """项目清单: a co-building project from declaration to closing."""

    title = models.CharField("项目名称", max_length=100)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    description = models.TextField("项目内容", max_length=4000)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="projects",
                            verbose_name="申报社区/组织")
    target_beneficiaries = models.PositiveIntegerField(
        "计划受益人数", validators=[MaxValueValidator(1_000_000, "计划受益人数不能超过 1,000,000。")])
    planned_start = models.DateField("计划开始日期", null=True, blank=True)
    planned_end = models.DateField("计划完成日期", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=ProjectState.choices,
                             default=ProjectState.DECLARED)
    step_deadline = models.DateField("本步办理期限", null=True, blank=True)
    claimed_share = models.PositiveSmallIntegerField("已认领份额（%）", default=0)
    reason = models.CharField("驳回/撤回原因", max_length=300, blank=True)
    dock_date = models.DateField("对接日期", null=True, blank=True)
    dock_place = models.CharField("对接地点", max_length=200, blank=True)
    dock_plan = models.TextField("实施方案", blank=True, max_length=4000)
    rating = models.PositiveSmallIntegerField("群众评分", null=True, blank=True)
    beneficiary_count = models.PositiveIntegerField("实际受益人数", null=True, blank=True)
    acceptance_comment = models.TextField("验收意见", blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="申报人")
    declared_at = models.DateTimeField("申报时间", default=timezone.now)
    approved_at = models.DateTimeField("立项时间", null=True, blank=True)
    started_at = models.DateTimeField("开始执行时间", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    closed_at = models.DateTimeField("结项时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "共建项目"
        verbose_name_plural = "共建项目"
        ordering = ["-declared_at", "-id"]
        # (org, state, step_deadline) answers the supervision counts from the index alone.
        indexes = [models.Index(fields=["org", "state", "step_deadline"]),
                   models.Index(fields=["state", "step_deadline"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])

    @classmethod
    def public_scope(cls, action):
        # Projects past approval are public (not declared, rejected or withdrawn ones).
        return Q(state__in=PUBLIC_STATES) if action == "board" else None

    @classmethod
    def open_scope(cls, action, grant):
        return project_open_scope(action, grant)

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = "计划完成日期不能早于计划开始日期。"
        if self.rating is not None and not 1 <= self.rating <= 5:
            errors["rating"] = "群众评分须为 1–5 分。"
        if self.claimed_share > 100:
            errors["claimed_share"] = "认领份额合计不能超过 100%。"
        if errors:
            raise ValidationError(errors)

    def overdue_days(self, today=None):
        today = today or timezone.localdate()
        if self.state in ACTIVE_STATES and self.step_deadline and self.step_deadline < today:
            return (today - self.step_deadline).days
        return 0


class ProjectClaim(models.Model):
    """A unit's share of a project (认领); shares of one project add up to at most 100%."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="claims",
                                verbose_name="项目")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_claims",
                             verbose_name="认领单位")
    share = models.PositiveSmallIntegerField(
        "认领份额（%）", validators=[MinValueValidator(1, "认领份额至少为 1%%。"),
                                MaxValueValidator(100, "认领份额不能超过 100%%。")])
    resource = models.ForeignKey(Resource, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="claims", verbose_name="投入资源")
    uses = models.PositiveIntegerField("占用资源（人次）", default=0)
    note = models.CharField("认领说明", max_length=300, blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="认领人")
    claimed_at = models.DateTimeField("认领时间", default=timezone.now)
    # Copies of the project's organisation, state and deadline, kept by the services at each
    # step, so that the supervision page counts claims per unit without joining projects.
    # (A merge moves this foreign key with the project's: it must have a reverse relation
    # for orgs.services.merge_organizations to find it.)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="project_claims",
                            verbose_name="项目所属组织")
    state = models.CharField("项目状态", max_length=10, choices=ProjectState.choices)
    step_deadline = models.DateField("项目本步期限", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_unit = "unit"

    class Meta:
        verbose_name = "项目认领"
        verbose_name_plural = "项目认领"
        ordering = ["claimed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "unit"],
                                               name="one_claim_per_unit")]
        indexes = [models.Index(fields=["unit", "project"]),
                   models.Index(fields=["org", "state", "step_deadline", "unit"])]

    def __str__(self):
        return f"{self.unit} {self.share}%"


class ProjectEvent(HistoryEvent):
    """One line of a project's history: who did which step when, with a note."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events",
                                verbose_name="项目")

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "project__org__path"
    # step_labels come from the workflow table (workflows.py sets them).

    class Meta(HistoryEvent.Meta):
        verbose_name = "项目记录"
        verbose_name_plural = "项目记录"

    @classmethod
    def open_scope(cls, action, grant):
        return project_open_scope(action, grant, prefix="project__")


def photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"projects/{instance.project_id}/{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


class ProjectPhoto(models.Model):
    """A photo of a progress update; served only through the access-checked view."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos",
                                verbose_name="项目")
    event = models.ForeignKey(ProjectEvent, on_delete=models.CASCADE, related_name="photos",
                              verbose_name="进展记录")
    image = models.FileField("照片", upload_to=photo_path, max_length=200)
    content_type = models.CharField("类型", max_length=40)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    audit_hidden_fields = ("image",)  # a file, not a value the change log can hold
    scope_org_path = "project__org__path"

    class Meta:
        verbose_name = "项目照片"
        verbose_name_plural = "项目照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.project} 照片 {self.pk}"

    @classmethod
    def open_scope(cls, action, grant):
        return project_open_scope(action, grant, prefix="project__")


class UnitRecord(models.Model):
    """A unit's record on accepted projects, kept up to date at acceptance so that matching
    reads one row per unit instead of aggregating the project history each time."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="project_record",
                                primary_key=True, verbose_name="单位")
    projects_done = models.PositiveIntegerField("已完成项目数", default=0)
    rating_sum = models.PositiveIntegerField("评分合计", default=0)
    rating_count = models.PositiveIntegerField("评分次数", default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_global = True

    class Meta:
        verbose_name = "单位项目记录"
        verbose_name_plural = "单位项目记录"

    def __str__(self):
        return f"{self.unit} 已完成 {self.projects_done} 个项目"

    @property
    def average_rating(self):
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None
