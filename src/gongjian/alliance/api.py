"""REST API of alliances, joint meetings, decision tasks and co-building agreements.

Thin: rows come through `restrict`, every write through services.py. A step out of order
answers 409, invalid data 400, both with a Chinese `detail` (see gongjian.core.api_views).
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import ScopedViewSet
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization, Unit

from . import services
from .models import (
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    ChairTerm,
    Invitation,
    Meeting,
    MeetingState,
    Task,
    TaskState,
)
from .serializers import (
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementSignSerializer,
    AgreementTerminateSerializer,
    AgreementWriteSerializer,
    AllianceCreateSerializer,
    AllianceDetailSerializer,
    AllianceMemberCreateSerializer,
    AllianceMemberSerializer,
    AllianceSerializer,
    DecisionTaskDetailSerializer,
    DecisionTaskNoteSerializer,
    DecisionTaskSerializer,
    JointMeetingCreateSerializer,
    JointMeetingDetailSerializer,
    JointMeetingSerializer,
    MeetingCancelSerializer,
    MeetingHoldSerializer,
    MeetingInvitationSerializer,
    MeetingReplySerializer,
)

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")


def _units_by_code(user, codes, field):
    codes = list(dict.fromkeys(codes))
    units = {u.code: u for u in restrict(user, "view", Unit).filter(code__in=codes)}
    missing = [c for c in codes if c not in units]
    if missing:
        raise DomainError(f"单位编码“{'、'.join(missing)}”不存在或不在您的管理范围内。",
                          field=field, status=400)
    return [units[c] for c in codes]


# ---- alliances ------------------------------------------------------------------------------

class AllianceQuery(serializers.Serializer):
    org = serializers.CharField(required=False, label="组织编码（含下级）")


@extend_schema_view(
    list=extend_schema(summary="共建联盟列表", parameters=[AllianceQuery],
                       responses=AllianceSerializer),
    retrieve=extend_schema(summary="联盟详情（成员单位、轮值主席、历史）", parameters=[_ID],
                           responses=AllianceDetailSerializer),
    create=extend_schema(summary="成立共建联盟", request=AllianceCreateSerializer,
                         responses={201: AllianceDetailSerializer}),
    members=extend_schema(summary="加入成员单位", parameters=[_ID],
                          request=AllianceMemberCreateSerializer, responses={201: AllianceMemberSerializer},
                          description="同一单位不能重复在册；兼职委员须给出 committee_person。"),
)
class AllianceViewSet(ScopedViewSet):
    """共建联盟：街道/社区党建办管理本级联盟；社区可查看所在街道的联盟；联络员只看本单位所在的联盟。"""

    model = Alliance
    model_actions = {**ScopedViewSet.model_actions, "members": "change"}
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = ()
    serializer_class = AllianceSerializer

    def base_queryset(self):
        today = timezone.localdate()
        return (Alliance.objects.select_related("org").annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            n_open_tasks=Count("tasks", filter=Q(tasks__state=TaskState.OPEN), distinct=True),
            n_overdue_tasks=Count("tasks", filter=Q(tasks__state=TaskState.OPEN,
                                                    tasks__deadline__lt=today),
                                  distinct=True))
                .order_by("org__path", "name"))

    def get_serializer_class(self):
        return {"create": AllianceCreateSerializer, "members": AllianceMemberCreateSerializer,
                "retrieve": AllianceDetailSerializer}.get(self.action, AllianceSerializer)

    def _detail(self, alliance, status_code=status.HTTP_200_OK):
        user = self.request.user
        alliance = get_object_or_404(self.base_queryset().restrict(user, "view"),
                                     pk=alliance.pk)
        data_members = (restrict(user, "view", AllianceMember).filter(alliance=alliance)
                        .select_related("unit", "liaison", "committee_person"))
        terms = (restrict(user, "view", ChairTerm).filter(alliance=alliance)
                 .select_related("unit"))
        current, upcoming = services.chair_now_and_next(alliance)
        payload = {
            **AllianceSerializer(alliance).data,
            "members": AllianceMemberSerializer(data_members, many=True).data,
            "chair_terms": [_term(t) for t in terms],
            "current_chair": [_term(current)] if current else [],
            "next_chair": [_term(upcoming)] if upcoming else [],
            "events": _event_rows(services.events_of(user, alliance=alliance)),
        }
        return Response(payload, status=status_code)

    def list(self, request):
        AllianceQuery(data=request.query_params).is_valid(raise_exception=True)
        rows = self.get_queryset()
        code = request.query_params.get("org")
        if code:
            org = Organization.objects.filter(code=code).first()
            rows = rows.filter(org__path__startswith=org.path) if org else rows.none()
        return self.paginated(rows, AllianceSerializer)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def create(self, request):
        data = AllianceCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        alliance = services.create_alliance(request.user, **data.validated_data)
        return self._detail(alliance, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        alliance = self.get_object()
        data = AllianceMemberCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        member = services.add_member(request.user, alliance, **data.validated_data)
        return Response(AllianceMemberSerializer(member).data, status=status.HTTP_201_CREATED)


def _term(term):
    if term is None:
        return None
    return {"unit": term.unit.code, "unit_name": term.unit.name,
            "starts_on": term.starts_on.isoformat(), "ends_on": term.ends_on.isoformat()}


def _event_rows(events):
    return [{"at": timezone.localtime(e.at).isoformat(),
             "actor": e.actor.display_name if e.actor_id else "",
             "kind": e.kind, "text": e.text, "note": e.note} for e in events]


# ---- meetings -------------------------------------------------------------------------------

class MeetingQuery(serializers.Serializer):
    alliance = serializers.IntegerField(required=False, label="联盟 id")
    state = serializers.ChoiceField(required=False, choices=MeetingState.choices, label="状态")


@extend_schema_view(
    list=extend_schema(summary="联席会议列表", parameters=[MeetingQuery],
                       responses=JointMeetingSerializer),
    retrieve=extend_schema(summary="会议详情（参会单位、决议、历史）", parameters=[_ID],
                           responses=JointMeetingDetailSerializer),
    create=extend_schema(summary="通知召开联席会议", request=JointMeetingCreateSerializer,
                         responses={201: JointMeetingDetailSerializer}),
    hold=extend_schema(summary="记录会议召开（出席、纪要、决议转任务）", parameters=[_ID],
                       request=MeetingHoldSerializer, responses=JointMeetingDetailSerializer),
    cancel=extend_schema(summary="取消会议", parameters=[_ID], request=MeetingCancelSerializer,
                         responses=JointMeetingDetailSerializer),
    reply=extend_schema(summary="回复参会（参会/请假）", parameters=[_ID],
                        request=MeetingReplySerializer, responses=JointMeetingDetailSerializer,
                        description="联络员为本单位回复；请假须说明原因。"),
)
class MeetingViewSet(ScopedViewSet):
    """联席会议：已通知 → 已召开（出席、纪要、决议）或 已取消（原因）。"""

    model = Meeting
    model_actions = {**ScopedViewSet.model_actions, "hold": "change", "cancel": "change",
                     "reply": "view"}
    permission_for = {"reply": (Invitation, "change")}
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = ()
    serializer_class = JointMeetingSerializer

    def base_queryset(self):
        return Meeting.objects.select_related("alliance")

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action == "reply":
            # Only meetings where the user answers for at least one invited unit.
            mine = restrict(self.request.user, "change", Invitation)
            rows = rows.filter(pk__in=mine.values("meeting_id"))
        return rows

    def get_serializer_class(self):
        return {"create": JointMeetingCreateSerializer, "hold": MeetingHoldSerializer,
                "cancel": MeetingCancelSerializer, "reply": MeetingReplySerializer,
                "retrieve": JointMeetingDetailSerializer}.get(self.action, JointMeetingSerializer)

    def _detail(self, meeting, status_code=status.HTTP_200_OK):
        user = self.request.user
        meeting = get_object_or_404(self.base_queryset().restrict(user, "view"), pk=meeting.pk)
        invitations = restrict(user, "view", Invitation).filter(meeting=meeting) \
            .select_related("unit")
        tasks = restrict(user, "view", Task).filter(meeting=meeting) \
            .select_related("owner_unit", "owner_org")
        payload = {**JointMeetingSerializer(meeting).data, "agenda": meeting.agenda,
                   "minutes": meeting.minutes,
                   "invitations": MeetingInvitationSerializer(invitations, many=True).data,
                   "tasks": DecisionTaskSerializer(tasks, many=True).data,
                   "events": _event_rows(services.events_of(user, meeting=meeting))}
        return Response(payload, status=status_code)

    def list(self, request):
        query = MeetingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.get_queryset()
        if "alliance" in query.validated_data:
            rows = rows.filter(alliance_id=query.validated_data["alliance"])
        if "state" in query.validated_data:
            rows = rows.filter(state=query.validated_data["state"])
        return self.paginated(rows, JointMeetingSerializer)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def create(self, request):
        data = JointMeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        alliance = restrict(request.user, "change", Alliance).filter(
            pk=values.pop("alliance")).first()
        if alliance is None:
            raise DomainError("联盟不存在或不在您的管理范围内。", field="alliance", status=400)
        codes = values.pop("units", None)
        units = _units_by_code(request.user, codes, "units") if codes else None
        meeting = services.call_meeting(request.user, alliance, units=units, **values)
        return self._detail(meeting, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        meeting = self.get_object()
        data = MeetingHoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        attended = _units_by_code(request.user, values["attended"], "attended")
        decisions = []
        for d in values["decisions"]:
            unit = _units_by_code(request.user, [d["owner_unit"]], "decisions")[0] \
                if d.get("owner_unit") else None
            org = None
            if d.get("owner_org"):
                org = restrict(request.user, "view", Organization).filter(
                    code=d["owner_org"]).first()
                if org is None:
                    raise DomainError(f"组织编码“{d['owner_org']}”不存在或不在您的管理范围内。",
                                      field="decisions", status=400)
            decisions.append({"title": d["title"], "deadline": d["deadline"],
                              "owner_unit": unit, "owner_org": org})
        services.hold_meeting(request.user, meeting, minutes=values["minutes"],
                              attended_units=attended, decisions=decisions)
        return self._detail(meeting)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        data = MeetingCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cancel_meeting(request.user, meeting, reason=data.validated_data["reason"])
        return self._detail(meeting)

    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        meeting = self.get_object()
        data = MeetingReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = restrict(request.user, "change", Invitation).filter(
            meeting=meeting, unit__code=data.validated_data["unit"]).select_related("unit")
        invitation = unit.first()
        if invitation is None:
            raise DomainError("该单位不在邀请名单中，或您不能代其回复。", field="unit", status=400)
        services.reply_invitation(request.user, meeting, unit=invitation.unit,
                                  reply=data.validated_data["reply"],
                                  note=data.validated_data["note"])
        return self._detail(meeting)


# ---- tasks ----------------------------------------------------------------------------------

class TaskQuery(serializers.Serializer):
    state = serializers.ChoiceField(required=False, label="状态",
                                    choices=[*TaskState.choices, ("overdue", "已逾期")])
    alliance = serializers.IntegerField(required=False, label="联盟 id")
    owner_unit = serializers.CharField(required=False, label="责任单位编码")


@extend_schema_view(
    list=extend_schema(summary="决议任务列表", parameters=[TaskQuery], responses=DecisionTaskSerializer),
    retrieve=extend_schema(summary="任务详情（进展与历史）", parameters=[_ID],
                           responses=DecisionTaskDetailSerializer),
    progress=extend_schema(summary="填报进展", parameters=[_ID], request=DecisionTaskNoteSerializer,
                           responses=DecisionTaskDetailSerializer),
    complete=extend_schema(summary="办结", parameters=[_ID], request=DecisionTaskNoteSerializer,
                           responses=DecisionTaskDetailSerializer),
)
class TaskViewSet(ScopedViewSet):
    """决议任务：责任方（成员单位联络员，或责任组织的党建办）填报进展并办结。"""

    model = Task
    model_actions = {**ScopedViewSet.model_actions, "progress": "change", "complete": "change"}
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = ()
    serializer_class = DecisionTaskSerializer

    def base_queryset(self):
        return Task.objects.select_related("owner_unit", "owner_org")

    def get_serializer_class(self):
        if self.action in ("progress", "complete"):
            return DecisionTaskNoteSerializer
        return DecisionTaskDetailSerializer if self.action == "retrieve" else DecisionTaskSerializer

    def _detail(self, task):
        task = get_object_or_404(self.base_queryset().restrict(self.request.user, "view"),
                                 pk=task.pk)
        payload = {**DecisionTaskSerializer(task).data,
                   "events": _event_rows(services.events_of(self.request.user, task=task))}
        return Response(payload)

    def list(self, request):
        query = TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, values = self.get_queryset(), query.validated_data
        state = values.get("state")
        if state == "overdue":
            rows = rows.overdue()
        elif state:
            rows = rows.filter(state=state)
        if "alliance" in values:
            rows = rows.filter(alliance_id=values["alliance"])
        if values.get("owner_unit"):
            rows = rows.filter(owner_unit__code=values["owner_unit"])
        return self.paginated(rows.order_by("state", "deadline", "id"), DecisionTaskSerializer)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self.get_object()
        data = DecisionTaskNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.add_progress(request.user, task, note=data.validated_data["note"])
        return self._detail(task)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        data = DecisionTaskNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.complete_task(request.user, task, note=data.validated_data["note"],
                               completed_on=data.validated_data["completed_on"])
        return self._detail(task)


# ---- agreements -----------------------------------------------------------------------------

class AgreementQuery(serializers.Serializer):
    state = serializers.ChoiceField(required=False, choices=AgreementState.choices,
                                    label="状态")
    expiry = serializers.ChoiceField(required=False, label="到期",
                                     choices=[("expiring", "30 天内到期"), ("expired", "已到期")])
    unit = serializers.CharField(required=False, label="乙方单位编码")
    org = serializers.CharField(required=False, label="甲方组织编码（含下级）")


@extend_schema_view(
    list=extend_schema(summary="共驻共建协议列表", parameters=[AgreementQuery],
                       responses=AgreementSerializer),
    retrieve=extend_schema(summary="协议详情", parameters=[_ID],
                           responses=AgreementDetailSerializer),
    create=extend_schema(summary="草拟协议", request=AgreementWriteSerializer,
                         responses={201: AgreementDetailSerializer}),
    partial_update=extend_schema(summary="修改协议草稿（部分字段）", parameters=[_ID],
                                 request=AgreementWriteSerializer,
                                 responses=AgreementDetailSerializer,
                                 description="只有草拟状态可以修改；已签订或已终止 → 409。"),
    sign=extend_schema(summary="签订协议", parameters=[_ID], request=AgreementSignSerializer,
                       responses=AgreementDetailSerializer),
    terminate=extend_schema(summary="终止协议", parameters=[_ID], request=AgreementTerminateSerializer,
                            responses=AgreementDetailSerializer),
)
class AgreementViewSet(ScopedViewSet):
    """共驻共建协议：草拟 → 已签订 → 已终止；结束日期前 30 天内标记“即将到期”。"""

    model = Agreement
    model_actions = {**ScopedViewSet.model_actions, "sign": "change", "terminate": "change"}
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = ()
    serializer_class = AgreementSerializer

    def base_queryset(self):
        return Agreement.objects.select_related("org", "unit")

    def get_serializer_class(self):
        return {"create": AgreementWriteSerializer, "partial_update": AgreementWriteSerializer,
                "sign": AgreementSignSerializer, "terminate": AgreementTerminateSerializer,
                "retrieve": AgreementDetailSerializer}.get(self.action, AgreementSerializer)

    def _detail(self, agreement, status_code=status.HTTP_200_OK):
        user = self.request.user
        agreement = get_object_or_404(
            self.base_queryset().select_related("org_liaison", "unit_liaison")
            .restrict(user, "view"), pk=agreement.pk)
        agreement.events_list = services.events_of(user, agreement=agreement)
        payload = AgreementDetailSerializer(agreement).data
        return Response(payload, status=status_code)

    def list(self, request):
        query = AgreementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, values = self.get_queryset(), query.validated_data
        if values.get("state"):
            rows = rows.filter(state=values["state"])
        if values.get("expiry") == "expiring":
            rows = rows.expiring()
        elif values.get("expiry") == "expired":
            rows = rows.expired()
        if values.get("unit"):
            rows = rows.filter(unit__code=values["unit"])
        if values.get("org"):
            org = Organization.objects.filter(code=values["org"]).first()
            rows = rows.filter(org__path__startswith=org.path) if org else rows.none()
        return self.paginated(rows, AgreementSerializer)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def create(self, request):
        data = AgreementWriteSerializer(data=request.data,
                                        context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        agreement = services.create_agreement(request.user, **data.validated_data)
        return self._detail(agreement, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        services.check_step(services.AGREEMENT_STEPS, "edit", agreement)
        data = AgreementWriteSerializer(data=request.data, partial=True,
                                        context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.update_agreement(request.user, agreement, **data.validated_data)
        return self._detail(agreement)

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.get_object()
        data = AgreementSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.sign_agreement(request.user, agreement,
                                signed_on=data.validated_data["signed_on"])
        return self._detail(agreement)

    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        agreement = self.get_object()
        data = AgreementTerminateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.terminate_agreement(request.user, agreement,
                                     reason=data.validated_data["reason"],
                                     terminated_on=data.validated_data["terminated_on"])
        return self._detail(agreement)
