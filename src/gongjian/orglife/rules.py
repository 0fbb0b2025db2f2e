"""Organisational life as data: what a branch must hold and how often, the vote fractions, the
compliance light and the flags (RULES.md §1 and §9, 《中国共产党支部工作条例（试行）》2018).

Every figure RULES marks *local practice* or *uncertain* is read through `setting()`, so a
district overrides it in settings (`GONGJIAN_ORGLIFE = {"light_green_max": 1, ...}`) without a
code change; the defaults are the values RULES gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings

from gongjian.members.choices import Standing
from gongjian.orgs.choices import OrgKind

SOURCE = "《中国共产党支部工作条例（试行）》（2018）"

# The organisations that hold organisational life and are judged for it.
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH)
# Not due: their party standing is suspended or they cannot be reached (RULES §9).
NOT_DUE = (Standing.SUSPENDED, Standing.LOST_CONTACT)


@dataclass(frozen=True)
class KindRule:
    code: str
    label: str
    # "month" | "quarter" | "year": the window in which one must be held; None: not required.
    every: str | None
    # Who is due: "members" (the branch's full and probationary members) or "committee".
    due: str
    source: str
    # Marked local practice or uncertain in RULES: the frequency is a setting.
    local: bool = False
    # Charged only to some branches: "committee" where a committee (支委会) is in office (a
    # branch of fewer than 7 full members has a secretary instead, 第九条); "groups" where
    # the branch is divided into party groups (第十三条); "" to every branch.
    where: str = ""


# The kinds, in the order a calendar lists them; codes are the API's.
KINDS: tuple[KindRule, ...] = (
    KindRule("party_congress", "支部党员大会", "quarter", "members", f"{SOURCE}第十一条"),
    KindRule("committee", "支部委员会", "month", "committee", f"{SOURCE}第十二条",
             where="committee"),
    KindRule("group", "党小组会", "month", "members",
             f"{SOURCE}第十三条（划分党小组的党支部）", where="groups"),
    KindRule("lecture", "党课", "quarter", "members",
             f"{SOURCE}第十六条（书记每年至少讲一次）；每季度一次为地方做法", local=True),
    KindRule("theme_day", "主题党日", "month", "members",
             f"{SOURCE}第十六条：每月相对固定 1 天（“4+X”）"),
    KindRule("life_meeting", "组织生活会", "year", "members", f"{SOURCE}第十七条：每年至少一次"),
    KindRule("appraisal", "民主评议党员", "year", "members", f"{SOURCE}第十七条：一般每年一次"),
    KindRule("talk", "谈心谈话", "year", "members", f"{SOURCE}第十七条：一般每年至少一次"),
)
KIND_CHOICES = [(k.code, k.label) for k in KINDS]

# The defaults of everything a district may set differently (RULES.md §1, §9).
DEFAULTS: dict[str, Any] = {
    # Frequencies that are local practice: kind → "month" | "quarter" | "year" | None.
    "every": {"lecture": "quarter"},
    # Quorum: "more than half" (default; RULES: whether 半数以上 includes the half is uncertain)
    # or "at least half".
    "quorum": "more_than_half",
    # Elections: more than 4/5 of those entitled present.
    "election_quorum": Fraction(4, 5),
    # Compliance light by the count of items not done in the period: 0–2 green, 3–6 yellow,
    # more red (county practice, e.g. 祁门; "以上" includes the number).
    "light_green_max": 2,
    "light_yellow_max": 6,
    # A branch with no meeting held for this many whole months is possibly hollow (空壳).
    "hollow_months": 3,
    # 优秀 share of those graded in 民主评议.
    "excellent_share": Fraction(1, 3),
    # Probationary members take part in 民主评议 but are not graded (local practice).
    "grade_probationary": False,
    # Branch size (from memory, RULES marks "verify"): full members to form a 党支部, members
    # to have a 支委会, and a committee's term in years.
    "branch_min_full": 3,
    "committee_min_members": 7,
    "committee_term_years": 3,
    # Retired members' branches left out of a street's rate.
    "exclude_retired_branches": True,
    # Days before a window closes when the branch is reminded of an item not yet held.
    "remind_days_before": 7,
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_ORGLIFE", {}) or {}
    value = overrides.get(name, DEFAULTS[name])
    if name == "every":
        return {**DEFAULTS["every"], **value}
    return value


def kind_rule(code: str) -> KindRule:
    for rule in KINDS:
        if rule.code == code:
            return rule
    raise KeyError(code)


def every(code: str) -> str | None:
    """The window one `code` meeting is required in, after the district's settings."""
    rule = kind_rule(code)
    return setting("every").get(code, rule.every) if rule.local else rule.every


def required_kinds() -> list[KindRule]:
    return [k for k in KINDS if every(k.code)]


def has_quorum(present: int, entitled: int, *, election: bool = False) -> bool:
    """RULES §1: a vote needs more than half of those entitled present (21 entitled, 11
    present → yes); an election more than 4/5."""
    if entitled <= 0:
        return False
    if election:
        return Fraction(present, entitled) > setting("election_quorum")
    if setting("quorum") == "at_least_half":
        return 2 * present >= entitled
    return 2 * present > entitled


def motion_passes(in_favour: int, entitled: int) -> bool:
    """A motion passes when those in favour exceed half of those entitled to vote who are due
    to attend (21 entitled: 11 passes, 10 fails)."""
    return entitled > 0 and 2 * in_favour > entitled


def light(missing: int) -> str:
    return light_rule()(missing)


def light_rule() -> Callable[[int], str]:
    """`light` with its bounds read once, for a subtree's thousands of branches."""
    green, yellow = setting("light_green_max"), setting("light_yellow_max")

    def judge(missing: int) -> str:
        return "green" if missing <= green else "yellow" if missing <= yellow else "red"

    return judge


LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
