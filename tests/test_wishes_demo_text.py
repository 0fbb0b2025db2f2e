"""The demo's micro-wishes read right on public pages: every title and description is natural
Chinese (no "希望有人一副老花镜"), no quotation marks nest (“会展街道「红驿舫」微心愿认领季”), and
every fulfilment note and thank-you note fits its own wish (a child's school bag is not
thanked for on an old man's haircut) and whoever claimed it (a unit is not thanked as a
party member)."""

import re

import pytest

from gongjian.wishes.demo import IDEAS, THANKS_ANYONE, THANKS_TO
from gongjian.wishes.models import Group, Round, Wish, WishEvent

# What a wish is about: a word of a note must be in the wish's title or description.
THINGS = ["书包", "课外", "书", "运动鞋", "台灯", "文具", "羽绒服", "篮球", "字典", "画", "科技馆",
          "乒乓", "点读笔", "绘本", "水杯", "热水", "自行车", "辅导书", "数学", "老花镜", "收音机",
          "棉衣", "理发", "拐杖", "体检", "医生", "电暖器", "米面油", "被褥", "洗衣机", "轮椅",
          "扶手", "助听器", "医院", "复查", "聊"]
# Who a note speaks of: only on wishes of that group.
PEOPLE = {"孩子": Group.YOUTH, "老人": Group.ELDERLY}
# A wish said without its verb ("希望有人一副…", "希望能有参观…", "希望一个…").
BROKEN = [re.compile(p) for p in (r"希望有人[一两几][^起]", r"希望能?有(参观|上门|陪|修|维修|安装)",
                                  r"希望(能|有人)?[一两][副台件根次袋套双盏本辆个支]",
                                  r"。。", r"\{")]


def nested_quotes(text):
    depth = 0
    for char in text:
        if char == "“":
            depth += 1
            if depth > 1:
                return True
        elif char == "”":
            depth -= 1
    return depth != 0


def misfits(note, wish):
    """Why `note` does not fit `wish` (empty when it does)."""
    about = wish.title + wish.description
    wrong = [f"“{w}” not in the wish" for w in THINGS if w in note and w not in about]
    wrong += [f"“{w}” on a {wish.group} wish" for w, group in PEOPLE.items()
              if w in note and wish.group != group]
    if "党员" in note and (wish.claimer_unit_id or not wish.claimed_at):
        wrong.append("thanks a party member for a unit's claim")
    if "单位" in note and not wish.claimer_unit_id:
        wrong.append("thanks a unit for a member's claim")
    return wrong


@pytest.fixture
def wishes(demo):
    """The demo's wishes."""
    return list(Wish.objects.select_related("round", "claimer_unit"))


def test_the_catalogue_fits_itself():
    titles = [idea.title for ideas in IDEAS.values() for idea in ideas]
    assert len(titles) == len(set(titles))
    for group, ideas in IDEAS.items():
        for idea in ideas:
            about = idea.title + idea.description
            for text in (idea.description, idea.done, idea.thanks):
                assert not any(p.search(text.replace("{grade}", "3")) for p in BROKEN), text
                assert not [w for w in THINGS if w in text and w not in about], (idea, text)
                assert all(w not in text for w, g in PEOPLE.items() if g != group), text
            assert idea.description.endswith("。") and idea.thanks[-1] in "。！"
    for note in [THANKS_ANYONE, *THANKS_TO["member"], *THANKS_TO["unit"]]:
        assert not [w for w in [*THINGS, *PEOPLE] if w in note], note


def test_titles_and_descriptions_read_as_natural_chinese(wishes):
    assert len(wishes) > 90
    for wish in wishes:
        for text in (wish.title, wish.description):
            assert not any(p.search(text) for p in BROKEN), text
        assert wish.description.endswith("。") and wish.description != f"{wish.title}。"
        assert ("年级" in wish.description) <= (wish.group == Group.YOUTH)
    assert not any(p.search(w.description) for w in wishes for p in BROKEN)


def test_no_quotation_marks_nest(wishes):
    names = list(Round.objects.values_list("name", flat=True))
    assert names and not [n for n in names if "“" in n or "”" in n]
    assert "会展街道「红驿舫」微心愿认领季" in names
    texts = [*names, *Round.objects.values_list("description", flat=True)]
    texts += [t for w in wishes for t in (w.title, w.description, w.fulfil_note, w.thanks)]
    texts += list(WishEvent.objects.values_list("note", flat=True))
    assert not [t for t in texts if nested_quotes(t)]
    published = WishEvent.objects.filter(step="publish", wish__round__name__contains="红驿舫")
    assert published.first().note == "发布到“会展街道「红驿舫」微心愿认领季”"


def test_every_note_fits_its_wish(wishes):
    thanked = [w for w in wishes if w.thanks]
    assert len(thanked) > 40
    assert {w.thanks for w in thanked} & {i.thanks for ideas in IDEAS.values() for i in ideas}
    assert not {(w.title, w.thanks): misfits(w.thanks, w) for w in thanked
                if misfits(w.thanks, w)}
    done = [w for w in wishes if w.fulfil_note]
    assert not {(w.title, w.fulfil_note): misfits(w.fulfil_note, w) for w in done
                if misfits(w.fulfil_note, w)}
    # The example of the report: no child's joy on an old man's haircut.
    for wish in wishes:
        if "理发" in wish.thanks or "理发" in wish.fulfil_note:
            assert "理发" in wish.title
        assert "孩子" not in wish.thanks or wish.group == Group.YOUTH


def test_claims_do_not_name_a_member_to_everyone(wishes):
    notes = WishEvent.objects.filter(step="claim").values_list("note", flat=True)
    assert not [n for n in notes if n.startswith("党员")]
