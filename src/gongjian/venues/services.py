"""Every rule and every write of positions and bookings (RULES §11).

Bookings: intervals are half-open [start, end) — 09:00–10:00 and 10:00–11:00 do not clash,
09:30–10:30 does. A room holds `groups` bookings at once: each active booking (申请 or 已确认;
a pending request holds its slot) takes a slot number 0..groups-1 that no overlapping active
booking of the room holds. The check and the write are one transaction serialised on a row
lock of the room (SQLite: the write transaction itself); on PostgreSQL an exclusion constraint
over (room, slot, [start, end)) refuses an overlap whatever writes the table, and its
violation is answered with the same Chinese refusal.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from gongjian.core.access import ROLE_PERMISSIONS, grants_of, restrict
from gongjian.core.images import clean_jpeg
from gongjian.core.models import User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import (
    DomainError,
    OutOfScope,
    delete_checked,
    require_scope,
    save_checked,
    validate,
)
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.orgs.choices import NON_PUBLIC_UNIT_TYPES
from gongjian.orgs.models import Building, Organization, Unit, street_path

from . import rules
from .models import (
    ACTIVE_STATES,
    WEEKDAYS,
    BaseType,
    Booking,
    BookingSeries,
    CommunityArea,
    Frequency,
    Kind,
    Room,
    State,
    Status,
    Venue,
    VenuePhoto,
)

S = State


def _owner_guard(user: Any, booking: Booking) -> str | None:
    """A unit's venue is answered for by the unit (its liaison), not by the community staff
    whose subtree the unit stands in."""
    venue = booking.venue
    unit = venue.unit
    if unit is not None and not any(g.role == "unit_liaison" and g.unit_id == unit.pk
                                    for g in grants_of(user)):
        return f"“{venue.name}”属于{unit.name}，由该单位联络员处理预约。"
    return None


def _started_guard(user: Any, booking: Booking) -> str | None:
    if booking.start > timezone.now():
        return "预约时间尚未开始，不能登记使用情况。"
    return _owner_guard(user, booking)


def _not_ended_guard(user: Any, booking: Booking) -> str | None:
    if booking.end <= timezone.now():
        return "预约时间已过，不能再确认。"
    return _owner_guard(user, booking)


WORKFLOW = Workflow(Booking, [
    Step("confirm", "确认", {S.REQUESTED}, S.CONFIRMED, action="confirm", guard=_not_ended_guard,
         owner="场地方", done="已确认预约。"),
    Step("decline", "驳回", {S.REQUESTED}, S.DECLINED, action="decline", guard=_owner_guard,
         owner="场地方", style="danger", fields=("reason",), done="已驳回预约。"),
    Step("done", "登记已使用", {S.CONFIRMED}, S.USED, action="done", guard=_started_guard,
         owner="场地方", done="已登记为已使用。"),
    Step("no_show", "登记爽约", {S.CONFIRMED}, S.NO_SHOW, action="no_show",
         guard=_started_guard, owner="场地方", style="danger", done="已登记爽约。"),
    Step("cancel", "取消", {S.REQUESTED, S.CONFIRMED}, S.CANCELLED, action="cancel",
         owner="预约方或场地方", style="danger", fields=("reason",), done="已取消预约。"),
], refusal=lambda step, booking: f"预约当前为“{booking.get_state_display()}”，不能{step.label}。")


# ---- positions --------------------------------------------------------------------------------

VENUE_FIELDS = ("name", "kind", "base_type", "brand", "status", "address", "lng", "lat", "area",
                "opens", "closes", "open_days", "bookable", "services", "description",
                "contact_name", "contact_phone")


def _check_venue(venue: Venue) -> None:
    if venue.area is not None and Decimal(venue.area) < 0:
        raise DomainError("面积不能小于零。", field="area", status=400)
    unit = venue.unit
    if unit is not None:
        # A unit's venue lies where the unit is located (the alliance's street finds it).
        if venue.org_id != unit.org_id:
            venue.org = unit.org


def create_venue(*, user: User, org: Organization | None = None, unit: Unit | None = None,
                 **fields: Any) -> Venue:
    """Record a position of a street or community (`org`), or of a unit (`unit`: it lies in
    the unit's street or community)."""
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if org is None and unit is None:
        raise DomainError("请选择阵地所属的街道/社区或单位。", field="org", status=400)
    for name, choices, noun in (("kind", Kind, "类别"), ("base_type", BaseType, "基地类型"),
                                ("status", Status, "状态")):
        value = fields.get(name)
        if value and value not in choices.values:
            raise DomainError(f"没有{noun}“{value}”。", field=name, status=400)
    venue = Venue(org=unit.org if unit is not None else org, unit=unit)
    for name, value in fields.items():
        setattr(venue, name, value.strip() if isinstance(value, str) else value)
    _check_venue(venue)
    validate(venue)
    return save_checked(user, venue, "add")


def edit_venue(venue: Venue, *, user: User, **fields: Any) -> Venue:
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_scope(user, "change", venue)
        locked = Venue.objects.select_for_update().get(pk=venue.pk)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        _check_venue(locked)
        validate(locked)
        save_checked(user, locked, "change")
    return locked


ROOM_FIELDS = ("name", "capacity", "groups", "area", "facilities", "active")


def add_room(venue: Venue, *, user: User, **fields: Any) -> Room:
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    require_scope(user, "change", venue)
    room = Room(venue=venue, **{k: v.strip() if isinstance(v, str) else v
                                for k, v in fields.items()})
    validate(room)
    if Room.objects.filter(venue=venue, name=room.name).exists():
        raise DomainError(f"“{venue.name}”已有名为“{room.name}”的房间/场地。", field="name",
                          status=400)
    return save_checked(user, room, "add")


def edit_room(room: Room, *, user: User, **fields: Any) -> Room:
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_scope(user, "change", room)
        locked = Room.objects.select_for_update().get(pk=room.pk)
        old_groups = locked.groups
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        validate(locked)
        if Room.objects.filter(venue_id=locked.venue_id, name=locked.name).exclude(
                pk=locked.pk).exists():
            raise DomainError(f"已有名为“{locked.name}”的房间/场地。", field="name", status=400)
        if locked.groups < old_groups and Booking.objects.filter(
                room=locked, state__in=ACTIVE_STATES, slot__gte=locked.groups,
                end__gt=timezone.now()).exists():
            raise DomainError(f"已有预约占用第 {locked.groups + 1} 个以上的团体名额，"
                              "请先处理这些预约再减少可同时使用的团体数。", field="groups",
                              status=400)
        save_checked(user, locked, "change")
    return locked


MAX_PHOTOS = 12


def add_photo(venue: Venue, *, user: User, image: Any, caption: str = "") -> VenuePhoto:
    """A photo of the position: checked and re-encoded (metadata dropped) before it is kept."""
    data = clean_jpeg(image, field="image")
    with transaction.atomic():
        require_scope(user, "change", venue)
        if VenuePhoto.objects.filter(venue=venue).count() >= MAX_PHOTOS:
            raise DomainError(f"每个阵地最多保存 {MAX_PHOTOS} 张照片。", field="image", status=400)
        photo = VenuePhoto(venue=venue, caption=(caption or "").strip()[:100], uploaded_by=user)
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        name = str(photo.image.name)
        try:
            save_checked(user, photo, "add")
        except Exception:
            photo.image.storage.delete(name)
            raise
    return photo


def delete_photo(photo: VenuePhoto, *, user: User) -> None:
    name = str(photo.image.name)
    storage = photo.image.storage
    delete_checked(user, photo)
    transaction.on_commit(lambda: storage.delete(name))


# ---- booking ----------------------------------------------------------------------------------

def booker_options(*, user: Any) -> list[tuple[Organization, Unit | None]]:
    """Who the user books as: each organisation (street, community) they are staff of, and each
    unit they are the liaison of."""
    options: list[tuple[Organization, Unit | None]] = []
    perm = "venues.add_booking"
    for grant in grants_of(user):
        if perm not in ROLE_PERMISSIONS.get(grant.role, ()):
            continue
        if grant.unit_id:
            options.append((grant.unit.org, grant.unit))
        elif grant.org_id:
            options.append((grant.org, None))
    return options


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def check_hours(venue: Venue, start: datetime.datetime, end: datetime.datetime) -> None:
    """Refuse (400, Chinese) an interval that ends before it starts or lies outside the
    venue's opening hours."""
    if start is None or end is None:
        raise DomainError("请填写开始和结束时间。", field="start", status=400)
    if end <= start:
        raise DomainError("结束时间须晚于开始时间。", field="end", status=400)
    ls, le = _local(start), _local(end)
    if ls.date() != le.date():
        raise DomainError("一次预约须在同一天内开始和结束。", field="end", status=400)
    if not venue.is_open_on(ls.date()):
        raise DomainError(f"{ls:%Y-%m-%d}（周{WEEKDAYS[ls.isoweekday() - 1]}）“{venue.name}”"
                          f"不开放（开放时间：{venue.hours_label}）。", field="start", status=400)
    if ls.time() < venue.opens or le.time() > venue.closes:
        raise DomainError(f"预约时间 {ls:%H:%M}–{le:%H:%M} 超出“{venue.name}”的开放时间"
                          f"（{venue.hours_label}）。", field="start", status=400)


def occurrences(start: datetime.datetime, end: datetime.datetime, frequency: str = "",
                until: datetime.date | None = None) -> list[tuple[datetime.datetime,
                                                                 datetime.datetime]]:
    """The intervals of a booking: one, or one per day/week from `start` up to `until`
    (inclusive), at most `max_occurrences`."""
    if not frequency:
        return [(start, end)]
    if frequency not in Frequency.values:
        raise DomainError(f"没有重复方式“{frequency}”。", field="frequency", status=400)
    if until is None:
        raise DomainError("重复预约须填写重复截止日期。", field="until", status=400)
    step = datetime.timedelta(days=1 if frequency == Frequency.DAILY else 7)
    first = _local(start).date()
    if until < first:
        raise DomainError("重复截止日期不能早于第一次预约的日期。", field="until", status=400)
    count = (until - first).days // step.days + 1
    limit = int(rules.setting("max_occurrences"))
    if count > limit:
        raise DomainError(f"重复预约最多 {limit} 次（当前为 {count} 次），请缩短重复截止日期。",
                          field="until", status=400)
    result = []
    for i in range(count):
        # Local wall-clock times are kept across a DST change (none in China, but cheap).
        s = timezone.make_aware(timezone.make_naive(start) + step * i) \
            if timezone.is_aware(start) else start + step * i
        e = timezone.make_aware(timezone.make_naive(end) + step * i) \
            if timezone.is_aware(end) else end + step * i
        result.append((s, e))
    return result


def free_slot(room: Room, start: datetime.datetime, end: datetime.datetime,
              exclude: int | None = None) -> int | None:
    """A slot no active booking of the room overlapping [start, end) holds, or None."""
    taken = Booking.objects.filter(room=room, state__in=ACTIVE_STATES, start__lt=end,
                                   end__gt=start)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    used = set(taken.values_list("slot", flat=True))
    return next((s for s in range(room.groups) if s not in used), None)


def _clash_message(room: Room, start: datetime.datetime, end: datetime.datetime) -> str:
    ls, le = _local(start), _local(end)
    full = "已被预约" if room.groups == 1 else f"已有 {room.groups} 个团体预约（已满）"
    return f"{room.venue.name} · {room.name} 在 {ls:%Y-%m-%d} {ls:%H:%M}–{le:%H:%M} {full}，请换一个时间。"


def _booking_code() -> str:
    return f"YY{timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"


def _owners(venue: Venue) -> list[User]:
    return unit_liaisons(venue.unit) if venue.unit_id else org_staff(venue.org)


def request_booking(room: Room, *, user: User, start: datetime.datetime,
                    end: datetime.datetime, purpose: str, attendees: int = 10,
                    org: Organization | None = None, unit: Unit | None = None,
                    frequency: str = "", until: datetime.date | None = None,
                    contact_name: str = "", contact_phone: str = "") -> list[Booking]:
    """Ask for a room of a venue in the alliance, once or recurring: every occurrence is
    checked (opening hours, a free slot), and all are written or none. Returns the bookings
    (申请; the owner confirms or declines)."""
    options = booker_options(user=user)
    if unit is not None:
        match = [o for o in options if o[1] is not None and o[1].pk == unit.pk]
    elif org is not None:
        match = [o for o in options if o[1] is None and o[0].pk == org.pk]
    else:
        match = options[:1]
    if not match:
        raise DomainError("您不能以该组织或单位的名义预约场地。", field="org", status=400)
    booker_org, booker_unit = match[0]
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError("请填写用途。", field="purpose", status=400)
    if not isinstance(attendees, int) or attendees < 1:
        raise DomainError("人数至少为 1。", field="attendees", status=400)
    if not restrict(user, "book", Room).filter(pk=room.pk).exists():
        if restrict(user, "view", Room).filter(pk=room.pk).exists():
            raise DomainError(f"“{room.venue.name}”未开放预约。", status=409)
        raise OutOfScope()
    venue = room.venue
    if not room.active:
        raise DomainError(f"“{room.name}”暂停预约。")
    if attendees > room.capacity:
        raise DomainError(f"人数 {attendees} 超过“{room.name}”的容纳人数 {room.capacity}。",
                          field="attendees", status=400)
    if start is None or end is None:
        raise DomainError("请填写开始和结束时间。", field="start", status=400)
    if end <= start:
        raise DomainError("结束时间须晚于开始时间。", field="end", status=400)
    now = timezone.now()
    if start <= now:
        raise DomainError("开始时间须晚于现在。", field="start", status=400)
    ahead = int(rules.setting("book_ahead_days"))
    intervals = occurrences(start, end, frequency, until)
    if _local(intervals[-1][0]).date() > timezone.localdate() + datetime.timedelta(days=ahead):
        raise DomainError(f"最多提前 {ahead} 天预约。", field="until" if frequency else "start",
                          status=400)
    for s, e in intervals:
        check_hours(venue, s, e)
    try:
        with transaction.atomic():
            # Serialises every request for this room: the check below and the insert are seen
            # by the next request only once this transaction commits.
            locked = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
            series = None
            if frequency and until is not None:
                series = BookingSeries.objects.create(room=locked, frequency=frequency,
                                                      until=until, created_by=user)
            made = []
            for s, e in intervals:
                slot = free_slot(locked, s, e)
                if slot is None:
                    raise DomainError(_clash_message(locked, s, e))
                booking = Booking(code=_booking_code(), room=locked, venue=locked.venue,
                                  org=booker_org, unit=booker_unit, series=series, start=s,
                                  end=e, slot=slot, purpose=purpose, attendees=attendees,
                                  contact_name=(contact_name or "").strip(),
                                  contact_phone=(contact_phone or "").strip(),
                                  requested_by=user)
                validate(booking, exclude=["code"])
                booking.save()
                made.append(booking)
            for booking in made:
                record_event(booking, "request", user,
                             text=f"{booking.booker_label}申请预约 {booking.time_label}"
                                  + (f"（{series}，共 {len(made)} 次）" if series else ""),
                             state_to=booking.state)
            first = made[0]
            notify(_owners(locked.venue),
                   f"场地预约待确认：{locked} {first.time_label}"
                   + (f" 等 {len(made)} 次" if len(made) > 1 else ""),
                   url=first.get_absolute_url(), kind="venues",
                   body=f"{first.booker_label}：{purpose}，{attendees} 人。")
    except IntegrityError as error:
        # The exclusion constraint (PostgreSQL) caught what the lock should have: same answer.
        if "booking_no_overlap" in str(error):
            raise DomainError(_clash_message(room, start, end)) from error
        raise
    return made


def _series_mates(booking: Booking) -> list[Booking]:
    """The still-pending occurrences of the booking's series (confirmed or declined as one)."""
    if booking.series_id is None:
        return []
    return list(Booking.objects.select_for_update().filter(
        series_id=booking.series_id, state=S.REQUESTED, end__gt=timezone.now())
        .exclude(pk=booking.pk))


def _move(booking: Booking, step: str, user: User, text: str, note: str = "") -> None:
    before = WORKFLOW.move(booking, step)
    if booking.state not in ACTIVE_STATES:
        booking.slot = None
    booking.save(update_fields=["state", "slot"])
    record_event(booking, step, user, text=text, note=note, state_from=before,
                 state_to=booking.state)


def confirm(booking: Booking, *, user: User) -> Booking:
    """The owner confirms (for a recurring booking: every pending occurrence of it)."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, booking, "confirm", related=["venue"])
        mates = _series_mates(locked)
        for row in [locked, *mates]:
            _move(row, "confirm", user, "场地方确认预约")
        notify([locked.requested_by], f"场地预约已确认：{locked.room} {locked.time_label}"
               + (f" 等 {len(mates) + 1} 次" if mates else ""),
               url=locked.get_absolute_url(), kind="venues")
    return locked


def decline(booking: Booking, *, user: User, reason: str = "") -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写驳回理由。", field="reason", status=400)
    with transaction.atomic():
        locked = WORKFLOW.lock(user, booking, "decline", related=["venue"])
        mates = _series_mates(locked)
        for row in [locked, *mates]:
            _move(row, "decline", user, f"场地方驳回：{reason}", reason)
        notify([locked.requested_by], f"场地预约未通过：{locked.room} {locked.time_label}",
               url=locked.get_absolute_url(), kind="venues", body=reason)
    return locked


def cancel(booking: Booking, *, user: User, reason: str = "") -> Booking:
    """The booker (or the owner) cancels one occurrence before it starts."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, booking, "cancel", related=["venue"])
        if locked.start <= timezone.now():
            raise DomainError("预约已开始，不能取消；请由场地方登记使用情况。")
        owner_side = restrict(user, "confirm", Booking).filter(pk=locked.pk).exists() \
            and _owner_guard(user, locked) is None
        booker_side = locked.requested_by_id == user.pk or any(
            b[0].pk == locked.org_id and (b[1].pk if b[1] else None) == locked.unit_id
            for b in booker_options(user=user))
        who = "预约方" if booker_side or not owner_side else "场地方"
        _move(locked, "cancel", user, f"{who}取消预约" + (f"：{reason}" if reason else ""),
              reason)
        others = _owners(locked.venue) if who == "预约方" else [locked.requested_by]
        notify(others, f"场地预约已取消：{locked.room} {locked.time_label}",
               url=locked.get_absolute_url(), kind="venues", body=reason)
    return locked


def done(booking: Booking, *, user: User) -> Booking:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, booking, "done", related=["venue"])
        _move(locked, "done", user, "场地方登记已使用")
    return locked


def no_show(booking: Booking, *, user: User) -> Booking:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, booking, "no_show", related=["venue"])
        _move(locked, "no_show", user, "场地方登记爽约（预约方未到场）")
        notify([locked.requested_by], f"场地预约登记为爽约：{locked.room} {locked.time_label}",
               url=locked.get_absolute_url(), kind="venues")
    return locked


# ---- area standards ---------------------------------------------------------------------------

def set_former_village(org: Organization, *, user: User, former_village: bool,
                       note: str = "") -> CommunityArea:
    """Mark a community as a former village (村改居) or not, for the area standards."""
    with transaction.atomic():
        require_scope(user, "view", org)
        row = CommunityArea.objects.select_for_update().filter(org=org).first()
        if row is None:
            row = CommunityArea(org=org)
            action = "add"
        else:
            action = "change"
        row.former_village = bool(former_village)
        row.note = (note or "").strip()[:200]
        save_checked(user, row, action)
    return row


def community_standards(street: Organization) -> list[dict[str, Any]]:
    """Each community of `street`: its positions' area (in use, not a unit's shared venue),
    what each standard asks, and the shortfall — computed from the records."""
    from gongjian.orgs.models import community_path

    street_p = street_path(street)
    communities = list(Organization.objects.communities().active()
                       .filter(path__startswith=street_p).exclude(path=street_p)
                       .order_by("path"))
    if not communities:
        return []
    areas: dict[str, Decimal] = {}
    for path, area in (Venue.objects.filter(org__path__startswith=street_p, unit__isnull=True,
                                            status="in_use")
                       .values_list("org__path").annotate(total=Sum("area"))):
        key = community_path(path, street_p)
        areas[key] = areas.get(key, Decimal(0)) + (area or Decimal(0))
    households: dict[str, int] = {}
    for path, count in (Building.objects.filter(grid__org__path__startswith=street_p)
                        .values_list("grid__org__path").annotate(total=Sum("households"))):
        key = community_path(path, street_p)
        households[key] = households.get(key, 0) + int(count or 0)
    villages = set(CommunityArea.objects.filter(org__in=communities, former_village=True)
                   .values_list("org_id", flat=True))
    rows = []
    for community in communities:
        area = areas.get(community.path, Decimal(0))
        checks: list[dict[str, Any]] = []
        for standard in rules.standards():
            if standard["basis"] == "non_public_companies":
                continue  # counted for the street as a whole, below
            need = rules.required_area(standard, former_village=community.pk in villages,
                                       households=households.get(community.path, 0),
                                       companies=0)
            if need is None:
                continue
            checks.append({"standard": standard, "required": need,
                           "shortfall": max(Decimal(0), need - area)})
        rows.append({"org": community, "area": area, "former_village": community.pk in villages,
                     "households": households.get(community.path, 0), "checks": checks,
                     "shortfall": max((Decimal(c["shortfall"]) for c in checks),
                                      default=Decimal(0))})
    return rows


def street_standards(street: Organization) -> dict[str, Any]:
    """The street-wide standards (per 100 non-public companies): every in-use position of the
    street counts, shared unit venues included."""
    street_p = street_path(street)
    area = Venue.objects.filter(org__path__startswith=street_p, status="in_use").aggregate(
        total=Sum("area"))["total"] or Decimal(0)
    companies = Unit.objects.filter(org__path__startswith=street_p,
                                    unit_type__in=list(NON_PUBLIC_UNIT_TYPES)).count()
    checks = []
    for standard in rules.standards():
        if standard["basis"] != "non_public_companies":
            continue
        need = rules.required_area(standard, former_village=False, households=0,
                                   companies=companies)
        if need is None:
            continue
        checks.append({"standard": standard, "required": need,
                       "shortfall": max(Decimal(0), need - area)})
    return {"area": area, "companies": companies, "checks": checks}
