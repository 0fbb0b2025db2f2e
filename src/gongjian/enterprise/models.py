"""Services for companies (企业服务): the street's cadres linked to companies by area (挂钩服务),
and the companies' cases (企业诉求) followed from submission to the company's satisfaction."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent
from gongjian.members.models import Person
from gongjian.orgs.choices import UnitType
from gongjian.orgs.models import Organization, Unit, street_path, street_read

# The units a cadre can be linked to and that can raise a case: companies, banks included.
COMPANY_TYPES = (UnitType.STATE_COMPANY, UnitType.PRIVATE_COMPANY, UnitType.BANK)


class Post(models.TextChoices):
    LEADER = "leader", "街道领导"
    COMMUNITY_HEAD = "community_head", "社区主官"
    CADRE = "cadre", "党员干部"
    INSTRUCTOR = "instructor", "党建指导员"


class Category(models.TextChoices):
    FINANCE = "finance", "融资"
    LABOUR = "labour", "用工"
    UPGRADE = "upgrade", "升级/转型"
    POLICY = "policy", "政策"
    OTHER = "other", "其他"


class State(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ASSIGNED = "assigned", "已分派"
    FOLLOWING = "following", "跟进中"
    RESOLVED = "resolved", "已解决"
    CLOSED = "closed", "已关闭"


OPEN_STATES = (State.SUBMITTED, State.ASSIGNED, State.FOLLOWING)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIR = "fair", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Source(models.TextChoices):
    COMPANY = "company", "企业自行提出"
    CADRE = "cadre", "挂钩干部代为提出"
    STAFF = "staff", "街道/社区代为提出"


def _street_only(org, field):
    if org is not None and street_path(org) != org.path:
        raise ValidationError({field: "须为街道（大党工委）。"})


class ServiceArea(models.Model):
    """片区: a part of the street whose companies a group of cadres serves."""

    street = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="service_areas",
                               verbose_name="街道")
    name = models.CharField("片区名称", max_length=50)
    leader = models.ForeignKey("Cadre", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="led_areas", verbose_name="片区负责人")
    communities = models.ManyToManyField(Organization, blank=True, related_name="+",
                                         verbose_name="覆盖社区")
    order = models.PositiveSmallIntegerField("排序", default=0)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "street__path"

    class Meta:
        verbose_name = "服务片区"
        verbose_name_plural = "服务片区"
        ordering = ["street_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["street", "name"],
                                               name="enterprise_area_unique_name",
                                               violation_error_message="该街道已有同名片区。")]

    def __str__(self):
        return self.name

    @classmethod
    def open_scope(cls, action, grant):
        # Community staff read their street's areas and cadres (to assign cases, to know who
        # serves their companies); only the street manages them.
        return street_read(grant, action, "street__path")

    def clean(self):
        _street_only(self.street if self.street_id else None, "street")
        if self.leader_id and self.leader.street_id != self.street_id:
            raise ValidationError({"leader": "片区负责人须为本街道的挂钩干部。"})


class Cadre(models.Model):
    """挂钩干部: a person of the street with a post, serving companies in an area."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cadre_posts",
                               verbose_name="人员")
    street = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cadres",
                               verbose_name="街道")
    post = models.CharField("岗位", max_length=16, choices=Post.choices)
    title = models.CharField("职务", max_length=50, blank=True)
    area = models.ForeignKey(ServiceArea, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="cadres", verbose_name="所在片区")
    in_leading_group = models.BooleanField("领导小组成员", default=False)
    active = models.BooleanField("在岗", default=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "street__path"

    class Meta:
        verbose_name = "挂钩干部"
        verbose_name_plural = "挂钩干部"
        ordering = ["street_id", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["street", "person"],
                                               name="enterprise_cadre_unique_person",
                                               violation_error_message="此人已是本街道的挂钩干部。")]

    def __str__(self):
        return self.person.name

    @classmethod
    def open_scope(cls, action, grant):
        # Community staff read their street's areas and cadres (to assign cases, to know who
        # serves their companies); only the street manages them.
        return street_read(grant, action, "street__path")

    def clean(self):
        _street_only(self.street if self.street_id else None, "street")
        if self.area_id and self.area.street_id != self.street_id:
            raise ValidationError({"area": "片区须属于本街道。"})
        if (self.person_id and self.street_id
                and not self.person.org.path.startswith(self.street.path)):
            raise ValidationError({"person": "人员须为本街道登记的人员。"})


class CadreLink(models.Model):
    """挂钩: a cadre serving a company from one date to another (open-ended while current)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="links",
                              verbose_name="挂钩干部")
    company = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cadre_links",
                                verbose_name="企业")
    started_on = models.DateField("挂钩开始日期", default=timezone.localdate)
    ended_on = models.DateField("挂钩结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "company__org__path"

    class Meta:
        verbose_name = "挂钩关系"
        verbose_name_plural = "挂钩关系"
        ordering = ["company_id", "started_on", "id"]
        indexes = [models.Index(fields=["company", "ended_on"]),
                   models.Index(fields=["cadre", "ended_on"])]

    def __str__(self):
        return f"{self.cadre} ↔ {self.company}"

    @property
    def is_current(self):
        return self.ended_on is None or self.ended_on >= timezone.localdate()

    def clean(self):
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "挂钩结束日期不能早于开始日期。"
        if self.company_id:
            if self.company.unit_type not in COMPANY_TYPES:
                errors["company"] = f"“{self.company.name}”不是企业，不能挂钩服务。"
            elif self.cadre_id and not self.company.org.path.startswith(self.cadre.street.path):
                errors["company"] = f"“{self.company.name}”不在挂钩干部所在街道。"
        if self.cadre_id and not self.cadre.active:
            errors["cadre"] = f"“{self.cadre}”已不在岗。"
        if not errors and self.cadre_id and self.company_id and self.ended_on is None:
            clash = CadreLink.objects.filter(cadre_id=self.cadre_id, company_id=self.company_id,
                                             ended_on__isnull=True).exclude(pk=self.pk)
            if clash.exists():
                errors["cadre"] = f"“{self.cadre}”已在挂钩“{self.company.name}”。"
        if errors:
            raise ValidationError(errors)


def current_links(today=None, prefix=""):
    """Links in force on `today` (`prefix` "links__" when filtering from the cadre's side)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})


class Case(models.Model):
    """企业诉求: a problem a company asks the street to help with."""

    company = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases",
                                verbose_name="企业")
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容", max_length=4000)
    raised_on = models.DateField("提出日期", default=timezone.localdate)
    source = models.CharField("提出方式", max_length=10, choices=Source.choices,
                              default=Source.COMPANY)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="登记人")
    on_behalf_of = models.ForeignKey(Cadre, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="raised_cases", verbose_name="代为提出的挂钩干部")
    state = models.CharField("状态", max_length=12, choices=State.choices,
                             default=State.SUBMITTED)
    assignee = models.ForeignKey(Cadre, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assigned_cases", verbose_name="承办干部")
    assignee_org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="assigned_cases",
                                     verbose_name="承办组织")
    deadline = models.DateField("办理期限", null=True, blank=True)
    resolution = models.TextField("解决情况", blank=True, max_length=2000)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    close_reason = models.TextField("关闭原因", blank=True, max_length=1000)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices,
                                    blank=True)
    satisfaction_comment = models.CharField("企业评价", max_length=300, blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "company__org__path"
    scope_unit = "company_id"

    class Meta:
        verbose_name = "企业诉求"
        verbose_name_plural = "企业诉求"
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["state", "deadline"]),
                   models.Index(fields=["category"]),
                   models.Index(fields=["company", "state"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("enterprise_case_detail", args=[self.pk])

    @property
    def number(self):
        return f"QY{self.raised_on:%Y}-{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def is_overdue(self):
        return (self.is_open and self.deadline is not None
                and self.deadline < timezone.localdate())

    def clean(self):
        errors = {}
        if self.company_id and self.company.unit_type not in COMPANY_TYPES:
            errors["company"] = f"“{self.company.name}”不是企业，不能提出企业诉求。"
        if self.raised_on and self.raised_on > timezone.localdate():
            errors["raised_on"] = "提出日期不能晚于今天。"
        if self.title is not None and not self.title.strip():
            errors["title"] = "请填写标题。"
        if errors:
            raise ValidationError(errors)


def overdue_q(today=None):
    today = today or timezone.localdate()
    return Q(state__in=OPEN_STATES, deadline__lt=today)


class CaseVisit(models.Model):
    """One follow-up of a case (走访): who went, what was done, what comes next."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits",
                             verbose_name="诉求")
    visited_on = models.DateField("走访日期")
    visitor = models.ForeignKey(Cadre, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="visits", verbose_name="走访干部")
    visitor_name = models.CharField("走访人", max_length=50)
    done = models.TextField("办理情况", max_length=2000)
    next_step = models.CharField("下一步", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="记录人")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "case__company__org__path"
    scope_unit = "case__company_id"

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["case_id", "visited_on", "id"]

    def __str__(self):
        return f"{self.visited_on} {self.visitor_name}"


class CaseEvent(HistoryEvent):
    """One line of a case's history: who took which step, when, with what note."""

    step_labels = {"submitted": "提交诉求", "assigned": "受理分派", "visit": "走访跟进",
                   "resolved": "办结", "rated": "企业评价", "closed": "关闭",
                   "reopened": "重新办理"}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events",
                             verbose_name="诉求")

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "case__company__org__path"
    scope_unit = "case__company_id"

    class Meta(HistoryEvent.Meta):
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["case_id", "at", "id"]

    def __str__(self):
        return f"{self.step_label} {self.note[:20]}"
