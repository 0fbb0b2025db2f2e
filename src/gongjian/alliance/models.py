"""The co-building alliance (共建联盟), its joint meetings and their decisions, and the
co-building agreements (共驻共建协议书) between an organisation and a unit."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent
from gongjian.orgs.models import Organization, street_path, street_read

EXPIRY_WARNING_DAYS = 30


def _either(*conditions):
    result = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result | condition
    return result


def member_alliances(unit_id):
    return AllianceMember.objects.filter(unit_id=unit_id).values("alliance_id")


def invited_meetings(unit_id):
    return Invitation.objects.filter(unit_id=unit_id).values("meeting_id")


class AllianceQuerySet(RestrictedQuerySet):
    def with_counts(self, today=None):
        """Each alliance with its active members, open tasks and overdue tasks counted."""
        today = today or timezone.localdate()
        open_tasks = Q(tasks__state=TaskState.OPEN)
        return self.annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            n_open_tasks=Count("tasks", filter=open_tasks, distinct=True),
            n_overdue_tasks=Count("tasks", filter=open_tasks & Q(tasks__deadline__lt=today),
                                  distinct=True))


class Alliance(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="alliances",
                            verbose_name="所属组织")
    name = models.CharField("联盟名称", max_length=100)
    founded_on = models.DateField("成立日期")
    description = models.TextField("简介", blank=True, max_length=2000)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = AllianceQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "共建联盟"
        verbose_name_plural = "共建联盟"
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="alliance_unique_name",
                                               violation_error_message="该组织已有同名联盟。")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alliance_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        liaison = (Q(pk__in=member_alliances(grant.unit_id))
                   if grant.unit_id and action == "view" else None)
        return _either(liaison, street_read(grant, action, "org__path"))

    def clean(self):
        errors = {}
        if self.org_id and self.org.sector not in ("street", "community"):
            errors["org"] = "共建联盟须属于街道或社区党组织。"
        elif self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if self.founded_on and self.founded_on > timezone.localdate():
            errors["founded_on"] = "成立日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)


class MemberRole(models.TextChoices):
    MEMBER = "member", "成员单位"
    CONCURRENT = "concurrent", "兼职委员"


class AllianceMember(models.Model):
    """A unit's membership of an alliance; leaving keeps the row as history."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="members",
                                 verbose_name="联盟")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT,
                             related_name="alliance_memberships", verbose_name="成员单位")
    role = models.CharField("身份", max_length=12, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    committee_person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="兼职委员", help_text="兼职委员须注明在联盟委员会任职的人。")
    liaison = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name="联络人")
    term_start = models.DateField("任期开始", null=True, blank=True)
    term_end = models.DateField("任期结束", null=True, blank=True)
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "alliance__org__path"
    scope_unit = "unit_id"

    class Meta:
        verbose_name = "成员单位"
        verbose_name_plural = "成员单位"
        ordering = ["alliance_id", "role", "joined_on", "id"]
        constraints = [models.UniqueConstraint(
            fields=["alliance", "unit"], condition=Q(left_on__isnull=True),
            name="alliance_member_active_once",
            violation_error_message="该单位已是本联盟的在册成员单位。")]
        indexes = [models.Index(fields=["unit", "left_on"])]

    def __str__(self):
        return f"{self.alliance.name} · {self.unit.name}"

    @classmethod
    def open_scope(cls, action, grant):
        return street_read(grant, action, "alliance__org__path")

    @property
    def active(self):
        return self.left_on is None

    def clean(self):
        errors = {}
        if self.role == MemberRole.CONCURRENT and not self.committee_person_id:
            errors["committee_person"] = "兼职委员须注明在联盟委员会任职的人。"
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = "任期结束日期不能早于任期开始日期。"
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = "退出日期不能早于加入日期。"
        if self.alliance_id and self.joined_on and self.joined_on < self.alliance.founded_on:
            errors["joined_on"] = (f"加入日期不能早于联盟成立日期"
                                   f"（{self.alliance.founded_on:%Y-%m-%d}）。")
        if errors:
            raise ValidationError(errors)


class ChairTerm(models.Model):
    """One term of the rotating chair (轮值主席)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="chair_terms",
                                 verbose_name="联盟")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+",
                             verbose_name="轮值单位")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "alliance__org__path"

    class Meta:
        verbose_name = "轮值主席任期"
        verbose_name_plural = "轮值主席任期"
        ordering = ["alliance_id", "starts_on"]
        indexes = [models.Index(fields=["alliance", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.unit.name} {self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}"

    @classmethod
    def open_scope(cls, action, grant):
        liaison = (Q(alliance_id__in=member_alliances(grant.unit_id))
                   if grant.unit_id and action == "view" else None)
        return _either(liaison, street_read(grant, action, "alliance__org__path"))

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "轮值结束日期不能早于开始日期。"})


class MeetingState(models.TextChoices):
    CALLED = "called", "已通知"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    """A joint meeting (联席会议) of the alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="meetings",
                                 verbose_name="联盟")
    title = models.CharField("会议名称", max_length=150)
    starts_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=150)
    agenda = models.TextField("议程", max_length=4000)
    state = models.CharField("状态", max_length=12, choices=MeetingState.choices,
                             default=MeetingState.CALLED)
    minutes = models.TextField("会议纪要", blank=True, max_length=10000)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    called_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="召集人")
    created_at = models.DateTimeField("通知时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "alliance__org__path"

    class Meta:
        verbose_name = "联席会议"
        verbose_name_plural = "联席会议"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["alliance", "state", "starts_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        liaison = (Q(pk__in=invited_meetings(grant.unit_id))
                   if grant.unit_id and action == "view" else None)
        return _either(liaison, street_read(grant, action, "alliance__org__path"))


class Reply(models.TextChoices):
    PENDING = "pending", "未回复"
    ATTEND = "attend", "参会"
    LEAVE = "leave", "请假"


class Invitation(models.Model):
    """A unit invited to a meeting: its reply, then whether it attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations",
                                verbose_name="会议")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+",
                             verbose_name="单位")
    reply = models.CharField("回复", max_length=10, choices=Reply.choices, default=Reply.PENDING)
    reply_note = models.CharField("回复说明", max_length=200, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    attended = models.BooleanField("出席", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "meeting__alliance__org__path"
    scope_unit = "unit_id"

    class Meta:
        verbose_name = "参会单位"
        verbose_name_plural = "参会单位"
        ordering = ["meeting_id", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"],
                                               name="invitation_once")]

    def __str__(self):
        return f"{self.meeting} · {self.unit}"

    @classmethod
    def open_scope(cls, action, grant):
        return street_read(grant, action, "meeting__alliance__org__path")


class TaskState(models.TextChoices):
    OPEN = "open", "进行中"
    DONE = "done", "已完成"


class TaskQuerySet(RestrictedQuerySet):
    def overdue(self, today=None):
        return self.filter(state=TaskState.OPEN, deadline__lt=today or timezone.localdate())


class Task(models.Model):
    """A decision (决议事项) of a joint meeting, followed as a task with an owner."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="tasks",
                                verbose_name="会议")
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="tasks",
                                 verbose_name="联盟")
    title = models.CharField("决议事项", max_length=300)
    owner_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="责任单位")
    owner_org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="责任组织")
    deadline = models.DateField("完成期限")
    state = models.CharField("状态", max_length=8, choices=TaskState.choices,
                             default=TaskState.OPEN)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    completion_note = models.TextField("完成情况", blank=True, max_length=2000)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = TaskQuerySet.as_manager()
    audited = True
    scope_org_path = "alliance__org__path"
    scope_unit = "owner_unit_id"

    class Meta:
        verbose_name = "决议任务"
        verbose_name_plural = "决议任务"
        ordering = ["state", "deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"]),
                   models.Index(fields=["alliance", "state"])]
        constraints = [models.CheckConstraint(
            condition=(Q(owner_unit__isnull=False, owner_org__isnull=True)
                       | Q(owner_unit__isnull=True, owner_org__isnull=False)),
            name="task_one_owner", violation_error_message="决议事项须指定一个责任单位或责任组织。")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("task_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        owner = None
        if grant.org_id and action in ("view", "change"):
            owner = Q(owner_org__path__startswith=grant.org.path)
        return _either(owner, street_read(grant, action, "alliance__org__path"))

    @property
    def owner(self):
        return self.owner_unit or self.owner_org

    def is_overdue(self, today=None):
        return self.state == TaskState.OPEN and self.deadline < (today or timezone.localdate())

    @property
    def overdue(self):
        return self.is_overdue()


class AgreementState(models.TextChoices):
    DRAFT = "draft", "草拟"
    SIGNED = "signed", "已签订"
    TERMINATED = "terminated", "已终止"


class AgreementQuerySet(RestrictedQuerySet):
    def expiring(self, today=None):
        today = today or timezone.localdate()
        return self.filter(state=AgreementState.SIGNED, ends_on__gte=today,
                           ends_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))

    def expired(self, today=None):
        return self.filter(state=AgreementState.SIGNED,
                           ends_on__lt=today or timezone.localdate())


class Agreement(models.Model):
    """A co-building agreement (共驻共建协议书): 甲方 an organisation, 乙方 a unit."""

    number = models.CharField("协议编号", max_length=40, unique=True,
                              error_messages={"unique": "协议编号已被使用。"})
    title = models.CharField("协议名称", max_length=150)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="agreements",
                            verbose_name="甲方（街道/社区）")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="agreements",
                             verbose_name="乙方（驻区单位）")
    rights_obligations = models.TextField("权利义务", help_text="每行一条。", max_length=5000)
    service_items = models.TextField("服务事项", help_text="每行一项。", max_length=5000)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    org_liaison = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="甲方联络员")
    unit_liaison = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name="乙方联络员")
    state = models.CharField("状态", max_length=12, choices=AgreementState.choices,
                             default=AgreementState.DRAFT)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    termination_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = AgreementQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_unit = "unit_id"

    class Meta:
        verbose_name = "共驻共建协议"
        verbose_name_plural = "共驻共建协议"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "ends_on"]), models.Index(fields=["unit"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("agreement_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "结束日期不能早于开始日期。"
        if self.org_id and self.org.sector not in ("street", "community"):
            errors["org"] = "甲方须为街道或社区党组织。"
        if self.org_id and self.unit_id and not self.unit.org.path.startswith(
                street_path(self.org)):
            errors["unit"] = f"“{self.unit.name}”不在本街道辖区内。"
        if not (self.service_items or "").strip():
            errors["service_items"] = "请至少填写一项服务事项。"
        if errors:
            raise ValidationError(errors)

    def lines(self, field):
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]

    @property
    def lines_rights(self):
        return self.lines("rights_obligations")

    @property
    def lines_services(self):
        return self.lines("service_items")

    def expiry(self, today=None):
        """"expiring" (≤30 days left), "expired", or "" while nothing to say."""
        if self.state != AgreementState.SIGNED:
            return ""
        today = today or timezone.localdate()
        if self.ends_on < today:
            return "expired"
        if (self.ends_on - today).days <= EXPIRY_WARNING_DAYS:
            return "expiring"
        return ""

    @property
    def expiry_code(self):
        return self.expiry()

    @property
    def expiry_label(self):
        return {"expired": "已到期", "expiring": "即将到期"}.get(self.expiry(), "")


class Event(HistoryEvent):
    """A step of an alliance, meeting, task or agreement, as its page's history tells it
    (newest first). Each row has one subject; `org` is the organisation it belongs to (for
    scope) and `unit` the member unit it concerns, if any."""

    step_labels = {"created": "建立", "updated": "修改联盟信息", "joined": "成员单位加入",
                   "left": "成员单位退出", "chair": "安排轮值主席", "chair_removed": "删除轮值任期",
                   "rotation": "生成轮值安排", "called": "通知开会", "reply": "回复参会",
                   "held": "会议召开", "cancelled": "会议取消", "progress": "填报进展",
                   "completed": "办结", "drafted": "草拟协议", "edited": "修改协议草稿",
                   "signed": "签订协议", "terminated": "终止协议"}

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                            verbose_name="组织")
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="events")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="events")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="events")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="events")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name="涉及单位")

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "org__path"

    class Meta(HistoryEvent.Meta):
        verbose_name = "共建记录"
        verbose_name_plural = "共建记录"
        ordering = ["-at", "-id"]

    @classmethod
    def open_scope(cls, action, grant):
        if action != "view":
            return None
        if grant.unit_id:
            return (Q(unit_id=grant.unit_id)
                    # Not another unit's reply (its leave reason is its own business).
                    | Q(meeting_id__in=invited_meetings(grant.unit_id), task__isnull=True,
                        unit__isnull=True)
                    | Q(alliance_id__in=member_alliances(grant.unit_id), meeting__isnull=True,
                        task__isnull=True, unit__isnull=True))
        read = street_read(grant, action, "org__path")
        # The street's alliance, its meetings and tasks; not the street's own agreements.
        return read & Q(agreement__isnull=True) if read is not None else None
