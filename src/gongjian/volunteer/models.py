"""Volunteer service (志愿服务; RULES §10, 《志愿服务条例》, 民政部令第67号).

How the models hang together:

    Volunteer ──(person?)── members.Person        a person or an account who volunteers, with a
        │     ──(account?)─ core.User              volunteer number (志愿者编号, never the ID
        │     ── org ────── orgs.Organization      number); `org` is their home (scope, "near me")
        │
    Team (服务队) ── org ── Organization            owned by a community or the street; a unit's
        │         ── unit ─ orgs.Unit (optional)    team names the unit (its liaison keeps it)
        │         ── leader ─ Volunteer
        └── TeamMember ── volunteer                 joined_on / left_on: leaving ends the row,
                                                    rejoining adds a new one (history kept)
    Activity ── org ── Organization                 the organiser (谁组织谁记录); `team` optional
        │     state: draft → recruiting → in_progress → ended → reviewed → published | cancelled
        │     counts_from: the day its hours start to count (publicity over)
        ├── Signup ── volunteer                     accepted / waiting (queue by created_at, id) /
        │                                           cancelled / declined / absent
        ├── CheckIn ── signup, volunteer            one in/out pair (out_at empty while open);
        │                                           `day`, manual flags for hand-made entries
        ├── ServiceRecord ── volunteer, org         one per (activity, volunteer), written when
        │                                           the activity ends: hours computed from the
        │                                           pairs, adjusted at review; `counts_from`
        │                                           copied at publicity (figures read one table)
        └── ActivityEvent                           the activity's history
    Certificate ── volunteer, issuer (Organization) the service certificate (谁记录谁证明): a
                   records (ServiceRecord, M2M)     random number, hours and content at issue;
                                                    public check page by number

Team figures (activities, hours) and a volunteer's hours and star level are computed from
ServiceRecord, never typed. Copies kept for city-scale figures (about two million check-ins a
year): ServiceRecord.org/date/counts_from and CheckIn.activity/volunteer/day, and the rollup
of the records (RecordTally, ServiceDays), rewritten from them after every write.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import SELF_ROLES, RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent

NUMBER_PREFIX = "ZY"


def volunteer_number(pk: int) -> str:
    """The volunteer number of the row with primary key `pk` (ZY00000012)."""
    return f"{NUMBER_PREFIX}{pk:08d}"


def certificate_number(year: int) -> str:
    """A new certificate number: the year and eight random hexadecimal digits, so that the
    public check page cannot be walked through by counting."""
    return f"ZM{year}-{secrets.token_hex(4).upper()}"


class Volunteer(models.Model):
    """Someone who volunteers: a person of the register (a member, a resident, a unit's staff)
    and/or an account signing up on the phone. Registered on first sign-up or when a team
    takes them in."""

    number = models.CharField("志愿者编号", max_length=20, unique=True, null=True, blank=True,
                              editable=False)
    person = models.OneToOneField("members.Person", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="volunteer", verbose_name="人员")
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="volunteer",
                                   verbose_name="账户")
    # Shown on lists, records and certificates (copied from the person or the account).
    name = models.CharField("姓名", max_length=50)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteers", verbose_name="所在社区/组织")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="volunteers", verbose_name="所在单位")
    registered_on = models.DateField("注册日期", default=timezone.localdate)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "account_id"

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"
        ordering = ["number"]
        indexes = [models.Index(fields=["org"])]
        constraints = [models.CheckConstraint(
            condition=Q(person__isnull=False) | Q(account__isnull=False),
            name="volunteer_is_someone")]

    def __str__(self):
        return f"{self.name}（{self.number}）" if self.number else self.name

    @property
    def masked_name(self) -> str:
        """张*娟, 王*: what a public page shows."""
        name = self.name or ""
        if len(name) <= 1:
            return name
        if len(name) == 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]


class Speciality(models.TextChoices):
    ELDERLY = "elderly", "助老助残"
    ENVIRONMENT = "environment", "环境保护"
    TRAFFIC = "traffic", "文明交通"
    LAW = "law", "法律服务"
    HEALTH = "health", "医疗健康"
    EDUCATION = "education", "教育辅导"
    CULTURE = "culture", "文化体育"
    SAFETY = "safety", "平安巡逻"
    EMERGENCY = "emergency", "应急救援"
    OTHER = "other", "综合服务"


class Team(models.Model):
    """A volunteer service team (志愿服务队) of a community, the street or a unit."""

    name = models.CharField("服务队名称", max_length=100)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteer_teams", verbose_name="所属社区/街道")
    # A unit's team (seed 003: 12 company teams): `org` is where the unit is located.
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="volunteer_teams", verbose_name="所属单位")
    speciality = models.CharField("服务专长", max_length=16, choices=Speciality.choices,
                                  default=Speciality.OTHER)
    leader = models.ForeignKey(Volunteer, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="led_teams", verbose_name="队长")
    description = models.TextField("简介", max_length=2000, blank=True)
    founded_on = models.DateField("成立日期", default=timezone.localdate)
    dissolved_on = models.DateField("解散日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_unit = "unit_id"
    # Members and residents read their street's teams (to join one).
    shared_with_members = ("org__path", "street")

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["org__path", "name", "id"]
        indexes = [models.Index(fields=["org", "dissolved_on"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("volunteer_team_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        # Members and residents join (and leave) the active teams of their street.
        if action != "join" or grant.role not in SELF_ROLES or not grant.org_id:
            return None
        from gongjian.orgs.models import street_path

        return Q(org__path__startswith=street_path(grant.org), dissolved_on__isnull=True)

    @property
    def is_active(self):
        return self.dissolved_on is None

    def clean(self):
        if self.org_id and not self.org.is_active:
            raise ValidationError({"org": f"“{self.org.name}”已撤销。"})
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            raise ValidationError({"dissolved_on": "解散日期不能早于成立日期。"})


class TeamMember(models.Model):
    """A volunteer's time in a team: leaving sets `left_on`; rejoining is a new row."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members",
                             verbose_name="服务队")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="team_memberships", verbose_name="志愿者")
    joined_on = models.DateField("加入日期", default=timezone.localdate)
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "team__org__path"
    scope_unit = "team__unit_id"
    scope_self = "volunteer__account_id"

    class Meta:
        verbose_name = "服务队队员"
        verbose_name_plural = "服务队队员"
        ordering = ["team_id", "left_on", "joined_on", "id"]
        constraints = [models.UniqueConstraint(
            fields=["team", "volunteer"], condition=Q(left_on__isnull=True),
            name="volunteer_one_current_membership",
            violation_error_message="该志愿者已在本服务队。")]
        indexes = [models.Index(fields=["volunteer", "left_on"])]

    def __str__(self):
        return f"{self.volunteer.name} · {self.team.name}"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    RECRUITING = "recruiting", "招募中"
    IN_PROGRESS = "in_progress", "进行中"
    ENDED = "ended", "已结束"
    REVIEWED = "reviewed", "时长已审核"
    PUBLISHED = "published", "已公示"
    CANCELLED = "cancelled", "已取消"


# Seen by members and residents of the street (drafts are the organiser's).
PUBLIC_STATES = (State.RECRUITING, State.IN_PROGRESS, State.ENDED, State.REVIEWED,
                 State.PUBLISHED)
SIGNUP_STATES = (State.RECRUITING, State.IN_PROGRESS)


class Eligibility(models.TextChoices):
    ANYONE = "anyone", "所有人"
    MEMBERS = "members", "党员"
    TEAM = "team", "本服务队队员"


class Activity(models.Model):
    """A service activity, published by a team or a community (or the street)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteer_activities", verbose_name="组织单位")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="activities", verbose_name="服务队")
    title = models.CharField("活动名称", max_length=120)
    content = models.TextField("服务内容", max_length=4000)
    place = models.CharField("地点", max_length=150)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_deadline = models.DateTimeField("报名截止", null=True, blank=True,
                                           help_text="不填为活动结束前均可报名。")
    places = models.PositiveIntegerField("名额")
    eligibility = models.CharField("报名范围", max_length=10, choices=Eligibility.choices,
                                   default=Eligibility.ANYONE)
    beneficiaries_expected = models.PositiveIntegerField("预计服务对象（人）", default=0)
    beneficiaries_served = models.PositiveIntegerField("实际服务对象（人）", null=True,
                                                       blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    # Publicity (公示): the hours count from `counts_from` = publicised_on + publicity_days.
    publicity_days = models.PositiveSmallIntegerField("公示天数", null=True, blank=True)
    publicised_on = models.DateField("公示日期", null=True, blank=True)
    counts_from = models.DateField("时长计入日期", null=True, blank=True)
    review_note = models.CharField("审核说明", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="负责人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    # A unit's liaison reads the activities of the unit's teams.
    scope_unit = "team__unit_id"

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org", "starts_at"], name="volunteer_activity_org"),
            models.Index(fields=["state", "starts_at"], name="volunteer_activity_state"),
            models.Index(fields=["team", "starts_at"], name="volunteer_activity_team"),
            models.Index(fields=["state", "ends_at"], name="volunteer_activity_ends"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteer_activity_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        """Members, residents and liaisons read the street's published activities and sign
        up for those recruiting; whoever signed up keeps reading theirs (a cancelled one too)
        and checks in at those they were accepted for."""
        from gongjian.orgs.models import street_path

        if grant.role in SELF_ROLES and grant.org_id:
            street = street_path(grant.org)
        elif grant.role == "unit_liaison" and grant.unit_id:
            street = street_path(grant.unit.org)
        else:
            return None
        mine = Signup.objects.filter(volunteer__account_id=grant.user_id)
        # Checking in is open as far as reading is: the service refuses, in words, one who
        # did not sign up.
        if action in ("view", "checkin"):
            return (Q(org__path__startswith=street, state__in=PUBLIC_STATES)
                    | Q(pk__in=mine.values("activity_id")))
        if action == "signup" and grant.role in SELF_ROLES:
            return Q(org__path__startswith=street, state__in=SIGNUP_STATES) \
                | Q(pk__in=mine.filter(state__in=ACTIVE_SIGNUP).values("activity_id"))
        return None

    @property
    def counts(self) -> bool:
        """Whether its hours count today (publicity over)."""
        return self.counts_from is not None and self.counts_from <= timezone.localdate()

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "结束时间须晚于开始时间。"
        if self.signup_deadline and self.ends_at and self.signup_deadline > self.ends_at:
            errors["signup_deadline"] = "报名截止时间不能晚于活动结束时间。"
        if self.places is not None and self.places < 1:
            errors["places"] = "名额至少为 1。"
        if self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if self.team_id and self.org_id and not self.org.path.startswith(
                self.team.org.path) and not self.team.org.path.startswith(self.org.path):
            errors["team"] = f"服务队“{self.team.name}”不属于“{self.org.name}”。"
        if self.eligibility == Eligibility.TEAM and not self.team_id:
            errors["eligibility"] = "仅限服务队队员报名的活动须选择服务队。"
        if errors:
            raise ValidationError(errors)


class SignupState(models.TextChoices):
    ACCEPTED = "accepted", "已录用"
    WAITING = "waiting", "候补"
    CANCELLED = "cancelled", "已取消"
    DECLINED = "declined", "未录用"
    ABSENT = "absent", "缺席"


# Holding a place, or a place in the queue: one such sign-up per volunteer and activity.
ACTIVE_SIGNUP = (SignupState.ACCEPTED, SignupState.WAITING)


class Signup(models.Model):
    """One volunteer's sign-up for an activity: accepted while places remain, else waiting in
    order of sign-up; a cancelled or declined place goes to the first one waiting."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups",
                                 verbose_name="活动")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups",
                                  verbose_name="志愿者")
    state = models.CharField("状态", max_length=10, choices=SignupState.choices)
    created_at = models.DateTimeField("报名时间", default=timezone.now)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="处理人")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "activity__org__path"
    scope_self = "volunteer__account_id"

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["activity_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["activity", "volunteer"], condition=Q(state__in=["accepted", "waiting"]),
            name="volunteer_one_signup", violation_error_message="您已报名该活动，不能重复报名。")]
        indexes = [models.Index(fields=["activity", "state", "created_at"],
                                name="volunteer_signup_queue"),
                   models.Index(fields=["volunteer", "state"], name="volunteer_signup_mine")]

    def __str__(self):
        return f"{self.volunteer.name} · {self.activity.title}"


class CheckIn(models.Model):
    """One sign-in/sign-out pair (签到/签退). `out_at` is empty while open; an open pair earns
    nothing until the organiser closes it. Hand-made times are flagged and audited."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="checkins",
                                 verbose_name="活动")
    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="checkins",
                               verbose_name="报名")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="checkins", verbose_name="志愿者")
    day = models.DateField("日期")
    in_at = models.DateTimeField("签到时间")
    out_at = models.DateTimeField("签退时间", null=True, blank=True)
    in_manual = models.BooleanField("手工签到", default=False)
    out_manual = models.BooleanField("手工签退", default=False)
    note = models.CharField("手工录入说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="录入人")

    objects = RestrictedQuerySet.as_manager()
    # Scans are many (millions a year) and are their own record; hand-made entries are
    # written to the audit log by the services.
    scope_org_path = "activity__org__path"
    scope_self = "volunteer__account_id"

    class Meta:
        verbose_name = "签到记录"
        verbose_name_plural = "签到记录"
        ordering = ["activity_id", "in_at", "id"]
        indexes = [models.Index(fields=["activity", "volunteer", "day"],
                                name="volunteer_checkin_pairs"),
                   models.Index(fields=["volunteer", "day"], name="volunteer_checkin_day"),
                   models.Index(fields=["day"], name="volunteer_checkin_date")]

    def __str__(self):
        return f"{self.volunteer.name} {self.in_at:%Y-%m-%d %H:%M}"

    @property
    def manual(self) -> bool:
        return self.in_manual or self.out_manual

    @property
    def is_open(self) -> bool:
        return self.out_at is None


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    QUALIFIED = "qualified", "合格"


class ServiceRecord(models.Model):
    """A volunteer's service record of one activity (谁组织谁记录): written when the activity
    ends, hours computed from the pairs under rules.py, adjusted (with a reason) and approved
    at review; counted from `counts_from`, when the publicity is over."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="records",
                                 verbose_name="活动")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records",
                                  verbose_name="志愿者")
    # Copies of the activity's organiser, first day and counting date: figures over a city's
    # records read this table alone.
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteer_records", verbose_name="组织单位")
    date = models.DateField("服务日期")
    counts_from = models.DateField("计入日期", null=True, blank=True)
    raw_hours = models.DecimalField("实际时长（小时）", max_digits=7, decimal_places=2)
    computed_hours = models.DecimalField("核算时长（小时）", max_digits=7, decimal_places=2)
    hours = models.DecimalField("认定时长（小时）", max_digits=7, decimal_places=2)
    open_pairs = models.PositiveSmallIntegerField("未签退次数", default=0)
    adjusted = models.BooleanField("已调整", default=False)
    adjust_reason = models.CharField("调整原因", max_length=200, blank=True)
    evaluation = models.CharField("服务评价", max_length=10, choices=Evaluation.choices,
                                  blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="记录人")
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_self = "volunteer__account_id"

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"],
                                               name="volunteer_one_record")]
        indexes = [models.Index(fields=["org", "date"], name="volunteer_record_org"),
                   models.Index(fields=["volunteer", "counts_from"],
                                name="volunteer_record_mine"),
                   models.Index(fields=["counts_from", "org"], name="volunteer_record_counted")]

    def __str__(self):
        return f"{self.volunteer.name} · {self.activity.title} · {self.hours} 小时"

    @property
    def counts(self) -> bool:
        return self.counts_from is not None and self.counts_from <= timezone.localdate()


class Certificate(models.Model):
    """志愿服务证明 (谁记录谁证明): issued by the organising organisation for the volunteer's
    counted records there; identity by volunteer number only."""

    number = models.CharField("证明编号", max_length=24, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="certificates", verbose_name="志愿者")
    issuer = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                               related_name="volunteer_certificates", verbose_name="出具单位")
    issued_on = models.DateField("出具日期", default=timezone.localdate)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name="申请人")
    hours = models.DecimalField("服务时长（小时）", max_digits=8, decimal_places=2)
    activity_count = models.PositiveIntegerField("服务次数")
    first_date = models.DateField("起始日期")
    last_date = models.DateField("截止日期")
    content = models.TextField("服务内容")
    records = models.ManyToManyField(ServiceRecord, related_name="certificates",
                                     verbose_name="服务记录")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "issuer__path"
    scope_self = "volunteer__account_id"

    class Meta:
        verbose_name = "志愿服务证明"
        verbose_name_plural = "志愿服务证明"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["volunteer", "issuer"], name="volunteer_cert_mine")]

    def __str__(self):
        return self.number

    @classmethod
    def public_scope(cls, action):
        # Anyone holding the number checks the certificate (its public page masks the name).
        return Q() if action == "verify" else None


class ActivityEvent(HistoryEvent):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events",
                                 verbose_name="活动")
    step_labels = {"create": "登记活动", "edit": "修改活动", "publish": "发布招募",
                   "start": "开始活动", "finish": "结束活动", "review": "审核时长",
                   "publicize": "公示", "cancel": "取消活动", "manual": "手工签到/签退",
                   "adjust": "调整时长", "decline": "不予录用", "promote": "候补递补"}

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "activity__org__path"

    class Meta(HistoryEvent.Meta):
        verbose_name = "活动记录"
        verbose_name_plural = "活动记录"


class RecordTally(models.Model):
    """The records of one activity summed per organiser, first day and counting date: what a
    city's figures add up instead of reading two million records. Derived from ServiceRecord
    by `volunteer.rollup` after every write; never edited by hand."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tallies",
                                 verbose_name="活动")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteer_tallies", verbose_name="组织单位")
    date = models.DateField("服务日期")
    counts_from = models.DateField("计入日期", null=True, blank=True)
    records = models.PositiveIntegerField("人次")
    hours = models.DecimalField("认定时长（小时）", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "志愿服务记录汇总"
        verbose_name_plural = "志愿服务记录汇总"
        indexes = [models.Index(fields=["date", "org"], name="volunteer_tally_date"),
                   models.Index(fields=["activity"], name="volunteer_tally_activity")]

    def __str__(self):
        return f"{self.activity_id} · {self.date} · {self.records} 人次"


class ServiceDays(models.Model):
    """The days a volunteer served at one organiser in one year, one bit per day of each month
    (bit 0 is the 1st): distinct people of any period are counted from these few rows per
    volunteer. Derived from ServiceRecord by `volunteer.rollup`; never edited by hand. An
    organisation merge may leave two rows for one (volunteer, org, year): readers OR them."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE,
                                  related_name="service_days", verbose_name="志愿者")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="volunteer_service_days", verbose_name="组织单位")
    year = models.PositiveSmallIntegerField("年度")
    m01 = models.IntegerField(default=0)
    m02 = models.IntegerField(default=0)
    m03 = models.IntegerField(default=0)
    m04 = models.IntegerField(default=0)
    m05 = models.IntegerField(default=0)
    m06 = models.IntegerField(default=0)
    m07 = models.IntegerField(default=0)
    m08 = models.IntegerField(default=0)
    m09 = models.IntegerField(default=0)
    m10 = models.IntegerField(default=0)
    m11 = models.IntegerField(default=0)
    m12 = models.IntegerField(default=0)

    class Meta:
        verbose_name = "志愿服务日"
        verbose_name_plural = "志愿服务日"
        indexes = [models.Index(fields=["year", "org"], name="volunteer_days_year"),
                   models.Index(fields=["volunteer"], name="volunteer_days_volunteer")]

    def __str__(self):
        return f"{self.volunteer_id} · {self.org_id} · {self.year}"


class PeopleBits(models.Model):
    """The ids of the volunteers who served within one organisation's subtree on one day
    (`day` 1–31) or in one month (`day` 0), as a serialised roaring bitmap: the distinct
    people of any period are the size of a union of a few of these (`volunteer.people`).
    Derived from ServiceDays by the services; never edited by hand. A merge leaves these rows
    where they are: the services move the bits themselves."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+",
                            verbose_name="组织")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    day = models.PositiveSmallIntegerField("日")
    bits = models.BinaryField("志愿者集合")

    class Meta:
        verbose_name = "志愿服务人数位图"
        verbose_name_plural = "志愿服务人数位图"
        constraints = [models.UniqueConstraint(fields=["org", "year", "month", "day"],
                                               name="volunteer_peoplebits_key")]

    def __str__(self):
        return f"{self.org_id} · {self.year}-{self.month:02d}-{self.day:02d}"


@receiver(post_save, sender=ServiceRecord)
@receiver(post_delete, sender=ServiceRecord)
def _record_written(sender, instance: ServiceRecord, **kwargs) -> None:
    # One record saved or deleted (an activity's cascade included): its tally and its
    # volunteer's days follow. Bulk writes and QuerySet.update call services.refresh_rollup.
    from .services import refresh_rollup_of

    refresh_rollup_of([instance.activity_id], [instance.volunteer_id])
