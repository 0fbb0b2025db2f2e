"""The roster's one FilterSet, shared by the list page, the API and the export, so the three
answer the same rows for the same query parameters.

It narrows memberships that already went through restrict(). An organisation it names is
looked up within the user's reach, so naming one outside it lists nobody, as naming a missing
one does. A value outside a filter's choices is refused with a Chinese message naming the
filter: the page lists nothing and shows the message, the API answers 400 naming the
parameter, the export is not made.
"""

import django_filters as filters
from django import forms
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.crypto import blind_index
from gongjian.core.pinyin import search_filter
from gongjian.orgs.forms import OrgPicker
from gongjian.orgs.models import Organization

from . import idnumber
from .choices import AGE_BANDS, Category, Education, Sex, Standing
from .forms import RosterFilterForm
from .models import Membership

# sort value: (label, ordering)
SORTS = {
    "name": ("按姓名", ("person__name_pinyin", "id")),
    "org": ("按组织", ("org__path", "person__name_pinyin")),
    "-joined_on": ("入党日期（近→远）", ("-joined_on", "id")),
    "joined_on": ("入党日期（远→近）", ("joined_on", "id")),
    "birth_date": ("按出生日期", ("person__birth_date", "id")),
}
DEFAULT_SORT = "name"
ACTIVE_CHOICES = [("1", "在册"), ("0", "已离册"), ("all", "全部")]
AGE_BAND_CHOICES = [(band[0], band[0]) for band in AGE_BANDS]


def _choice(label, choices, *, empty_label=None, field_name=None, method=None, help_text=""):
    """A choice filter whose refusal names the filter and the values it takes."""
    values = [value for value, _label in choices]
    accepted = "、".join(values) if len(values) <= 10 else \
        f"{values[0]}、{values[1]}等 {len(values)} 项之一"
    return filters.ChoiceFilter(
        label=label, choices=choices, empty_label=empty_label, field_name=field_name,
        method=method, help_text=help_text,
        error_messages={"invalid_choice": f"“%(value)s”不是有效的{label}，可选：{accepted}。"})


class RosterFilterSet(filters.FilterSet):
    """q (name, pinyin, initials, or an exact ID number via the blind index), org (subtree
    code), category, standing, sex, education, age_band (full years today), active (default:
    on the roster), sort (default: by name).

    People are searched by prefix: the name, its full pinyin or its initials start with `q`
    (张华娟 is found by 张, 张华, zhang, zhanghua, z, zh, zhj), so that every condition can use
    an index over hundreds of thousands of people. Unlike the organisation search, a fragment
    from the middle of a name (华) or initials with gaps (zj) find nobody."""

    q = filters.CharFilter(
        method="filter_q", label="搜索",
        help_text="姓名、全拼或首字母（如 zhj），或完整的公民身份号码（精确匹配）",
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音、首字母或身份证号"}))
    org = filters.CharFilter(method="filter_org", label="组织（含下级）", widget=OrgPicker,
                             help_text="组织编码（含其全部下级组织）")
    category = _choice("党员类别", Category.choices, empty_label="全部类别")
    standing = _choice("党籍状态", Standing.choices, empty_label="全部状态")
    sex = _choice("性别", Sex.choices, empty_label="性别不限", field_name="person__sex")
    education = _choice("学历", Education.choices, empty_label="全部学历",
                        field_name="person__education")
    age_band = _choice("年龄段", AGE_BAND_CHOICES, empty_label="全部年龄",
                       method="filter_age_band", help_text="按当天的周岁计算。")
    active = _choice("在册", ACTIVE_CHOICES, method="filter_active",
                     help_text="1 在册（默认）、0 已离册、all 全部。")
    sort = _choice("排序", [(key, label) for key, (label, _order) in SORTS.items()],
                   method="filter_sort", help_text="默认按姓名拼音。")

    class Meta:
        model = Membership
        fields = ["q", "org", "category", "standing", "sex", "education", "age_band", "active",
                  "sort"]
        form = RosterFilterForm

    # Filters the page counts as narrowing the list (the "clear" link): not the defaults.
    narrowing = ("q", "org", "category", "standing", "sex", "education", "age_band")

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        # The pages and the API give the request; code holding only a user gives that.
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = user if user is not None else getattr(request, "user", None)

    def scope_org(self):
        """The organisation `org` names, within the user's reach (None if it names none);
        looked up once, for the filter and for the page's heading."""
        if not hasattr(self, "_scope_org"):
            code = (self.data.get("org") or "").strip()
            self._scope_org = restrict(self.user, "view", Organization).filter(
                code=code).first() if code else None
        return self._scope_org

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("active"):
            queryset = self.filter_active(queryset, "active", "1")
        if not data.get("sort"):
            queryset = self.filter_sort(queryset, "sort", DEFAULT_SORT)
        return queryset

    def filter_q(self, queryset, name, value):
        number = idnumber.normalize(value)
        if len(number) == 18 and number[:17].isdigit():
            return queryset.filter(person__id_number_index=blind_index("id", number))
        condition, _rank = search_filter(value, "person__name", "person__name_pinyin",
                                         "person__name_initials", prefix=True)
        return queryset.filter(condition)

    def filter_org(self, queryset, name, value):
        node = self.scope_org()
        return queryset.filter(org__path__startswith=node.path) if node else queryset.none()

    def filter_age_band(self, queryset, name, value):
        from .stats import born_between

        low, high = next((low, high) for label, low, high in AGE_BANDS if label == value)
        return queryset.filter(person__birth_date__range=born_between(timezone.localdate(),
                                                                      low, high))

    def filter_active(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(active=value == "1")

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
