"""Serializers of the venues API. Names are prefixed (Venue…, Booking…): the schema's
components are global. A booking names organisations and units, never a person's phone."""

from rest_framework import serializers

from .models import BaseType, Booking, Frequency, Kind, Room, State, Status, Venue


def _codes(choices):
    return "；".join(f"{value} {label}" for value, label in choices)


class VenueRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "groups", "area", "facilities", "active"]
        read_only_fields = fields


class VenueSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", label="所属组织编码")
    org_name = serializers.CharField(source="org.name", label="所属组织")
    unit = serializers.CharField(source="unit.code", default=None, allow_null=True,
                                 label="所属单位编码")
    unit_name = serializers.CharField(source="unit.name", default=None, allow_null=True,
                                      label="所属单位")
    kind = serializers.CharField(label="类别", help_text=_codes(Kind.choices))
    base_type = serializers.CharField(label="基地类型", help_text=_codes(BaseType.choices))
    status = serializers.CharField(label="状态", help_text=_codes(Status.choices))
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True,
                                   label="经度（WGS-84）")
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True,
                                   label="纬度（WGS-84）")
    services = serializers.ListField(source="service_list", child=serializers.CharField(),
                                     label="服务项目")
    rooms = VenueRoomSerializer(many=True, label="房间/场地")

    class Meta:
        model = Venue
        fields = ["id", "name", "kind", "base_type", "brand", "status", "org", "org_name",
                  "unit", "unit_name", "address", "lng", "lat", "area", "opens", "closes",
                  "open_days", "bookable", "services", "description", "rooms"]
        read_only_fields = fields


class VenueCreateSerializer(serializers.Serializer):
    org = serializers.CharField(label="所属组织编码", required=False, allow_blank=True,
                                help_text="街道或社区的阵地填写；单位的共享场地填 unit。")
    unit = serializers.CharField(label="所属单位编码", required=False, allow_blank=True)
    name = serializers.CharField(label="阵地名称", max_length=100)
    # Codes as text (choice sets named "kind" collide in the schema); the service checks them.
    kind = serializers.CharField(label="类别", help_text=_codes(Kind.choices))
    base_type = serializers.CharField(label="基地类型", required=False, allow_blank=True,
                                      default="", help_text=_codes(BaseType.choices))
    brand = serializers.CharField(label="品牌", max_length=40, required=False, allow_blank=True,
                                  default="")
    address = serializers.CharField(label="地址", max_length=200, required=False,
                                    allow_blank=True, default="")
    coordinate_system = serializers.CharField(
        label="坐标系", required=False, default="wgs84",
        help_text="wgs84 WGS-84（GPS）；gcj02 GCJ-02（高德、腾讯）；bd09 BD-09（百度）")
    lng = serializers.CharField(label="经度", required=False, allow_blank=True, default="")
    lat = serializers.CharField(label="纬度", required=False, allow_blank=True, default="")
    area = serializers.DecimalField(label="面积（㎡）", max_digits=9, decimal_places=2,
                                    min_value=0, required=False, default=0,
                                    error_messages={"min_value": "面积不能小于零。"})
    bookable = serializers.BooleanField(label="向共建单位开放预约", required=False,
                                        default=False)
    services = serializers.CharField(label="服务项目（每行一项）", required=False,
                                     allow_blank=True, default="")


class BookingSerializer(serializers.ModelSerializer):
    venue_name = serializers.CharField(source="venue.name", label="阵地")
    room_name = serializers.CharField(source="room.name", label="房间/场地")
    booker = serializers.CharField(source="booker_label", label="预约方")
    state = serializers.CharField(label="状态", help_text=_codes(State.choices))
    state_label = serializers.CharField(source="get_state_display", label="状态名称")

    class Meta:
        model = Booking
        fields = ["id", "code", "venue", "venue_name", "room", "room_name", "booker", "start",
                  "end", "state", "state_label", "purpose", "attendees", "series", "created_at"]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    room = serializers.IntegerField(label="房间/场地 id")
    start = serializers.DateTimeField(label="开始时间", error_messages={
        "invalid": "开始时间格式不对（如 2026-12-08T09:00:00+08:00）。"})
    end = serializers.DateTimeField(label="结束时间", error_messages={
        "invalid": "结束时间格式不对（如 2026-12-08T10:00:00+08:00）。"})
    purpose = serializers.CharField(label="用途", max_length=200,
                                    error_messages={"blank": "请填写用途。"})
    attendees = serializers.IntegerField(label="人数", min_value=1, default=10,
                                         error_messages={"min_value": "人数至少为 1。"})
    unit = serializers.CharField(label="以该单位名义预约（单位编码）", required=False,
                                 allow_blank=True, default="")
    org = serializers.CharField(label="以该组织名义预约（组织编码）", required=False,
                                allow_blank=True, default="")
    frequency = serializers.CharField(label="重复", required=False, default="", allow_blank=True,
                                      help_text="空为不重复；" + _codes(Frequency.choices))
    until = serializers.DateField(label="重复至", required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(label="联系人", max_length=50, required=False,
                                         allow_blank=True, default="")
    contact_phone = serializers.CharField(label="联系电话", max_length=30, required=False,
                                          allow_blank=True, default="")


class BookingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="理由", max_length=300, required=False,
                                   allow_blank=True, default="")
