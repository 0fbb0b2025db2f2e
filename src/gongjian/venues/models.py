"""Positions (阵地) and the booking of shared venues (RULES §11; seeds 000–003).

How the models hang together:

    Venue (阵地) ── org ─── orgs.Organization      the street or community it belongs to (for a
        │        ── unit ── orgs.Unit (optional)   unit's venue: where the unit is located)
        │        kind, base_type, brand, status, area (m²), WGS-84 lng/lat, opening hours
        ├── Room ── groups                          how many groups may use it at once
        ├── VenuePhoto                              re-encoded JPEG, served through the scope
        └── (bookable)                              shared with the alliance: others may book it
    Booking ── room, venue (copied, for scope and calendars)
        │   ── org / unit                           who books (a community, the street, a unit)
        │   ── series (optional)                    one row per occurrence of a recurring booking
        │   start, end (half-open), slot            slot ∈ 0..groups-1 while the booking is active
        │   state: requested → confirmed → used | declined / cancelled / no_show
        └── BookingEvent                            the booking's history
    CommunityArea                                   venues-side facts of a community (former
                                                    village 村改居) for the area standards

Bookings never overlap: the service takes a row lock on the room and gives each active booking
a free slot; on PostgreSQL an exclusion constraint over (room, slot, [start, end)) holds it
whatever the application does.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import ROLES_AT_ORG, ROLES_AT_UNIT, SELF_ROLES, RestrictedQuerySet
from gongjian.core.workflow import HistoryEvent


class Kind(models.TextChoices):
    CENTRE = "centre", "党群服务中心"
    STATION = "station", "党群服务站（驿站）"
    BASE = "base", "组织生活基地"
    SHARED = "shared", "共享场地"


class BaseType(models.TextChoices):
    """The six kinds of open organisational-life bases (seed 003 六大类)."""

    RED_HISTORY = "red_history", "红色教育"
    INTEGRITY = "integrity", "廉政文化"
    INDUSTRY = "industry", "产业发展"
    INNOVATION = "innovation", "科技创新"
    VOLUNTEER = "volunteer", "志愿服务"
    GOVERNANCE = "governance", "社区治理"


class Status(models.TextChoices):
    IN_USE = "in_use", "已投用"
    PLANNED = "planned", "立项/在建"
    NEGOTIATING = "negotiating", "协商中"
    CLOSED = "closed", "已停用"


# 一社区一品牌 (seed 002): the brands communities choose from; free text is allowed too.
BRAND_SUGGESTIONS = ["温馨养老型", "绿色环保型", "文化传承型", "平安和谐型", "志愿服务型",
                     "青少年成长型", "便民服务型", "红色教育型", "智慧治理型"]

WEEKDAYS = "一二三四五六日"


def weekdays_validator(value: str) -> None:
    if not value or any(c not in "1234567" for c in value) or len(set(value)) != len(value):
        raise ValidationError("开放日须为 1–7 的数字（1 为周一），每天至多一次。")


def alliance_scope(action, grant, prefix=""):
    """The alliance: staff of the street and its communities and the liaisons of its units
    read the street's positions and book the shared ones (`prefix` leads to the venue)."""
    if action not in ("view", "book") or grant.role in SELF_ROLES:
        return None
    from gongjian.orgs.models import street_path

    if grant.role in ROLES_AT_ORG and grant.org_id:
        street = street_path(grant.org)
    elif grant.role in ROLES_AT_UNIT and grant.unit_id:
        street = street_path(grant.unit.org)
    else:
        return None
    q = Q(**{f"{prefix}org__path__startswith": street})
    if action == "book":
        q &= Q(**{f"{prefix}bookable": True, f"{prefix}status": Status.IN_USE})
    return q


class Venue(models.Model):
    """A position: a service centre, a station, an organisational-life base or a unit's venue
    shared with the alliance."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="venues", verbose_name="所属街道/社区")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="venues", verbose_name="所属单位")
    name = models.CharField("阵地名称", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    base_type = models.CharField("基地类型", max_length=16, choices=BaseType.choices,
                                 blank=True)
    brand = models.CharField("品牌", max_length=40, blank=True,
                             help_text="一社区一品牌，如 温馨养老型、绿色环保型")
    status = models.CharField("状态", max_length=12, choices=Status.choices,
                              default=Status.IN_USE)
    address = models.CharField("地址", max_length=200, blank=True)
    # Stored WGS-84 (RULES §11); forms convert from GCJ-02 / BD-09.
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    area = models.DecimalField("面积（㎡）", max_digits=9, decimal_places=2, default=Decimal(0),
                               validators=[MinValueValidator(0, "面积不能小于零。")])
    opens = models.TimeField("开放时间（起）", default=datetime.time(8, 30))
    closes = models.TimeField("开放时间（止）", default=datetime.time(21, 0))
    open_days = models.CharField("开放日", max_length=7, default="1234567",
                                 validators=[weekdays_validator],
                                 help_text="1–7 表示周一至周日，如 12345 为工作日")
    bookable = models.BooleanField("向共建单位开放预约", default=False)
    services = models.TextField("服务项目", max_length=2000, blank=True,
                                help_text="每行一项")
    description = models.TextField("简介", max_length=2000, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_unit = "unit_id"
    # Members and residents read their street's positions (where to go, what is offered).
    shared_with_members = ("org__path", "street")

    class Meta:
        verbose_name = "阵地"
        verbose_name_plural = "阵地"
        ordering = ["org__path", "kind", "name", "id"]
        indexes = [models.Index(fields=["org", "kind"]), models.Index(fields=["unit"])]
        constraints = [
            models.CheckConstraint(condition=Q(area__gte=0), name="venue_area_non_negative",
                                   violation_error_message="面积不能小于零。"),
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")),
                                   name="venue_opens_before_closes",
                                   violation_error_message="开放时间的起点须早于终点。"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("venue_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        return alliance_scope(action, grant)

    @property
    def owner_label(self) -> str:
        return self.unit.name if self.unit_id else self.org.name

    @property
    def service_list(self) -> list[str]:
        return [s.strip() for s in self.services.splitlines() if s.strip()]

    @property
    def open_days_label(self) -> str:
        if self.open_days == "1234567":
            return "每天"
        if self.open_days == "12345":
            return "工作日"
        return "、".join("周" + WEEKDAYS[int(d) - 1] for d in sorted(self.open_days))

    @property
    def hours_label(self) -> str:
        return f"{self.open_days_label} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def is_open_on(self, day: datetime.date) -> bool:
        return str(day.isoweekday()) in self.open_days

    def clean(self):
        errors = {}
        if (self.lng is None) != (self.lat is None):
            errors["lng"] = "经度和纬度须同时填写。"
        if self.area is not None and self.area < 0:
            errors["area"] = "面积不能小于零。"
        if self.opens and self.closes and self.opens >= self.closes:
            errors["closes"] = "开放时间的终点须晚于起点。"
        if self.kind == Kind.BASE and not self.base_type:
            errors["base_type"] = "组织生活基地须选择基地类型。"
        if self.kind != Kind.BASE and self.base_type:
            errors["base_type"] = "只有组织生活基地才有基地类型。"
        if self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if errors:
            raise ValidationError(errors)


class Room(models.Model):
    """A room (or field) of a venue: what is booked."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms",
                              verbose_name="阵地")
    name = models.CharField("房间/场地", max_length=60)
    capacity = models.PositiveIntegerField("容纳人数", default=30,
                                           validators=[MinValueValidator(1, "容纳人数至少为 1。")])
    groups = models.PositiveSmallIntegerField(
        "可同时使用的团体数", default=1,
        validators=[MinValueValidator(1, "可同时使用的团体数至少为 1。"),
                    MaxValueValidator(20, "可同时使用的团体数至多为 20。")])
    area = models.DecimalField("面积（㎡）", max_digits=8, decimal_places=2, null=True,
                               blank=True, validators=[MinValueValidator(0, "面积不能小于零。")])
    facilities = models.CharField("设施", max_length=300, blank=True,
                                  help_text="如 投影、音响、桌椅 40 套")
    active = models.BooleanField("可预约", default=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "venue__org__path"
    scope_unit = "venue__unit_id"
    shared_with_members = ("venue__org__path", "street")

    class Meta:
        verbose_name = "房间/场地"
        verbose_name_plural = "房间/场地"
        ordering = ["venue_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(groups__gte=1), name="room_groups_positive",
                                   violation_error_message="可同时使用的团体数至少为 1。"),
        ]

    def __str__(self):
        return f"{self.venue.name} · {self.name}"

    def get_absolute_url(self):
        return reverse("venue_room_calendar", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        return alliance_scope(action, grant, "venue__")


def photo_path(instance, filename):
    return f"venues/{instance.venue_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class VenuePhoto(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos",
                              verbose_name="阵地")
    image = models.FileField("照片", upload_to=photo_path, max_length=200)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    audit_hidden_fields = ("image",)
    scope_org_path = "venue__org__path"
    scope_unit = "venue__unit_id"
    shared_with_members = ("venue__org__path", "street")

    class Meta:
        verbose_name = "阵地照片"
        verbose_name_plural = "阵地照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.venue} 照片 {self.pk}"

    @classmethod
    def open_scope(cls, action, grant):
        return alliance_scope(action, grant, "venue__") if action == "view" else None


class State(models.TextChoices):
    REQUESTED = "requested", "申请"
    CONFIRMED = "confirmed", "已确认"
    USED = "used", "已使用"
    DECLINED = "declined", "驳回"
    CANCELLED = "cancelled", "取消"
    NO_SHOW = "no_show", "爽约"


# A pending request holds its slot as a confirmed booking does (RULES §11).
ACTIVE_STATES = (State.REQUESTED, State.CONFIRMED)


class Frequency(models.TextChoices):
    DAILY = "daily", "每天"
    WEEKLY = "weekly", "每周"


class BookingSeries(models.Model):
    """A recurring booking: its occurrences are Booking rows, created all or nothing."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series",
                             verbose_name="房间/场地")
    frequency = models.CharField("重复", max_length=8, choices=Frequency.choices)
    until = models.DateField("重复至")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "room__venue__org__path"
    scope_unit = "room__venue__unit_id"
    scope_self = "created_by_id"

    class Meta:
        verbose_name = "重复预约"
        verbose_name_plural = "重复预约"

    def __str__(self):
        return f"{self.room} {self.get_frequency_display()}至 {self.until}"


class Booking(models.Model):
    code = models.CharField("预约编号", max_length=20, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings",
                             verbose_name="房间/场地")
    # Copied from the room: the owner's scope and the calendar read one table.
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings",
                              verbose_name="阵地")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="venue_bookings", verbose_name="预约方")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="venue_bookings", verbose_name="预约单位")
    series = models.ForeignKey(BookingSeries, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="bookings", verbose_name="重复预约")
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    slot = models.PositiveSmallIntegerField("占用档", null=True, blank=True, editable=False)
    state = models.CharField("状态", max_length=12, choices=State.choices,
                             default=State.REQUESTED)
    purpose = models.CharField("用途", max_length=200)
    attendees = models.PositiveIntegerField("人数", default=10,
                                            validators=[MinValueValidator(1, "人数至少为 1。")])
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    reason = models.CharField("说明", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    # The owner's side: the venue's street/community staff and, for a unit's venue, its liaison.
    scope_org_path = "venue__org__path"
    scope_unit = "venue__unit_id"

    class Meta:
        verbose_name = "场地预约"
        verbose_name_plural = "场地预约"
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["room", "start"]),
            models.Index(fields=["venue", "start"]),
            models.Index(fields=["org", "state"]),
            models.Index(fields=["state", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="booking_ends_after_start",
                                   violation_error_message="结束时间须晚于开始时间。"),
            # An active booking holds a slot; a finished or refused one holds none.
            models.CheckConstraint(
                condition=Q(state__in=ACTIVE_STATES, slot__isnull=False)
                | (~Q(state__in=ACTIVE_STATES) & Q(slot__isnull=True)),
                name="booking_slot_iff_active"),
        ]

    def __str__(self):
        return f"{self.room} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("booking_detail", args=[self.pk])

    @classmethod
    def open_scope(cls, action, grant):
        """The booker's side reads and cancels: the person who asked, the booking
        organisation's staff (its subtree), the booking unit's liaison."""
        if action not in ("view", "cancel"):
            return None
        if grant.role in SELF_ROLES:
            return Q(requested_by_id=grant.user_id) if action == "view" else None
        if grant.role in ROLES_AT_ORG and grant.org_id:
            return Q(org__path__startswith=grant.org.path, unit__isnull=True)
        if grant.role in ROLES_AT_UNIT and grant.unit_id:
            return Q(unit_id=grant.unit_id)
        return None

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def booker_label(self) -> str:
        return self.unit.name if self.unit_id else self.org.name

    @property
    def time_label(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}"


class BookingEvent(HistoryEvent):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events",
                                verbose_name="预约")
    step_labels = {"request": "申请预约", "confirm": "确认", "decline": "驳回",
                   "cancel": "取消", "no_show": "登记爽约", "done": "登记已使用",
                   "remind": "提醒"}

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "booking__venue__org__path"
    scope_unit = "booking__venue__unit_id"

    class Meta(HistoryEvent.Meta):
        verbose_name = "预约记录"
        verbose_name_plural = "预约记录"

    @classmethod
    def open_scope(cls, action, grant):
        cond = Booking.open_scope(action, grant)
        if cond is None or action != "view":
            return None
        if grant.role in SELF_ROLES:
            return Q(booking__requested_by_id=grant.user_id)
        if grant.role in ROLES_AT_ORG and grant.org_id:
            return Q(booking__org__path__startswith=grant.org.path, booking__unit__isnull=True)
        return Q(booking__unit_id=grant.unit_id)


class CommunityArea(models.Model):
    """What the area standards need to know of a community beyond the organisation tree:
    whether it is a former village (村改居, ≥ 1,600 m² in seed 001)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                            related_name="venue_profiles", verbose_name="社区")
    former_village = models.BooleanField("村改居社区", default=False)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "社区阵地情况"
        verbose_name_plural = "社区阵地情况"

    def __str__(self):
        return f"{self.org}{'（村改居）' if self.former_village else ''}"
