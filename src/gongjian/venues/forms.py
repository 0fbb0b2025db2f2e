"""Forms of positions and bookings. They check the shape of the input; the services check the
rules (and refuse with the same messages in the API)."""

import datetime

from django import forms
from django.db.models import Avg

from gongjian.core.forms import DATE_INPUT, ScopedChoices, Styled
from gongjian.core.geo import CoordinateFormMixin
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization, Unit, street_path

from .models import BRAND_SUGGESTIONS, Frequency, Room, Venue

# Positions belong to a street or a community, not to a branch or a group.
OWNER_KINDS = (OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# A point farther than this from the street's other located places was most likely pasted in
# the wrong coordinate system or from another city.
STREET_RADIUS_M = 20_000


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        return f"{org.name}（{org.code}）"


def street_reference(org):
    """The mean point of the located units of `org`'s street, or None."""
    if org is None:
        return None
    mean = Unit.objects.filter(org__path__startswith=street_path(org), lng__isnull=False) \
        .aggregate(lng=Avg("lng"), lat=Avg("lat"))
    if mean["lng"] is None:
        return None
    return float(mean["lng"]), float(mean["lat"]), STREET_RADIUS_M


class VenueForm(CoordinateFormMixin, ScopedChoices, Styled, forms.ModelForm):
    org = OrgChoiceField(label="所属街道/社区", to_field_name="code", required=False,
                         queryset=Organization.objects.filter(kind__in=OWNER_KINDS,
                                                              dissolved_on__isnull=True)
                         .order_by("path"))
    unit = forms.ModelChoiceField(label="所属单位（单位的共享场地填写）", required=False,
                                  queryset=Unit.objects.order_by("code"))
    open_days = forms.MultipleChoiceField(
        label="开放日", choices=[(str(i), f"周{'一二三四五六日'[i - 1]}") for i in range(1, 8)],
        widget=forms.CheckboxSelectMultiple, initial=list("1234567"),
        error_messages={"required": "请至少选择一个开放日。"})

    class Meta:
        model = Venue
        fields = ["org", "unit", "name", "kind", "base_type", "brand", "status", "address",
                  "lng", "lat", "area", "opens", "closes", "open_days", "bookable", "services",
                  "description", "contact_name", "contact_phone"]
        widgets = {"opens": TIME_INPUT, "closes": TIME_INPUT,
                   "services": forms.Textarea(attrs={"rows": 3}),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        venue = self.instance if self.instance.pk else None
        self.fields["org"].scope_action = "add"
        if venue is not None:
            # A position stays with its owner; its street fixes the expected neighbourhood.
            del self.fields["org"]
            del self.fields["unit"]
            self.coordinate_reference = street_reference(venue.org)
            self.initial["open_days"] = list(venue.open_days)
        else:
            orgs = self.fields["org"].queryset
            if orgs.count() == 1:
                self.fields["org"].initial = orgs.first().code
            self.fields["unit"].queryset = self.fields["unit"].queryset
        # Checkboxes, not text boxes: Styled gives every multi-choice widget form-control.
        self.fields["open_days"].widget.attrs["class"] = "form-check-input"
        self.fields["brand"].widget.attrs["list"] = "venue-brands"
        self.fields["area"].widget.attrs["min"] = "0"
        self.brand_suggestions = BRAND_SUGGESTIONS

    def clean(self):
        cleaned = self.cleaned_data
        if "org" in self.fields:
            org, unit = cleaned.get("org"), cleaned.get("unit")
            if org is None and unit is None:
                self.add_error("org", "请选择阵地所属的街道/社区或单位。")
            self.coordinate_reference = street_reference(unit.org if unit else org)
        area = cleaned.get("area")
        if area is not None and area < 0:
            self.add_error("area", "面积不能小于零。")
        return super().clean()

    def clean_open_days(self):
        return "".join(sorted(self.cleaned_data["open_days"]))

    def _post_clean(self):
        # The service validates and refuses with its own messages (nothing written).
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        for name in ("org", "unit", "coordinate_system"):
            data.pop(name, None)
        return data


class RoomForm(Styled, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "groups", "area", "facilities", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        pass


class PhotoForm(Styled, forms.Form):
    image = forms.FileField(label="照片", help_text="JPG/PNG 等图片；保存时去除拍摄位置等信息。",
                            error_messages={"required": "请选择照片。"})
    caption = forms.CharField(label="说明", max_length=100, required=False)


def _time_choices():
    return [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(6, 24) for m in (0, 30)]


def room_label(room):
    groups = f"，可 {room.groups} 个团体同时使用" if room.groups > 1 else ""
    return f"{room.name}（{room.capacity} 人{groups}）"


class BookingForm(Styled, forms.Form):
    """Ask for a room: a date and a time, once or repeated."""

    booker = forms.ChoiceField(label="预约方")
    room = forms.ModelChoiceField(label="房间/场地", queryset=Room.objects.none(),
                                  error_messages={"invalid_choice": "请选择房间/场地。",
                                                  "required": "请选择房间/场地。"})
    day = forms.DateField(label="日期", widget=DATE_INPUT,
                          error_messages={"required": "请填写日期。", "invalid": "日期格式不对。"})
    start_time = forms.TimeField(label="开始", widget=TIME_INPUT,
                                 error_messages={"required": "请填写开始时间。",
                                                 "invalid": "开始时间格式不对。"})
    end_time = forms.TimeField(label="结束", widget=TIME_INPUT,
                               error_messages={"required": "请填写结束时间。",
                                               "invalid": "结束时间格式不对。"})
    purpose = forms.CharField(label="用途", max_length=200,
                              error_messages={"required": "请填写用途。"})
    attendees = forms.IntegerField(label="人数", min_value=1, initial=10,
                                   error_messages={"min_value": "人数至少为 1。",
                                                   "required": "请填写人数。"})
    frequency = forms.ChoiceField(label="重复", required=False,
                                  choices=[("", "不重复")] + list(Frequency.choices))
    until = forms.DateField(label="重复至", required=False, widget=DATE_INPUT,
                            help_text="重复预约的最后一天（含），最多 52 次。")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)

    def __init__(self, *args, user, venue, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["booker"].choices = [(self.option_key(o), (o[1] or o[0]).name)
                                         for o in options]
        if len(options) <= 1:
            self.fields["booker"].widget = forms.HiddenInput()
            if options:
                self.fields["booker"].initial = self.option_key(options[0])
        from gongjian.core.access import restrict

        self.fields["room"].queryset = restrict(user, "book", Room).filter(
            venue=venue, active=True).order_by("name", "id")
        self.fields["room"].label_from_instance = room_label
        self.fields["start_time"].initial = datetime.time(9, 0)
        self.fields["end_time"].initial = datetime.time(10, 0)

    @staticmethod
    def option_key(option):
        org, unit = option
        return f"unit:{unit.pk}" if unit is not None else f"org:{org.pk}"

    def booker_of(self):
        key = self.cleaned_data.get("booker")
        for option in self.options:
            if self.option_key(option) == key:
                return option
        return self.options[0] if self.options else (None, None)


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写理由。"})


class CancelForm(Styled, forms.Form):
    reason = forms.CharField(label="取消原因（可不填）", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class FormerVillageForm(Styled, forms.Form):
    former_village = forms.BooleanField(label="村改居社区", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)
