from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.forms import DATE_INPUT, Styled
from gongjian.orgs.models import Organization, ancestor_paths

from .models import Group, Round, Wish


class WishForm(Styled, forms.ModelForm):
    org = forms.ModelChoiceField(label="所在社区", queryset=Organization.objects.none(),
                                 required=False)

    class Meta:
        model = Wish
        fields = ["title", "group", "description", "recipient_name", "recipient_phone",
                  "recipient_address", "estimated_value"]
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": "如：一个新书包"}),
            "description": forms.Textarea(attrs={"rows": 3, "placeholder": "为谁、为什么、希望怎样实现"}),
            "recipient_name": forms.TextInput(),
            "recipient_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "recipient_address": forms.TextInput(),
            "estimated_value": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        help_texts = {
            "recipient_name": "只有社区工作人员和认领人能看到，公示时不显示。",
            "recipient_phone": "选填；认领人上门时联系用，不公开。",
            # The description is shown on the wall and the public board.
            "description": "请勿在说明中填写受助人姓名、电话、住址，这些信息请填在受助人栏目中。",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "请选择")] + list(Group.choices)
        reach = reach_orgs(user, "add", Wish)
        if reach:
            paths = [o.path for o in reach]
            communities = Organization.objects.active().communities()
            condition = Q()
            for path in paths:
                condition |= Q(path__startswith=path)
            self.fields["org"].queryset = communities.filter(condition).order_by("path")
            self.fields["org"].required = True
            if len(self.fields["org"].queryset) == 1:
                self.fields["org"].initial = self.fields["org"].queryset[0].pk
        else:
            del self.fields["org"]
        self.order_fields(["org"])


class PublishForm(Styled, forms.Form):
    round = forms.ModelChoiceField(label="发布到征集活动", queryset=Round.objects.none(),
                                   required=False, empty_label="进行中的活动（自动选择）")

    def __init__(self, *args, user=None, wish=None, **kwargs):
        super().__init__(*args, **kwargs)
        if wish is not None:
            paths = ancestor_paths(wish.org.path)
            self.fields["round"].queryset = restrict(user, "view", Round).filter(
                org__path__in=paths, ends_on__gte=timezone.localdate()).order_by("-starts_on")


class FulfilForm(Styled, forms.Form):
    # The photo is checked with Pillow in the service (one message for the page and the API).
    photo = forms.FileField(label="实现照片", error_messages={"required": "请上传心愿实现的照片。"},
                            widget=forms.FileInput(attrs={"accept": "image/*"}))
    note = forms.CharField(label="实现情况", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写实现情况说明。"},
                           help_text="如：已将新书包送到孩子手中。")


class ThankForm(Styled, forms.Form):
    text = forms.CharField(label="感谢留言", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="将在公示栏展示（不显示受助人姓名）。")


class RoundForm(Styled, forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "org", "starts_on", "ends_on", "description"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT,
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        condition = Q(pk__in=[])
        for org in reach_orgs(user, "add", Round):
            condition |= Q(path__startswith=org.path)
        active = Organization.objects.active()
        communities = list(active.communities().filter(condition).only("path"))
        # A community is the level right below its street (`community_path`), so the streets
        # are the communities' parents, whatever the depth of the tree above them.
        streets = {c.path[:-Organization.steplen] for c in communities}
        self.fields["org"].queryset = active.filter(
            Q(pk__in=[c.pk for c in communities]) | (Q(path__in=streets) & condition)
        ).order_by("path")
        self.fields["org"].label = "主办（街道或社区）"


class WishFilterForm(Styled, forms.Form):
    state = forms.ChoiceField(label="状态", required=False)
    group = forms.ChoiceField(label="受助人群", required=False,
                              choices=[("", "全部")] + list(Group.choices))
    round = forms.IntegerField(label="征集活动", required=False, widget=forms.HiddenInput)
    q = forms.CharField(label="心愿", required=False)

    def __init__(self, *args, **kwargs):
        from .models import State

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部")] + list(State.choices)
