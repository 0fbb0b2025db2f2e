"""The roster's search and filters, shared by the list page, the API and the export."""

from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.crypto import blind_index
from gongjian.core.pinyin import search_filter
from gongjian.orgs.models import Organization

from . import idnumber
from .choices import AGE_BANDS, Category, Education, Sex, Standing
from .models import Membership

SORTS = {
    "name": ("person__name_pinyin", "id"),
    "-joined_on": ("-joined_on", "id"),
    "joined_on": ("joined_on", "id"),
    "birth_date": ("person__birth_date", "id"),
    "org": ("org__path", "person__name_pinyin"),
}


def _birth_range(band_label, on):
    """Birth dates of people whose full age on `on` falls in the band."""
    from .stats import born_between

    for label, low, high in AGE_BANDS:
        if label == band_label:
            return born_between(on, low, high)
    return None


def roster(user, params, action="view"):
    """Memberships the user may see, filtered by `params` (a QueryDict or dict):

    q (name, pinyin, initials, or an exact ID number via the blind index), org (subtree code),
    category, standing, sex, education, age_band, active (default: on the roster), sort.

    People are searched by prefix: the name, its full pinyin or its initials start with `q`
    (张华娟 is found by 张, 张华, zhang, zhanghua, z, zh, zhj), so that every condition can use an
    index over hundreds of thousands of people. Unlike the organisation search, a fragment
    from the middle of a name (华) or initials with gaps (zj) find nobody."""
    rows = restrict(user, action, Membership).select_related("person", "org")
    active = params.get("active", "1")
    if active in ("1", "0"):
        rows = rows.filter(active=active == "1")
    q = (params.get("q") or "").strip()
    if q:
        number = idnumber.normalize(q)
        if len(number) == 18 and number[:17].isdigit():
            rows = rows.filter(person__id_number_index=blind_index("id", number))
        else:
            condition, _rank = search_filter(q, "person__name", "person__name_pinyin",
                                             "person__name_initials", prefix=True)
            rows = rows.filter(condition)
    code = (params.get("org") or "").strip()
    if code:
        node = restrict(user, "view", Organization).filter(code=code).first()
        rows = rows.filter(org__path__startswith=node.path) if node else rows.none()
    for field, choices, lookup in (("category", Category, "category"),
                                   ("standing", Standing, "standing"),
                                   ("sex", Sex, "person__sex"),
                                   ("education", Education, "person__education")):
        value = params.get(field)
        if value in choices.values:
            rows = rows.filter(**{lookup: value})
    band = params.get("age_band")
    if band:
        span = _birth_range(band, timezone.localdate())
        rows = rows.filter(person__birth_date__range=span) if span else rows.none()
    return rows.order_by(*SORTS.get(params.get("sort"), SORTS["name"]))
