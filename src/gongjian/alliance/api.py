"""REST API of alliances, joint meetings, decision tasks and co-building agreements.

Thin: rows come through `restrict`, lists are narrowed by the FilterSets the pages use, every
write goes through services.py, and the steps of meetings, tasks and agreements are the
actions `workflow_actions` builds from their tables. A step out of order answers 409, invalid
data 400, both with a Chinese `detail` (see gongjian.core.api_views).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongjian.core.access import restrict
from gongjian.core.api_views import ScopedViewSet, WorkflowViewSetMixin, workflow_actions
from gongjian.core.services import DomainError
from gongjian.orgs.models import Organization, Unit

from . import services
from .filtersets import AgreementFilterSet, AllianceFilterSet, MeetingFilterSet, TaskFilterSet
from .models import Agreement, Alliance, AllianceMember, ChairTerm, Invitation, Meeting, Task
from .serializers import (
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementSignSerializer,
    AgreementTerminateSerializer,
    AgreementWriteSerializer,
    AllianceChairTermSerializer,
    AllianceCreateSerializer,
    AllianceDetailSerializer,
    AllianceEventSerializer,
    AllianceMemberCreateSerializer,
    AllianceMemberSerializer,
    AllianceSerializer,
    DecisionTaskDetailSerializer,
    DecisionTaskNoteSerializer,
    DecisionTaskProgressSerializer,
    DecisionTaskSerializer,
    JointMeetingCreateSerializer,
    JointMeetingDetailSerializer,
    JointMeetingSerializer,
    MeetingCancelSerializer,
    MeetingHoldSerializer,
    MeetingInvitationSerializer,
    MeetingReplySerializer,
)
from .workflows import AGREEMENT, MEETING, TASK

_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id")


def _units_by_code(user, codes, field):
    codes = list(dict.fromkeys(codes))
    units = {u.code: u for u in restrict(user, "view", Unit).filter(code__in=codes)}
    missing = [c for c in codes if c not in units]
    if missing:
        raise DomainError(f"单位编码“{'、'.join(missing)}”不存在或不在您的管理范围内。",
                          field=field, status=400)
    return [units[c] for c in codes]


def _events(user, **subject):
    return AllianceEventSerializer(services.events_of(user=user, **subject), many=True).data


def _steps_schema(workflow, names, response, requests, descriptions=None):
    """The schema of each step action, from the table (see `workflow_actions`)."""
    return {name: extend_schema(summary=workflow[name].label, parameters=[_ID],
                                description=(descriptions or {}).get(name, ""),
                                request=requests.get(name), responses=response)
            for name in names}


MEETING_REQUESTS = {"hold": MeetingHoldSerializer, "cancel": MeetingCancelSerializer,
                    "reply": MeetingReplySerializer}
MEETING_NOTES = {"hold": "出席单位、会议纪要；每项决议转为一条任务。",
                 "reply": "联络员为本单位回复（参会/请假）；请假须说明原因。"}
TASK_REQUESTS = {"progress": DecisionTaskProgressSerializer,
                 "complete": DecisionTaskNoteSerializer}
AGREEMENT_REQUESTS = {"sign": AgreementSignSerializer, "terminate": AgreementTerminateSerializer}


class AllianceViewSetBase(WorkflowViewSetMixin, ScopedViewSet):
    http_method_names = ["get", "post", "head", "options"]
    # What the detail reads besides the list's columns.
    detail_related: tuple[str, ...] = ()

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), self.serializer_class)

    def retrieve(self, request, pk=None):
        return self.answer(self.get_object())

    def answer(self, obj, status_code=status.HTTP_200_OK):
        """The detail, re-read through the user's view scope."""
        rows = self.base_queryset().select_related(*self.detail_related)
        obj = get_object_or_404(rows.restrict(self.request.user, "view"), pk=obj.pk)
        return Response(self.detail_data(obj), status=status_code)


# ---- alliances ------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="共建联盟列表", responses=AllianceSerializer),
    retrieve=extend_schema(summary="联盟详情（成员单位、轮值主席、历史）", parameters=[_ID],
                           responses=AllianceDetailSerializer),
    create=extend_schema(summary="成立共建联盟", request=AllianceCreateSerializer,
                         responses={201: AllianceDetailSerializer}),
    members=extend_schema(summary="加入成员单位", parameters=[_ID],
                          request=AllianceMemberCreateSerializer,
                          responses={201: AllianceMemberSerializer},
                          description="同一单位不能重复在册；兼职委员须给出 committee_person。"),
)
class AllianceViewSet(AllianceViewSetBase):
    """共建联盟：街道/社区党建办管理本级联盟；社区可查看所在街道的联盟；联络员只看本单位所在的联盟。"""

    model = Alliance
    model_actions = {**ScopedViewSet.model_actions, "members": "change"}
    filterset_class = AllianceFilterSet
    serializer_class = AllianceSerializer

    def base_queryset(self):
        return Alliance.objects.select_related("org").with_counts().order_by("org__path", "name")

    def get_serializer_class(self):
        return {"create": AllianceCreateSerializer, "members": AllianceMemberCreateSerializer,
                "retrieve": AllianceDetailSerializer}.get(self.action, AllianceSerializer)

    def detail_data(self, alliance):
        user = self.request.user
        members = (restrict(user, "view", AllianceMember).filter(alliance=alliance)
                   .select_related("unit", "liaison", "committee_person"))
        terms = restrict(user, "view", ChairTerm).filter(alliance=alliance).select_related("unit")
        current, upcoming = services.chair_now_and_next(alliance)
        return {**AllianceSerializer(alliance).data,
                "members": AllianceMemberSerializer(members, many=True).data,
                "chair_terms": AllianceChairTermSerializer(terms, many=True).data,
                "current_chair": AllianceChairTermSerializer([current] if current else [],
                                                             many=True).data,
                "next_chair": AllianceChairTermSerializer([upcoming] if upcoming else [],
                                                          many=True).data,
                "events": _events(user, alliance=alliance)}

    def create(self, request):
        data = AllianceCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        alliance = services.create_alliance(user=request.user, **data.validated_data)
        return self.answer(alliance, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        alliance = self.get_object()
        data = AllianceMemberCreateSerializer(data=request.data,
                                              context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        member = services.add_member(alliance, user=request.user, **data.validated_data)
        return Response(AllianceMemberSerializer(member).data, status=status.HTTP_201_CREATED)


# ---- meetings -------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="联席会议列表", responses=JointMeetingSerializer),
    retrieve=extend_schema(summary="会议详情（参会单位、决议、历史）", parameters=[_ID],
                           responses=JointMeetingDetailSerializer),
    create=extend_schema(summary="通知召开联席会议", request=JointMeetingCreateSerializer,
                         responses={201: JointMeetingDetailSerializer}),
    **_steps_schema(MEETING, ("hold", "cancel", "reply"), JointMeetingDetailSerializer,
                    MEETING_REQUESTS, MEETING_NOTES),
)
@workflow_actions(MEETING, services=services, responses=JointMeetingDetailSerializer,
                  requests=MEETING_REQUESTS, descriptions=MEETING_NOTES, parameters=[_ID])
class MeetingViewSet(AllianceViewSetBase):
    """联席会议：已通知 → 已召开（出席、纪要、决议）或 已取消（原因）。"""

    model = Meeting
    permission_for = {"reply": (Invitation, "change")}
    filterset_class = MeetingFilterSet
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
        return {"create": JointMeetingCreateSerializer,
                "retrieve": JointMeetingDetailSerializer}.get(self.action, JointMeetingSerializer)

    def detail_data(self, meeting):
        user = self.request.user
        invitations = (restrict(user, "view", Invitation).filter(meeting=meeting)
                       .select_related("unit"))
        tasks = (restrict(user, "view", Task).filter(meeting=meeting)
                 .select_related("owner_unit", "owner_org"))
        return {**JointMeetingSerializer(meeting).data, "agenda": meeting.agenda,
                "minutes": meeting.minutes,
                "invitations": MeetingInvitationSerializer(invitations, many=True).data,
                "tasks": DecisionTaskSerializer(tasks, many=True).data,
                "events": _events(user, meeting=meeting)}

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
        meeting = services.call_meeting(alliance, user=request.user, units=units, **values)
        return self.answer(meeting, status.HTTP_201_CREATED)

    def params_hold(self, request):
        data = MeetingHoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values, user = data.validated_data, request.user
        decisions = []
        for d in values["decisions"]:
            unit = (_units_by_code(user, [d["owner_unit"]], "decisions")[0]
                    if d.get("owner_unit") else None)
            org = None
            if d.get("owner_org"):
                org = restrict(user, "view", Organization).filter(code=d["owner_org"]).first()
                if org is None:
                    raise DomainError(f"组织编码“{d['owner_org']}”不存在或不在您的管理范围内。",
                                      field="decisions", status=400)
            decisions.append({"title": d["title"], "deadline": d["deadline"],
                              "owner_unit": unit, "owner_org": org})
        return {"minutes": values["minutes"], "decisions": decisions,
                "attended_units": _units_by_code(user, values["attended"], "attended")}

    def params_reply(self, request):
        data = MeetingReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        invitation = (restrict(request.user, "change", Invitation)
                      .filter(meeting_id=self.kwargs["pk"], unit__code=values["unit"])
                      .select_related("unit").first())
        if invitation is None:
            raise DomainError("该单位不在邀请名单中，或您不能代其回复。", field="unit", status=400)
        return {"unit": invitation.unit, "reply": values["reply"], "note": values["note"]}


# ---- tasks ----------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="决议任务列表", responses=DecisionTaskSerializer),
    retrieve=extend_schema(summary="任务详情（进展与历史）", parameters=[_ID],
                           responses=DecisionTaskDetailSerializer),
    **_steps_schema(TASK, ("progress", "complete"), DecisionTaskDetailSerializer,
                    TASK_REQUESTS),
)
@workflow_actions(TASK, services=services, responses=DecisionTaskDetailSerializer,
                  requests=TASK_REQUESTS, parameters=[_ID])
class TaskViewSet(AllianceViewSetBase):
    """决议任务：责任方（成员单位联络员，或责任组织的党建办）填报进展并办结。"""

    model = Task
    filterset_class = TaskFilterSet
    serializer_class = DecisionTaskSerializer

    def base_queryset(self):
        return (Task.objects.select_related("owner_unit", "owner_org")
                .order_by("state", "deadline", "id"))

    def get_serializer_class(self):
        return DecisionTaskDetailSerializer if self.action == "retrieve" else DecisionTaskSerializer

    def detail_data(self, task):
        return {**DecisionTaskSerializer(task).data,
                "events": _events(self.request.user, task=task)}


# ---- agreements -----------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="共驻共建协议列表", responses=AgreementSerializer),
    retrieve=extend_schema(summary="协议详情", parameters=[_ID],
                           responses=AgreementDetailSerializer),
    create=extend_schema(summary="草拟协议", request=AgreementWriteSerializer,
                         responses={201: AgreementDetailSerializer}),
    partial_update=extend_schema(summary="修改协议草稿（部分字段）", parameters=[_ID],
                                 request=AgreementWriteSerializer,
                                 responses=AgreementDetailSerializer,
                                 description="只有草拟状态可以修改；已签订或已终止 → 409。"),
    **_steps_schema(AGREEMENT, ("sign", "terminate"), AgreementDetailSerializer,
                    AGREEMENT_REQUESTS),
)
@workflow_actions(AGREEMENT, services=services, responses=AgreementDetailSerializer,
                  requests=AGREEMENT_REQUESTS, parameters=[_ID])
class AgreementViewSet(AllianceViewSetBase):
    """共驻共建协议：草拟 → 已签订 → 已终止；结束日期前 30 天内标记“即将到期”。"""

    model = Agreement
    http_method_names = ["get", "post", "patch", "head", "options"]
    detail_related = ("org_liaison", "unit_liaison")
    filterset_class = AgreementFilterSet
    serializer_class = AgreementSerializer

    def base_queryset(self):
        return Agreement.objects.select_related("org", "unit")

    def get_serializer_class(self):
        return {"create": AgreementWriteSerializer, "partial_update": AgreementWriteSerializer,
                "retrieve": AgreementDetailSerializer}.get(self.action, AgreementSerializer)

    def detail_data(self, agreement):
        agreement.events_list = services.events_of(user=self.request.user, agreement=agreement)
        return AgreementDetailSerializer(agreement).data

    def create(self, request):
        data = AgreementWriteSerializer(data=request.data,
                                        context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        agreement = services.create_agreement(user=request.user, **data.validated_data)
        return self.answer(agreement, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        AGREEMENT.check("edit", agreement)
        data = AgreementWriteSerializer(data=request.data, partial=True,
                                        context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.edit(agreement, user=request.user, **data.validated_data)
        return self.answer(agreement)

    # The edit step is PATCH on the agreement itself, not a POST …/edit/ action.
    edit = partial_update
