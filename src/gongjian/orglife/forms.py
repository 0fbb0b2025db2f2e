"""Forms of organisational life: the plan, the record (one row per due member), the minutes,
a vote, the 民主评议 grades, a cancellation and a make-up's confirmation. They check the shape
of the input; the services check the rules (and refuse with the same messages in the API)."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from gongjian.core.forms import DATE_INPUT, ScopedChoices, Styled
from gongjian.members.models import Person
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization

from .models import Attendance, Grade, Meeting, Presence
from .rules import setting
from .services import BRANCH_KINDS, roster

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SCAN_HELP = "可上传纸质记录的扫描件或照片（PDF、JPG、PNG），与录入会议记录任选其一。"


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        return f"{org.name}（{org.code}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.name


class MeetingForm(ScopedChoices, Styled, forms.ModelForm):
    """Plan (or change) a meeting. The host and recorder are chosen from the branch's roster,
    the group from its party groups: the branch is the meeting's, or the one chosen (posted,
    or `?org=` on the create page). Choosing another branch on the create page asks the page
    again with the values typed so far (htmx) and swaps the form: the choices follow it."""

    org = BranchChoiceField(label="党支部", to_field_name="code", queryset=Organization.objects
                            .filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True)
                            .order_by("path"))
    group = forms.ModelChoiceField(label="党小组（党小组会）", required=False,
                                   queryset=Organization.objects.filter(kind=OrgKind.GROUP))
    host = PersonChoiceField(label="主持人", required=False, queryset=Person.objects.all())
    recorder = PersonChoiceField(label="记录人", required=False, queryset=Person.objects.all())

    class Meta:
        model = Meeting
        fields = ["org", "kind", "title", "date", "start_time", "place", "group", "topics",
                  "x_item", "host", "recorder", "lecturer"]
        widgets = {"date": DATE_INPUT, "start_time": TIME_INPUT,
                   "topics": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"x_item": "主题党日“4+X”中本支部的自选动作。", "lecturer": "党课填写。",
                      "topics": "每行一个议题。"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        branch = self.branch()
        if self.instance.pk:
            del self.fields["org"]  # a meeting stays with its branch
        else:
            self.fields["org"].widget.attrs.update({
                "hx-get": reverse("branch_meeting_create"), "hx-trigger": "change",
                "hx-include": "closest form", "hx-params": "not csrfmiddlewaretoken",
                "hx-target": "#meeting-plan", "hx-select": "#meeting-plan",
                "hx-swap": "outerHTML"})
        people = roster(branch).order_by("name_pinyin", "id") if branch else Person.objects.none()
        for name in ("host", "recorder"):
            field = self.fields[name]
            field.queryset = field.queryset.filter(pk__in=people.values("pk"))
            if branch is None:
                field.help_text = "先选择党支部，再从其党员中选择。"
        groups = self.fields["group"].queryset
        self.fields["group"].queryset = (groups.filter(
            path__startswith=branch.path, depth=branch.depth + 1, dissolved_on__isnull=True)
            if branch else groups.none())
        if branch is None:
            self.fields["group"].help_text = "先选择党支部，再从其党小组中选择。"
        if branch is not None and not self.fields["group"].queryset.exists():
            del self.fields["group"]

    def branch(self):
        if self.instance.pk:
            return self.instance.org
        code = (self.data.get("org") if self.is_bound else None) or self.initial.get("org")
        if isinstance(code, Organization):
            return code
        if not code:
            return None
        return self.fields["org"].queryset.filter(code=code).first()

    def _post_clean(self):
        # The service validates and refuses with its own messages (nothing written).
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("org", None)
        data.setdefault("group", None)
        for name in ("title", "place", "topics", "x_item", "lecturer"):
            data[name] = (data.get(name) or "").strip()
        return data


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class MinutesForm(Styled, forms.Form):
    observers = forms.CharField(label="列席人员", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="列席人员姓名及单位，每行一人。")
    minutes = forms.CharField(label="会议记录", required=False,
                              widget=forms.Textarea(attrs={"rows": 8}))
    minutes_scan = forms.FileField(label="会议记录扫描件", required=False, help_text=SCAN_HELP)
    resolutions = forms.CharField(label="决议", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, meeting=None, **kwargs):
        if meeting is not None and not args:
            kwargs.setdefault("initial", {"observers": meeting.observers,
                                          "minutes": meeting.minutes or template_for(meeting),
                                          "resolutions": meeting.resolutions})
        super().__init__(*args, **kwargs)


def template_for(meeting):
    """The minutes' outline for the meeting's kind, to be filled in (typed minutes only)."""
    outline = {
        "theme_day": ["一、集中学习：", "二、过组织生活：", "三、民主议事：", "四、志愿服务：",
                      f"五、自选动作（{meeting.x_item or 'X'}）："],
        "lecture": [f"授课人：{meeting.lecturer}", "党课题目：", "主要内容：", "学习体会与讨论："],
        "life_meeting": ["一、通报会前准备情况：", "二、班子对照检查：", "三、党员个人对照检查、"
                         "开展批评和自我批评：", "四、整改措施："],
        "appraisal": ["一、个人总结：", "二、民主测评：", "三、评定等次：", "四、反馈意见："],
        "talk": ["谈话对象：", "谈话内容：", "意见建议："],
    }.get(meeting.kind, ["一、议题讨论情况：", "二、主要发言：", "三、会议决定："])
    topics = [t.strip() for t in meeting.topics.splitlines() if t.strip()]
    head = ["议题：" + "；".join(topics)] if topics else []
    return "\n".join(head + outline)


class RecordForm(MinutesForm):
    """The record of a held meeting: the day it was held, then one row per due member (a
    select, 出席 by default, and a reason box), 列席, minutes or a scan, resolutions."""

    date = forms.DateField(label="召开日期", widget=DATE_INPUT)

    field_order = ["date", "observers", "minutes", "minutes_scan", "resolutions"]

    def __init__(self, *args, meeting, due, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.meeting = meeting
        self.fields["date"].initial = min(meeting.date, timezone.localdate())
        self.due = list(due)
        self.rows = []
        for membership in self.due:
            presence = forms.ChoiceField(label=membership.person.name, choices=Presence.choices,
                                         initial=Presence.PRESENT)
            reason = forms.CharField(label=f"{membership.person.name}的原因", required=False,
                                     max_length=200)
            self.fields[f"presence_{membership.pk}"] = presence
            self.fields[f"reason_{membership.pk}"] = reason
        # Styled set the classes before the rows existed.
        for name, field in self.fields.items():
            if name.startswith(("presence_", "reason_")):
                css = "form-select form-select-sm" if name.startswith("presence_") \
                    else "form-control form-control-sm"
                field.widget.attrs["class"] = css
        for membership in self.due:
            self.rows.append({"membership": membership,
                              "age": membership.person.age_on(meeting.date),
                              "presence": self[f"presence_{membership.pk}"],
                              "reason": self[f"reason_{membership.pk}"]})

    def visible_fields(self):
        # core/_form.html draws the plain fields; the rows have their own table.
        return [f for f in super().visible_fields()
                if not f.name.startswith(("presence_", "reason_"))]

    def service_params(self):
        data = self.cleaned_data
        # The outline left as it was offered is no record of the meeting.
        typed = "" if data["minutes"].strip() == template_for(self.meeting).strip() \
            else data["minutes"]
        return {"date": data["date"], "observers": data["observers"],
                "minutes": typed, "minutes_scan": data["minutes_scan"],
                "resolutions": data["resolutions"],
                "attendance": [{"membership": m.pk, "presence": data[f"presence_{m.pk}"],
                                "reason": data[f"reason_{m.pk}"]} for m in self.due]}


class VoteForm(Styled, forms.Form):
    subject = forms.CharField(label="表决事项", max_length=200)
    election = forms.BooleanField(label="选举（须有表决权的党员 4/5 以上到会）", required=False)
    in_favour = forms.IntegerField(label="赞成", min_value=0)
    against = forms.IntegerField(label="反对", min_value=0, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, initial=0)


class GradeForm(Styled, forms.Form):
    """One select per member graded: full members (probationary members too where the
    district's setting grades them)."""

    confirm_excess = forms.BooleanField(label="确认超过优秀比例", required=False,
                                        help_text="优秀一般不超过参评人数的三分之一。")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        rows = Attendance.objects.filter(meeting=meeting).select_related("membership__person")
        if not setting("grade_probationary"):
            rows = rows.filter(voting=True)
        given = dict(meeting.appraisals.values_list("membership_id", "grade"))
        self.graded = list(rows)
        for row in self.graded:
            self.fields[f"grade_{row.membership_id}"] = forms.ChoiceField(
                label=row.membership.person.name, required=False, initial=given.get(
                    row.membership_id, ""), choices=[("", "—")] + list(Grade.choices),
                widget=forms.Select(attrs={"class": "form-select"}))
        self.order_fields([f"grade_{r.membership_id}" for r in self.graded] + ["confirm_excess"])

    def service_params(self):
        data = self.cleaned_data
        return {"grades": {r.membership_id: data[f"grade_{r.membership_id}"]
                           for r in self.graded if data.get(f"grade_{r.membership_id}")},
                "confirm_excess": data["confirm_excess"]}


class ConfirmForm(Styled, forms.Form):
    content = forms.CharField(label="补学内容", widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="如：自学会议精神、听取支部书记传达等。")
    done_on = forms.DateField(label="补学日期", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

