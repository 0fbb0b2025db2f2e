"""Pages of positions and bookings: the venue list (with its spreadsheet), a venue's page
(rooms, hours, services, photos, the 预约 button), its month calendar and that of a room (a
list at phone width, a week/day list), the venue, room and photo forms, the booking form, the
booking list (mine / to confirm) and a booking's page with its steps and history, and the area
standards. Rows come through restrict(); writes through services."""

import datetime

from django.apps import apps
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    run_action,
    run_service,
)
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from gongjian.orgs.models import Organization

from . import queries, services
from .filtersets import BookingFilterSet, VenueFilterSet
from .forms import (
    BookingForm,
    CancelForm,
    FormerVillageForm,
    PhotoForm,
    ReasonForm,
    RoomForm,
    VenueForm,
)
from .models import Booking, BookingEvent, CommunityArea, Room, State, Venue, VenuePhoto


def attachment(response, ascii_name, chinese_name):
    from urllib.parse import quote

    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(chinese_name)}")
    return response


class VenueList(ObjectListView):
    model = Venue
    template_name = "venues/venue_list.html"
    filterset_class = VenueFilterSet

    def get_queryset(self):
        return self.scoped().select_related("org", "unit").order_by("org__path", "kind", "name",
                                                                    "id")

    def annotate_rows(self, rows):
        from django.db.models import Count

        return rows.annotate(room_count=Count("rooms"))

    def extra_context(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        return {"export_query": query.urlencode()}


class VenueExport(ScopedView):
    """The filtered list as a spreadsheet (the same FilterSet as the page and the API)."""

    model = Venue

    def get(self, request):
        rows = self.scoped()
        filterset = VenueFilterSet(request.GET, queryset=rows, request=request)
        rows = filterset.qs if filterset.is_valid() else rows.none()
        from django.db.models import Count

        rows = (rows.select_related("org", "unit").order_by("org__path", "kind", "name", "id")
                .annotate(room_count=Count("rooms")))
        # Contacts are for the alliance's staff, not for members and residents.
        contacts = self.can("change")
        headers = ["阵地名称", "类别", "基地类型", "所属街道/社区", "所属单位", "品牌", "状态",
                   "地址", "经度", "纬度", "面积（㎡）", "房间/场地数", "开放时间", "可预约",
                   "服务项目"] + (["联系人", "联系电话"] if contacts else [])

        def lines():
            for v in rows.iterator(chunk_size=500):
                yield [v.name, v.get_kind_display(), v.get_base_type_display(), v.org.name,
                       v.unit.name if v.unit_id else "", v.brand, v.get_status_display(),
                       v.address, float(v.lng) if v.lng is not None else "",
                       float(v.lat) if v.lat is not None else "", float(v.area), v.room_count,
                       v.hours_label, "是" if v.bookable else "否", "；".join(v.service_list),
                       *([v.contact_name, v.contact_phone] if contacts else [])]

        body = write_xlsx("阵地", headers, lines(),
                          widths=[28, 16, 10, 18, 20, 12, 8, 28, 11, 11, 10, 10, 22, 8, 30, 10, 14])
        today = timezone.localdate()
        return attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE),
                          f"venues-{today:%Y%m%d}.xlsx", f"阵地-{today:%Y%m%d}.xlsx")


class VenueDetail(ObjectDetailView):
    model = Venue
    lookup_field = "pk"
    template_name = "venues/venue_detail.html"
    context_object_name = "venue"
    object_actions = ("change",)

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related("org", "unit"))

    def extra_context(self):
        venue, user = self.object, self.request.user
        rooms = list(restrict(user, "view", Room).filter(venue=venue).order_by("name", "id"))
        bookable = restrict(user, "book", Room).filter(venue=venue, active=True).exists() \
            and bool(services.booker_options(user=user))
        upcoming = list(restrict(user, "view", Booking).filter(
            venue=venue, state__in=[State.REQUESTED, State.CONFIRMED], end__gt=timezone.now())
            .select_related("room", "org", "unit").order_by("start", "id")[:10])
        return {"rooms": rooms, "can_book": bookable, "upcoming": upcoming,
                "photos": restrict(user, "view", VenuePhoto).filter(venue=venue),
                "can_photo": self.can("add", VenuePhoto)
                and self.allowed(venue)["change"],
                # Whoever reads circles (circle app: RoadNetwork "view") sees this point's.
                "can_circle": venue.lng is not None
                and self.can("view", apps.get_model("circle", "RoadNetwork"))}


class VenueEdit(ObjectEditView):
    model = Venue
    lookup_field = "pk"
    form_class = VenueForm
    list_url = "venue_list"
    template_name = "venues/venue_form.html"
    title_add = "登记阵地"
    title_change = "修改阵地：{obj.name}"
    saved_message = "已保存：{saved.name}。"
    initial_from_query = ("org",)

    def save(self, form, obj):
        fields = form.service_fields()
        if obj is None:
            return services.create_venue(user=self.request.user, org=form.cleaned_data["org"],
                                         unit=form.cleaned_data.get("unit"), **fields)
        return services.edit_venue(obj, user=self.request.user, **fields)


class RoomAdd(ScopedView):
    model = Venue
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, venue, form, status=200):
        return self.render({"form": form, "title": f"添加房间/场地：{venue.name}",
                            "subtitle": "可同时使用的团体数：一个房间可同时容纳几个团体分别使用"
                                        "（如运动场分区），默认 1。",
                            "submit": "添加", "cancel": venue.get_absolute_url()}, status)

    def get(self, request, pk):
        return self.page(self.get_object(), RoomForm())

    def post(self, request, pk):
        venue = self.get_object()
        form = RoomForm(request.POST)
        if form.is_valid():
            ok, room = run_service(request, form, lambda: services.add_room(
                venue, user=request.user, **form.cleaned_data), "已添加房间/场地。")
            if ok:
                return redirect(venue.get_absolute_url())
        return self.page(venue, form, status=400)


class RoomEdit(ScopedView):
    model = Room
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, room, form, status=200):
        return self.render({"form": form, "title": f"修改房间/场地：{room}",
                            "submit": "保存", "cancel": room.venue.get_absolute_url()}, status)

    def get(self, request, pk):
        room = self.get_object()
        return self.page(room, RoomForm(instance=room))

    def post(self, request, pk):
        room = self.get_object()
        form = RoomForm(request.POST, instance=Room.objects.get(pk=room.pk))
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.edit_room(
                room, user=request.user, **form.cleaned_data), "已保存。")
            if ok:
                return redirect(room.venue.get_absolute_url())
        return self.page(room, form, status=400)


class PhotoAdd(ScopedView):
    model = Venue
    action = "change"
    lookup_field = "pk"
    template_name = "core/object_form.html"

    def page(self, venue, form, status=200):
        return self.render({"form": form, "title": f"上传照片：{venue.name}", "multipart": True,
                            "submit": "上传", "cancel": venue.get_absolute_url()}, status)

    def get(self, request, pk):
        return self.page(self.get_object(), PhotoForm())

    def post(self, request, pk):
        venue = self.get_object()
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.add_photo(
                venue, user=request.user, image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"]), "已上传照片。")
            if ok:
                return redirect(venue.get_absolute_url())
        return self.page(venue, form, status=400)


class PhotoView(ScopedView):
    """A photo of a position, to those who may see it; never a public media URL."""

    model = VenuePhoto
    lookup_field = "pk"

    def get(self, request, pk):
        photo = self.get_object()
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError as error:
            raise Http404("照片文件不存在。") from error
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PhotoDelete(ScopedView):
    model = VenuePhoto
    action = "delete"
    lookup_field = "pk"
    http_method_names = ["post"]

    def post(self, request, pk):
        photo = self.get_object()
        venue = photo.venue
        run_action(request, lambda: services.delete_photo(photo, user=request.user),
                   "已删除照片。")
        return redirect(venue.get_absolute_url())


def _month_of(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        datetime.date(year, month, 1)
    except (TypeError, ValueError):
        year, month = today.year, today.month
    if not 2000 <= year <= 2100:
        year, month = today.year, today.month
    return year, month


def _day_of(request):
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


class VenueCalendar(ScopedView):
    """The month calendar of a venue (all its rooms) — `?view=week&date=` for a week list."""

    model = Venue
    lookup_field = "pk"
    template_name = "venues/calendar.html"

    def subject(self):
        venue = get_object_or_404(self.scoped().select_related("org", "unit"), pk=self.kwargs["pk"])
        return venue, None

    def get(self, request, pk):
        venue, room = self.subject()
        user = request.user
        view = request.GET.get("view", "month")
        context = {"venue": venue, "room": room, "view": view,
                   "rooms": list(restrict(user, "view", Room).filter(venue=venue)
                                 .order_by("name", "id")),
                   "can_book": restrict(user, "book", Room).filter(venue=venue, active=True)
                   .exists() and bool(services.booker_options(user=user))}
        if view in ("week", "day"):
            day = _day_of(request)
            first = day - datetime.timedelta(days=day.weekday()) if view == "week" else day
            length = 7 if view == "week" else 1
            context.update({"days": queries.week_list(user, venue, first, room=room, days=length),
                            "first": first,
                            "previous": first - datetime.timedelta(days=length),
                            "next": first + datetime.timedelta(days=length)})
        else:
            context["view"] = "month"
            year, month = _month_of(request)
            context["cal"] = queries.month_calendar(user, venue, year, month, room=room)
        return self.render(context)


class RoomCalendar(VenueCalendar):
    model = Room

    def subject(self):
        room = get_object_or_404(self.scoped().select_related("venue__org", "venue__unit"),
                                 pk=self.kwargs["pk"])
        return room.venue, room


class BookingCreate(ScopedView):
    """Book a room of a venue (the 预约 button): a date and a time, once or repeated."""

    model = Booking
    action = "add"
    lookup_field = "pk"
    template_name = "venues/booking_form.html"

    def venue(self):
        return get_object_or_404(restrict(self.request.user, "book", Venue)
                                 .select_related("org", "unit"), pk=self.kwargs["pk"])

    def form(self, venue, data=None):
        options = services.booker_options(user=self.request.user)
        form = BookingForm(data, user=self.request.user, venue=venue, options=options)
        if data is None:
            room = self.request.GET.get("room")
            if room and room.isdigit():
                form.fields["room"].initial = int(room)
            day = self.request.GET.get("date")
            if day:
                form.fields["day"].initial = day
        return form

    def page(self, venue, form, status=200):
        return self.render({"form": form, "venue": venue, "title": f"预约：{venue.name}",
                            "cancel": venue.get_absolute_url()}, status)

    def get(self, request, pk):
        venue = self.venue()
        return self.page(venue, self.form(venue))

    def post(self, request, pk):
        venue = self.venue()
        form = self.form(venue, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            org, unit = form.booker_of()

            def book():
                tz = timezone.get_current_timezone()
                start = timezone.make_aware(datetime.datetime.combine(data["day"],
                                                                      data["start_time"]), tz)
                end = timezone.make_aware(datetime.datetime.combine(data["day"],
                                                                    data["end_time"]), tz)
                return services.request_booking(
                    data["room"], user=request.user, start=start, end=end,
                    purpose=data["purpose"], attendees=data["attendees"], org=org, unit=unit,
                    frequency=data.get("frequency") or "", until=data.get("until"),
                    contact_name=data.get("contact_name", ""),
                    contact_phone=data.get("contact_phone", ""))

            field_map = {"start": "start_time", "end": "end_time", "org": "booker"}
            try:
                made = book()
            except services.OutOfScope as error:
                raise Http404(error.message) from error
            except services.DomainError as error:
                field = field_map.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, f"已提交预约申请（{len(made)} 次），等待场地方确认。"
                                 if len(made) > 1 else "已提交预约申请，等待场地方确认。")
                return redirect(made[0].get_absolute_url())
        return self.page(venue, form, status=400)


class BookingList(ObjectListView):
    model = Booking
    template_name = "venues/booking_list.html"
    filterset_class = BookingFilterSet

    def get_queryset(self):
        return self.scoped().select_related("venue", "room", "org", "unit").order_by("-start",
                                                                                     "-id")


class BookingDetail(ObjectDetailView):
    model = Booking
    lookup_field = "pk"
    template_name = "venues/booking_detail.html"
    context_object_name = "booking"
    object_actions = ()

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, self.scoped(action).select_related(
            "venue__org", "venue__unit", "room", "org", "unit", "series", "requested_by"))

    def extra_context(self):
        booking, user = self.object, self.request.user
        siblings = []
        if booking.series_id:
            siblings = list(restrict(user, "view", Booking).filter(series_id=booking.series_id)
                            .exclude(pk=booking.pk).order_by("start", "id"))
        return {
            "steps": services.WORKFLOW.available_steps(user, booking),
            "next_line": services.WORKFLOW.next_line(booking),
            "form_steps": {"decline", "cancel"},
            "url_prefix": booking.get_absolute_url(),
            "events": restrict(user, "view", BookingEvent).filter(booking=booking),
            "siblings": siblings,
            "calendar_query": f"year={timezone.localtime(booking.start).year}"
                              f"&month={timezone.localtime(booking.start).month}",
        }


class BookingStep(WorkflowStepView):
    model = Booking
    workflow = services.WORKFLOW
    services = services
    forms = {"decline": ReasonForm, "cancel": CancelForm}
    answer_refusal_status = True
    template_name = "core/object_form.html"
    gone_url = "booking_list"

    def get_queryset(self):
        return self.scoped().select_related("venue", "room")

    def form_context(self, booking, form):
        return {"object": booking, "form": form,
                "subtitle": f"{booking.room} · {booking.time_label} · {booking.booker_label}",
                "title": "驳回预约" if self.step.name == "decline" else "取消预约",
                "submit": f"确认{self.step.label}", "cancel": booking.get_absolute_url(),
                "danger": True}


class Standards(ScopedView):
    """Each community's area against the standards that apply, with the shortfalls; the
    street-wide standard (per 100 non-public companies) below."""

    model = CommunityArea
    template_name = "venues/standards.html"

    def get(self, request):
        from gongjian.core.access import can, grants_of
        from gongjian.orgs.models import street_path

        from . import rules

        streets: list[Organization] = []
        for grant in grants_of(request.user):
            if not grant.org_id:
                continue
            # A street office under a district sees each of its streets; others their own.
            paths = list(Organization.objects.filter(
                path__startswith=grant.org.path, kind="working_committee",
                dissolved_on__isnull=True).values_list("path", flat=True)) \
                if street_path(grant.org) == grant.org.path else [street_path(grant.org)]
            for street in Organization.objects.filter(path__in=paths).order_by("path"):
                if street not in streets:
                    streets.append(street)
        visible = set(restrict(request.user, "view", Organization).values_list("pk", flat=True))
        sections = []
        for street in streets:
            rows = [r for r in services.community_standards(street) if r["org"].pk in visible]
            if not rows:
                continue
            sections.append({"street": street, "rows": rows,
                             "street_checks": services.street_standards(street)})
        return self.render({"sections": sections, "standards": rules.standards(),
                            "rounding": rules.setting("per_hundred_rounding"),
                            "can_mark": can(request.user, "add", CommunityArea)})


class FormerVillage(ScopedView):
    """Mark a community as a former village (村改居) — the street office's record."""

    model = CommunityArea
    action = "add"
    template_name = "core/object_form.html"

    def community(self, pk):
        return get_object_or_404(restrict(self.request.user, "view", Organization), pk=pk)

    def page(self, org, form, status=200):
        return self.render({"form": form, "title": f"社区阵地情况：{org.name}",
                            "subtitle": "村改居社区的活动场所面积标准更高（默认 1600 ㎡）。",
                            "submit": "保存", "cancel": "/venues/standards/"}, status)

    def get(self, request, pk):
        org = self.community(pk)
        row = CommunityArea.objects.filter(org=org).first()
        initial = {"former_village": row.former_village, "note": row.note} if row else {}
        return self.page(org, FormerVillageForm(initial=initial))

    def post(self, request, pk):
        org = self.community(pk)
        form = FormerVillageForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.set_former_village(
                org, user=request.user, former_village=form.cleaned_data["former_village"],
                note=form.cleaned_data["note"]), "已保存。")
            if ok:
                return redirect("venue_standards")
        return self.page(org, form, status=400)
