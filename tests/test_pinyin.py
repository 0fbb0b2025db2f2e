"""Searching Chinese names by characters, full pinyin, or initials."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.pinyin import pinyin_keys, search_filter
from gongjian.orgs import services
from gongjian.orgs.models import Organization

ASCII_ALNUM = re.compile(r"[0-9a-z]*")


@pytest.mark.parametrize(("text", "keys"), [
    ("金安社区", ("jinanshequ", "jasq")),
    ("高林社区党委", ("gaolinshequdangwei", "glsqdw")),
    ("重庆", ("chongqing", "cq")),
    ("绿化", ("lvhua", "lh")),
    ("1号楼", ("1haolou", "1hl")),
    ("ABC物业", ("abcwuye", "abcwy")),
    ("鼎峰集团（厦门）", ("dingfengjituanxiamen", "dfjtxm")),
    ("", ("", "")),
])
def test_pinyin_keys(text, keys):
    assert pinyin_keys(text) == keys


def test_pinyin_keys_none():
    assert pinyin_keys(None) == ("", "")


@given(st.text())
def test_pinyin_keys_are_lowercase_ascii_alphanumerics(text):
    full, initials = pinyin_keys(text)
    assert ASCII_ALNUM.fullmatch(full), full
    assert ASCII_ALNUM.fullmatch(initials), initials
    assert len(initials) <= len(full)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=30))
def test_pinyin_keys_keep_ascii_text(text):
    assert pinyin_keys(text) == (text, text)


@given(st.text(alphabet="金安社区高林街道党委支部网格楼", min_size=1, max_size=12))
def test_initials_are_one_letter_per_character(text):
    full, initials = pinyin_keys(text)
    assert len(initials) == len(text)
    assert full.startswith(initials[0])


# ---- search_filter against the tree ----------------------------------------------------------

def search(query):
    condition, rank = search_filter(query)
    rows = (Organization.objects.filter(condition).annotate(rank=rank)
            .order_by("rank", "path"))
    return [(o.name, o.rank) for o in rows]


def names(query):
    return [name for name, _ in search(query)]


def test_initials_in_order_with_gaps(tree):
    found = names("jaq")
    assert "金安社区党委" in found
    assert "高林社区党委" not in found
    assert found == ["金安社区党委"]


def test_initials_prefix(tree):
    assert names("jasq") == ["金安社区党委"]
    assert names("JASQ") == ["金安社区党委"]


def test_full_pinyin(tree):
    assert names("jinan") == ["金安社区党委"]
    assert names("gaolin") == ["高林社区党委"]


def test_characters(tree):
    assert names("金安") == ["金安社区党委"]
    assert names("社区") == ["金安社区党委", "高林社区党委"]
    assert names("党小组") == ["一号楼党小组"]


def test_nothing_matches(tree):
    assert names("xyz") == []
    assert names("") == []
    assert names("   ") == []


def test_mixed_results_ordered_by_rank(tree):
    services.create_organization(user=None, parent=tree.a, code="JS-AS", name="社区服务中心党支部",
                                 kind="branch", sector="community")
    # 社区服务中心党支部: initials start with "sq" (rank 1);
    # 金安社区党委, 高林社区党委: initials contain "sq" (rank 2)
    assert search("sq") == [("社区服务中心党支部", 1), ("金安社区党委", 2), ("高林社区党委", 2)]
    # full pinyin: starts with (1) before contains (3)
    assert search("shequ") == [("社区服务中心党支部", 1), ("金安社区党委", 3), ("高林社区党委", 3)]
    # characters: a name starting with the query (0) before one containing it (4)
    assert search("社区") == [("社区服务中心党支部", 0), ("金安社区党委", 4), ("高林社区党委", 4)]


def test_fuzzy_initials_rank_last(tree):
    # "jq" is neither a prefix nor a substring of jasqdw or jlwhyxqdzb: only the ordered
    # match finds them; gaolin (glsqdw) does not start with j
    assert search("jq") == [("金安社区党委", 4), ("金林湾花园小区党支部", 4)]


def test_search_other_models(tree):
    from gongjian.orgs.models import Grid, Unit

    condition, rank = search_filter("jawg")
    assert list(Grid.objects.filter(condition).values_list("code", flat=True)) == ["G-A"]
    condition, rank = search_filter("jsxx")
    assert list(Unit.objects.filter(condition).values_list("code", flat=True)) == ["U-B"]
