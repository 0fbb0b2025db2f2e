"""Citizen ID numbers (GB 11643-1999, RULES.md §5): vectors, shapes, dates, masks, properties."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongjian.members import idnumber
from gongjian.members.models import Person


def _error(value):
    with pytest.raises(ValidationError) as caught:
        idnumber.parse(value)
    return caught.value


def _with_check(first17):
    return first17 + idnumber.check_char(first17)


# --- RULES.md vectors ------------------------------------------------------------------------

@pytest.mark.parametrize(("number", "birth", "sex"), [
    ("11010519491231002X", datetime.date(1949, 12, 31), "女"),
    ("440524188001010014", datetime.date(1880, 1, 1), "男"),
])
def test_valid_vectors(number, birth, sex):
    assert idnumber.check_char(number[:17]) == number[17]
    assert idnumber.parse(number) == (birth, sex)


def test_invalid_vector_wrong_check_digit():
    error = _error("110105194912310021")
    assert error.code == "id_check"
    assert error.messages == ["公民身份号码校验位不正确，请核对。"]


def test_lowercase_x_is_accepted_and_normalised():
    assert idnumber.normalize(" 11010519491231002x ") == "11010519491231002X"
    assert idnumber.parse("11010519491231002x") == (datetime.date(1949, 12, 31), "女")


# --- shape and date --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "",
    "11010519491231002",        # 17 characters
    "11010519491231002X1",      # 19 characters
    "1101051949123100XX",       # X before the end
    "X10105194912310021",
    "11010519491231002Y",
    "11010519491231 02X",
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
])
def test_wrong_shape(value):
    error = _error(value)
    assert error.code == "id_shape"
    assert "18 位" in error.messages[0]


@pytest.mark.parametrize("value", ["１１０１０５１９４９１２３１００２X", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"])
def test_non_ascii_digits_are_refused(value):
    assert _error(value).code == "id_shape"


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "20230229", "19491232"])
def test_impossible_birth_date(birth):
    error = _error(_with_check(f"110105{birth}002"))
    assert error.code == "id_birth"
    assert error.messages == ["公民身份号码中的出生日期不存在。"]


def test_leap_day_is_a_date():
    assert idnumber.parse(_with_check("11010520000229001"))[0] == datetime.date(2000, 2, 29)


# --- masks -----------------------------------------------------------------------------------

def test_masks():
    assert idnumber.mask("11010519491231002X") == "110105********002X"
    assert idnumber.mask("11010519491231002x") == "110105********002X"
    assert idnumber.mask("12345") == "*****"
    assert idnumber.mask_phone("13812345678") == "138****5678"
    assert idnumber.mask_phone(" 13812345678 ") == "138****5678"
    assert idnumber.mask_phone("041184561234") == "********1234"
    assert idnumber.mask_phone("1234") == "****"


def test_person_shows_masked_values():
    person = Person(name="张华娟", id_number="11010519491231002X", phone="13800138000")
    assert person.id_number_masked == "110105********002X"
    assert person.phone_masked == "138****8000"
    assert Person(name="无号码").id_number_masked == ""


# --- properties ------------------------------------------------------------------------------

areas = st.integers(min_value=110000, max_value=829999).map(lambda n: f"{n:06d}")
births = st.dates(min_value=datetime.date(1880, 1, 1), max_value=datetime.date(2025, 12, 31))
serials = st.integers(min_value=0, max_value=999)


@st.composite
def valid_numbers(draw):
    area, birth, serial = draw(areas), draw(births), draw(serials)
    return _with_check(f"{area}{birth:%Y%m%d}{serial:03d}"), birth, serial


@given(valid_numbers())
def test_generated_numbers_parse_to_their_birth_date_and_sex(case):
    number, birth, serial = case
    assert idnumber.parse(number) == (birth, "男" if serial % 2 else "女")
    assert idnumber.parse(number.lower()) == (birth, "男" if serial % 2 else "女")


@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.integers(1, 10))
def test_any_single_character_change_is_caught(case, position, shift):
    number = case[0]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    replacement = alphabet[(current + shift) % len(alphabet)]
    if replacement == number[position]:  # shift of a whole turn (only for the digits)
        replacement = alphabet[(current + 1) % len(alphabet)]
    changed = number[:position] + replacement + number[position + 1:]
    assert changed != number
    assert _error(changed).code == "id_check"


@given(valid_numbers(), st.integers(min_value=1, max_value=3650))
def test_person_clean_refuses_a_birth_date_that_disagrees(case, days):
    number, birth, serial = case
    sex = "男" if serial % 2 else "女"
    other = birth - datetime.timedelta(days=days)
    person = Person(name="王伟", sex=sex, birth_date=other, id_number=number)
    with pytest.raises(ValidationError) as caught:
        person.clean()
    errors = caught.value.message_dict
    assert set(errors) == {"birth_date"}
    assert f"{birth:%Y-%m-%d}" in errors["birth_date"][0]


@given(valid_numbers())
def test_person_clean_refuses_a_sex_that_disagrees(case):
    number, birth, serial = case
    wrong = "女" if serial % 2 else "男"
    person = Person(name="王伟", sex=wrong, birth_date=birth, id_number=number)
    with pytest.raises(ValidationError) as caught:
        person.clean()
    assert set(caught.value.message_dict) == {"sex"}
    assert "不一致" in caught.value.message_dict["sex"][0]


@given(valid_numbers())
def test_person_clean_accepts_an_agreeing_record(case):
    number, birth, serial = case
    person = Person(name="王伟", sex="男" if serial % 2 else "女", birth_date=birth,
                    id_number=number.lower(), phone="13800138000")
    person.clean()
    assert person.id_number == number


def test_person_clean_names_the_id_number_for_a_bad_number():
    person = Person(name="王伟", sex="女", birth_date=datetime.date(1949, 12, 31),
                    id_number="110105194912310021")
    with pytest.raises(ValidationError) as caught:
        person.clean()
    assert caught.value.message_dict == {"id_number": ["公民身份号码校验位不正确，请核对。"]}
