"""Organisational life: a branch's meetings (三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话),
each member's attendance, the make-up study (补学) of those absent, votes and 民主评议 grades."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent

from .rules import KIND_CHOICES


class State(models.TextChoices):
    PLANNED = "planned", "已计划"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    LATE = "late", "迟到"
    SICK = "sick", "病假"
    PERSONAL = "personal", "事假"
    OFFICIAL = "official", "公假"
    ABSENT = "absent", "缺席"


# Counted as attending (实到); the others owe a make-up study.
ATTENDING = {Presence.PRESENT, Presence.LATE}


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASICALLY = "basically", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


def _held_at(values) -> set[tuple[int, int]]:
    """{(branch id, year)} of a meeting's (org id, state, date) when it is held, else {}."""
    if values is None or values[1] != State.HELD:
        return set()
    return {(values[0], values[2].year)}


class Meeting(models.Model):
    """One meeting of a branch (or of one of its party groups), planned then recorded."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="branch_meetings", verbose_name="党支部")
    # A 党小组会 may be one group's; the branch is still `org` (compliance counts the branch).
    group = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="group_meetings", verbose_name="党小组")
    kind = models.CharField("类型", max_length=16, choices=KIND_CHOICES)
    state = models.CharField("状态", max_length=10, choices=State.choices,
                             default=State.PLANNED)
    title = models.CharField("主题", max_length=120)
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=120, blank=True)
    topics = models.TextField("议题", blank=True)
    # 主题党日 "4+X": the branch's own item.
    x_item = models.CharField("自选动作（X）", max_length=120, blank=True)
    host = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="主持人")
    recorder = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name="记录人")
    lecturer = models.CharField("授课人", max_length=50, blank=True)
    # Guests attending without a duty to (列席): names and units, one per line.
    observers = models.TextField("列席人员", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    # A scan of the paper record is accepted in place of typed minutes (RULES §8).
    minutes_scan = models.FileField("会议记录扫描件", upload_to="orglife/minutes/%Y/%m/",
                                    blank=True)
    resolutions = models.TextField("决议", blank=True)
    # Counts kept with the record when it is taken (应到 / 实到), so compliance and lists read
    # one row per meeting.
    due_count = models.PositiveIntegerField("应到", default=0)
    present_count = models.PositiveIntegerField("实到", default=0)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    held_recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    # Members read their branch's meetings (the calendar of what they are due at).
    shared_with_members = ("org__path", "branch")

    class Meta:
        verbose_name = "组织生活"
        verbose_name_plural = "组织生活"
        ordering = ["-date", "-id"]
        indexes = [
            # Compliance: held meetings of a period, grouped by branch, kind and month.
            models.Index(fields=["state", "date", "org", "kind"], name="orglife_held_by_date"),
            models.Index(fields=["org", "date"], name="orglife_org_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.title}"

    # Saving any of these may change which months the branch held a kind in (HeldMonths).
    HELD_FIELDS = frozenset({"org", "org_id", "state", "date"})

    def save(self, *args, **kwargs):
        """Saves keep HeldMonths exact: the (branch, year) the meeting was held in before and
        after the save are worked out again from the meetings. Bulk writes (bulk_create,
        update, COPY) refresh it themselves with `rollup.rebuild`."""
        fields = kwargs.get("update_fields")
        tracked = fields is None or bool(self.HELD_FIELDS & set(fields))
        before = None
        if tracked and not self._state.adding and self.pk is not None:
            before = Meeting.objects.filter(pk=self.pk).values_list(
                "org_id", "state", "date").first()
        super().save(*args, **kwargs)
        if tracked:
            from . import rollup

            rollup.refresh({*_held_at(before), *_held_at(
                (self.org_id, self.state, self._meta.get_field("date").to_python(self.date)))})

    def get_absolute_url(self):
        return reverse("branch_meeting_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        held = _held_at((self.org_id, self.state, self.date))
        result = super().delete(*args, **kwargs)
        if held:
            from . import rollup

            rollup.refresh(held)
        return result


class HeldMonths(models.Model):
    """Which months of a year a branch held each kind of meeting in, derived from its HELD
    meetings: compliance reads one row per branch (15,000 for a city's year) instead of
    aggregating every held meeting of the period.

    One column per kind of rules.KINDS (named by its code), bit m-1 set for month m.
    Meeting.save and delete keep the rows (the services write through them); bulk loads
    call `rollup.rebuild`. A merge moves the rows with the meetings in one UPDATE (like every
    foreign key to Organization), so a branch may have two rows for one year until its next
    refresh: readers OR them, and there is no unique constraint."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE,
                            related_name="held_months", verbose_name="党支部")
    year = models.PositiveSmallIntegerField("年份")
    party_congress = models.PositiveSmallIntegerField("支部党员大会", default=0)
    committee = models.PositiveSmallIntegerField("支部委员会", default=0)
    group = models.PositiveSmallIntegerField("党小组会", default=0)
    lecture = models.PositiveSmallIntegerField("党课", default=0)
    theme_day = models.PositiveSmallIntegerField("主题党日", default=0)
    life_meeting = models.PositiveSmallIntegerField("组织生活会", default=0)
    appraisal = models.PositiveSmallIntegerField("民主评议党员", default=0)
    talk = models.PositiveSmallIntegerField("谈心谈话", default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "组织生活月度汇总"
        verbose_name_plural = "组织生活月度汇总"
        indexes = [models.Index(fields=["year", "org"], name="orglife_held_months")]

    def __str__(self):
        return f"{self.org_id} {self.year}"


class Attendance(models.Model):
    """One member's attendance at one meeting. The reason for leave is read by the branch's
    committee only (the serializers and pages hide it from others)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name="会议")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT,
                                   related_name="attendance", verbose_name="党员")
    presence = models.CharField("出席情况", max_length=10, choices=Presence.choices)
    reason = models.CharField("请假/缺席原因", max_length=200, blank=True)
    # Full members vote; probationary members attend without a vote (党章第七条).
    voting = models.BooleanField("有表决权", default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "meeting__org__path"
    scope_self = "membership__person__account__pk"

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="orglife_one_attendance")]

    def __str__(self):
        return f"{self.membership.person.name} {self.get_presence_display()}"


class MakeUpState(models.TextChoices):
    OPEN = "open", "待补学"
    DONE = "done", "已补学"


class MakeUp(models.Model):
    """补学: what an absent member studies afterwards, confirmed by the branch."""

    attendance = models.OneToOneField(Attendance, on_delete=models.CASCADE,
                                      related_name="makeup", verbose_name="出席记录")
    # Kept on the row (copies of the attendance's meeting, its branch and its date, fixed once
    # the meeting is held) so that the open make-ups of a subtree and period are one
    # index-only count instead of a join through millions of attendance rows.
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="makeups", verbose_name="党支部")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="makeups",
                                verbose_name="会议")
    meeting_date = models.DateField("会议日期")
    state = models.CharField("状态", max_length=8, choices=MakeUpState.choices,
                             default=MakeUpState.OPEN)
    content = models.TextField("补学内容", blank=True)
    done_on = models.DateField("补学日期", null=True, blank=True)
    confirmed_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name="确认人")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "attendance__membership__person__account__pk"

    class Meta:
        verbose_name = "补学"
        verbose_name_plural = "补学"
        ordering = ["state", "-id"]
        indexes = [
            models.Index(fields=["org", "state"], name="orglife_makeup_open"),
            # Compliance: the meetings of a period with a make-up still open, per branch.
            models.Index(fields=["state", "meeting_date", "org", "meeting"],
                         name="orglife_makeup_by_date"),
        ]

    def __str__(self):
        return f"{self.attendance.membership.person.name} 补学"

    def save(self, *args, **kwargs):
        # The copies follow the attendance when a caller names only the attendance.
        if self.meeting_id is None or self.meeting_date is None:
            meeting = self.attendance.meeting
            self.meeting_id, self.meeting_date = meeting.pk, meeting.date
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("branch_meeting_detail", args=[self.attendance.meeting_id])


class Vote(models.Model):
    """A resolution or an election put to the vote at a meeting, with its counts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes",
                                verbose_name="会议")
    subject = models.CharField("表决事项", max_length=200)
    election = models.BooleanField("选举", default=False)
    entitled = models.PositiveIntegerField("有表决权的应到人数")
    present = models.PositiveIntegerField("有表决权的实到人数")
    in_favour = models.PositiveIntegerField("赞成")
    against = models.PositiveIntegerField("反对", default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    quorate = models.BooleanField("达到法定人数")
    passed = models.BooleanField("通过")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "meeting__org__path"

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.subject


class Appraisal(models.Model):
    """A member's 民主评议 grade, given at an `appraisal` meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="appraisals",
                                verbose_name="民主评议")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT,
                                   related_name="appraisals", verbose_name="党员")
    grade = models.CharField("评定等次", max_length=12, choices=Grade.choices)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "meeting__org__path"
    scope_self = "membership__person__account__pk"

    class Meta:
        verbose_name = "民主评议等次"
        verbose_name_plural = "民主评议等次"
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="orglife_one_grade")]

    def __str__(self):
        return f"{self.membership.person.name} {self.get_grade_display()}"


class MeetingEvent(HistoryEvent):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events",
                                verbose_name="会议")
    step_labels = {"plan": "计划", "notify": "通知参会", "record": "登记召开情况",
                   "minutes": "录入会议记录", "vote": "登记表决", "grade": "登记评议等次",
                   "cancel": "取消", "edit": "修改计划", "makeup": "确认补学"}

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "meeting__org__path"

    class Meta(HistoryEvent.Meta):
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
