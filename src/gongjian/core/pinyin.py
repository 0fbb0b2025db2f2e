"""Pinyin keys for searching Chinese names by full pinyin or by initials (`jasq` → 金安社区)."""

import re

from django.db.models import Case, IntegerField, Q, Value, When
from pypinyin import lazy_pinyin

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full, initials): 金安社区 → ("jinanshequ", "jasq")."""
    syllables = lazy_pinyin(text or "", errors=lambda chars: list(chars))
    full = _NON_ALNUM.sub("", "".join(syllables).lower())
    initials = _NON_ALNUM.sub("", "".join(s[:1] for s in syllables).lower())
    return full, initials


def search_filter(query: str, name_field="name", full_field="name_pinyin",
                  initials_field="name_initials", prefix=False):
    """A filter and a rank for a search box that takes Chinese, pinyin or initials.

    Initials match in order with gaps allowed, anchored at the first letter, so `jaq` finds
    金安社区 (jasq) the way users type abbreviations.

    With `prefix`, every condition is a prefix match instead (name, full pinyin or initials
    starting with the query): each can use a btree index, for tables too large to scan on every
    keystroke, such as people's names of two to four characters.
    """
    query = (query or "").strip()
    letters = _NON_ALNUM.sub("", query.lower())
    if prefix:
        return _prefix_filter(query, letters, name_field, full_field, initials_field)
    # Chinese has no case: a plain LIKE keeps the trigram index usable on PostgreSQL.
    condition = Q(**{f"{name_field}__contains": query}) if query else Q(pk__in=[])
    rank_whens = [When(**{f"{name_field}__startswith": query}, then=Value(0))] if query else []
    if letters and letters == query.lower().replace(" ", ""):
        fuzzy_initials = "%".join(letters) + "%"
        condition |= Q(**{f"{full_field}__contains": letters})
        condition |= Q(**{f"{initials_field}__contains": letters})
        condition |= Q(**{f"{initials_field}__like_ordered": fuzzy_initials})
        rank_whens += [
            When(**{f"{initials_field}__startswith": letters}, then=Value(1)),
            When(**{f"{full_field}__startswith": letters}, then=Value(1)),
            When(**{f"{initials_field}__contains": letters}, then=Value(2)),
            When(**{f"{full_field}__contains": letters}, then=Value(3)),
        ]
    rank = Case(*rank_whens, default=Value(4), output_field=IntegerField())
    return condition, rank


def _prefix_filter(query, letters, name_field, full_field, initials_field):
    if not query:
        return Q(pk__in=[]), Value(4, output_field=IntegerField())
    condition = Q(**{f"{name_field}__startswith": query})
    rank_whens = [When(**{f"{name_field}__startswith": query}, then=Value(0))]
    if letters and letters == query.lower().replace(" ", ""):
        condition |= Q(**{f"{initials_field}__startswith": letters})
        condition |= Q(**{f"{full_field}__startswith": letters})
        rank_whens.append(When(**{f"{initials_field}__startswith": letters}, then=Value(1)))
    rank = Case(*rank_whens, default=Value(2), output_field=IntegerField())
    return condition, rank
