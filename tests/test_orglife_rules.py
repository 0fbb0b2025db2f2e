"""RULES.md §1 and §9 vectors: quorum and passing, the uncertain "半数以上" as a setting,
elections at 4/5, and age in full years at the meeting's date."""

import datetime

import pytest
from django.test import override_settings

from gongjian.members.models import Person
from gongjian.orglife import rules


def test_quorum_and_motion_vectors():
    assert rules.has_quorum(11, 21)
    assert not rules.has_quorum(10, 21)
    assert rules.motion_passes(11, 21)
    assert not rules.motion_passes(10, 21)


def test_half_is_not_a_quorum_by_default_and_is_with_the_setting():
    assert not rules.has_quorum(10, 20)
    with override_settings(GONGJIAN_ORGLIFE={"quorum": "at_least_half"}):
        assert rules.has_quorum(10, 20)
        assert not rules.has_quorum(9, 20)
    assert not rules.has_quorum(10, 20)


@pytest.mark.parametrize("present,entitled,ok", [(17, 20, True), (16, 20, False),
                                                 (5, 5, True), (4, 5, False), (21, 25, True),
                                                 (20, 25, False)])
def test_elections_need_more_than_four_fifths_present(present, entitled, ok):
    assert rules.has_quorum(present, entitled, election=True) is ok


def test_no_one_entitled_is_no_quorum():
    assert not rules.has_quorum(0, 0) and not rules.motion_passes(0, 0)


def test_excellent_share_and_probationary_grading_are_settings():
    assert rules.setting("excellent_share") == rules.DEFAULTS["excellent_share"]
    assert rules.setting("grade_probationary") is False
    with override_settings(GONGJIAN_ORGLIFE={"grade_probationary": True}):
        assert rules.setting("grade_probationary") is True


@pytest.mark.parametrize("born,on,age", [
    (datetime.date(1990, 12, 31), datetime.date(2025, 6, 30), 34),   # RULES §9
    (datetime.date(1990, 12, 31), datetime.date(2025, 12, 30), 34),
    (datetime.date(1990, 12, 31), datetime.date(2025, 12, 31), 35),
    (datetime.date(2000, 2, 29), datetime.date(2025, 2, 28), 24),
    (datetime.date(2000, 2, 29), datetime.date(2025, 3, 1), 25),
])
def test_age_in_full_years_at_the_meeting_date(born, on, age):
    # Not the year difference (a peer system's defect, RULES §9).
    assert Person(name="测试", sex="男", birth_date=born).age_on(on) == age
