"""RULES §10 vectors: hours from the pairs, rounding, the daily cap, the pairs a day, star
levels, person-times — pure functions, with the settings override."""

import datetime
from decimal import Decimal

from gongjian.volunteer import figures, rules


def at(hour, minute=0, day=1):
    return datetime.datetime(2025, 6, day, hour, minute, tzinfo=datetime.UTC)


def test_nine_to_eleven_forty_is_two_point_six_seven_raw_and_two_and_a_half_counted():
    assert rules.raw_hours(at(9), at(11, 40)) == Decimal("2.67")
    assert rules.round_hours(rules.raw_hours(at(9), at(11, 40))) == Decimal("2.50")
    raw, counted, open_pairs = rules.record_hours([(at(9).date(), at(9), at(11, 40))])
    assert (raw, counted, open_pairs) == (Decimal("2.67"), Decimal("2.50"), 0)


def test_a_day_is_capped_and_the_days_added():
    day1, day2 = at(0).date(), at(0, day=2).date()
    pairs = [(day1, at(7), at(12)), (day1, at(13), at(18, 20)),   # 10 h 20 → capped at 8
             (day2, at(9, day=2), at(10, 50, day=2))]               # 1 h 50 → 1.5
    raw, counted, _ = rules.record_hours(pairs)
    assert raw == Decimal("12.17") and counted == Decimal("9.50")


def test_an_open_pair_earns_nothing():
    day = at(0).date()
    raw, counted, open_pairs = rules.record_hours([(day, at(9), at(10)), (day, at(11), None)])
    assert (raw, counted, open_pairs) == (Decimal("1.00"), Decimal("1.00"), 1)


def test_a_fourth_pair_in_a_day_is_refused():
    assert rules.may_add_pair(2) and not rules.may_add_pair(3)


def test_star_levels_at_their_bounds():
    assert rules.star_level(Decimal("99.5")) == 0
    assert rules.star_level(Decimal("299.5")) == 1 and rules.star_label(Decimal("299.5")) == "一星志愿者"
    assert rules.star_level(300) == 2 and rules.star_label(300) == "二星志愿者"
    assert rules.star_level(1500) == 5 and rules.next_star(1500) is None
    assert rules.next_star(Decimal("299.5")) == ("二星", Decimal("0.5"))


def test_the_rules_are_settings(settings):
    settings.GONGJIAN_VOLUNTEER = {"star_levels": (100, 200, 500, 800, 1000),
                                   "rounding": "none", "max_pairs_per_day": 4,
                                   "publicity_days": 7}
    assert rules.star_level(300) == 2 and rules.star_level(200) == 2
    assert rules.round_hours(Decimal("2.67")) == Decimal("2.67")
    assert rules.may_add_pair(3)
    assert rules.counts_from(datetime.date(2025, 6, 1)) == datetime.date(2025, 6, 8)


def test_person_times_and_people():
    pairs = [(person, activity) for activity in range(36) for person in range(100)][:3500]
    assert figures.turnout(pairs) == figures.Turnout(person_times=3500, people=100)
    assert figures.person_times(pairs) == 3500
    one = [("王芳", "清洁"), ("王芳", "劝导"), ("王芳", "义诊")]
    assert figures.turnout(one) == figures.Turnout(person_times=3, people=1)
    # The same pair twice is one 人次.
    assert figures.person_times(one + [("王芳", "清洁")]) == 3
